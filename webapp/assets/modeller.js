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
import { diff } from 'bpmn-js-differ';

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

function setupModeller(root) {
  const status = root.querySelector('#modeller-status');
  const modeler = new Modeler({
    container: root.querySelector('#canvas'),
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
  window.hatecasesModeler = modeler;

  async function send(url, verb) {
    const { xml } = await modeler.saveXML({ format: true });
    setStatus(status, verb + '…', 'busy');
    const { ok, body } = await postXml(url, xml);
    if (ok) {
      problems.clear();
    } else if (body.errors && body.errors.length) {
      problems.show(body.errors);
    }
    return { ok, body };
  }

  root.querySelector('#validate-button').addEventListener('click', async () => {
    const { ok, body } = await send(root.dataset.validateUrl, 'Checking');
    setStatus(status, ok ? 'No problems found: this diagram can be deployed.' : body.message, ok ? 'success' : 'error');
  });

  root.querySelector('#deploy-button').addEventListener('click', async () => {
    const { ok, body } = await send(root.dataset.deployUrl, 'Deploying');
    if (!ok) {
      setStatus(status, body.message, 'error');
    } else if (body.created) {
      const editing = document.getElementById('editing-version');
      if (editing) editing.textContent = body.version;
      setStatus(status, 'Deployed as version ' + body.version + ' of ' + body.name + '. New cases start on it; open cases stay on theirs.', 'success');
    } else {
      setStatus(status, 'Nothing changed: this is the same as version ' + body.version + '.', 'success');
    }
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
    const { xml } = await modeler.saveXML({ format: true });
    const link = el('a', { href: URL.createObjectURL(new Blob([xml], { type: 'application/xml' })), download: (root.dataset.key || 'diagram') + '.bpmn' });
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

// A model element as plain data: its own properties, with references to other elements as ids.
// bpmn-js-differ reports changed attributes; this also finds changes deep inside an element
// (a form field's label, a timer's duration) that it does not.
function snapshot(value) {
  if (Array.isArray(value)) return value.map(snapshot);
  if (!value || typeof value !== 'object' || !value.$descriptor) return value;
  const out = { $type: value.$type, $attrs: value.$attrs, $body: value.$body, $children: snapshot(value.$children) };
  (value.$descriptor.properties || []).forEach((property) => {
    if (['flowElements', 'artifacts', 'laneSets', 'di'].includes(property.name)) return;
    const item = value[property.name];
    if (item === undefined || (Array.isArray(item) && !item.length)) return;
    if (property.isReference) {
      out[property.name] = Array.isArray(item) ? item.map((ref) => ref && ref.id) : item && item.id;
    } else {
      out[property.name] = snapshot(item);
    }
  });
  return out;
}

function flowElements(definitions) {
  const found = {};
  const walk = (container) => (container.flowElements || []).forEach((element) => {
    found[element.id] = element;
    walk(element);
  });
  (definitions.rootElements || []).forEach(walk);
  return found;
}

const WORDS = {
  extensionElements: 'form, groups or other Camunda settings',
  eventDefinitions: 'timer or event',
  conditionExpression: 'condition',
  name: 'label',
  documentation: 'documentation'
};

function changedProperties(older, newer) {
  const a = snapshot(older);
  const b = snapshot(newer);
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((key) => JSON.stringify(a[key]) !== JSON.stringify(b[key]))
    .map((key) => WORDS[key] || key);
}

function describeChanges(older, newer) {
  const changes = diff(older.getDefinitions(), newer.getDefinitions());
  const before = flowElements(older.getDefinitions());
  const after = flowElements(newer.getDefinitions());
  const rows = [];
  const seen = new Set();
  const add = (kind, id, model, what) => {
    if (seen.has(kind + id) || !model || !model.$type || model.$type.startsWith('bpmndi:')) return;
    seen.add(kind + id);
    rows.push({ kind, id, model, what });
  };
  Object.keys(changes._added || {}).forEach((id) => add('added', id, after[id]));
  Object.keys(changes._removed || {}).forEach((id) => add('removed', id, before[id]));
  Object.keys(after).forEach((id) => {
    if (!before[id]) return add('added', id, after[id]);
    const what = changedProperties(before[id], after[id]);
    if (what.length) add('changed', id, after[id], what.join(', '));
  });
  Object.keys(before).forEach((id) => { if (!after[id]) add('removed', id, before[id]); });
  Object.keys(changes._layoutChanged || {}).forEach((id) => add('moved', id, after[id] || before[id]));
  return rows;
}

const LABELS = { added: 'Added', removed: 'Removed', changed: 'Changed', moved: 'Moved' };

async function setupCompare(root) {
  const [older, newer] = await Promise.all([
    viewer(root.querySelector('#compare-old'), root.dataset.oldUrl),
    viewer(root.querySelector('#compare-new'), root.dataset.newUrl)
  ]);
  const list = root.querySelector('#changes');
  const rows = describeChanges(older, newer);
  rows.forEach(({ kind, id, model, what }) => {
    const views = kind === 'removed' ? [older] : kind === 'changed' ? [older, newer] : [newer];
    views.forEach((view) => {
      if (view.get('elementRegistry').get(id)) view.get('canvas').addMarker(id, 'diff-' + kind);
    });
    const name = model.name ? '“' + model.name + '” (' + id + ')' : id;
    list.append(el('li', { class: 'change change--' + kind, 'data-element-id': id },
      LABELS[kind] + ': ' + model.$type.replace('bpmn:', '') + ' ' + name + (what ? ': ' + what : '')));
  });
  if (!rows.length) list.append(el('li', {}, 'The two versions are the same.'));
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
