// DOM building without innerHTML: every piece of data becomes a text node or an attribute set
// through the DOM API, so a scenario string like `<img onerror=…>` can only ever show as text.
import { planKeyed } from './lib/keyed';

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | undefined>;

const SVG_NS = 'http://www.w3.org/2000/svg';

function setAttrs(el: Element, attrs: Attrs): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    // No event-handler attributes, ever (they would also be blocked by the CSP).
    if (/^on/i.test(k)) throw new Error(`refusing attribute ${k}`);
    el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs?: Attrs, ...children: Child[]): HTMLElementTagNameMap[K];
export function h(tag: string, attrs?: Attrs, ...children: Child[]): HTMLElement;
export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

export function s(tag: string, attrs: Attrs = {}, ...children: Child[]): SVGElement {
  const el = document.createElementNS(SVG_NS, tag) as SVGElement;
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** Replaces the children of `el`. */
export function replaceChildren(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** Sets text only when it changed (no needless layout). */
export function setText(el: Element, text: string): void {
  if (el.textContent !== text) el.textContent = text;
}

/**
 * Keeps `container`'s children in step with `items` by key: existing elements are updated in
 * place and moved, new ones created, stale ones removed. Elements carry their key in data-key.
 */
export function patchKeyed<T>(
  container: Element,
  items: readonly T[],
  keyOf: (item: T) => string,
  create: (item: T) => Element,
  update: (el: Element, item: T) => void,
): void {
  const existing = new Map<string, Element>();
  for (const c of Array.from(container.children)) {
    const k = (c as HTMLElement).dataset?.key;
    if (k !== undefined) existing.set(k, c);
  }
  // Keys must be unique; a scenario may repeat a name, so later duplicates get a suffix.
  const seen = new Map<string, number>();
  const keys = items.map((it) => {
    const k = keyOf(it);
    const n = seen.get(k) ?? 0;
    seen.set(k, n + 1);
    return n ? `${k}\u0000${n}` : k;
  });
  const plan = planKeyed([...existing.keys()], keys);
  for (const k of plan.remove) existing.get(k)?.remove();
  let prev: Element | null = null;
  items.forEach((item, i) => {
    let el = existing.get(keys[i]);
    if (!el) {
      el = create(item);
      (el as HTMLElement).dataset.key = keys[i];
    }
    update(el, item);
    const want: Element | null = prev ? prev.nextElementSibling : container.firstElementChild;
    if (want !== el) container.insertBefore(el, want);
    prev = el;
  });
}
