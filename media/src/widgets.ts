// Small shared widgets: filter field, per-instance sections, key/value grids.
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import './lensSection';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import { h, patchKeyed, setText } from './dom';

/** A filter text field; calls `onInput` with its value as the user types. */
export function filterField(placeholder: string, initial: string, onInput: (q: string) => void): HTMLElement {
  const tf = h('vscode-textfield', { placeholder, 'aria-label': placeholder, class: 'filter', type: 'search' }) as HTMLElement & { value: string };
  tf.value = initial;
  tf.addEventListener('input', () => onInput(tf.value));
  return tf;
}

/** A collapsible section whose heading (kept in its case) and description can be updated in place. */
export function section(title: string, open = true): { el: HTMLElement; body: HTMLElement; setTitle(t: string, desc?: string): void } {
  const el = h('lens-section', { heading: title, open }) as HTMLElement & { heading: string; description: string };
  const body = h('div', { class: 'section-body' });
  el.appendChild(body);
  return {
    el,
    body,
    setTitle(t: string, desc = '') {
      if (el.heading !== t) el.heading = t;
      if (el.description !== desc) el.description = desc;
    },
  };
}

/** A native disclosure for items inside a section. */
export function details(open: boolean): { el: HTMLDetailsElement; body: HTMLElement; set(title: string, desc: string): void } {
  const title = h('span', { class: 'item-title' });
  const desc = h('span', { class: 'item-desc muted' });
  const body = h('div', { class: 'section-body' });
  const el = h('details', { class: 'item', open }, h('summary', {}, title, desc), body);
  return {
    el,
    body,
    set(t, d) {
      setText(title, t);
      setText(desc, d);
    },
  };
}

/** A definition grid of fields (name → value), patched by name. */
export function fieldGrid(): { el: HTMLElement; set(fields: Array<[string, string, string?]>): void } {
  const el = h('div', { class: 'field-grid' });
  return {
    el,
    set(fields) {
      patchKeyed(
        el,
        fields,
        ([k]) => k,
        ([k]) => h('div', { class: 'field' }, h('span', { class: 'field-name' }, k), h('span', { class: 'field-value mono' })),
        (node, [k, v, cls]) => {
          setText(node.children[1], v);
          node.setAttribute('title', `${k} = ${v}`);
          node.className = 'field' + (cls ? ' ' + cls : '');
        },
      );
    },
  };
}
