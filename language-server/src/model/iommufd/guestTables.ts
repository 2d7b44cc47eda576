// Where the leaves of a guest's stage-1 tables are: what a shadowing VMM visits when it re-walks
// the guest tables on an invalidation (QEMU's vtd_page_walk / smmu_ptw over a range), in both VA
// ranges of a CD (TTB0 low, TTB1 upper; TBI is not modelled here: VAs are canonical). Only the
// table structure is read here (descriptor kinds and next-level addresses, DDI 0487 D8.2-D8.3,
// through fields/pte); what each leaf translates to is asked of the guest's SMMU itself.

import { decodePte } from '../fields/pte';
import type { PhysicalMemory } from '../memory';
import type { Granule } from '../types';
import { levelShift, levelStride, s1StartLevel, type S1RangeConfig } from '../walk/config';

/** One valid leaf (block or page) of the table: its input base and log2 of the region it maps. */
export interface GuestLeaf {
  va: bigint;
  shift: number;
  /** The descriptor's address (in the memory the table was read from). */
  addr: bigint;
}

export interface LeafScan {
  leaves: GuestLeaf[];
  /** Addresses of the table pages read (each table once). */
  tables: bigint[];
  /** The scan stopped at `limit` descriptors read. */
  truncated: boolean;
}

/** One VA range of a stage-1 configuration: its table and the VA its first entry maps. */
export interface GuestRange {
  tt: S1RangeConfig;
  /** 0 for TTB0; 2^64 - 2^(64 - T1SZ) for TTB1 (the upper range, DDI 0487 D8.2.2; IHI 0070 §5.4 CD.T1SZ). */
  base: bigint;
  /** 0 for TTB0, 1 for TTB1. */
  index: 0 | 1;
}

/** The VA ranges of a CD's stage 1: TTB0 [0, 2^(64-T0SZ)), TTB1 (when the regime has one) [2^64 - 2^(64-T1SZ), 2^64). */
export function guestRanges(tt0: S1RangeConfig, tt1?: S1RangeConfig): GuestRange[] {
  const out: GuestRange[] = [{ tt: tt0, base: 0n, index: 0 }];
  if (tt1) out.push({ tt: tt1, base: (1n << 64n) - (1n << BigInt(64 - tt1.tsz)), index: 1 });
  return out;
}

/**
 * The leaves of range `r` overlapping [lo, hi) (full 64-bit VAs), reading at most `limit`
 * descriptors. An EPDx range has no leaves (CD.EPD0/EPD1: walks of it fault, nothing is cached).
 */
export function scanLeaves(mem: PhysicalMemory, r: GuestRange | S1RangeConfig, lo: bigint, hi: bigint, limit = 1 << 16): LeafScan {
  const { tt, base } = 'tt' in r ? r : { tt: r, base: 0n };
  const out: LeafScan = { leaves: [], tables: [], truncated: false };
  const inputSize = 64 - tt.tsz;
  const top = base + (1n << BigInt(inputSize));
  const end = (hi < top ? hi : top) - base;
  const from = (lo > base ? lo : base) - base;
  if (tt.epd || from >= end) return out;
  const g: Granule = tt.granule;
  const start = s1StartLevel(g, inputSize);
  let budget = limit;
  const visit = (table: bigint, level: number, at: bigint): void => {
    out.tables.push(table);
    const shift = levelShift(g, level);
    const bits = level === start ? inputSize - shift : levelStride(g);
    const span = 1n << BigInt(shift);
    const first = from > at ? (from - at) >> BigInt(shift) : 0n;
    const lastIdx = (1n << BigInt(bits)) - 1n;
    const stop = (end - 1n - at) >> BigInt(shift);
    for (let i = first; i <= (stop < lastIdx ? stop : lastIdx); i++) {
      if (budget-- <= 0) {
        out.truncated = true;
        return;
      }
      const addr = table + i * 8n;
      const d = decodePte(mem.read64(addr), { stage: 1, granule: g, level });
      const off = at + i * span;
      if (d.kind === 'table' && level < 3) visit(d.address!, level + 1, off);
      else if (d.kind === 'block' || d.kind === 'page') out.leaves.push({ va: base + off, shift, addr });
      if (out.truncated) return;
    }
  };
  visit(tt.ttb, start, 0n);
  return out;
}
