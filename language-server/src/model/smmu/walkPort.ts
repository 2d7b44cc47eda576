// The pipeline's use of the walk module: stage 1, stage 2 and nested fetches, with traces on and
// HTTU write-backs going to memory (none in a dry run).

import type { PhysicalMemory } from '../memory';
import type { Access, FaultClass, StageResult, WalkFault, WalkTrace } from '../types';
import { memFetch, memWriteBack, type DescFetch, type DescUpdate, type StageOk, type WalkOptions } from '../walk/api';
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

// The walks' options: traced, and (not in a dry run) HTTU updates written to memory, built once per
// memory and fault class. A walk calls writeBack once, for its leaf, and returns that update in
// `updates` (IHI 0070 §3.13).
const DRY: Record<string, WalkOptions> = {};
const writing = new WeakMap<PhysicalMemory, Record<string, WalkOptions>>();

function walkOptions(mem: PhysicalMemory, cls: FaultClass, dry: boolean): WalkOptions {
  if (dry) return (DRY[cls] ??= { trace: true, faultClass: cls });
  let m = writing.get(mem);
  if (!m) writing.set(mem, (m = {}));
  return (m[cls] ??= { trace: true, faultClass: cls, writeBack: memWriteBack(mem) });
}

/** A dry run writes nothing: the HTTU update the walk decided is not made, so not reported. */
function dryRun(r: StageOk): StageRun {
  return r.updates ? { ok: true, result: r.result, trace: r.trace } : r;
}

export function s1Walk(cfg: S1WalkConfig, va: bigint, access: Access, fetch: DescFetch, mem: PhysicalMemory, dry: boolean): StageRun {
  const r = walkStage1(cfg, va, access, fetch, walkOptions(mem, 'IN', dry));
  if (r.ok) return dry ? dryRun(r) : r;
  if (r.configError) return { ok: false, fault: configFault(1, 'IN', va, r.configError.issues.map((i) => i.message).join('; ')) };
  return { ok: false, fault: r.fault, trace: r.trace };
}

export function s2Walk(cfg: S2WalkConfig, ipa: bigint, access: Access, mem: PhysicalMemory, cls: FaultClass, dry: boolean): StageRun {
  const r = walkStage2(cfg, ipa, access, plainFetch(mem), walkOptions(mem, cls, dry));
  if (r.ok) return dry ? dryRun(r) : r;
  if (r.configError) return { ok: false, fault: configFault(2, cls, ipa, r.configError.issues.map((i) => i.message).join('; ')) };
  return { ok: false, fault: r.fault, trace: r.trace };
}
