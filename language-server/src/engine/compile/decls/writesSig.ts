// The part of a declaration step's key that its writes make (LowerCtx.addWrites): the addresses
// and values in order, as text. A page table's step writes every descriptor of its mappings (10,000
// and more in a large scenario), so the text is kept in chunks per writes list; a list made from
// another with a few values replaced (decls/ptBody.ts) makes only those chunks again. The same
// text either way.

import type { MemWrite } from '../../run/access';

const CHUNK = 256;
const chunksOf = new WeakMap<readonly MemWrite[], string[]>();

function chunk(ws: readonly MemWrite[], c: number): string {
  let s = '';
  for (let i = c * CHUNK, end = Math.min(ws.length, i + CHUNK); i < end; i++) s += ws[i].addr.toString(16) + '=' + ws[i].value.toString(16) + ',';
  return s;
}

/** `ws` is `from` with the entries at `changed` replaced (the same length). */
export function noteDerived(ws: readonly MemWrite[], from: readonly MemWrite[], changed: readonly number[]): void {
  const base = chunksOf.get(from);
  if (!base || ws.length !== from.length) return;
  const cs = base.slice();
  for (const c of new Set(changed.map((i) => Math.floor(i / CHUNK)))) cs[c] = chunk(ws, c);
  chunksOf.set(ws, cs);
}

export function writesSig(ws: readonly MemWrite[]): string {
  if (ws.length <= CHUNK) return chunk(ws, 0);
  let cs = chunksOf.get(ws);
  if (!cs) {
    cs = [];
    for (let c = 0; c * CHUNK < ws.length; c++) cs.push(chunk(ws, c));
    chunksOf.set(ws, cs);
  }
  return cs.join('');
}
