// The page-table layout's data: descriptor writes, the codec interface, the table geometry and
// its derived numbers (DDI 0487 D8.2 start tables; D8.3 lowest block level), the shadow tree's nodes.

import { levelShift, s2ConcatTables } from '../walk/config';
import { blockAllowed } from '../walk/geometry';
import type { Granule, Stage } from '../types';

export interface Write {
  addr: bigint;
  value: bigint;
}

/** Descriptor encoders for this table's stage (see descriptors.ts). */
export interface DescCodec {
  /** Table descriptor at `level` pointing to `next`. */
  table(next: bigint, level: number): bigint;
  /** Block (level < 3) or page (level 3) descriptor mapping output address `oa`. */
  leaf(level: number, oa: bigint): bigint;
  /** The output address of a leaf descriptor at `level`. */
  oa(level: number, desc: bigint): bigint;
  /** Leaf `desc` of level `from` re-encoded at level `to` with output address `oa`, same attributes. */
  relevel(desc: bigint, from: number, to: number, oa: bigint): bigint;
}

export interface TableGeometry {
  stage: Stage;
  granule: Granule;
  /** Input address size in bits (64 - TxSZ). */
  inputSize: number;
  startLevel: number;
  /** Output address size in bits (the instance's OAS or the stage's PS). */
  outputSize: number;
}

export interface Node {
  addr: bigint;
  level: number;
  /** Live entries: index -> child table or leaf (its input base). */
  children: Map<number, Node | Leaf>;
}

export interface Leaf {
  leaf: true;
  level: number;
  iova: bigint;
  desc: bigint;
}

export interface MappedRange {
  iova: bigint;
  size: bigint;
  pa: bigint;
}

/** A block `unmap` replaced by a next-level table (Linux io-pgtable's arm_lpae_split_blk_unmap). */
export interface SplitBlock {
  iova: bigint;
  size: bigint;
  level: number;
}

export type LayoutResult = { ok: true; writes: Write[]; split?: SplitBlock[] } | { ok: false; message: string };

/** `0x200000` -> `2M`, `0x1000` -> `4K`. */
export function sizeText(n: bigint): string {
  for (const [sh, u] of [[40n, 'T'], [30n, 'G'], [20n, 'M'], [10n, 'K']] as const) if (n >= 1n << sh && n % (1n << sh) === 0n) return `${n >> sh}${u}`;
  return `0x${n.toString(16)}`;
}

/** Lowest level at which a block descriptor is legal (the walk's rule, without FEAT_LPA/LPA2 blocks). */
export function minBlockLevel(g: Granule): number {
  return blockAllowed(g, 1, false) ? 1 : 2;
}

/**
 * What one leaf descriptor can map with this granule from `startLevel` down, smallest first: the
 * page (level 3) and each block (DDI 0487 D8.3): 4K: 4K, 2M, 1G; 16K: 16K, 32M; 64K: 64K, 512M.
 */
export function leafSizes(g: Granule, startLevel = 0): Array<{ level: number; size: bigint }> {
  const out: Array<{ level: number; size: bigint }> = [];
  for (let level = 3; level >= Math.max(minBlockLevel(g), startLevel); level--) out.push({ level, size: 1n << BigInt(levelShift(g, level)) });
  return out;
}

/** Number of concatenated tables at the start level (stage 2 only; 1 for stage 1). */
export function startTables(geo: TableGeometry): number {
  return s2ConcatTables(geo.granule, geo.inputSize, geo.startLevel);
}

/** Descriptors one mapping may write: larger mappings must be aligned so blocks can be used. */
const MAX_DESCRIPTORS_PER_MAP = 1 << 20;

/** Refuses a mapping that would need more than MAX_DESCRIPTORS_PER_MAP descriptors (counted, not built). */
export function tooMany(geo: TableGeometry, blockSize: (level: number) => bigint, iova: bigint, size: bigint, pa: bigint, forced?: number): string | undefined {
  if (forced !== undefined) {
    return size / blockSize(forced) > BigInt(MAX_DESCRIPTORS_PER_MAP) ? `needs more than ${MAX_DESCRIPTORS_PER_MAP} descriptors of ${sizeText(blockSize(forced))}: use a larger pgsize or split it` : undefined;
  }
  const g = geo.granule;
  const minLevel = Math.max(minBlockLevel(g), geo.startLevel);
  let va = iova;
  let oa = pa;
  const end = iova + size;
  let n = 0;
  while (va < end) {
    let level = minLevel;
    let bs = blockSize(level);
    for (; level < 3; level++) {
      bs = blockSize(level);
      if (va % bs === 0n && oa % bs === 0n && end - va >= bs) break;
    }
    if (level === 3) {
      bs = blockSize(3);
      // Pages up to the next boundary of the smallest block (or the end): counted in one go.
      const blk = blockSize(2);
      const stop = (va / blk + 1n) * blk < end ? (va / blk + 1n) * blk : end;
      n += Number((stop - va) / bs);
      oa += stop - va;
      va = stop;
    } else {
      n++;
      va += bs;
      oa += bs;
    }
    if (n > MAX_DESCRIPTORS_PER_MAP) {
      return `needs more than ${MAX_DESCRIPTORS_PER_MAP} descriptors: align IOVA and PA to a block size so blocks can be used, or split it`;
    }
  }
  return undefined;
}
