// The TLB tags a transaction looks up (IHI 0070 §3.17: entries are told apart by regime, VMID, ASID
// and address only), from its result: the entry it used, else its STE/CD configuration.

import type { TransactionResult } from '../smmu/result';
import type { Tlb } from '../tlb/tlb';
import type { TlbEntry, TlbRegime } from '../tlb/types';
import type { SmmuCtx } from './shadow';

export interface Tags {
  kind: 's1' | 's2';
  regime: TlbRegime;
  vmid: number;
  asid: number;
  va: bigint;
}

/** The VMID a stream's stage-1 entries are tagged with (STE.S2VMID when the SMMU has stage 2). */
export function vmidOf(s: SmmuCtx, r: TransactionResult): number {
  const ste = r.ste?.config;
  if (!ste) return 0;
  return ste.s2 ? ste.s2.vmid : s.inst.features.stage2 ? Number(ste.fields.S2VMID ?? 0n) : 0;
}

export function tagsOf(s: SmmuCtx, r: TransactionResult, p: TransactionResult): Tags | undefined {
  const e = p.tlbEntry;
  if (e) return { kind: e.kind === 's2' ? 's2' : 's1', regime: e.regime, vmid: e.vmid, asid: e.asid, va: p.iova };
  const ste = r.ste?.config;
  if (!ste) return undefined;
  if (ste.mode === 's2') return { kind: 's2', regime: 'nsel1', vmid: ste.s2!.vmid, asid: 0, va: p.iova };
  const cd = r.cd?.config;
  if (!cd || !ste.s1) return undefined;
  const regime: TlbRegime = ste.s1.strw === 2 ? (s.inst.e2h() ? 'el2-e2h' : 'el2') : 'nsel1';
  return { kind: 's1', regime, vmid: regime === 'nsel1' ? vmidOf(s, r) : 0, asid: cd.asid, va: p.iova };
}

/** Entries of `tlb` a lookup with `t` may use (the TLB's own lookups). */
export function matching(tlb: Tlb, t: Tags): TlbEntry[] {
  if (t.kind === 's2') {
    const e = tlb.peekS2(t.vmid, t.va);
    return e ? [e] : [];
  }
  return tlb.lookupAll(t.regime, t.vmid, t.asid, t.va);
}
