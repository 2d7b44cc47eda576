// Incremental compile: the compile of an edited document lowers again only the statements the
// edit changed, and the ones after them until the lowering state (memo.ts StmtStates: steps so
// far, the latest transaction...) is the earlier compile's again; every other statement keeps
// its steps and diagnostics. The result equals a compile from scratch. It applies when:
//   - the changed statements (before and after the edit) all lower alone (memo.ts lowersAlone:
//     transactions, expectations, writes; no declaration, so the names, the layout and the
//     declarations' state are the earlier compile's, shared and not changed) and their number is
//     the same, and what they add to the names pre-pass (a write's page) is the same;
//   - the file has as many lines as before (ranges of the statements after the edit stand), and
//     every include reads the same text as before.
// Otherwise it compiles from scratch. A comment-only edit within a line lowers nothing.

import type { ParseResult, Statement } from '../../dsl/ast';
import { lineIndexIn } from '../../dsl/diagnostics';
import { commonPrefix, commonSuffix } from '../../dsl/incremental';
import { parse } from '../../dsl/parser';
import type { EngineOptions } from '../api';
import type { WireDiagnostic } from '../output/wire';
import type { Program } from '../run/runtime';
import { DEFAULT_MAX_FILE_SIZE } from './fileSize';
import { LowerCtx } from './lowerCtx';
import { StmtStates, lowersAlone, prepassFact, type CompileMemo, type Outputs } from './memo';
import { compileFull, lowerOne, programOf, readInclude, reportSyntax } from './compile';
import type { SourceFile } from './source';

export interface Compiled {
  program: Program;
  /** For the next compile of the document (undefined: the compile was cut short). */
  memo?: CompileMemo;
  /** Statements lowered again (-1: compiled from scratch). */
  lowered: number;
}

/** Compiles `text`, reusing `prev` (the memo of an earlier version of the same document) when it can. */
export function compileIncremental(text: string, uri: string, options: EngineOptions, prev?: CompileMemo, keep = true): Compiled {
  const got = prev ? tryReuse(text, uri, options, prev) : undefined;
  if (got) return got;
  const full = compileFull(text, uri, options, keep);
  return { ...full, lowered: -1 };
}

/**
 * The edited statements: [i, j) in both trees (undefined: not an edit reuse applies to). A
 * statement object both trees hold (incremental.ts keeps them) has the same text in both; others
 * are compared by position in the texts' common prefix and suffix.
 */
function changed(old: ParseResult, oldText: string, now: ParseResult, text: string): { i: number; j: number; endLine: number } | undefined {
  const O = old.tree.statements;
  const N = now.tree.statements;
  if (O.length !== N.length || old.tree.lineStarts.length !== now.tree.lineStarts.length) return undefined;
  const min = Math.min(oldText.length, text.length);
  let i = 0;
  while (i < O.length && O[i] === N[i]) i++;
  const p = commonPrefix(oldText, text, min);
  while (i < O.length && O[i].end <= p && O[i].start === N[i].start && O[i].end === N[i].end && O[i].kind === N[i].kind) i++;
  const s = commonSuffix(oldText, text, min - p);
  const oldEnd = oldText.length - s;
  const delta = text.length - oldText.length;
  let j = O.length;
  while (j > i && O[j - 1] === N[j - 1] && O[j - 1].start >= oldEnd) j--;
  while (j > i && O[j - 1].start >= oldEnd && N[j - 1].start === O[j - 1].start + delta && N[j - 1].end === O[j - 1].end + delta && O[j - 1].kind === N[j - 1].kind) j--;
  return { i, j, endLine: lineIndexIn(now.tree.lineStarts, text.length - s) };
}

function sameIncludes(options: EngineOptions, prev: CompileMemo, ctx: LowerCtx): boolean {
  if ((options.readInclude !== undefined) !== prev.includes) return false;
  for (const r of prev.reads) {
    const got = readInclude(ctx, r.from, r.path);
    if ('error' in got ? !('error' in r.got) || got.error !== r.got.error : 'error' in r.got || got.uri !== r.got.uri || got.text !== r.got.text) return false;
  }
  return true;
}

function tryReuse(text: string, uri: string, options: EngineOptions, prev: CompileMemo): Compiled | undefined {
  if (uri !== prev.uri || text.length > (options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE)) return undefined;
  const parsed = options.parsed ?? parse(text, uri);
  const edit = changed(prev.parsed, prev.text, parsed, text);
  if (!edit) return undefined;
  const O = prev.parsed.tree.statements;
  const N = parsed.tree.statements;
  const facts: string[] = [];
  for (let k = edit.i; k < edit.j; k++) {
    if (!lowersAlone(O[k]) || !lowersAlone(N[k])) return undefined;
    facts.push(prepassFact(O[k]), prepassFact(N[k]));
  }
  if (!samePages(facts)) return undefined;

  // The context before the first changed statement: the earlier compile's outputs before it.
  const at = prev.states;
  const old = prev.out;
  const first = edit.i < N.length ? prev.ordOf[edit.i] : prev.count;
  if (first < 0) return undefined;
  const root: SourceFile = { uri, tree: parsed.tree, text };
  const ctx = new LowerCtx(uri, prev.ctx.symbols, options, {
    ctx: prev.ctx, steps: old.steps.slice(0, at.steps.get(first)), diagnostics: [], watchLog: old.watchLog.slice(0, at.watch.get(first)), skips: old.skips.slice(0, at.skips.get(first)),
  });
  ctx.file = root;
  if (!sameIncludes(options, prev, ctx)) return undefined;
  syntaxDiagnostics(ctx, root, parsed, prev);
  const mainDiags = ctx.diagnostics.length;
  const dMain = mainDiags - prev.mainDiags;
  for (let d = prev.mainDiags; d < at.diags.get(first); d++) ctx.diagnostics.push(old.diagnostics[d]);
  ctx.lastTxn = at.txn.get(first);
  ctx.lastTxnSkipped = at.skipped.get(first);
  ctx.lastCall = at.call.get(first);

  // Lower the changed statements, then the next ones until the state is the earlier one again
  // (and past the edit's last line: the statements after it keep their ranges).
  const states = new StmtStates(prev.count, at);
  states.shift(0, dMain, 0, 0);
  let k = edit.i;
  let ord = first;
  let dead = -1;
  for (; k < N.length; k++) {
    const o = prev.ordOf[k];
    if (o < 0) return undefined; // an include
    ord = o;
    if (k >= edit.j && lineIndexIn(parsed.tree.lineStarts, N[k].start) > edit.endLine) {
      if (at.same(ord, ctx)) break;
      // Only the latest transaction differs, and the next one replaces it before anything reads it.
      dead = ctx.steps.length === at.steps.get(ord) && ctx.lastCall === at.call.get(ord) ? txnDeadUntil(N, k) : -1;
      if (dead >= 0) break;
    }
    if (!lowersAlone(N[k])) return undefined;
    states.record(ord, ctx);
    ctx.ordinal = ord;
    lowerOne(ctx, root, N[k]);
  }
  const lowered = k - edit.i;
  // The state before the statements up to that transaction is the new one.
  for (let m = k; dead >= 0 && m <= dead; m++) {
    const o = m < N.length ? prev.ordOf[m] : prev.count;
    states.txn.set(o, ctx.lastTxn);
    states.skipped.set(o, ctx.lastTxnSkipped);
  }
  const watchFrom = at.watch.get(first);
  const watchAdded = ctx.watchLog.length;
  let out: Outputs;
  if (k === N.length) {
    // Lowered to the end (no statement is left after the main file's last one: includes return above).
    ord = prev.count;
    states.record(ord, ctx);
    out = { steps: ctx.steps, diagnostics: ctx.diagnostics, skips: ctx.broken.skips, watchLog: ctx.watchLog };
  } else {
    // The earlier compile's outputs from there on.
    states.shift(ord, ctx.diagnostics.length - at.diags.get(ord) - dMain, ctx.broken.skips.length - at.skips.get(ord), ctx.watchLog.length - at.watch.get(ord));
    out = {
      steps: ctx.steps.concat(old.steps.slice(at.steps.get(ord))),
      diagnostics: ctx.diagnostics.concat(old.diagnostics.slice(at.diags.get(ord))),
      skips: ctx.broken.skips.concat(old.skips.slice(at.skips.get(ord))),
      watchLog: ctx.watchLog.concat(old.watchLog.slice(at.watch.get(ord))),
    };
    // Closures made while lowering keep the context: not its copies of the outputs.
    for (const a of [ctx.steps, ctx.diagnostics, ctx.watchLog, ctx.broken.skips]) a.length = 0;
  }
  const watched = prev.watched.patched(out.steps.length, old.watchLog.slice(watchFrom, at.watch.get(ord)), out.watchLog, watchFrom, watchAdded);
  ctx.file = root;
  const program = programOf(ctx, uri, out, watched, prev.program);
  const memo: CompileMemo = { ...prev, text, parsed, ctx, out, states, program, mainDiags, watched };
  return { program, memo, lowered };
}

/** The main statement index of the next transaction from statement `k` on when nothing before it
 *  reads the latest transaction (N.length: nothing to the end), else -1 (a standalone
 *  expectation reads it, a CMD_RESUME sets it, an include is not looked into). */
function txnDeadUntil(N: readonly Statement[], k: number): number {
  for (let m = k; m < N.length; m++) {
    const kind = N[m].kind;
    if (kind === 'dma' || kind === 'ats') return m;
    if (kind === 'expect' || kind === 'cmd' || kind === 'include') return -1;
  }
  return N.length;
}

/** The changed statements' pages before (even entries) and after (odd) are the same multiset. */
function samePages(facts: string[]): boolean {
  const a = facts.filter((_f, i) => i % 2 === 0).sort();
  const b = facts.filter((_f, i) => i % 2 === 1).sort();
  return a.join() === b.join();
}

/** The main file's syntax diagnostics, the earlier compile's objects where unchanged (an
 *  unresolved-name cause keeps its identity). */
function syntaxDiagnostics(ctx: LowerCtx, root: SourceFile, parsed: ParseResult, prev: CompileMemo): void {
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
