// The engine's hazard hook: feeds each step's memory writes, commands and transactions (in the
// order they happened, from `Runtime.stepLog`) to one model `HazardTracker` per run, and turns its
// findings into `WireHazard`s (worded by hazardText.ts, located by line, with the related
// write/command/insertion lines).

import { hex } from '../../model/bits';
import { HazardTracker, type Finding } from '../../model/hazards';
import { hazardText } from '../output/hazardText';
import type { HazardHook, HazardView } from './hooks';
import type { WireHazard } from '../output/wire';

/** A step without findings (most of them): shared, never changed. */
const NONE: WireHazard[] = Object.freeze([]) as unknown as WireHazard[];

// The run's tracker lives in `rt.hookState`, so a checkpoint of the run copies it with the model.
function tracker(rt: HazardView): HazardTracker {
  let t = rt.hookState as HazardTracker | undefined;
  if (!t) rt.hookState = t = new HazardTracker(rt.mem);
  return t;
}

function toWire(rt: HazardView, h: Finding): WireHazard {
  const steps = rt.program.steps;
  const lineOf = (i: number) => steps[i]?.range.line ?? i + 1;
  const at = (i: number, message: string) => ({ line: lineOf(i), col: steps[i]?.range.col ?? 1, message });
  const text = hazardText(h, lineOf);
  const related = text.related.map((r) => at(r.step, r.message));
  if (h.insertAfter !== undefined) related.push(at(h.insertAfter, 'the missing command(s) belong after this line'));
  const w: WireHazard = { code: h.code, severity: h.severity, message: text.message, fix: text.fix, line: lineOf(h.step), related };
  const tlb = cachedEntry(h);
  if (tlb) w.tlb = tlb;
  return w;
}

/** The TLB entry a stale-translation finding is about: the one its walk filled (for a finding in
 *  the guest's terms, H_VIOMMU_WRONG_INSTANCE, H_PARENT_S2_NOT_INVALIDATED, the host finding's). */
function cachedEntry(h: Finding): WireHazard['tlb'] {
  const host = 'host' in h ? (h.host as Finding | undefined) : undefined;
  const t = h.state === 'tlb' ? h : host?.state === 'tlb' ? host : undefined;
  if (t) return { smmu: t.smmu, insertedAt: t.walkStep, va: hex(t.va) };
  if (h.state === 'descriptor') return { smmu: h.smmu, insertedAt: h.walkStep };
  return undefined;
}

export const defaultHazardHook: HazardHook = {
  afterStep(rt, step) {
    const t = tracker(rt);
    t.beginStep(rt.index);
    const vm = rt.vmContext;
    if (vm) t.vm(vm);
    t.shadowing(rt.shadowing);
    // Writes during a transaction are the SMMU's own (HTTU), not software updates.
    t.flushWrites(step.kind === 'dma' || step.kind === 'ats');
    for (const it of rt.stepLog) {
      const inst = rt.smmus.get(it.smmu);
      if (!inst) continue;
      if (it.cmd) t.command(inst, it.cmd);
      else if (it.broadcast) t.broadcast(inst, it.broadcast);
      // A stream with STE.EATS != 0 may have fetched the translation into its device's ATC.
      else if (it.txn) t.transaction(inst, it.txn, (it.txn.ste?.fields.EATS ?? 0n) !== 0n);
    }
    const found = t.take();
    return found.length ? found.map((h) => toWire(rt, h)) : NONE;
  },
};
