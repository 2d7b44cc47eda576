// Resuming a run after an edit to declarations (issue 14: "an edit to a declaration re-runs from
// the first step that uses it"). A declaration's step only writes its words to memory
// (StepDef.writes); when an edit changes only such steps' values (a `map` line's permissions or
// address, a `cd` field, an `ste` field: the layout unchanged), the previous run's state at any
// step before the first one that read or wrote a changed word after the declaration wrote it
// (access.ts) differs from the edited run's only in those words. So the run resumes at the
// previous run's checkpoint before that first use, with the changed words patched in (their new
// values, or the value before the step for a word it no longer writes); the steps before keep
// their results. The patched steps' own results are their old ones with the new label and range.
// Not patched (the run resumes before the step, as for any change): a step that writes a word it
// did not write before, one whose writes the hazard analysis looked at (Runtime.writeMany arms
// none then), one with events, hazards or diagnostics, one whose first or last line moved.

import { firstChange } from './checkpoints';
import { NEVER, type MemWrite, type RunAccess } from './access';
import type { Program, Runtime, StepDef } from './runtime';
import type { WireDiagnostic, WireStep } from '../output/wire';

/** One patched step: its changed words and their new values. */
interface Patch {
  step: number;
  words: Map<bigint, bigint>;
  /** Words the step wrote and no longer writes. */
  removed: bigint[];
}

export interface DeclPlan {
  /** The run resumes at a checkpoint at or before this step. */
  limit: number;
  /** The changed declaration steps before `limit`, in order. */
  patches: Patch[];
}

/** Address -> value a list of writes leaves (the last write of an address wins). */
function valuesOf(ws: readonly MemWrite[]): Map<bigint, bigint> {
  const m = new Map<bigint, bigint>();
  for (const w of ws) m.set(w.addr, w.value);
  return m;
}

/** The words step `i` changes from `a` to `b` (undefined: not a patchable change). */
function changedWords(a: StepDef, b: StepDef): Patch | undefined {
  const wa = a.writes;
  const wb = b.writes;
  if (!wa || !wb || a.kind !== b.kind || a.range.line !== b.range.line || a.range.endLine !== b.range.endLine) return undefined;
  const words = new Map<bigint, bigint>();
  const removed: bigint[] = [];
  // (the usual case: the same addresses in the same order, one value or a few changed)
  if (wa.length === wb.length && wa.every((w, j) => w.addr === wb[j].addr)) {
    const differ = new Set<bigint>();
    for (let j = 0; j < wa.length; j++) if (wa[j].value !== wb[j].value) differ.add(wa[j].addr);
    // (each at the value its last write leaves: the same as before when only an earlier write differed)
    if (differ.size) for (const w of wb) if (differ.has(w.addr)) words.set(w.addr, w.value);
    return { step: -1, words, removed };
  }
  const now = valuesOf(wb);
  const old = valuesOf(wa);
  for (const addr of now.keys()) if (!old.has(addr)) return undefined;
  for (const [addr, v] of old) {
    if (!now.has(addr)) removed.push(addr);
    else if (now.get(addr) !== v) words.set(addr, now.get(addr)!);
  }
  return { step: -1, words, removed };
}

/**
 * Where a run of `b` may resume from a run of `a` (its results `done`, run diagnostics `diags`,
 * accesses `access`) whose first changed step is `first`: the changed declaration steps from
 * there on, up to the first use of a changed word or the first other change.
 */
export function planPatches(a: Program, b: Program, first: number, done: readonly WireStep[], diags: readonly (readonly WireDiagnostic[])[], access: RunAccess | undefined): DeclPlan {
  const patches: Patch[] = [];
  let limit = Math.min(done.length, b.steps.length);
  if (!access || a.setupKey !== b.setupKey) return { limit: Math.min(first, limit), patches };
  for (let i = first; i < limit; i = firstChange(a, b, i + 1)) {
    const p = changedWords(a.steps[i], b.steps[i]);
    const out = done[i];
    if (!p || out.events.length || out.hazards.length || diags[i].length) return { limit: i, patches };
    let used = NEVER;
    for (const addr of [...p.words.keys(), ...p.removed]) {
      const arm = access.armOf(addr, i);
      if (!arm) return { limit: i, patches };
      used = Math.min(used, arm.used);
    }
    p.step = i;
    patches.push(p);
    limit = Math.min(limit, used);
  }
  return { limit, patches };
}

/** Patches the plan's steps before `position` into `rt` (restored there from the run of `a`): their
 *  words, their results in `done`, the run's accesses. Returns the first step patched (`position`: none). */
export function applyPatches(plan: DeclPlan, position: number, b: Program, rt: Runtime, done: WireStep[]): number {
  for (const p of plan.patches) {
    if (p.step >= position) break;
    for (const [addr, v] of p.words) rt.mem.poke64(addr, v);
    for (const addr of p.removed) rt.mem.poke64(addr, rt.access!.armOf(addr, p.step)!.before);
    rt.access!.rewrote(p.step, p.removed);
    const r = b.steps[p.step].range;
    done[p.step] = { ...done[p.step], line: r.line, col: r.col, endLine: r.endLine, endCol: r.endCol, label: b.steps[p.step].label };
  }
  return plan.patches.length && plan.patches[0].step < position ? plan.patches[0].step : position;
}
