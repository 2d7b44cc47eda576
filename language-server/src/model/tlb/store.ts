// The TLB's hash structure: entries live in per-tag buckets, each with one level per block size
// present. A level maps the page key (input address >> blockShift, a number < 2^52) in chunks of
// CHUNK consecutive pages: a Map from chunk key to a small array, plus the last chunk used, so that
// lookups with locality (DMA buffers, consecutive pages) index an array instead of hashing into a
// large Map. A lookup tries the (few) block sizes of the ASID bucket and of the global bucket.

import type { TlbEntry, TlbRegime } from './types';

export interface Slot {
  e: TlbEntry;
  key: number; // full page key (input base >> blockShift)
  tag: number; // its bucket's
  pos: number; // index in `all`; -1 once removed
  lastUse: number;
  seq: number;
  gen: number; // the generation of the Tlb that may change it in place (copy.ts)
}

/** CHUNK consecutive page keys of one level (at most one slot per key: same tag and region replace). */
export interface Chunk {
  key: number; // full chunk key (page key / CHUNK); the level's map is keyed by its low 30 bits (SMI keys)
  chain: Chunk | undefined; // next chunk with the same low 30 bits (rare)
  slots: (Slot | undefined)[];
  count: number;
  gen: number; // as Slot.gen
}

/** The entries of one tag and block size. */
export interface Level {
  shift: number;
  map: Map<number, Chunk>;
  /** The chunk of the last lookup that found one (-1: none). */
  lastKey: number;
  last: Chunk | undefined;
}

export interface Bucket {
  tag: number;
  /** Ascending shifts: the smallest block is found first. */
  levels: Level[];
}

export const CHUNK = 32;
export const INV_CHUNK = 1 / CHUNK; // exact

export const REGIME_IDX: Record<TlbRegime, number> = { nsel1: 0, el2: 1, 'el2-e2h': 2 };
export const S2_SPACE = 3; // stage-2 entries have their own (IPA) tag space
export const GLOBAL = 0x10000;

/** Tag: regime (2 bits) | VMID (16 bits) | ASID or GLOBAL (17 bits); < 2^35, exact as a number. */
export function tagOf(space: number, vmid: number, asid: number): number {
  return (space * 0x10000 + (vmid & 0xffff)) * 0x20000 + asid;
}

/** Address >> shift as a number, from the address halves (shift >= 12 keeps it below 2^52). */
export function pageKey(hi: number, lo: number, shift: number): number {
  if (shift >= 32) return hi >>> (shift - 32);
  return hi * 2 ** (32 - shift) + (lo >>> shift);
}

export const TWO53 = 1n << 53n;
export const INV_POW2 = Array.from({ length: 65 }, (_, i) => 2 ** -i); // exact: multiply instead of divide
/** BASE_MASK[n] clears the offset within a 2^n block (precomputed: no BigInt temporaries per insert). */
export const BASE_MASK = Array.from({ length: 65 }, (_, n) => ~((1n << BigInt(n)) - 1n));

export const K30 = 0x3fff_ffff;

/** The chunk of key `ck` in a level's map, if any. */
export function chunkOf(m: Map<number, Chunk>, ck: number): Chunk | undefined {
  let c = m.get(ck & K30);
  while (c !== undefined && c.key !== ck) c = c.chain;
  return c;
}

/** The slot of page key `k` in a level, if any. */
export function slotAt(l: Level, k: number): Slot | undefined {
  const ck = Math.floor(k * INV_CHUNK);
  const c = chunkOf(l.map, ck);
  return c === undefined ? undefined : c.slots[k - ck * CHUNK];
}

/** Find the slot covering address `n` * 2^d (n exact, d <= 11) in a bucket, smallest block first. */
export function findN(b: Bucket, n: number, d: number): Slot | undefined {
  const levels = b.levels;
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i];
    const k = Math.floor(n * INV_POW2[l.shift - d]);
    const ck = Math.floor(k * INV_CHUNK);
    let c = l.last;
    if (ck !== l.lastKey) {
      c = chunkOf(l.map, ck);
      if (c === undefined) continue;
      l.lastKey = ck;
      l.last = c;
    }
    const s = c!.slots[k - ck * CHUNK];
    if (s !== undefined) return s;
  }
  return undefined;
}

/** Append the entry of each block size of a bucket that covers `addr` (a level holds one per region). */
export function collect(b: Bucket, addr: bigint, out: TlbEntry[]): void {
  for (const l of b.levels) {
    const k = addr < TWO53 ? Math.floor(Number(addr) * INV_POW2[l.shift]) : Number(addr >> BigInt(l.shift));
    const s = slotAt(l, k);
    if (s !== undefined) out.push(s.e);
  }
}
