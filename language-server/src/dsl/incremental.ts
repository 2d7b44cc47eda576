// Incremental re-parsing: after an edit, only the statements it touched are parsed again. The
// tree keeps statement boundaries; a top-level statement's parse depends only on the text from
// its start (at a line start, outside any block) to its end, so:
//   1. re-parsing starts at the line start of the first statement the edit can reach (backing up
//      over statements that ended with errors: an unclosed `{` ends at the next statement keyword,
//      which the edit may have changed);
//   2. it stops at the first statement start after the edit that is also an old statement start
//      (shifted by the edit's length change): from there the old statements stand, moved by
//      the edit's length change when read (shiftedList.ts).
// Anything unusual (many diagnostics, a line break split by the edit, a partial file) falls back
// to a full parse. The result equals `parse(newText)` (the property test in
// test/unit/dsl/incremental.test.ts checks it after random edits), diagnostics in offset order.
import type { Diagnostic, ParseResult, Script, Span, Statement } from './ast';
import { MAX_DIAGNOSTICS, lineIndexIn, positionIn } from './diagnostics';
import { byEnd, byStart, lowerBound } from './lowerBound';
import { parse, parseFrom } from './parser';
import { spliced } from './shiftedList';

/** What re-parsing did (for tests and benchmarks). */
export interface ReparseInfo {
  full: boolean;
  /** Offsets of the new text that were parsed again. */
  from: number;
  to: number;
  /** Statements parsed again / reused. */
  parsed: number;
  reused: number;
}

// Large texts: compare in chunks first (native string equality), then char by char.
const CHUNK = 2048;

/** Length of the common prefix of `a` and `b`, at most `max`. */
export function commonPrefix(a: string, b: string, max: number): number {
  let p = 0;
  while (p + CHUNK <= max && a.slice(p, p + CHUNK) === b.slice(p, p + CHUNK)) p += CHUNK;
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  return p;
}

/** Length of the common suffix of `a` and `b`, at most `max`. */
export function commonSuffix(a: string, b: string, max: number): number {
  let s = 0;
  while (s + CHUNK <= max && a.slice(a.length - s - CHUNK, a.length - s) === b.slice(b.length - s - CHUNK, b.length - s)) s += CHUNK;
  while (s < max && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  return s;
}

/** The lengths of a common prefix `p` and suffix `s` of `a` and `b` (p + s <= the shorter length):
 *  `known` clamped when given (a lower bound from the edits between them), else the longest ones. */
export function commonExtent(a: string, b: string, known?: { p: number; s: number }): { p: number; s: number } {
  const min = Math.min(a.length, b.length);
  const p = known ? Math.min(known.p, min) : commonPrefix(a, b, min);
  const s = known ? Math.min(known.s, min - p) : commonSuffix(a, b, min - p);
  return { p, s };
}

function hasLineBreak(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return true;
  }
  return false;
}

/**
 * The line starts of `newText` from those of `oldText` (computeLineStarts of either), rescanning
 * only the lines the edit touched: `p` and `s` are the lengths of the texts' common prefix and
 * suffix (computed when not given). Equals `computeLineStarts(newText)`; may be `oldStarts` itself
 * (line starts are never modified once computed).
 */
export function nextLineStarts(oldStarts: readonly number[], oldText: string, newText: string, p?: number, s?: number): number[] {
  const min = Math.min(oldText.length, newText.length);
  p ??= commonPrefix(oldText, newText, min);
  s ??= commonSuffix(oldText, newText, min - p);
  const delta = newText.length - oldText.length;
  // An edit that keeps the length and breaks no line (typing over a digit): the same starts, shared.
  if (delta === 0 && !hasLineBreak(oldText, p, oldText.length - s) && !hasLineBreak(newText, p, newText.length - s)) return oldStarts as number[];
  // Kept: the starts up to the line before the edit's (the characters around them are unchanged).
  const k = Math.max(0, lineIndexIn(oldStarts, p) - 1);
  const a = oldStarts[k];
  // Resumed: the first start whose preceding character lies in the common suffix.
  const oldEnd = oldText.length - s;
  let m = k;
  while (m < oldStarts.length && oldStarts[m] <= oldEnd) m++;
  const stop = m < oldStarts.length ? oldStarts[m] + delta : newText.length;
  const out = oldStarts.slice(0, k + 1);
  for (let i = a; i < stop; i++) {
    const c = newText.charCodeAt(i);
    if (c === 10) out.push(i + 1);
    else if (c === 13) {
      if (i + 1 < newText.length && newText.charCodeAt(i + 1) === 10) i++;
      out.push(i + 1);
    }
  }
  if (m < oldStarts.length) {
    if (out[out.length - 1] === stop) out.pop();
    // (a copy moved in place, then joined: memory speed for 100,000 lines)
    const tail = oldStarts.slice(m);
    if (delta !== 0) for (let i = 0; i < tail.length; i++) tail[i] += delta;
    return out.concat(tail);
  }
  return out;
}

/** Data derived from a statement that does not depend on where it stands (offsets relative to its
 *  start): a statement copied by `reparse` with its offsets shifted shares its original's memo
 *  (when a feature made one), so features do not derive it again for statements an edit only moved. */
export type StatementMemo = Record<string, unknown>;
const memos = new WeakMap<Statement, StatementMemo>();

/** The memo of a statement (created empty on first use). */
export function statementMemo(st: Statement): StatementMemo {
  let m = memos.get(st);
  if (!m) memos.set(st, (m = {}));
  return m;
}

/** How a tree made by `reparse` differs from the tree it was made from (`from`, while it lives):
 *  the old statements [i, j) were replaced by the new ones [i, i + added), which span old offsets
 *  [oldFrom, oldTo) (Infinity: to the end); the old statements from j on moved by `delta`. Lets a
 *  feature update what it derived from the old tree (names.ts) in proportion to the edit. */
export interface TreeEdit {
  from: WeakRef<Script>;
  i: number;
  j: number;
  added: number;
  oldFrom: number;
  oldTo: number;
  delta: number;
  /** A common prefix and suffix of the two texts (the extent the re-parse used: the compile's
   *  editOf takes it instead of comparing the texts again). */
  extent: { p: number; s: number };
}
const edits = new WeakMap<Script, TreeEdit>();

/** The edit that made `tree` from an older tree (undefined for a full parse). */
export function treeEdit(tree: Script): TreeEdit | undefined {
  return edits.get(tree);
}

/** A copy of a node tree with every `start` / `end` moved by `delta` (nodes are plain objects
 *  and arrays; a for-in copy, no entry arrays: made for a moved statement when it is read). */
function shifted<T>(node: T, delta: number): T {
  if (Array.isArray(node)) {
    const out = new Array(node.length);
    for (let i = 0; i < node.length; i++) {
      const v: unknown = node[i];
      out[i] = typeof v === 'object' && v !== null ? shifted(v, delta) : v;
    }
    return out as T;
  }
  const src = node as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k in src) {
    const v = src[k];
    if (typeof v === 'object') out[k] = v === null ? v : shifted(v, delta);
    else out[k] = typeof v === 'number' && (k === 'start' || k === 'end') ? v + delta : v;
  }
  return out as T;
}

/** A statement moved by `delta`, sharing its original's memo when a feature made one. */
function shiftStatement(st: Statement, delta: number): Statement {
  const c = shifted(st, delta);
  const m = memos.get(st);
  if (m) memos.set(c, m);
  return c;
}

const shiftSpan = (c: Span, delta: number): Span => ({ start: c.start + delta, end: c.end + delta });

function lineStartBefore(text: string, o: number): number {
  while (o > 0) {
    const c = text.charCodeAt(o - 1);
    if (c === 10 || c === 13) break;
    o--;
  }
  return o;
}

/**
 * The parse of `newText`, reusing `old` (the parse of `oldText`) outside the statements the edit
 * touched. Never throws; equals `parse(newText, uri)`. `extent`: lengths of a common prefix and
 * suffix of the texts (from the edits between them), else found by comparing the texts.
 * `lineStarts`: those of `newText` when the caller has them (server/sources.ts), else computed
 * from the old ones.
 */
export function reparse(old: ParseResult, oldText: string, newText: string, uri?: string, extent?: { p: number; s: number }, lineStarts?: number[]): ParseResult & { info: ReparseInfo } {
  const full = (): ParseResult & { info: ReparseInfo } => {
    const r = parse(newText, uri);
    return { ...r, info: { full: true, from: 0, to: newText.length, parsed: r.tree.statements.length, reused: 0 } };
  };
  // Counts near the cap would differ (the cap applies to the whole text).
  if (old.diagnostics.length >= MAX_DIAGNOSTICS / 2 || old.tree.end !== oldText.length) return full();
  // The common prefix and suffix: from the edits when the caller knows them (a lower bound does).
  const { p, s } = commonExtent(oldText, newText, extent);
  const oldEnd = oldText.length - s;
  const newEnd = newText.length - s;
  const delta = newText.length - oldText.length;
  const stmts = old.tree.statements;

  // 1. The first statement the edit can reach: the first ending on or after the edit's line.
  let a = lineStartBefore(oldText, p);
  let i = lowerBound(stmts, a, byEnd);
  for (;;) {
    if (i < stmts.length) a = Math.min(a, lineStartBefore(oldText, stmts[i].start));
    const prev = stmts[i - 1];
    if (prev && (prev.end >= a || prev.kind === 'error' || prev.incomplete)) i--;
    else break;
  }
  // `a` must be a line start of the new text as well (an edit may join `\r` and `\n`).
  if (a > 0 && (newText.charCodeAt(a - 1) === 13 && newText.charCodeAt(a) === 10)) return full();

  // 2. Parse from `a` until a statement starts where an old one did (after the edit).
  const firstAfter = lowerBound(stmts, oldEnd, byStart);
  /** Index of the old statement (after the edit) starting at old offset `o`, or -1. */
  const oldStartAt = (o: number) => {
    const k = lowerBound(stmts, o, byStart, firstAfter);
    return k < stmts.length && stmts[k].start === o ? k : -1;
  };
  lineStarts ??= nextLineStarts(old.tree.lineStarts, oldText, newText, p, s);
  const stopAt = (o: number) => o >= newEnd && oldStartAt(o - delta) >= 0;
  const mid = parseFrom(newText, a, stopAt, lineStarts);
  // parseFrom stops only where an old statement starts (else it reads to the end).
  const found = mid.stop < newText.length ? oldStartAt(mid.stop - delta) : -1;
  const j = found >= 0 ? found : stmts.length;
  const stopOld = j < stmts.length ? stmts[j].start : Infinity;
  // Tokens at or after the resync point belong to the old statements (a peek may have read them).
  const stop = j < stmts.length ? mid.stop : Infinity;

  // The statements and comments after the resync point are the old ones, moved when read
  // (shiftedList.ts: no copy of each following statement here).
  const statements: Statement[] = spliced(stmts, i, j, mid.statements, delta, shiftStatement);
  const oc = old.tree.comments;
  const comments: Span[] = spliced(oc, lowerBound(oc, a, byStart), lowerBound(oc, stopOld, byStart), mid.comments.filter((c) => c.start < stop), delta, shiftSpan);
  const moved = (d: Diagnostic): Diagnostic => {
    const start = d.start + delta;
    const end = d.end + delta;
    return { ...d, start, end, range: { start: positionIn(lineStarts, start), end: positionIn(lineStarts, end) } };
  };
  const before = old.diagnostics.filter((d) => d.start < a);
  const after = old.diagnostics.filter((d) => d.start >= stopOld).map(moved);
  // Diagnostics in offset order (a full parse reports a token's lexing error when it is read).
  const diagnostics = [...before, ...mid.diagnostics.filter((d) => d.start < stop), ...after];
  if (diagnostics.length >= MAX_DIAGNOSTICS / 2) return full();
  diagnostics.sort((x, y) => x.start - y.start || x.end - y.end);
  const tree = { ...old.tree, end: newText.length, statements, comments, lineStarts };
  if (uri !== undefined) tree.uri = uri;
  edits.set(tree, { from: new WeakRef(old.tree), i, j, added: mid.statements.length, oldFrom: i < stmts.length ? stmts[i].start : Infinity, oldTo: stopOld, delta, extent: { p, s } });
  return { tree, diagnostics, info: { full: false, from: a, to: Math.min(stop, newText.length), parsed: mid.statements.length, reused: statements.length - mid.statements.length } };
}
