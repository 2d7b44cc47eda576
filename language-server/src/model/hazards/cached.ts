// One record of the TLB shadow (hazards/tlb.ts): a translation the SMMU may hold, with the
// descriptors it depends on, and the copy rules of a record (copy-on-write by generation).

import type { Stage } from '../types';
import type { TlbEntry, TlbInsert } from '../tlb/types';
import type { SameFn } from '../snapshot';
import type { DescWrite } from './finding';

export interface Change extends DescWrite {
  /** The changed descriptor was the leaf of its stage (a Leaf TLBI covers it). */
  leaf: boolean;
  /** Stage of the changed descriptor (for nested entries: which TLBI fixes it). */
  stage: Stage;
}

/** One translation the SMMU may hold. Read-only but through `TlbShadow.own` (copy-on-write). */
export interface Cached {
  /** Its id (Descriptors, the maps, Pending and the ATC shadow hold ids: TlbShadow.users resolves them). */
  uid: number;
  /** Its SMMU's name (TlbShadow.ctxs: the SmmuCtx of this shadow's generation). */
  smmu: string;
  entry: TlbEntry;
  deps: bigint[];
  /** Leaf descriptors (the last of each stage's walk): a Leaf TLBI covers changes to these. */
  leaves: bigint[];
  /** Descriptors of the stage-2 walk (nested entries only). */
  s2Deps?: bigint[];
  stale?: Change;
  /** A PE's TLBI after the change matched it, but this SMMU kept it (why: SMMU_IDR0.BTM, SMMU_CR2.PTM, CD.ASET). */
  missed?: { step: number; instr: string; why: string };
  reports: number;
  freedReported?: boolean;
  /** The generation of the TlbShadow that may change it in place. */
  gen: number;
}

/** The insertable part of an entry, as one fixed-shape literal (rest/spread copies are slow on the miss path). */
export function toInsert(e: TlbEntry): TlbInsert {
  return {
    kind: e.kind, regime: e.regime, vmid: e.vmid, asid: e.asid, global: e.global, aset: e.aset, granule: e.granule, blockShift: e.blockShift, level: e.level,
    inputBase: e.inputBase, outputBase: e.outputBase, ipaBase: e.ipaBase, perms: e.perms, s1Perms: e.s1Perms, s2Perms: e.s2Perms,
    attrs: e.attrs, s2Attrs: e.s2Attrs,
  };
}

/** Two records alike but for their generation (the fields a record has, compared by value). */
export function sameCached(x: Cached, y: Cached, same: SameFn): boolean {
  const kx = Object.keys(x) as Array<keyof Cached>;
  if (kx.length !== Object.keys(y).length) return false;
  for (const k of kx) if (k !== 'gen' && !same(x[k], y[k])) return false;
  return true;
}
