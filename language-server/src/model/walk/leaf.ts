// The leaf checks both stages share once the walk reached a block or page, in the spec's order:
// output address size (DDI 0487 D8.2), access flag (HTTU sets it, AFFD lets AF == 0 pass, else an
// Access flag fault, before any permission fault), permissions, and the dirty state (HTTU DBM: a
// write to a writable-clean leaf makes it dirty instead of faulting). IHI 0070 §3.13.
// Hot path in numbers: the descriptor as two 32-bit halves, results left in the stage's scratch.

import type { Access, Attrs, FaultClass, Stage, StageResult } from '../types';
import type { DescUpdate } from './api';
import { PTE_HI, PTE_LO } from '../fields/pte';
import { hexN, join64, mkFault, newLoopState, type LoopState } from './levels';
import { levelOffset, outAddr, type Geometry } from './geometry';
import { toPerms } from './perms';

const { AF, AP2, nG, nT } = PTE_LO;
const { DBM, Contiguous } = PTE_HI;

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
  /** The stage's record of that update, once made. */
  update: DescUpdate | undefined;
}

/** A stage's scratch (one shape for both: the leaf checks stay monomorphic). */
export function newLeafState(): LeafState {
  return { ...newLoopState(), oa: 0, perms: 0, newLo: 0, what: undefined, update: undefined };
}

/**
 * Output size, AF, permissions and dirty state of the leaf in `st` (st.level/lo/hi), whose
 * permission mask is `perms` (r.perms of the leaf, computed by the caller: the common case needs
 * no other), for an access needing permission bit `need`. False: the fault is in st.fault.
 * `inN`/`inBig`: the input address (its exact value for reports, when at hand).
 */
export function checkLeaf(
  r: LeafRules, geo: Geometry, st: LeafState, perms: number, tableAttrs: number, access: Access, need: number,
  cls: FaultClass, inN: number, inBig: bigint | undefined,
): boolean {
  const level = st.level;
  const lo = st.lo;
  const hi = st.hi;
  const oa = outAddr(geo.lpa, lo, hi, geo.oaLoMask[level], geo.oaHiMask[level]);
  if (oa >= geo.outLimitN) return leafFault(r, st, 'F_ADDR_SIZE', geo, oa, tableAttrs, access, cls, inN, inBig);
  let newLo = lo;
  let what: DescUpdate['what'] | undefined;
  if ((lo & AF) === 0) {
    if (r.ha) {
      newLo |= AF;
      what = 'AF';
    } else if (!r.affd) return leafFault(r, st, 'F_ACCESS', geo, oa, tableAttrs, access, cls, inN, inBig);
  }
  if ((perms & need) === 0) {
    perms = dirtyPerms(r, lo, hi, tableAttrs, access, need);
    if (perms === 0) return leafFault(r, st, 'F_PERMISSION', geo, oa, tableAttrs, access, cls, inN, inBig);
    newLo = dirty(r.stage, newLo);
    what = what ? 'AF+DBM' : 'DBM';
  }
  st.oa = oa;
  st.perms = perms;
  st.newLo = newLo;
  st.what = what;
  return true;
}

/** A leaf's bits [31:0] made dirty: stage 1 clears AP[2], stage 2 sets S2AP[1] (the same bit). */
function dirty(stage: Stage, lo: number): number {
  return stage === 1 ? lo & ~AP2 : lo | AP2;
}

/**
 * IHI 0070 §3.13.3: with HTTU dirty state, DBM == 1 makes a read-only leaf writable-clean (stage 1
 * AP[2] == 1, stage 2 S2AP[1] == 0) and a write makes it dirty instead of faulting. The permissions
 * once dirty when that lets the access through, else 0.
 */
function dirtyPerms(r: LeafRules, lo: number, hi: number, tableAttrs: number, access: Access, need: number): number {
  const d = dirty(r.stage, lo);
  if (access.read || !r.ha || !r.hd || (hi & DBM) === 0 || d === lo) return 0;
  const p = r.perms(d, hi, tableAttrs);
  return (p & need) === 0 ? 0 : p;
}

/** The fault checkLeaf found, with its reason, in st.fault (cold path). */
function leafFault(
  r: LeafRules, st: LeafState, kind: 'F_ADDR_SIZE' | 'F_ACCESS' | 'F_PERMISSION', geo: Geometry, oa: number,
  tableAttrs: number, access: Access, cls: FaultClass, inN: number, inBig: bigint | undefined,
): false {
  const level = st.level;
  const why = kind === 'F_ADDR_SIZE' ? `level ${level} output address ${hexN(oa)} is beyond the ${geo.outSize}-bit ${r.outName}`
    : kind === 'F_ACCESS' ? `level ${level} ${r.afWhy}`
    : r.permReason(st.lo, st.hi, tableAttrs, access);
  st.what = undefined;
  st.fault = mkFault(kind, r.stage, level, cls, inBig ?? BigInt(inN), why);
  return false;
}

/** The HTTU update checkLeaf decided (st.what set). */
export function leafUpdate(stage: Stage, st: LeafState): DescUpdate {
  return { stage, level: st.level, descAddr: BigInt(st.descAddr), descPa: BigInt(st.descPa),
    oldValue: join64(st.hi, st.lo), newValue: join64(st.hi, st.newLo), what: st.what! };
}

/**
 * The stage's result for the leaf checkLeaf accepted in `st`, translating input `inN` (exact below
 * 2^52). `inputBase` is the region's input base when the caller has it (TTB1 VAs), else the input
 * minus its offset. Attributes (DDI 0487 D8.5): stage 1 AttrIndx and nG (no nG in the EL2 regime:
 * `ngTagged` false), stage 2 MemAttr; both SH, AF after the HTTU update, Contiguous, DBM and nT.
 */
export function leafResult(stage: Stage, geo: Geometry, st: LeafState, inN: number, inputBase: bigint | undefined, ngTagged: boolean): StageResult {
  const level = st.level;
  const lo = st.lo;
  const hi = st.hi;
  const off = levelOffset(geo, level, Math.floor(inN / 0x1_0000_0000), inN >>> 0);
  const outputBase = BigInt(st.oa);
  return {
    stage, outputAddr: off === 0 ? outputBase : BigInt(st.oa + off), blockShift: geo.shift[level], inputBase: inputBase ?? BigInt(inN - off),
    outputBase, perms: toPerms(st.perms), attrs: leafAttrs(stage, lo, hi, st.newLo, level, ngTagged), level,
  };
}

/**
 * Every attribute set a leaf can have, built once and frozen: never changed (results and TLB entries
 * share one; a snapshot of the TLB does not copy it). Indexed by the bits they come from: stage 1
 * AttrIndx (3 bits), stage 2 MemAttr (4 bits), then SH, AF, Contiguous, DBM, nT and (stage 1) nG.
 */
const ATTRS: Array<Array<Attrs | undefined>> = [[], []];

export function leafAttrs(stage: Stage, lo: number, hi: number, newLo: number, level: number, ngTagged: boolean): Attrs {
  const sh = (lo >> 8) & 3;
  const af = (newLo & AF) !== 0;
  const contiguous = (hi & Contiguous) !== 0;
  const dbm = (hi & DBM) !== 0;
  const nt = level < 3 && (lo & nT) !== 0;
  const ng = stage === 1 && ngTagged && (lo & nG) !== 0;
  const mem = stage === 1 ? (lo >> 2) & 7 : (lo >> 2) & 0xf;
  const key = ((((mem * 4 + sh) * 2 + +af) * 2 + +contiguous) * 2 + +dbm) * 4 + +nt * 2 + +ng;
  const table = ATTRS[stage - 1];
  return table[key] ??= Object.freeze(stage === 1
    ? { attrIndx: mem, sh, nG: ng, af, contiguous, dbm, nT: nt }
    : { memAttr: mem, sh, nG: false, af, contiguous, dbm, nT: nt });
}
