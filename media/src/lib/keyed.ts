// Keyed reconciliation plan (pure): which keys to drop, which to create, in what order to place
// them. The DOM side (dom.ts) applies it so rows keep their elements (and focus, scroll, expanded
// state) across updates instead of being rebuilt.

export interface KeyedPlan {
  remove: string[];
  create: string[];
  keep: string[];
  /** Final order of keys. */
  order: string[];
}

export function planKeyed(oldKeys: readonly string[], newKeys: readonly string[]): KeyedPlan {
  const seen = new Set<string>();
  const order: string[] = [];
  for (const k of newKeys) {
    if (seen.has(k)) throw new Error(`duplicate key ${k}`);
    seen.add(k);
    order.push(k);
  }
  const old = new Set(oldKeys);
  return {
    remove: oldKeys.filter((k) => !seen.has(k)),
    create: order.filter((k) => !old.has(k)),
    keep: order.filter((k) => old.has(k)),
    order,
  };
}

/** 32-bit FNV-1a of a string, as 8 hex digits: a cheap content key for "did this change?". */
export function hashString(t: string): string {
  let x = 0x811c9dc5;
  for (let i = 0; i < t.length; i++) {
    x ^= t.charCodeAt(i);
    x = Math.imul(x, 0x01000193) >>> 0;
  }
  return x.toString(16).padStart(8, '0');
}
