// Broadcast TLB maintenance (IHI 0070 §3.17.6 "TLB maintenance with broadcast invalidation"): a
// PE's TLBI ...IS reaches an SMMU that implements SMMU_IDR0.BTM, unless SMMU_CR2.PTM == 1 (§6.3.12:
// the SMMU is not expected to invalidate its TLB on broadcast maintenance for NS-EL1, EL2 or
// EL2-E2H). It then removes the SMMU TLB entries of the instruction's translation regime that the
// matching CMD_TLBI_* would (the same predicates, tlb/tlbi.ts), except, for an instruction
// that matches by ASID, entries filled through a CD with CD.ASET == 1 (§5.4 CD.ASET: an ASID in
// the set not shared with the PEs). Completion: the PE's DSB ISH after the TLBI; the model treats a
// `cpu tlbi` as followed by it (Linux's __flush_tlb_page: DSB ISHST; TLBI; DSB ISH).

import { asidSpecific, targetRegime, type CpuTlbi } from '../cpu/tlbi';
import { encode } from '../fields/field';
import { registerByName } from '../fields/registers';
import type { Tlb } from '../tlb/tlb';
import type { TlbEntry, TlbRegime } from '../tlb/types';
import * as tlbi from '../tlb/tlbi';
import type { TlbiMatch } from '../tlb/tlbi';
import type { SmmuFeatures } from './features';

const CR2_PTM = encode(registerByName('SMMU_CR2')!, { PTM: 1n })[0];

/** Why an SMMU takes no broadcast TLB maintenance at all, or undefined when it does. */
export function broadcastRefusal(f: SmmuFeatures, cr2: bigint): string | undefined {
  if (!f.btm) return 'SMMU_IDR0.BTM == 0';
  if ((cr2 & CR2_PTM) !== 0n) return 'SMMU_CR2.PTM == 1';
  return undefined;
}

/** Why an SMMU that takes broadcasts leaves an entry the instruction matches (IHI 0070 §5.4 CD.ASET). */
export const ASET_REFUSAL = 'CD.ASET == 1';

export interface BroadcastResult {
  op: CpuTlbi;
  regime: TlbRegime;
  /** The SMMU ignores broadcasts: why (SMMU_IDR0.BTM == 0, SMMU_CR2.PTM == 1). */
  refusal?: string;
  removed: TlbEntry[];
  /** Entries of the regime the instruction matches that this SMMU kept, each with why. */
  kept: Array<{ entry: TlbEntry; why: string }>;
}

/** What the corresponding CMD_TLBI_* matches (tlb/tlbi.ts, the one rule), restricted to the regime. */
function matcher(op: CpuTlbi, regime: TlbRegime): TlbiMatch {
  const { vmid, asid, va } = op;
  const s = op.def.scope;
  let m: TlbiMatch;
  if (regime === 'nsel1') {
    m = s === 'va' ? tlbi.nhVa(vmid, asid, va) : s === 'vaa' ? tlbi.nhVaa(vmid, va) : s === 'asid' ? tlbi.nhAsid(vmid, asid)
      : s === 'all' ? tlbi.nhAll(vmid) : tlbi.s12VmAll(vmid);
  } else if (regime === 'el2-e2h') {
    m = s === 'va' ? tlbi.el2Va(asid, va) : s === 'vaa' ? tlbi.el2Vaa(va) : s === 'asid' ? tlbi.el2Asid(asid) : tlbi.el2All();
  } else {
    // EL2 without E2H has no ASIDs: by VA matches every entry of the address.
    m = s === 'va' || s === 'vaa' ? tlbi.el2Vaa(va) : tlbi.el2All();
  }
  return (e) => e.regime === regime && m(e);
}

/**
 * Apply a broadcast TLBI to `tlb` (an SMMU's, or a hazard shadow of it): `refusal` is the SMMU's
 * `broadcastRefusal`. Returns what it removed and what it matched but kept. (The Leaf of the
 * ...L... forms changes nothing: the TLB holds leaf entries only.)
 */
export function applyBroadcast(tlb: Tlb, op: CpuTlbi, refusal: string | undefined): BroadcastResult {
  const regime = targetRegime(op);
  const byAsid = asidSpecific(op);
  const match = matcher(op, regime);
  const kept: BroadcastResult['kept'] = [];
  const removed = tlb.invalidateWhere((e) => {
    if (!match(e)) return false;
    const why = refusal ?? (byAsid && e.aset ? ASET_REFUSAL : undefined);
    if (why === undefined) return true;
    kept.push({ entry: e, why });
    return false;
  });
  kept.sort((a, b) => a.entry.id - b.entry.id);
  const r: BroadcastResult = { op, regime, removed, kept };
  if (refusal !== undefined) r.refusal = refusal;
  return r;
}

/** What a `cpu tlbi` does on one SMMU instance (its TLB, IDR0.BTM, CR2.PTM). */
export function broadcastTo(inst: { readonly tlb: Tlb; readonly features: SmmuFeatures; reg(name: string): bigint }, op: CpuTlbi): BroadcastResult {
  return applyBroadcast(inst.tlb, op, broadcastRefusal(inst.features, inst.reg('SMMU_CR2')));
}
