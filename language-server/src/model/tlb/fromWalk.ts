// Building TLB entries from walk results. Only successful walks produce entries: a faulting walk is
// never cached (IHI 0070 §3.17: translations that fault are not cached in the TLB).

import type { Granule, StageResult } from '../types';
import type { StageOutcome } from '../walk/api';
import { toPerms, fromPerms } from '../walk/perms';
import type { Tlb } from './tlb';
import type { TlbEntry, TlbInsert, TlbRegime } from './types';

export interface TlbTags {
  regime: TlbRegime;
  vmid: number;
  asid: number;
  /** CD.ASET (IHI 0070 §5.4): the ASID is outside the set shared with the PEs. */
  aset?: boolean;
}

const align = (v: bigint, shift: number): bigint => v & ~((1n << BigInt(shift)) - 1n);

/** Stage-1-only entry; global when the leaf has nG=0. */
export function s1Entry(r: StageResult, tags: TlbTags, granule: Granule): TlbInsert {
  return {
    kind: 's1', regime: tags.regime, vmid: tags.vmid, asid: tags.asid, global: !r.attrs.nG, aset: tags.aset === true, granule,
    blockShift: r.blockShift, level: r.level, inputBase: r.inputBase, outputBase: r.outputBase, perms: r.perms, attrs: r.attrs,
  };
}

/** Stage-2-only entry (IPA input), tagged by VMID. */
export function s2Entry(r: StageResult, vmid: number, granule: Granule): TlbInsert {
  return {
    kind: 's2', regime: 'nsel1', vmid, asid: 0, global: true, granule,
    blockShift: r.blockShift, level: r.level, inputBase: r.inputBase, outputBase: r.outputBase, perms: r.perms, attrs: r.attrs,
  };
}

/**
 * Combined nested entry: covers the smaller of the two stages' regions around the translated address,
 * with both stages' permissions intersected (IHI 0070 §3.17: combined S1+S2 entries).
 */
export function nestedEntry(s1: StageResult, s2: StageResult, tags: TlbTags, granule: Granule): TlbInsert {
  const shift = Math.min(s1.blockShift, s2.blockShift);
  const va = s1.inputBase + (s1.outputAddr - s1.outputBase);
  return {
    kind: 'nested', regime: tags.regime, vmid: tags.vmid, asid: tags.asid, global: !s1.attrs.nG, aset: tags.aset === true, granule,
    blockShift: shift, level: s1.blockShift <= s2.blockShift ? s1.level : s2.level,
    inputBase: align(va, shift), ipaBase: align(s1.outputAddr, shift), outputBase: align(s2.outputAddr, shift),
    perms: toPerms(fromPerms(s1.perms) & fromPerms(s2.perms)), s1Perms: s1.perms, s2Perms: s2.perms,
    attrs: s1.attrs, s2Attrs: s2.attrs,
  };
}

/** Cache a stage-1 walk outcome; a fault (or config error) inserts nothing and returns undefined. */
export function cacheS1(tlb: Tlb, o: StageOutcome, tags: TlbTags, granule: Granule, step: number): TlbEntry | undefined {
  return o.ok ? tlb.insert(s1Entry(o.result, tags, granule), step).entry : undefined;
}

