// Splits a walk's input address into the bit ranges each lookup level indexes (pure, no DOM).
// DDI 0487 D8.2 (VMSAv8-64 translation table lookup): with a granule of 2^g bytes
// (g = 12, 14, 16 for 4K, 16K, 64K) each level resolves g-3 bits; level 3 indexes bits
// [2g-4:g], each lower level the g-3 bits above, and the start level takes every remaining
// bit up to inputSize-1 (this covers stage-2 concatenated start tables, IHI 0070 §5.2 S2SL0).
// FEAT_LPA2 adds level -1 (4K, 52-bit), so a walk has 1 to 5 levels.
import { bits } from '../../../language-server/src/model/bits';

export type GranuleKb = 4 | 16 | 64;

export interface AddressField {
  kind: 'index' | 'offset';
  /** Lookup level for an index field. */
  level?: number;
  hi: number;
  lo: number;
  value: bigint;
}

/** log2 of the granule size in bytes. */
export function granuleShift(granule: GranuleKb): number {
  return granule === 4 ? 12 : granule === 16 ? 14 : 16;
}

/** Lowest input-address bit indexed at `level` (DDI 0487 D8.2). */
export function levelLowBit(granule: GranuleKb, level: number): number {
  const g = granuleShift(granule);
  return g + (3 - level) * (g - 3);
}

/**
 * The index fields for levels startLevel..endLevel (top bit first) and the offset below the last
 * one. `endLevel` defaults to 3; a block descriptor at level L ends the walk early, and the
 * offset then covers every bit below level L's index.
 */
export function splitAddress(
  addr: bigint,
  granule: GranuleKb,
  inputSize: number,
  startLevel: number,
  endLevel = 3,
): AddressField[] {
  const out: AddressField[] = [];
  const top = inputSize - 1;
  for (let level = startLevel; level <= endLevel; level++) {
    const lo = levelLowBit(granule, level);
    const g = granuleShift(granule);
    const hi = level === startLevel ? top : lo + (g - 3) - 1;
    if (hi < lo) continue;
    out.push({ kind: 'index', level, hi, lo, value: bits(addr, hi, lo) });
  }
  const offHi = levelLowBit(granule, endLevel) - 1;
  out.push({ kind: 'offset', hi: offHi, lo: 0, value: bits(addr, offHi, 0) });
  return out;
}

/** The level at which a walk with this granule and input size starts when none is given (DDI 0487 D8.2). */
export function defaultStartLevel(granule: GranuleKb, inputSize: number): number {
  const g = granuleShift(granule);
  // Levels needed: ceil((inputSize - g) / (g - 3)); the last one is level 3.
  const levels = Math.ceil((inputSize - g) / (g - 3));
  return 4 - levels;
}
