// The current transaction's walks for the state view (panels, the debugger's Variables): decoded
// descriptors, the scenario's name of each table walked, and the translation context the walk
// header shows (StreamID, STE.Config, CD.ASID, STE.S2VMID). Step results (`run --json`) keep the
// lean walks of convert.ts.

import { hex } from '../../model/bits';
import type { TransactionResult } from '../../model/smmu/result';
import type { WalkTrace } from '../../model/types';
import { decodeDescriptor, wireWalk } from './convert';
import type { WireWalk, WireWalkContext } from './wire';

/** The transaction the state's walks belong to. */
export interface LastTransaction {
  smmu: string;
  result: TransactionResult;
  traces: WalkTrace[];
}

/** Sets `table` on a walk and its nested stage-2 walks from the table roots the scenario named. */
function nameWalk(w: WireWalk, t: WalkTrace, names: ReadonlyMap<bigint, string>): void {
  const n = names.get(t.ttb);
  if (n !== undefined) w.table = n;
  t.steps.forEach((s, i) => {
    const ws = w.steps[i]?.s2Walk;
    if (s.s2Walk && ws) nameWalk(ws, s.s2Walk, names);
  });
}

/** The walks with decoded fields and table names, and their context. */
export function stateWalks(last: LastTransaction, names: ReadonlyMap<bigint, string> | undefined): { walks: WireWalk[]; context: WireWalkContext } {
  const walks = last.traces.map((t) => {
    const w = wireWalk(t, decodeDescriptor);
    if (names) nameWalk(w, t, names);
    return w;
  });
  const r = last.result;
  const context: WireWalkContext = { smmu: last.smmu, sid: hex(r.sid) };
  if (r.ssid !== undefined) context.ssid = hex(r.ssid);
  const cfg = r.ste?.config;
  if (cfg) context.config = cfg.mode;
  // IHI 0070 §5.4 CD.ASID, §5.2 STE.S2VMID: the tags of the TLB entries this translation fills.
  if (r.cd?.config) context.asid = hex(r.cd.config.asid);
  if (cfg?.s2) context.vmid = hex(cfg.s2.vmid);
  return { walks, context };
}
