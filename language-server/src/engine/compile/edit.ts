// What an edit changed, in statements, for the incremental compiles (reuse.ts, relower.ts), and
// the outputs of the statements it only moved: their ranges shifted by the lines it added or
// removed (columns stand: a moved statement starts on a line after the edit's last one).

import type { ParseResult, Statement } from '../../dsl/ast';
import { lineIndexIn } from '../../dsl/diagnostics';
import { commonExtent, treeEdit } from '../../dsl/incremental';
import { spanReader } from '../../dsl/shiftedList';
import { byEnd, lowerBound } from '../../dsl/lowerBound';
import type { WireDiagnostic, WireRange } from '../output/wire';
import type { StepDef } from '../run/runtime';
import type { SkipEntry } from './broken';
import { movedStep, type LowerCtx } from './lowerCtx';
import { reportSyntax } from './compile';
import type { SourceFile } from './source';
import type { CompileMemo } from './memo';

/** Old statements [i, jo) became new statements [i, jn); the others are the same text (those
 *  from jn on moved by `dLines` lines when they start after line `endLine`). */
export interface Edit {
  i: number;
  jo: number;
  jn: number;
  /** Lines added (negative: removed). */
  dLines: number;
  /** The new text's last line (0-based) the edit touched. */
  endLine: number;
}

/** The statements an edit changed: those outside the texts' common prefix and suffix. */
export function editOf(old: ParseResult, oldText: string, now: ParseResult, text: string): Edit {
  const O = old.tree.statements;
  const N = now.tree.statements;
  const n = Math.min(O.length, N.length);
  // The extent re-parsing used, when it made `now` from `old` (no second scan of the texts).
  const te = treeEdit(now.tree);
  const made = te !== undefined && te.from.deref() === old.tree;
  const { p, s } = commonExtent(oldText, text, made ? te.extent : undefined);
  const ls = old.tree.lineStarts;
  // The statements on lines before the edit's first one, and on that line the ones parsed alike
  // (a statement's parse reads the rest of its line: `skip smmuB dma ...` is an incomplete iommufd
  // line, `... # note` the same statement).
  const cut = ls[lineIndexIn(ls, p)];
  // (positions read without the shifted copies of statements a re-parse moved: dsl/shiftedList.ts)
  const ro = spanReader(O);
  const rn = spanReader(N);
  // The statements a re-parse kept before the edit are the same in both trees: those ending
  // before the edit's line are passed over by a binary search.
  let i = made ? lowerBound(O, cut, byEnd, 0, Math.min(te.i, n)) : 0;
  for (; i < n; i++) {
    const end = ro.end(i);
    if (ro.start(i) !== rn.start(i) || end !== rn.end(i) || ro.raw(i).kind !== rn.raw(i).kind) break;
    if (end >= cut && (end > p || !sameNode(O[i], N[i]))) break;
  }
  const oldEnd = oldText.length - s;
  const delta = text.length - oldText.length;
  // The statements re-parsing kept (dsl/incremental.ts treeEdit: from old `j` on, moved by the
  // edit's length change) are the same: the walk back from the end starts before them.
  const kept = made && te.i + te.added >= i && te.j >= i;
  let jo = kept ? te.j : O.length;
  let jn = kept ? te.i + te.added : N.length;
  const same = (a: number, b: number) => {
    const start = ro.start(a);
    return start >= oldEnd && rn.start(b) === start + delta && rn.end(b) === ro.end(a) + delta && ro.raw(a).kind === rn.raw(b).kind;
  };
  while (jo > i && jn > i && same(jo - 1, jn - 1)) {
    jo--;
    jn--;
  }
  const dLines = now.tree.lineStarts.length - old.tree.lineStarts.length;
  return { i, jo, jn, dLines, endLine: lineIndexIn(now.tree.lineStarts, text.length - s) };
}

/** Whether two syntax trees are equal (plain data: the statements on an edit's first line). */
function sameNode(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const kx = Object.keys(x);
  if (kx.length !== Object.keys(y).length) return false;
  for (const k of kx) if (!sameNode(x[k], y[k])) return false;
  return true;
}

/** The old index of new statement `k` (-1: a changed one); k = N.length maps to O.length. */
export function oldIndex(e: Edit, k: number): number {
  return k < e.i ? k : k >= e.jn ? k - e.jn + e.jo : -1;
}

/** Whether new statement `k` (unchanged) stands where it stood, or moved only by whole lines. */
export function keepsColumns(e: Edit, lineStarts: readonly number[], k: number, st: Statement): boolean {
  return k < e.i || (k >= e.jn && lineIndexIn(lineStarts, st.start) > e.endLine);
}

/** Step `s` moved by `dLines` whole lines (itself when 0). */
export function moveStep(s: StepDef, dLines: number): StepDef {
  if (dLines === 0) return s;
  const r = s.range;
  return movedStep(s, { line: r.line + dLines, col: r.col, endLine: r.endLine + dLines, endCol: r.endCol });
}

/** Copies of moved outputs (the same objects when no line moved). A diagnostic moved once is one
 *  copy, so skip entries that name it as their cause find it. */
export class Mover {
  private readonly moved = new Map<WireDiagnostic, WireDiagnostic>();

  constructor(readonly dLines: number) {}

  range(r: WireRange): WireRange {
    return { line: r.line + this.dLines, col: r.col, endLine: r.endLine + this.dLines, endCol: r.endCol };
  }

  step(s: StepDef): StepDef {
    return moveStep(s, this.dLines);
  }

  diag(d: WireDiagnostic): WireDiagnostic {
    if (this.dLines === 0) return d;
    let m = this.moved.get(d);
    if (!m) this.moved.set(d, (m = { ...d, line: d.line + this.dLines, endLine: d.endLine + this.dLines }));
    return m;
  }

  /** A cause as the new outputs hold it (moved, or one before the edit). */
  cause<T extends WireDiagnostic | undefined>(d: T): T {
    return (d && this.moved.get(d)) as T ?? d;
  }

  skip(s: SkipEntry): SkipEntry {
    return this.dLines === 0 ? s : { cause: this.cause(s.cause), at: this.range(s.at), what: s.what };
  }
}

/** Appends `from[a, b)` to `to`, each through `f`. */
export function appendRange<T>(to: T[], from: readonly T[], a: number, b: number, f?: (x: T) => T): void {
  if (f) for (let i = a; i < b; i++) to.push(f(from[i]));
  else for (let i = a; i < b; i++) to.push(from[i]);
}

/** The main file's syntax diagnostics, the earlier compile's objects where unchanged (an
 *  unresolved-name cause keeps its identity). */
export function syntaxDiagnostics(ctx: LowerCtx, root: SourceFile, parsed: ParseResult, prev: CompileMemo): void {
  reportSyntax(ctx, root, parsed.diagnostics);
  if (prev.mainDiags === 0) return;
  const key = (d: WireDiagnostic) => `${d.line}:${d.col}:${d.endLine}:${d.endCol}:${d.severity}:${d.code}:${d.message}`;
  const olds = new Map<string, WireDiagnostic>();
  for (let i = 0; i < prev.mainDiags; i++) olds.set(key(prev.out.diagnostics[i]), prev.out.diagnostics[i]);
  const ds = ctx.diagnostics;
  for (let i = 0; i < ds.length; i++) {
    const o = olds.get(key(ds[i]));
    if (o) ds[i] = o;
  }
}

/** 0, 1, ... n - 1 (the ordinals of a main file without includes). */
export function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** The main statement index of the next transaction from statement `k` on when nothing before it
 *  reads the latest transaction (N.length: nothing to the end), else -1 (a standalone
 *  expectation reads it, a CMD_RESUME sets it, an include is not looked into). */
export function txnDeadUntil(N: readonly Statement[], k: number): number {
  for (let m = k; m < N.length; m++) {
    const kind = N[m].kind;
    if (kind === 'dma' || kind === 'ats') return m;
    if (kind === 'expect' || kind === 'cmd' || kind === 'include') return -1;
  }
  return N.length;
}

