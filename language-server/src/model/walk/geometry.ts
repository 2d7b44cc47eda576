// Per-configuration walk geometry, computed once and cached: shifts and masks per level. The walk
// loop works on numbers: every table address and output address is below 2^52 (exact in a double),
// input addresses are split into 32-bit halves. DDI 0487 D8.2 (lookup levels, index bits).

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
  /** Per level: log2 of the region one descriptor maps, and its offset mask. */
  shift: number[];
  offMask: bigint[];
  /** 64K granule with 52-bit OA: descriptor bits [15:12] are OA[51:48] (DDI 0487 D8.3, FEAT_LPA). */
  lpa: boolean;
  /** Per level: a block descriptor (0b01) is legal. */
  blockOk: boolean[];
  /** 2^outSize: first output address that is too large. */
  outLimit: bigint;
  outSize: number;
  /** mask(inputSize). */
  inMask: bigint;
  /** 2^inputSize as a number: inputs at or above it are beyond the input size. */
  inLimitN: number;
  /** Per level: 2^shift as a number (index = floor(ia / pow[L]) & idxMask[L]). */
  pow: number[];
  /** Per level: bits of a canonical input address that form the region base: [63:shift]. */
  baseMask: bigint[];
  // Number forms for the hot path (every PA/IPA is below 2^52, exact in a double).
  /** Per level: index bits resolved and their mask. */
  nbits: number[];
  idxMask: number[];
  ttbN: number;
  outLimitN: number;
  /** Int32 masks selecting the address bits of a descriptor's low/high word: tables ([47:gShift]) and leaves ([47:shift]). */
  tableLoMask: number;
  oaLoMask: number[];
  oaHiMask: number[];
}

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
  const nbits: number[] = [];
  const idxMask: number[] = [];
  const oaLoMask: number[] = [];
  const oaHiMask: number[] = [];
  const shift: number[] = [];
  const offMask: bigint[] = [];
  const blockOk: boolean[] = [];
  const startBits = inputSize - levelShift(g, startLevel);
  for (let l = 0; l <= 3; l++) {
    const sh = levelShift(g, l);
    const n = l === startLevel ? startBits : stride;
    shift.push(sh);
    offMask.push((1n << BigInt(sh)) - 1n);
    blockOk.push(blockAllowed(g, l, lpa64));
    nbits.push(n);
    idxMask.push(n > 0 ? 2 ** n - 1 : 0);
    oaLoMask.push(sh >= 32 ? 0 : (0x1_0000_0000 - 2 ** sh) | 0);
    oaHiMask.push(sh <= 32 ? 0xffff : 0xffff & ~(2 ** (sh - 32) - 1));
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
    shift,
    offMask,
    lpa: lpa64,
    blockOk,
    outLimit: 1n << BigInt(outSize),
    outSize,
    inMask: (1n << BigInt(inputSize)) - 1n,
    inLimitN: 2 ** inputSize,
    pow: shift.map((sh) => 2 ** sh),
    baseMask: offMask.map((m) => ((1n << 64n) - 1n) & ~m),
    nbits,
    idxMask,
    ttbN: Number(ttbBase),
    outLimitN: 2 ** outSize,
    tableLoMask: (0x1_0000_0000 - 2 ** gShift) | 0,
    oaLoMask,
    oaHiMask,
  };
}

/** Output address of a descriptor from its words, with the given masks (+ OA[51:48] from bits [15:12] with 64K LPA). */
export function outAddr(lpa: boolean, lo: number, hi: number, loMask: number, hiMask: number): number {
  const oa = (hi & hiMask) * 0x1_0000_0000 + ((lo & loMask) >>> 0);
  return lpa ? oa + ((lo >>> 12) & 0xf) * 2 ** 48 : oa;
}

/** Index of the level-L lookup for the input address as 32-bit halves `ih`:`il`. */
export function levelIndex(geo: Geometry, level: number, ih: number, il: number): number {
  const sh = geo.shift[level];
  const m = geo.idxMask[level];
  if (sh >= 32) return (ih >>> (sh - 32)) & m;
  if (sh + geo.nbits[level] <= 32) return (il >>> sh) & m;
  return ((il >>> sh) | (ih << (32 - sh))) & m;
}

/** Offset of the input address (halves) inside the level-L region: ia mod 2^shift. */
export function levelOffset(geo: Geometry, level: number, ih: number, il: number): number {
  const sh = geo.shift[level];
  if (sh < 32) return (il & (geo.pow[level] - 1)) >>> 0;
  return (ih & (2 ** (sh - 32) - 1)) * 0x1_0000_0000 + (il >>> 0);
}
