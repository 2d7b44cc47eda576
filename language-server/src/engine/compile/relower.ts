// The incremental compile of an edit to declarations (reuse.ts decides): a `map` line's
// permissions, a `cd` field, an `ste`, `smmu`, `reg`, `cmd` or iommufd line added, changed or
// removed. The declarations lay out memory in statement order from one allocator and read each
// other (an ste its cd, a cd its pagetable), so every statement that does not lower alone (memo.ts
// lowersAlone) is lowered again, in order, in a fresh context: the names pre-pass and the layout
// are made anew, so an edit that moves a table (a new `map` needing another level-3 table, a
// longer `at`) is handled like any other. The statements that lower alone (transactions,
// expectations, writes: most of a large scenario) keep their steps and diagnostics, moved by the
// lines the edit added, when the lowering state before them (StmtStates: steps so far, the latest
// transaction and iommufd call) and the names they read (the SMMUs and vSMMUs) are the earlier
// compile's; the others are lowered again. It compiles from scratch (returns undefined) when the
// names pre-pass reports anything, or an unresolved name leaves a declaration or an STE out
// before or after the edit (Broken.clean: their records are by ordinal), or the main file has
// an include.

import type { ParseResult, Statement } from '../../dsl/ast';
import type { EngineOptions } from '../api';
import { LowerCtx } from './lowerCtx';
import { Symbols } from './names/symbols';
import { collectSymbols } from './names/resolve';
import { collectGuests } from './decls/guest';
import { StepShift, StmtStates, Watched, lowersAlone, type CompileMemo, type Compiled, type Outputs } from './memo';
import { lowerOne, noteTypos, programOf } from './compile';
import { relowerDecls } from './declEdit';
import type { SourceFile } from './source';
import { Mover, appendRange, txnDeadUntil, identity, keepsColumns, oldIndex, syntaxDiagnostics, type Edit } from './edit';

/** The names a statement that lowers alone reads (names/resolve.ts resolveSmmu), in order. */
function sameNames(a: Symbols, b: Symbols): boolean {
  const keys = (m: Map<string, unknown>) => [...m.keys()].join('\n');
  return keys(a.smmu) === keys(b.smmu) && keys(a.vsmmu) === keys(b.vsmmu) && keys(a.viommu) === keys(b.viommu);
}

export function relower(text: string, uri: string, options: EngineOptions, prev: CompileMemo, parsed: ParseResult, edit: Edit): Compiled | undefined {
  const N = parsed.tree.statements;
  if (prev.reads.length || !prev.ctx.broken.clean()) return undefined;
  // One declaration changed in place: it and what depends on it (declEdit.ts).
  const decl = relowerDecls(text, uri, options, prev, parsed, edit);
  if (decl) return decl;
  for (let k = edit.i; k < edit.jn; k++) if (N[k].kind === 'include') return undefined;
  const ctx = new LowerCtx(uri, new Symbols(), options);
  const root: SourceFile = { uri, tree: parsed.tree, text };
  ctx.keysNow = true; // kept for the next edit
  ctx.file = root;
  syntaxDiagnostics(ctx, root, parsed, prev);
  const mainDiags = ctx.diagnostics.length;
  // The pre-passes read the declarations, the writes (their pages) and typos: not the
  // transactions and expectations (most of a large scenario).
  const stmts: Array<{ file: SourceFile; stmt: Statement }> = [];
  for (const stmt of N) if (stmt.kind === 'write' || !lowersAlone(stmt)) stmts.push({ file: root, stmt });
  collectSymbols(ctx, stmts);
  noteTypos(ctx, stmts);
  collectGuests(ctx, stmts);
  const at = prev.states;
  if (ctx.diagnostics.length !== mainDiags || at.diags.get(0) !== prev.mainDiags || !ctx.broken.clean() || !sameNames(prev.ctx.symbols, ctx.symbols)) return undefined;

  const old = prev.out;
  const mv = new Mover(edit.dLines);
  const states = new StmtStates(N.length);
  const lineStarts = parsed.tree.lineStarts;
  const cancelled = options.isCancelled;
  // The steps the statements before added or removed (`o`: old index; their step references are relative).
  // `dead`: only the latest transaction differs, and the transaction at `dead` replaces it before
  // anything reads it (the state before the statements up to it is the new one).
  let dead = -1;
  const rejoins = (k: number, o: number, st: Statement): number | undefined => {
    dead = -1;
    if (o < 0 || !lowersAlone(st) || !keepsColumns(edit, lineStarts, k, st)) return undefined;
    const d = at.rejoins(o, ctx, mv.cause(at.skipped.get(o)));
    if (d !== undefined) return d;
    const dS = ctx.steps.length - at.steps.get(o);
    if (ctx.lastCall !== new StepShift(dS).call(at.call.get(o))) return undefined;
    dead = txnDeadUntil(N, k);
    return dead >= 0 ? dS : undefined;
  };
  let lowered = 0;
  for (let k = 0; k < N.length; ) {
    const o = oldIndex(edit, k);
    const dS = rejoins(k, o, N[k]);
    if (dS !== undefined) {
      const shift = new StepShift(dS);
      // A run of statements that lower alone: the earlier compile's outputs (moved after the edit).
      const end = k < edit.i ? edit.i : N.length;
      let m = k + 1;
      while (m < end && lowersAlone(N[m])) m++;
      const om = m <= edit.i ? m : m - edit.jn + edit.jo;
      const moved = k >= edit.jn;
      appendRange(ctx.steps, old.steps, at.steps.get(o), at.steps.get(om), moved ? (x) => mv.step(x) : undefined);
      const d = [ctx.diagnostics.length - at.diags.get(o), ctx.broken.skips.length - at.skips.get(o), ctx.watchLog.length - at.watch.get(o)] as const;
      appendRange(ctx.diagnostics, old.diagnostics, at.diags.get(o), at.diags.get(om), moved ? (x) => mv.diag(x) : undefined);
      appendRange(ctx.broken.skips, old.skips, at.skips.get(o), at.skips.get(om), moved ? (x) => mv.skip(x) : undefined);
      appendRange(ctx.watchLog, old.watchLog, at.watch.get(o), at.watch.get(om), dS ? (t) => t + dS : undefined);
      states.copyFrom(at, o, om, k, d, (x) => mv.cause(x), shift);
      for (let x = k; dead >= 0 && x <= dead && x < m; x++) {
        states.txn.set(x, ctx.lastTxn);
        states.skipped.set(x, ctx.lastTxnSkipped);
      }
      if (dead < 0 || dead < m) {
        ctx.lastTxn = shift.txn(at.txn.get(om));
        ctx.lastTxnSkipped = mv.cause(at.skipped.get(om));
      }
      ctx.lastCall = shift.call(at.call.get(om));
      k = m;
      continue;
    }
    // A stale edit stops compiling (polled every 256 statements lowered: the poll is an atomic load).
    if (cancelled && (lowered & 255) === 0 && cancelled()) return { program: programOf(ctx, uri, stop(ctx), Watched.of(ctx.watchLog, ctx.steps.length)), lowered };
    states.record(k, ctx);
    ctx.ordinal = k;
    lowerOne(ctx, root, N[k]);
    lowered++;
    k++;
  }
  states.record(N.length, ctx);
  if (!ctx.broken.clean()) return undefined;
  ctx.file = root;
  const out = stop(ctx);
  const watched = Watched.of(ctx.watchLog, ctx.steps.length);
  const program = programOf(ctx, uri, out, watched);
  const ordOf = identity(N.length);
  const memo: CompileMemo = { ...prev, text, parsed, ctx, out, watched, ordOf, declsAt: ordOf, count: N.length, states, mainDiags, program };
  return { program, memo, lowered };
}

function stop(ctx: LowerCtx): Outputs {
  return { steps: ctx.steps, diagnostics: ctx.diagnostics, skips: ctx.broken.skips, watchLog: ctx.watchLog };
}
