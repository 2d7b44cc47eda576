// The pipeline's use of the walk module: stage 1, stage 2 and nested fetches, with traces on and
// HTTU write-backs going to memory (none in a dry run).

import type { PhysicalMemory } from '../memory';
import type { Access, FaultClass, StageResult, WalkFault, WalkTrace } from '../types';
import { memFetch, memWriteBack, type DescFetch, type DescUpdate } from '../walk/api';
import type { S1WalkConfig, S2WalkConfig } from '../walk/config';
import { walkStage1 } from '../walk/stage1';
import { walkStage2 } from '../walk/stage2';
import { makeNestedFetch } from '../walk/nested';

export type StageRun =
  | { ok: true; result: StageResult; trace?: WalkTrace; updates?: DescUpdate[] }
  | { ok: false; fault: WalkFault; trace?: WalkTrace };

const fetchCache = new WeakMap<PhysicalMemory, DescFetch>();

export function plainFetch(mem: PhysicalMemory): DescFetch {
  let f = fetchCache.get(mem);
  if (!f) {
    f = memFetch(mem);
    fetchCache.set(mem, f);
  }
  return f;
}

export function nestedFetch(s2: S2WalkConfig, mem: PhysicalMemory, dry: boolean): DescFetch {
  return makeNestedFetch(s2, mem, { trace: true, writeBack: dry ? undefined : memWriteBack(mem) });
}

function configFault(stage: 1 | 2, cls: FaultClass, addr: bigint, msg: string): WalkFault {
  // Configs are checked when the STE/CD is interpreted; this is a safety net.
  return { kind: 'F_TRANSLATION', stage, level: 0, class: cls, inputAddr: addr, reason: `illegal configuration: ${msg}` };
}

/** HTTU write-back that also lists the updates (IHI 0070 §3.13), for the transaction's result. */
function recordingWriteBack(mem: PhysicalMemory, into: DescUpdate[]): (u: DescUpdate) => void {
  return (u) => {
    mem.write64(u.descPa, u.newValue);
    into.push(u);
  };
}

export function s1Walk(cfg: S1WalkConfig, va: bigint, access: Access, fetch: DescFetch, mem: PhysicalMemory, dry: boolean): StageRun {
  const ups: DescUpdate[] = [];
  const r = walkStage1(cfg, va, access, fetch, { trace: true, writeBack: dry ? undefined : recordingWriteBack(mem, ups) });
  if (r.ok) return ups.length ? { ok: true, result: r.result, trace: r.trace, updates: ups } : { ok: true, result: r.result, trace: r.trace };
  if (r.configError) return { ok: false, fault: configFault(1, 'IN', va, r.configError.issues.map((i) => i.message).join('; ')) };
  return { ok: false, fault: r.fault, trace: r.trace };
}

export function s2Walk(cfg: S2WalkConfig, ipa: bigint, access: Access, mem: PhysicalMemory, cls: FaultClass, dry: boolean): StageRun {
  const ups: DescUpdate[] = [];
  const r = walkStage2(cfg, ipa, access, plainFetch(mem), { trace: true, faultClass: cls, writeBack: dry ? undefined : recordingWriteBack(mem, ups) });
  if (r.ok) return ups.length ? { ok: true, result: r.result, trace: r.trace, updates: ups } : { ok: true, result: r.result, trace: r.trace };
  if (r.configError) return { ok: false, fault: configFault(2, cls, ipa, r.configError.issues.map((i) => i.message).join('; ')) };
  return { ok: false, fault: r.fault, trace: r.trace };
}
