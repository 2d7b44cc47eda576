// Per-configuration walk geometry, computed once and cached: shifts and masks per level as bigints
// so the walk loop does no BigInt() conversions. DDI 0487 D8.2 (lookup levels, index bits).

import type { Granule, Stage } from '../types';
import { granuleShift, levelShift, levelStride } from './config';

export interface Geometry {
  stage: Stage;
  granule: Granule;
  /** log2 granule size. */
  gShift: number;
  inputSize: number;
  startLevel: number;
  /** Base of the start-level table(s): TTB with the bits below the table size cleared. */
  ttbBase: bigint;
  /** Index bits resolved at the start level (with stage-2 concatenation: up to stride+4). */
  startBits: number;
  /** Per level L (0..3): descAddr = table | ((ia >> dShift[L]) & dMask[L]). */
  dShift: bigint[];
  dMask: bigint[];
  /** Per level: log2 of the region one descriptor maps, as number and bigint, and its offset mask. */
  shift: number[];
  offMask: bigint[];
  /** Per level: descriptor bits holding the output address of a block/page (bits [47:shift]). */
  oaMask: bigint[];
  /** Descriptor bits holding the next-level table address (bits [47:gShift]). */
  tableMask: bigint;
  /** 64K granule with 52-bit OA: descriptor bits [15:12] are OA[51:48] (DDI 0487 D8.3, FEAT_LPA). */
  lpa: boolean;
  /** Per level: a block descriptor (0b01) is legal. */
  blockOk: boolean[];
  /** 2^outSize: first output address that is too large. */
  outLimit: bigint;
  outSize: number;
  /** mask(inputSize). */
  inMask: bigint;
}

const M48 = (1n << 48n) - 1n;

/**
 * Block descriptor legality per granule and level (DDI 0487 D8.3.1): 4K: levels 1 and 2 (level 0 only
 * with 52-bit FEAT_LPA2, not modelled); 16K: level 2 (level 1 only with FEAT_LPA2); 64K: level 2, and
 * level 1 with 52-bit OA (FEAT_LPA).
 */
export function blockAllowed(g: Granule, level: number, lpa: boolean): boolean {
  if (level === 2) return true;
  if (level === 1) return g === 4 || (g === 64 && lpa);
  return false;
}

export function makeGeometry(
  stage: Stage,
  g: Granule,
  inputSize: number,
  startLevel: number,
  ttb: bigint,
  outSize: number,
  lpa: boolean,
): Geometry {
  const gShift = granuleShift(g);
  const stride = levelStride(g);
  const lpa64 = lpa && g === 64;
  const dShift: bigint[] = [];
  const dMask: bigint[] = [];
  const shift: number[] = [];
  const offMask: bigint[] = [];
  const oaMask: bigint[] = [];
  const blockOk: boolean[] = [];
  const startBits = inputSize - levelShift(g, startLevel);
  for (let l = 0; l <= 3; l++) {
    const sh = levelShift(g, l);
    const n = l === startLevel ? startBits : stride;
    shift.push(sh);
    dShift.push(BigInt(sh - 3));
    dMask.push(((1n << BigInt(n)) - 1n) << 3n);
    offMask.push((1n << BigInt(sh)) - 1n);
    oaMask.push(M48 & ~((1n << BigInt(sh)) - 1n));
    blockOk.push(blockAllowed(g, l, lpa64));
  }
  // DDI 0487 D8.2: the table base is aligned to the table size (min 64 bytes); lower TTB bits are ignored.
  const tableBytesLog2 = Math.max(startBits + 3, 6);
  const ttbBase = ttb & ~((1n << BigInt(tableBytesLog2)) - 1n) & ((1n << 64n) - 1n);
  return {
    stage,
    granule: g,
    gShift,
    inputSize,
    startLevel,
    ttbBase,
    startBits,
    dShift,
    dMask,
    shift,
    offMask,
    oaMask,
    tableMask: M48 & ~((1n << BigInt(gShift)) - 1n),
    lpa: lpa64,
    blockOk,
    outLimit: 1n << BigInt(outSize),
    outSize,
    inMask: (1n << BigInt(inputSize)) - 1n,
  };
}

/** Output address bits of a descriptor at a level (adds OA[51:48] from bits [15:12] with 64K LPA). */
export function descOutput(geo: Geometry, desc: bigint, mask: bigint): bigint {
  const oa = desc & mask;
  return geo.lpa ? oa | (((desc >> 12n) & 0xfn) << 48n) : oa;
}
