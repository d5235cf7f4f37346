// The browser modeller: bpmn-js with the properties panel and the Camunda Platform 7 provider,
// plus the version compare view. Bundled by scripts/build-assets.sh into webapp/static/vendor/.
// Pages opt in with markup: #modeller (edit, validate, deploy) or #compare (two versions).
// The bpmn.io watermark that bpmn-js draws stays visible: its licence requires it.

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import './modeller.css';

import Modeler from 'bpmn-js/lib/Modeler';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import {
  BpmnPropertiesPanelModule,
  BpmnPropertiesProviderModule,
  CamundaPlatformPropertiesProviderModule
} from 'bpmn-js-properties-panel';
import CamundaBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-platform';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';

const PROBLEM = 'has-problem';

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : '';
}

async function postXml(url, xml) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/xml', 'X-CSRFToken': csrfToken(), Accept: 'application/json' },
    body: xml,
    credentials: 'same-origin'
  });
  let body = {};
  try {
    body = await response.json();
  } catch (err) {
    body = { message: 'The server did not answer as expected (HTTP ' + response.status + ').' };
  }
  return { ok: response.ok, status: response.status, body };
}

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([key, value]) => node.setAttribute(key, value));
  if (text) node.textContent = text;
  return node;
}

class ProblemList {
  constructor(modeler, list, summary) {
    this.modeler = modeler;
    this.list = list;
    this.summary = summary;
    this.marked = [];
  }

  clear() {
    const canvas = this.modeler.get('canvas');
    this.marked.forEach((id) => canvas.removeMarker(id, PROBLEM));
    this.modeler.get('overlays').remove({ type: 'problem' });
    this.marked = [];
    this.list.replaceChildren();
    this.summary.textContent = '';
  }

  show(problems) {
    this.clear();
    const registry = this.modeler.get('elementRegistry');
    this.summary.textContent = problems.length === 1
      ? '1 problem to fix before this can be deployed:'
      : problems.length + ' problems to fix before this can be deployed:';
    problems.forEach((problem) => {
      const item = el('li', { class: 'problem', 'data-element-id': problem.element_id || '' });
      const element = problem.element_id ? registry.get(problem.element_id) : null;
      const where = !element && problem.line ? ' (line ' + problem.line + ')' : '';
      item.append(el('span', { class: 'problem__message' }, problem.message + where));
      if (element) {
        this.mark(element, problem.message);
        const button = el('button', { type: 'button', class: 'link-button problem__show' }, 'Show on the diagram');
        button.addEventListener('click', () => this.focus(element));
        item.append(' ', button);
      }
      this.list.append(item);
    });
  }

  mark(element, message) {
    const target = element.labelTarget || element;
    if (!this.marked.includes(target.id)) {
      this.modeler.get('canvas').addMarker(target.id, PROBLEM);
      this.marked.push(target.id);
    }
    const badge = el('div', { class: 'problem-badge', title: message, role: 'img', 'aria-label': 'Problem' }, '!');
    this.modeler.get('overlays').add(target.id, 'problem', { position: { top: -12, right: 12 }, html: badge });
  }

  focus(element) {
    const canvas = this.modeler.get('canvas');
    if (canvas.zoom() < 0.9) canvas.zoom(1);
    canvas.scrollToElement(element);
    this.modeler.get('selection').select(element);
  }
}

function setStatus(node, text, kind) {
  node.textContent = text;
  node.className = 'modeller-status' + (kind ? ' modeller-status--' + kind : '');
}

async function importInto(modeler, xml, status) {
  try {
    const { warnings } = await modeler.importXML(xml);
    modeler.get('canvas').zoom('fit-viewport', 'auto');
    if (warnings.length) setStatus(status, 'Opened, with ' + warnings.length + ' warning(s) from the reader.', 'warning');
    return true;
  } catch (err) {
    setStatus(status, 'This file could not be opened: ' + err.message, 'error');
    return false;
  }
}

// The properties panel names its section buttons "Toggle section" and its list buttons "Toggle
// list item"; give each a name that says which section or item it opens, and whether it is open.
function nameButton(button, name, expanded) {
  if (!button) return;
  if (button.getAttribute('aria-label') !== name) {
    button.setAttribute('aria-label', name);
    button.setAttribute('title', name);
  }
  if (expanded !== undefined) button.setAttribute('aria-expanded', expanded ? 'true' : 'false');
}

function textOf(node, fallback) {
  const text = node ? node.textContent.trim() : '';
  return text || fallback;
}

function namePanelButtons(panel) {
  panel.querySelectorAll('.bio-properties-panel-group-header').forEach((header) => {
    const name = textOf(header.querySelector('.bio-properties-panel-group-header-title'), 'this section');
    const open = header.classList.contains('open');
    nameButton(header.querySelector('button.bio-properties-panel-arrow'), 'Show or hide ' + name, open);
    nameButton(header.querySelector('button.bio-properties-panel-add-entry'), 'Add to ' + name);
  });
  panel.querySelectorAll('.bio-properties-panel-collapsible-entry-header').forEach((header) => {
    const name = textOf(header.querySelector('.bio-properties-panel-collapsible-entry-header-title'), 'this item');
    const open = header.parentElement && header.parentElement.classList.contains('open');
    nameButton(header.querySelector('button.bio-properties-panel-arrow'), 'Show or hide ' + name, open);
    nameButton(header.querySelector('button.bio-properties-panel-remove-entry'), 'Delete ' + name);
  });
  panel.querySelectorAll('.bio-properties-panel-list-entry').forEach((entry) => {
    const header = entry.querySelector('.bio-properties-panel-list-entry-header');
    const name = textOf(header && header.querySelector('.bio-properties-panel-list-entry-header-title'), 'this list');
    if (header) {
      nameButton(header.querySelector('button.bio-properties-panel-add-entry'), 'Add to ' + name);
      nameButton(header.querySelector('button.bio-properties-panel-arrow'), 'Show or hide ' + name, entry.classList.contains('open'));
    }
    entry.querySelectorAll(':scope > ol > .bio-properties-panel-list-entry-item').forEach((item, index) => {
      const title = item.querySelector('.bio-properties-panel-collapsible-entry-header-title');
      const what = title ? textOf(title, '') : '';
      nameButton(item.querySelector(':scope > button.bio-properties-panel-remove-list-entry'),
        'Delete ' + (what || 'item ' + (index + 1)) + ' from ' + name);
    });
  });
}

function watchPanelButtons(panel) {
  namePanelButtons(panel);
  new MutationObserver(() => namePanelButtons(panel))
    .observe(panel, { childList: true, subtree: true, attributes: true, attributeFilter: ['class'] });
}

// The canvas takes keys when focused (diagram-js binds them to the drawing): Ctrl+F finds and
// selects a step by name, the arrow keys move what is selected. Say so, and say what is selected.
function describeCanvas(root, modeler) {
  const svg = root.querySelector('#canvas svg');
  if (svg) {
    svg.setAttribute('role', 'application');
    svg.setAttribute('aria-label', 'Diagram');
    svg.setAttribute('aria-describedby', 'keyboard-help');
  }
  stepThroughElements(modeler);
  const said = root.querySelector('#selection-status');
  modeler.get('eventBus').on('selection.changed', ({ newSelection }) => {
    if (!said) return;
    said.textContent = newSelection.length === 1
      ? 'Selected: ' + describeElement(newSelection[0])
      : newSelection.length ? newSelection.length + ' elements selected' : 'Nothing selected';
  });
}

// ] and [ select the next and the previous element (shapes left to right, then top to bottom,
// then the flows), so that every element can be reached without a mouse or knowing its name.
function stepThroughElements(modeler) {
  const registry = modeler.get('elementRegistry');
  const selection = modeler.get('selection');
  const canvas = modeler.get('canvas');
  modeler.get('keyboard').addListener(2000, ({ keyEvent }) => {
    // Returning nothing lets the other bindings have every other key (false would stop them).
    if (keyEvent.ctrlKey || keyEvent.metaKey || keyEvent.altKey) return undefined;
    if (keyEvent.key !== ']' && keyEvent.key !== '[') return undefined;
    const root = canvas.getRootElement();
    const all = registry.filter((e) => e !== root && !e.labelTarget && e.type !== 'label' && e.businessObject);
    const shapes = all.filter((e) => !e.waypoints).sort((a, b) => (a.x - b.x) || (a.y - b.y));
    const flows = all.filter((e) => e.waypoints);
    const order = shapes.concat(flows);
    if (!order.length) return true;
    const current = order.indexOf(selection.get()[0]);
    const step = keyEvent.key === ']' ? 1 : -1;
    const next = order[(current + step + order.length) % order.length];
    selection.select(next);
    canvas.scrollToElement(next);
    return true;
  });
}

function describeElement(element) {
  const bo = element.businessObject || {};
  const kind = (bo.$type || 'element').replace('bpmn:', '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return kind + (bo.name ? ' “' + bo.name + '”' : '') + ' (' + element.id + ')';
}

function showWarnings(list, summary, warnings) {
  list.replaceChildren();
  summary.textContent = '';
  if (!Array.isArray(warnings) || !warnings.length) return;
  summary.textContent = warnings.length === 1
    ? '1 warning (this does not stop a deploy):'
    : warnings.length + ' warnings (these do not stop a deploy):';
  warnings.forEach((warning) => {
    const text = typeof warning === 'string' ? warning : (warning.message || '');
    const where = warning && warning.line && !warning.element_id ? ' (line ' + warning.line + ')' : '';
    list.append(el('li', { class: 'warning', 'data-element-id': (warning && warning.element_id) || '' }, text + where));
  });
}

// The Deploy button's confirmation: what would change against the version new cases start on.
function propertyText(property) {
  const name = property.name.charAt(0).toUpperCase() + property.name.slice(1);
  if (property.old === null || property.old === undefined) return name + ': added “' + property.new + '”';
  if (property.new === null || property.new === undefined) return name + ': removed (was “' + property.old + '”)';
  return name + ': “' + property.old + '” → “' + property.new + '”';
}

const KINDS = { added: 'Added', removed: 'Removed', changed: 'Changed' };

function changeList(proposal) {
  const list = el('ul', { class: 'changes', id: 'deploy-changes' });
  proposal.elements.forEach((element) => {
    const item = el('li', { class: 'change change--' + element.kind, 'data-element-id': element.element_id });
    item.append(el('strong', {}, KINDS[element.kind] + ':'), ' ' + element.title);
    if (element.properties.length) {
      const properties = el('ul', { class: 'change__properties' });
      element.properties.forEach((property) => properties.append(el('li', {}, propertyText(property))));
      item.append(properties);
    }
    list.append(item);
  });
  return list;
}

function confirmDeploy(dialog, proposal) {
  const summary = dialog.querySelector('#deploy-dialog-summary');
  const changes = dialog.querySelector('#deploy-dialog-changes');
  const confirm = dialog.querySelector('#deploy-confirm');
  const label = 'Deploy version ' + proposal.next_version;
  dialog.querySelector('#deploy-dialog-title').textContent = label + '?';
  confirm.textContent = label;
  changes.replaceChildren();
  if (proposal.new_process) {
    summary.textContent = 'This is a new process: it will be deployed as version ' + proposal.next_version + '.';
  } else {
    summary.textContent = 'What changes against version ' + proposal.current_version + ', the version new cases start on now:';
    if (proposal.elements.length) changes.append(changeList(proposal));
    else changes.append(el('p', {}, 'No step, flow or setting changed.'));
    if (proposal.layout.length) {
      changes.append(el('p', { id: 'deploy-layout' }, 'The drawing changed too (no change to how cases run): ' +
        proposal.layout.map((element) => element.title).join('; ') + '.'));
    }
  }
  return new Promise((resolve) => {
    const done = (ok) => () => { dialog.close(ok ? 'deploy' : 'cancel'); };
    const onConfirm = done(true);
    const onCancel = done(false);
    confirm.addEventListener('click', onConfirm);
    dialog.querySelector('#deploy-cancel').addEventListener('click', onCancel);
    dialog.addEventListener('close', () => {
      confirm.removeEventListener('click', onConfirm);
      dialog.querySelector('#deploy-cancel').removeEventListener('click', onCancel);
      resolve(dialog.returnValue === 'deploy');
    }, { once: true });
    dialog.returnValue = '';
    dialog.showModal();
    dialog.querySelector('#deploy-dialog-title').focus();
  });
}

function setupModeller(root) {
  const status = root.querySelector('#modeller-status');
  const modeler = new Modeler({
    container: root.querySelector('#canvas'),
    keyboard: { bind: true },
    propertiesPanel: { parent: root.querySelector('#properties') },
    additionalModules: [
      BpmnPropertiesPanelModule,
      BpmnPropertiesProviderModule,
      CamundaPlatformPropertiesProviderModule,
      CamundaBehaviorsModule
    ],
    moddleExtensions: { camunda: camundaModdle }
  });
  const problems = new ProblemList(modeler, root.querySelector('#problems'), root.querySelector('#problems-summary'));
  const warnings = [root.querySelector('#warnings'), root.querySelector('#warnings-summary')];
  const dialog = root.querySelector('#deploy-dialog');
  window.hatecasesModeler = modeler;
  watchPanelButtons(root.querySelector('#properties'));
  describeCanvas(root, modeler);

  async function send(url, verb, xml) {
    setStatus(status, verb + '…', 'busy');
    const { ok, body } = await postXml(url, xml);
    if (ok) {
      problems.clear();
    } else if (body.errors && body.errors.length) {
      problems.show(body.errors);
    }
    showWarnings(warnings[0], warnings[1], body.warnings);
    return { ok, body };
  }

  async function currentXml() {
    return (await modeler.saveXML({ format: true })).xml;
  }

  root.querySelector('#validate-button').addEventListener('click', async () => {
    const { ok, body } = await send(root.dataset.validateUrl, 'Checking', await currentXml());
    setStatus(status, ok ? 'No problems found: this diagram can be deployed.' : body.message, ok ? 'success' : 'error');
  });

  root.querySelector('#deploy-button').addEventListener('click', async () => {
    const xml = await currentXml();
    setStatus(status, 'Comparing with the version new cases start on…', 'busy');
    const proposal = await postXml(root.dataset.changesUrl, xml);
    if (!proposal.ok) {
      if (proposal.body.errors && proposal.body.errors.length) problems.show(proposal.body.errors);
      setStatus(status, proposal.body.message, 'error');
      return;
    }
    if (proposal.body.same) {
      setStatus(status, 'Nothing changed: this is the same as version ' + proposal.body.current_version + '. Nothing was deployed.', 'success');
      return;
    }
    if (!(await confirmDeploy(dialog, proposal.body))) {
      setStatus(status, 'Not deployed.', '');
      root.querySelector('#deploy-button').focus();
      return;
    }
    const { ok, body } = await send(root.dataset.deployUrl, 'Deploying', xml);
    if (!ok) {
      setStatus(status, body.message, 'error');
    } else if (body.created) {
      const editing = document.getElementById('editing-version');
      if (editing) editing.textContent = body.version;
      setStatus(status, 'Deployed as version ' + body.version + ' of ' + body.name + '. New cases start on it; open cases stay on theirs.', 'success');
    } else {
      setStatus(status, 'Nothing changed: this is the same as version ' + body.version + '.', 'success');
    }
    root.querySelector('#deploy-button').focus();
  });

  root.querySelector('#open-file').addEventListener('change', async (event) => {
    const file = event.target.files[0];
    if (!file) return;
    problems.clear();
    if (await importInto(modeler, await file.text(), status)) {
      setStatus(status, 'Opened ' + file.name + '. Check it, then deploy it.', 'success');
    }
  });

  root.querySelector('#save-file').addEventListener('click', async () => {
    const link = el('a', { href: URL.createObjectURL(new Blob([await currentXml()], { type: 'application/xml' })), download: (root.dataset.key || 'diagram') + '.bpmn' });
    document.body.append(link);
    link.click();
    link.remove();
  });

  fetch(root.dataset.xmlUrl, { credentials: 'same-origin' })
    .then((response) => response.text())
    .then((xml) => importInto(modeler, xml, status))
    .then((opened) => { if (opened) root.dataset.ready = 'true'; });
}

async function viewer(container, url) {
  const view = new NavigatedViewer({ container, moddleExtensions: { camunda: camundaModdle } });
  const xml = await (await fetch(url, { credentials: 'same-origin' })).text();
  await view.importXML(xml);
  view.get('canvas').zoom('fit-viewport', 'auto');
  return view;
}

// The compare page: the server lists what changed (processes/changes.py); this marks the same
// elements on the two drawings.
async function setupCompare(root) {
  const [older, newer] = await Promise.all([
    viewer(root.querySelector('#compare-old'), root.dataset.oldUrl),
    viewer(root.querySelector('#compare-new'), root.dataset.newUrl)
  ]);
  root.querySelectorAll('li[data-element-id][data-kind]').forEach((item) => {
    const id = item.dataset.elementId;
    const kind = item.dataset.kind;
    const views = kind === 'removed' ? [older] : kind === 'added' ? [newer] : [older, newer];
    views.forEach((view) => {
      if (view.get('elementRegistry').get(id)) view.get('canvas').addMarker(id, 'diff-' + kind);
    });
  });
  root.dataset.ready = 'true';
}

// Moving cases: the chosen cases go in small batches so progress can be shown; each case moves
// in its own transaction on the server. Without JavaScript the form posts them all at once.
const BATCH = 10;

function setupMigrate(form) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = [...form.querySelectorAll('input[name="reference"]:checked')].map((box) => box.value);
    const progress = form.querySelector('#migrate-progress');
    const status = form.querySelector('#migrate-status');
    const results = form.querySelector('#migrate-results');
    form.querySelector('button[type="submit"]').disabled = true;
    progress.hidden = false;
    progress.max = chosen.length || 1;
    progress.value = 0;
    results.replaceChildren();
    let moved = 0;
    for (let start = 0; start < chosen.length; start += BATCH) {
      const response = await fetch(form.action, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json', 'X-CSRFToken': csrfToken() },
        body: JSON.stringify({ references: chosen.slice(start, start + BATCH) }),
        credentials: 'same-origin'
      });
      const body = response.ok ? await response.json() : { outcomes: [] };
      body.outcomes.forEach((outcome) => {
        if (outcome.moved) moved += 1;
        else results.append(el('li', { class: 'change change--removed' }, outcome.message));
      });
      progress.value = Math.min(start + BATCH, chosen.length);
      status.textContent = 'Moved ' + moved + ' of ' + chosen.length + '…';
    }
    status.textContent = 'Moved ' + moved + ' of ' + chosen.length + ' cases.';
    const again = el('a', { href: window.location.href }, 'See the cases now');
    status.append(' ', again);
    form.dataset.done = 'true';
  });
}

document.addEventListener('DOMContentLoaded', () => {
  const migrateForm = document.getElementById('migrate-form');
  if (migrateForm) setupMigrate(migrateForm);
  const modeller = document.getElementById('modeller');
  if (modeller) setupModeller(modeller);
  const compare = document.getElementById('compare');
  if (compare) setupCompare(compare);
});
