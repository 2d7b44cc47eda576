// A planned STE/CD update (model/update) as scenario lines: `write64` per dword, and after each
// group the invalidation Linux issues (CMD_CFGI_STE / CMD_CFGI_CD, IHI 0070 §4.3) + CMD_SYNC.

import { hex } from '../../model/bits';
import type { UpdatePlan } from '../../model/update';

export interface PlanTarget {
  smmu: string;
  /** Address of the STE or CD. */
  addr: bigint;
  sid: bigint;
  /** SubstreamID of a CD (0 for the CD of a stage-1 STE without substreams). */
  ssid?: bigint;
}

export function planLines(plan: UpdatePlan, t: PlanTarget, indent = ''): string[] {
  const inv = plan.kind === 'STE'
    ? `cmd ${t.smmu} CMD_CFGI_STE sid ${hex(t.sid)} leaf`
    : `cmd ${t.smmu} CMD_CFGI_CD sid ${hex(t.sid)} ssid ${hex(t.ssid ?? 0n)} leaf`;
  const out: string[] = [`${indent}# ${plan.kind} update in Linux's hitless order: ${plan.syncs} sync${plan.syncs === 1 ? '' : 's'}${plan.hitless ? '' : ` (${plan.kind}.V = 0 in between)`}`];
  for (const p of plan.phases) {
    out.push(`${indent}# ${p.why}`);
    for (const w of p.writes) out.push(`${indent}write64 ${hex(t.addr + BigInt(w.dword * 8))} ${hex(w.value)}`);
    out.push(`${indent}${inv}`, `${indent}cmd ${t.smmu} CMD_SYNC`);
  }
  return out;
}
