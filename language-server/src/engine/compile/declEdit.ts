// The compile of an edit to one declaration (issue 14: "re-resolves only what depends on changed
// declarations"): a `pagetable`, `cd` or `cdtable` declaration, or a `map`, `unmap` or `pte` line,
// changed in place (no line added or removed). Each compile notes which statements read each
// named declaration's compiled form and which one built it (decls/state.ts DeclState.reads), and
// what each statement asked of the allocator (decls/allocLog.ts). The edit lowers again only the
// edited statement and, transitively, the statements that read what it or another statement
// lowered again built (a page table's `map` lines, the cd using it, the ste using the cd), in
// order, over a copy of the earlier compile's declaration state without those compiled forms. The
// allocator answers them with the addresses they had; when one asks for something else (a
// table added or moved), another step count, a diagnostic, or a fresh ASID or VMID (a counter
// other statements share) comes out, the edit is compiled the usual way (relower.ts). Every other
// statement keeps its steps, diagnostics and lowering state; the result equals a compile from
// scratch. Not with includes, iommufd objects, vSMMUs or guest address spaces (their lowering
// reads the whole layout), nor after an edit that moved statements (the ordinals the records
// use: CompileMemo.declsAt).

import type { ParseResult, Statement } from '../../dsl/ast';
import { lineIndexIn } from '../../dsl/diagnostics';
import type { EngineOptions } from '../api';
import type { StepDef } from '../run/runtime';
import { Broken } from './broken';
import { lowerOne, programOf } from './compile';
import { AllocLog, Replay } from './decls/allocLog';
import { syntaxDiagnostics, type Edit } from './edit';
import { LowerCtx } from './lowerCtx';
import type { CompileMemo, Compiled, Outputs } from './memo';
import { Symbols, type Decl } from './names/symbols';
import type { SourceFile } from './source';

/** Statements that may be lowered again alone: they change nothing but their steps, the
 *  compiled forms they build, the page-table layouts they edit and the allocator. */
const AGAIN = new Set<Statement['kind']>(['pagetable', 'cd', 'cdtable', 'ste', 'map', 'unmap', 'pte']);
const EDITED = new Set<Statement['kind']>(['pagetable', 'cd', 'cdtable', 'map', 'unmap', 'pte']);

/** The compiled forms (`kind:name`) an edit of `s` changes: its own, or the table it edits. */
function changes(s: Statement): string | undefined {
  switch (s.kind) {
    case 'pagetable':
    case 'cd':
    case 'cdtable':
      return s.name ? `${s.kind}:${s.name.name}` : undefined;
    case 'map':
    case 'unmap':
    case 'pte':
      return s.table ? `pagetable:${s.table.name}` : undefined;
    default:
      return undefined;
  }
}

/** The scenario's names over the new statements (`from`'s other facts shared: the edit changed none). */
function symbolsOver(from: Symbols, N: readonly Statement[], file: SourceFile): Symbols {
  const s = Object.assign(Object.create(Symbols.prototype) as Symbols, from, {
    smmu: new Map(), pagetable: new Map(), cd: new Map(), cdtable: new Map(),
  });
  for (const stmt of N) {
    if (stmt.kind !== 'smmu' && stmt.kind !== 'pagetable' && stmt.kind !== 'cd' && stmt.kind !== 'cdtable') continue;
    const map = s[stmt.kind] as Map<string, Decl<Statement>>;
    if (stmt.name && !map.has(stmt.name.name)) map.set(stmt.name.name, { node: stmt, file });
  }
  return s;
}

/** The statements to lower again: `k` and, transitively, the readers of every compiled form
 *  changed or built by one of them (in order; undefined: one that cannot be lowered alone). */
function closure(prev: CompileMemo, N: readonly Statement[], k: number, changed: string[]): { order: number[]; drop: Set<string> } | undefined {
  const decls = prev.ctx.decls;
  const builtBy = new Map<number, string[]>();
  for (const [key, o] of decls.builtAt) {
    const l = builtBy.get(o);
    if (l) l.push(key);
    else builtBy.set(o, [key]);
  }
  const again = new Set<number>([k]);
  const drop = new Set<string>();
  const queue = [...changed, ...(builtBy.get(k) ?? [])];
  const add = (o: number) => {
    if (again.has(o)) return;
    again.add(o);
    for (const key of builtBy.get(o) ?? []) queue.push(key);
  };
  while (queue.length) {
    const key = queue.pop()!;
    if (drop.has(key)) continue;
    drop.add(key);
    const b = decls.builtAt.get(key);
    if (b !== undefined) add(b);
    for (const o of decls.reads.get(key) ?? []) add(o);
  }
  const order = [...again].sort((a, b) => a - b);
  for (const o of order) if (o >= N.length || !AGAIN.has(N[o].kind) || decls.freshIds.has(o)) return undefined;
  return { order, drop };
}

export function relowerDecls(text: string, uri: string, options: EngineOptions, prev: CompileMemo, parsed: ParseResult, edit: Edit): Compiled | undefined {
  const N = parsed.tree.statements;
  const O = prev.parsed.tree.statements;
  const k = edit.i;
  if (edit.jo !== k + 1 || edit.jn !== k + 1 || edit.dLines !== 0 || N.length !== O.length || prev.count !== O.length || prev.declsAt !== prev.ordOf || prev.reads.length) return undefined;
  const was = O[k];
  const now = N[k];
  const key = changes(now);
  const wasKey = changes(was);
  if (was.kind !== now.kind || !EDITED.has(now.kind) || key === undefined || wasKey === undefined || (now.kind !== 'map' && now.kind !== 'unmap' && now.kind !== 'pte' && key !== wasKey)) return undefined;
  // The statement keeps its lines; the next one starts after the edit (its range stands).
  const ls = parsed.tree.lineStarts;
  const ols = prev.parsed.tree.lineStarts;
  if (lineIndexIn(ls, now.start) !== lineIndexIn(ols, was.start) || lineIndexIn(ls, now.end) !== lineIndexIn(ols, was.end)) return undefined;
  if (k + 1 < N.length && lineIndexIn(ls, N[k + 1].start) <= edit.endLine) return undefined;
  const pc = prev.ctx;
  const decls = pc.decls;
  const sy = pc.symbols;
  if (!(pc.alloc instanceof AllocLog) || !pc.broken.clean() || decls.guestSpaces.size || sy.ioas.size || sy.hwpt.size || sy.viommu.size || sy.vsmmu.size) return undefined;
  for (const v of decls.guestOf.values()) if (v !== '') return undefined;
  // A CD's ASID edit moves the ASIDs taken fresh (they avoid every explicit one).
  if (now.kind === 'cd' && decls.freshAsids) return undefined;
  const plan = closure(prev, N, k, key === wasKey ? [key] : [key, wasKey]);
  if (!plan) return undefined;
  const at = prev.states;
  for (const o of plan.order) if (at.diags.get(o + 1) !== at.diags.get(o) || at.skips.get(o + 1) !== at.skips.get(o)) return undefined;

  const root: SourceFile = { uri, tree: parsed.tree, text };
  const symbols = symbolsOver(sy, N, root);
  const fork = decls.fork(plan.drop);
  const replay = new Replay(pc.alloc, () => ctx.ordinal);
  const ctx: LowerCtx = new LowerCtx(uri, symbols, options, { ctx: pc, decls: fork, alloc: replay, broken: new Broken(), steps: [], diagnostics: [], watchLog: [], skips: [] });
  ctx.keysNow = true; // kept for the next edit
  ctx.file = root;
  // The main file's syntax diagnostics are the earlier compile's (the same objects).
  syntaxDiagnostics(ctx, root, parsed, prev);
  const mainDiags = ctx.diagnostics.length;
  if (mainDiags !== prev.mainDiags) return undefined;
  for (let i = 0; i < mainDiags; i++) if (ctx.diagnostics[i] !== prev.out.diagnostics[i]) return undefined;
  for (const o of plan.order) {
    const s0 = ctx.steps.length;
    ctx.ordinal = o;
    lowerOne(ctx, root, N[o]);
    if (ctx.steps.length - s0 !== at.steps.get(o + 1) - at.steps.get(o) || ctx.diagnostics.length !== mainDiags || ctx.broken.events.length || replay.differs) return undefined;
  }
  fork.previous = undefined; // (not kept: each version's would keep the one before)
  if (!replay.matched(plan.order)) return undefined;
  for (const o of plan.order) if (fork.freshIds.has(o)) return undefined;

  // The earlier compile's outputs with the steps of the statements lowered again replaced.
  const old = prev.out;
  const steps: StepDef[] = old.steps.slice();
  let j = 0;
  for (const o of plan.order) for (let s = at.steps.get(o); s < at.steps.get(o + 1); s++) steps[s] = ctx.steps[j++];
  const out: Outputs = { steps, diagnostics: old.diagnostics, skips: old.skips, watchLog: old.watchLog };
  const kept = new LowerCtx(uri, symbols, options, { ctx: pc, decls: fork, alloc: pc.alloc, steps, diagnostics: old.diagnostics, watchLog: old.watchLog, skips: old.skips });
  kept.file = root;
  const program = programOf(kept, uri, out, prev.watched, prev.program);
  const memo: CompileMemo = { ...prev, text, parsed, ctx: kept, out, program };
  return { program, memo, lowered: plan.order.length };
}
