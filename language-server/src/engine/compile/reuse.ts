// Incremental compile: the compile of an edited document lowers again only the statements the
// edit changed, and the ones after them until the lowering state (memo.ts StmtStates: steps so
// far, the latest transaction...) is the earlier compile's again; every other statement keeps
// its steps and diagnostics (moved by the lines the edit added or removed: edit.ts Mover). The
// result equals a compile from scratch. Two ways:
//   - here, when the changed statements (before and after the edit) all lower alone (memo.ts
//     lowersAlone: transactions, expectations, writes; no declaration, so the names, the layout
//     and the declarations' state are the earlier compile's, shared and not changed) and what
//     they add to the names pre-pass (a write's page) is the same, or no lowering read it
//     (Symbols.pagesRead: only iommufd structures are placed around the written pages);
//   - otherwise (a declaration changed, added or removed) relower.ts: the declarations are
//     lowered again in a fresh context, the statements that lower alone keep their outputs.
// An edit that adds or removes statements or lines needs a main file without includes, and no
// unresolved name (Broken.clean: its records hold statement ordinals) nor duplicate one (its
// diagnostic names a line); every include must read
// the same text as before. Otherwise it compiles from scratch. A comment-only edit lowers nothing.

import type { Statement } from '../../dsl/ast';
import { parse } from '../../dsl/parser';
import type { EngineOptions } from '../api';
import { DEFAULT_MAX_FILE_SIZE } from './fileSize';
import { LowerCtx } from './lowerCtx';
import { StepShift, StmtStates, Watched, lowersAlone, prepassFact, type CompileMemo, type Compiled, type Outputs } from './memo';
import { compileFull, lowerOne, programOf, readInclude } from './compile';
import type { SourceFile } from './source';
import { Mover, appendRange, editOf, moveStep, txnDeadUntil, identity, keepsColumns, oldIndex, syntaxDiagnostics, type Edit } from './edit';
import { rawSlice, spliced } from '../../dsl/shiftedList';
import { relower } from './relower';

export type { Compiled } from './memo';

/** Compiles `text`, reusing `prev` (the memo of an earlier version of the same document) when it can. */
export function compileIncremental(text: string, uri: string, options: EngineOptions, prev?: CompileMemo, keep = true): Compiled {
  const got = prev ? tryReuse(text, uri, options, prev) : undefined;
  if (got) return got;
  const full = compileFull(text, uri, options, keep);
  return { ...full, lowered: -1 };
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
  const edit = editOf(prev.parsed, prev.text, parsed, text);
  const O = prev.parsed.tree.statements;
  const N = parsed.tree.statements;
  // Main statement index = ordinal (no include in the main file).
  const plain = prev.count === O.length;
  const moves = edit.dLines !== 0 || edit.jn !== edit.jo;
  // The names pre-pass's diagnostics (a duplicate name: "already declared (line N)") stay only where no line moved.
  if (moves && (!plain || !prev.ctx.broken.clean() || prev.states.diags.get(0) !== prev.mainDiags)) return undefined;
  let alone = true;
  const was: string[] = [];
  const now: string[] = [];
  for (let k = edit.i; k < edit.jo; k++) {
    alone &&= lowersAlone(O[k]);
    was.push(prepassFact(O[k]));
  }
  for (let k = edit.i; k < edit.jn; k++) {
    alone &&= lowersAlone(N[k]);
    now.push(prepassFact(N[k]));
  }
  if (alone && (!prev.ctx.symbols.pagesRead || was.sort().join() === now.sort().join())) {
    const got = shared(text, uri, options, prev, parsed, edit, plain, moves);
    if (got !== undefined) return got;
  }
  return plain ? relower(text, uri, options, prev, parsed, edit) : undefined;
}

/** The compile of an edit whose changed statements all lower alone: the earlier compile's
 *  context (names, layout, declarations) shared, not changed (undefined: not such an edit). */
function shared(text: string, uri: string, options: EngineOptions, prev: CompileMemo, parsed: CompileMemo['parsed'], edit: Edit, plain: boolean, moves: boolean): Compiled | undefined {
  const N = parsed.tree.statements;
  const count = plain ? N.length : prev.count;
  const ordNew = (k: number) => (k === N.length ? count : plain ? k : prev.ordOf[k]);
  const ordOld = (k: number) => (plain ? oldIndex(edit, k) : ordNew(k));
  // The context before the first changed statement: the earlier compile's outputs before it.
  const at = prev.states;
  const old = prev.out;
  const first = ordNew(edit.i);
  if (first < 0) return undefined;
  const root: SourceFile = { uri, tree: parsed.tree, text };
  // (the steps before the edit as lowered: one an earlier edit moved stays moved in the new list)
  const kept = at.steps.get(first);
  const ctx = new LowerCtx(uri, prev.ctx.symbols, options, {
    ctx: prev.ctx, steps: rawSlice(old.steps, 0, kept), diagnostics: [], watchLog: old.watchLog.slice(0, at.watch.get(first)), skips: old.skips.slice(0, at.skips.get(first)),
  });
  ctx.keysNow = true; // kept for the next edit
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
  // (and past the edit's last line: the statements after it keep their columns).
  const states = moves ? new StmtStates(count, at, first) : new StmtStates(count, at);
  states.shift(0, dMain, 0, 0, moves ? first : undefined);
  const lineStarts = parsed.tree.lineStarts;
  let k = edit.i;
  let ord = first;
  let from = first;
  let dead = -1;
  // The steps the edit added before the statements it left (their step references are relative).
  let shift = new StepShift(0);
  for (; k < N.length; k++) {
    ord = ordNew(k);
    if (ord < 0) return undefined; // an include
    if (k >= edit.jn && keepsColumns(edit, lineStarts, k, N[k])) {
      from = ordOld(k);
      const d = at.rejoins(from, ctx);
      shift = new StepShift(ctx.steps.length - at.steps.get(from));
      if (d !== undefined) break;
      // Only the latest transaction differs, and the next one replaces it before anything reads it.
      dead = ctx.lastCall === shift.call(at.call.get(from)) ? txnDeadUntil(N, k) : -1;
      if (dead >= 0) break;
    }
    if (!lowersAlone(N[k])) return undefined;
    states.record(ord, ctx);
    ctx.ordinal = ord;
    lowerOne(ctx, root, N[k]);
  }
  const lowered = k - edit.i;
  const watchFrom = at.watch.get(first);
  const watchAdded = ctx.watchLog.length;
  let out: Outputs;
  if (k === N.length) {
    // Lowered to the end (no statement is left after the main file's last one: includes return above).
    ord = count;
    from = prev.count;
    states.record(ord, ctx);
    out = { steps: spliced(old.steps, kept, old.steps.length, ctx.steps.slice(kept), 0, moveStep), diagnostics: ctx.diagnostics, skips: ctx.broken.skips, watchLog: ctx.watchLog };
    ctx.steps.length = 0;
  } else {
    // The earlier compile's outputs from there on (moved by the lines the edit added).
    const d = [ctx.diagnostics.length - at.diags.get(from), ctx.broken.skips.length - at.skips.get(from), ctx.watchLog.length - at.watch.get(from)] as const;
    const mv = new Mover(edit.dLines);
    // (copies: the context's own arrays are emptied below)
    const rest = <T>(mine: readonly T[], xs: readonly T[], a: number, f: (x: T) => T): T[] => {
      const to = mine.slice();
      appendRange(to, xs, a, xs.length, edit.dLines === 0 ? undefined : f);
      return to;
    };
    out = {
      // (the steps after the edit moved when read: dsl/shiftedList.ts, run/stepRanges.ts)
      steps: spliced(old.steps, kept, at.steps.get(from), ctx.steps.slice(kept), edit.dLines, moveStep),
      diagnostics: rest(ctx.diagnostics, old.diagnostics, at.diags.get(from), (x) => mv.diag(x)),
      skips: rest(ctx.broken.skips, old.skips, at.skips.get(from), (x) => mv.skip(x)),
      watchLog: ctx.watchLog.concat(shift.log(old.watchLog.slice(at.watch.get(from)))),
    };
    if (moves || shift.d !== 0) states.copyFrom(at, from, prev.count + 1, ord, d, (x) => mv.cause(x), shift);
    else states.shift(ord, d[0] - dMain, d[1], d[2]);
    // Closures made while lowering keep the context: not its copies of the outputs.
    for (const a of [ctx.steps, ctx.diagnostics, ctx.watchLog, ctx.broken.skips]) a.length = 0;
  }
  // The state before the statements up to that transaction is the new one.
  for (let m = k; dead >= 0 && m <= dead; m++) {
    states.txn.set(ordNew(m), ctx.lastTxn);
    states.skipped.set(ordNew(m), ctx.lastTxnSkipped);
  }
  const watched = shift.d !== 0 ? Watched.of(out.watchLog, out.steps.length) : prev.watched.patched(out.steps.length, old.watchLog.slice(watchFrom, at.watch.get(from)), out.watchLog, watchFrom, watchAdded);
  ctx.file = root;
  const program = programOf(ctx, uri, out, watched, prev.program);
  const ordOf = moves ? identity(N.length) : prev.ordOf;
  const memo: CompileMemo = { ...prev, text, parsed, ctx, out, states, program, mainDiags, watched, count, ordOf };
  return { program, memo, lowered };
}
