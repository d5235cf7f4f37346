// The heatmap: the deployed diagram in the read-only bpmn-js NavigatedViewer with a badge on every
// element where open cases wait (how many, the median and the longest wait). Selecting a badge or
// the element lists its cases under the diagram. Bundled by scripts/build-assets.sh into
// webapp/static/vendor/. The page opts in with #heatmap[data-json-url]; the data comes by fetch,
// so the page needs no inline script. The bpmn.io watermark stays visible (its licence requires it).

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import './heatmap.css';

import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';

const LEVELS = 4;

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  Object.entries(attrs || {}).forEach(([key, value]) => node.setAttribute(key, value));
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function plural(count, word) {
  return count + ' ' + word + (count === 1 ? '' : 's');
}

// 1 (few) to LEVELS (the most cases on this diagram).
function level(count, most) {
  return Math.max(1, Math.ceil((LEVELS * count) / Math.max(most, 1)));
}

function summary(element) {
  return plural(element.count, 'open case') + ' waiting; median wait ' + element.median_text
    + ', longest ' + element.oldest_text;
}

function badge(element, most, onSelect) {
  const button = el('button', {
    type: 'button',
    class: 'heat-badge heat-badge--' + level(element.count, most),
    'data-element-id': element.element_id,
    'aria-label': element.name + ': ' + summary(element) + '. Show the cases.',
    title: summary(element)
  }, element.count);
  button.addEventListener('click', (event) => {
    event.stopPropagation();
    onSelect(element.element_id, true);
  });
  return button;
}

function caseTable(element) {
  const table = el('table', { class: 'table', id: 'heatmap-case-table' });
  table.append(el('caption', { class: 'visually-hidden' }, 'Cases waiting at ' + element.name + ', longest first'));
  const head = el('tr');
  ['Case', 'Waiting since', 'Waiting for'].forEach((text) => head.append(el('th', { scope: 'col' }, text)));
  const thead = el('thead');
  thead.append(head);
  table.append(thead);
  const body = el('tbody');
  element.cases.forEach((item) => {
    const row = el('tr', { 'data-case': item.reference });
    const link = el('td', { 'data-label': 'Case' });
    link.append(el('a', { href: item.url }, item.reference));
    const since = el('td', { 'data-label': 'Waiting since' });
    since.append(el('time', { datetime: item.since }, item.since_text));
    row.append(link, since, el('td', { 'data-label': 'Waiting for' }, item.waited_text));
    body.append(row);
  });
  table.append(body);
  return table;
}

function showCases(section, element, focus) {
  section.replaceChildren();
  section.dataset.elementId = element.element_id;
  section.append(el('h2', { id: 'heatmap-cases-heading', tabindex: '-1' }, element.name + ': ' + plural(element.count, 'case') + ' waiting'));
  section.append(el('p', {}, 'Median wait ' + element.median_text + '; longest ' + element.oldest_text + '.'
    + (element.not_listed ? ' ' + element.not_listed + (element.not_listed === 1 ? ' is' : ' are')
      + " not listed: restricted, or another team's." : '')
    + (element.cases.length < element.count - (element.not_listed || 0)
      ? ' The ' + element.cases.length + ' longest waiting are listed.' : '')));
  section.append(caseTable(element));
  if (focus) section.querySelector('h2').focus();
}

function noCases(section, name) {
  section.replaceChildren(el('p', { id: 'heatmap-cases-heading' }, 'No open cases wait at ' + name + '.'));
  delete section.dataset.elementId;
}

function mark(viewer, elements, onSelect) {
  const registry = viewer.get('elementRegistry');
  const overlays = viewer.get('overlays');
  const canvas = viewer.get('canvas');
  const most = Math.max(0, ...elements.map((e) => e.count));
  const missing = [];
  elements.forEach((element) => {
    if (!registry.get(element.element_id)) {
      missing.push(element);
      return;
    }
    canvas.addMarker(element.element_id, 'heat-' + level(element.count, most));
    overlays.add(element.element_id, 'heat', {
      position: { top: -10, right: 10 },
      scale: false, // a badge stays readable however far the diagram is zoomed out
      html: badge(element, most, onSelect)
    });
  });
  return missing;
}

function explainMissing(node, missing, onSelect) {
  node.replaceChildren();
  if (!missing.length) return;
  node.append('Cases on older versions wait at steps this version does not draw: ');
  missing.forEach((element, index) => {
    const button = el('button', { type: 'button', class: 'link-button', 'data-element-id': element.element_id },
      element.name + ' (' + element.count + ')');
    button.addEventListener('click', () => onSelect(element.element_id, true));
    node.append(index ? ', ' : '', button);
  });
  node.append('.');
}

async function start(root) {
  const status = document.getElementById('heatmap-status');
  const section = document.getElementById('heatmap-cases');
  const viewer = new NavigatedViewer({ container: root.querySelector('#heatmap-canvas') });
  let data;
  try {
    const response = await fetch(root.dataset.jsonUrl, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
    if (!response.ok) throw new Error('HTTP ' + response.status);
    data = await response.json();
    await viewer.importXML(data.xml);
  } catch (err) {
    status.textContent = 'The diagram could not be shown (' + err.message + '). The table below has the same figures.';
    return;
  }
  const byId = Object.fromEntries(data.elements.map((e) => [e.element_id, e]));
  const select = (id, focus) => {
    if (byId[id]) showCases(section, byId[id], focus);
  };
  const missing = mark(viewer, data.elements, select);
  explainMissing(document.getElementById('heatmap-missing'), missing, select);
  viewer.on('element.click', ({ element }) => {
    if (byId[element.id]) select(element.id, false);
    else if (element.type !== 'bpmn:Process' && element.type !== 'label') noCases(section, element.businessObject.name || element.id);
  });
  viewer.get('canvas').zoom('fit-viewport', 'auto');
  const total = data.elements.reduce((sum, e) => sum + e.count, 0);
  status.textContent = total
    ? 'Showing ' + plural(total, 'waiting case') + ' at ' + plural(data.elements.length, 'step') + '.'
    : 'No open cases are waiting in this process.';
  window.hatecasesHeatmap = viewer;
  root.dataset.ready = 'true';
}

const root = document.getElementById('heatmap');
if (root) start(root);
