// The leaf checks both stages share once the walk reached a block or page, in the spec's order:
// output address size (DDI 0487 D8.2), access flag (HTTU sets it, AFFD lets AF == 0 pass, else an
// Access flag fault, before any permission fault), permissions, and the dirty state (HTTU DBM: a
// write to a writable-clean leaf makes it dirty instead of faulting). IHI 0070 §3.13.
// Hot path in numbers: the descriptor as two 32-bit halves, results left in the stage's scratch.

import type { Access, FaultClass, Stage } from '../types';
import type { DescUpdate } from './api';
import { PTE_HI, PTE_LO } from '../fields/pte';
import { hexN, join64, mkFault, type LoopState } from './levels';
import { outAddr, type Geometry } from './geometry';

const { AF, AP2 } = PTE_LO;
const { DBM } = PTE_HI;

/** What the stages do differently: their HTTU controls, their permission rules, their names. */
export interface LeafRules {
  readonly stage: Stage;
  /** CD.HA / STE.S2HA: the SMMU sets AF. */
  readonly ha: boolean;
  /** CD.HD / STE.S2HD: and the dirty state (with DBM == 1). */
  readonly hd: boolean;
  /** CD.AFFD / STE.S2AFFD: AF == 0 does not fault. */
  readonly affd: boolean;
  /** The output size control, for the address-size fault: 'IPS', 'STE.S2PS/OAS'. */
  readonly outName: string;
  /** The AF controls, for the access-flag fault. */
  readonly afWhy: string;
  /** Permission mask (perms.ts) of a leaf, with the table attributes gathered on the way. */
  perms(lo: number, hi: number, tableAttrs: number): number;
  permReason(lo: number, hi: number, tableAttrs: number, a: Access): string;
}

/** The leaf's outcome, left in the stage's scratch by checkLeaf. */
export interface LeafState extends LoopState {
  /** Output address of the block/page. */
  oa: number;
  /** Permission mask after a dirtying write. */
  perms: number;
  /** The descriptor's bits [31:0] after the HTTU update (AF set, dirty). */
  newLo: number;
  /** The HTTU update to make, if any. */
  what: DescUpdate['what'] | undefined;
}

/**
 * Output size, AF, permissions and dirty state of the leaf in `st` (st.level/lo/hi) for an access
 * needing permission bit `need`. False: the fault is in st.fault. `inN`/`inBig`: the input address
 * (its exact value for reports, when at hand).
 */
export function checkLeaf(
  r: LeafRules, geo: Geometry, st: LeafState, tableAttrs: number, access: Access, need: number,
  cls: FaultClass, inN: number, inBig: bigint | undefined,
): boolean {
  const level = st.level;
  const lo = st.lo;
  const hi = st.hi;
  st.what = undefined;
  const oa = outAddr(geo.lpa, lo, hi, geo.oaLoMask[level], geo.oaHiMask[level]);
  if (oa >= geo.outLimitN) {
    st.fault = mkFault('F_ADDR_SIZE', r.stage, level, cls, inBig ?? BigInt(inN),
      `level ${level} output address ${hexN(oa)} is beyond the ${geo.outSize}-bit ${r.outName}`);
    return false;
  }
  let newLo = lo;
  let what: DescUpdate['what'] | undefined;
  if ((lo & AF) === 0) {
    if (r.ha) {
      newLo |= AF;
      what = 'AF';
    } else if (!r.affd) {
      st.fault = mkFault('F_ACCESS', r.stage, level, cls, inBig ?? BigInt(inN), `level ${level} ${r.afWhy}`);
      return false;
    }
  }
  let perms = r.perms(lo, hi, tableAttrs);
  if ((perms & need) === 0) {
    // IHI 0070 §3.13.3: DBM == 1 makes a read-only leaf writable-clean (stage 1 AP[2] == 1, stage 2
    // S2AP[1] == 0); a write makes it dirty (clears AP[2] / sets S2AP[1]) instead of faulting.
    const dirtyLo = r.stage === 1 ? lo & ~AP2 : lo | AP2;
    const dbmOk = !access.read && r.ha && r.hd && (hi & DBM) !== 0 && dirtyLo !== lo;
    const p2 = dbmOk ? r.perms(dirtyLo, hi, tableAttrs) : 0;
    if ((p2 & need) === 0) {
      st.fault = mkFault('F_PERMISSION', r.stage, level, cls, inBig ?? BigInt(inN), r.permReason(lo, hi, tableAttrs, access));
      return false;
    }
    newLo = r.stage === 1 ? newLo & ~AP2 : newLo | AP2;
    perms = p2;
    what = what ? 'AF+DBM' : 'DBM';
  }
  st.oa = oa;
  st.perms = perms;
  st.newLo = newLo;
  st.what = what;
  return true;
}

/** The HTTU update checkLeaf decided (st.what set). */
export function leafUpdate(stage: Stage, st: LeafState): DescUpdate {
  return { stage, level: st.level, descAddr: BigInt(st.descAddr), descPa: BigInt(st.descPa),
    oldValue: join64(st.hi, st.lo), newValue: join64(st.hi, st.newLo), what: st.what! };
}
