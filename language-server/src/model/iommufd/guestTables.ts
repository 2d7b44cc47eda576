// Where the leaves of a guest's stage-1 table are: what a shadowing VMM visits when it re-walks
// the guest tables on an invalidation (QEMU's vtd_page_walk / smmu_ptw over a range). Only the
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

/**
 * The leaves of the TTB0 range `tt` overlapping [lo, hi), reading at most `limit` descriptors.
 * The range covers [0, 2^(64 - T0SZ)); an EPD0 range has no leaves.
 */
export function scanLeaves(mem: PhysicalMemory, tt: S1RangeConfig, lo: bigint, hi: bigint, limit = 1 << 16): LeafScan {
  const out: LeafScan = { leaves: [], tables: [], truncated: false };
  const inputSize = 64 - tt.tsz;
  const end = hi < 1n << BigInt(inputSize) ? hi : 1n << BigInt(inputSize);
  if (tt.epd || lo >= end) return out;
  const g: Granule = tt.granule;
  const start = s1StartLevel(g, inputSize);
  let budget = limit;
  const visit = (table: bigint, level: number, base: bigint): void => {
    out.tables.push(table);
    const shift = levelShift(g, level);
    const bits = level === start ? inputSize - shift : levelStride(g);
    const span = 1n << BigInt(shift);
    const first = lo > base ? (lo - base) >> BigInt(shift) : 0n;
    const lastIdx = (1n << BigInt(bits)) - 1n;
    const stop = (end - 1n - base) >> BigInt(shift);
    for (let i = first; i <= (stop < lastIdx ? stop : lastIdx); i++) {
      if (budget-- <= 0) {
        out.truncated = true;
        return;
      }
      const addr = table + i * 8n;
      const d = decodePte(mem.read64(addr), { stage: 1, granule: g, level });
      const va = base + i * span;
      if (d.kind === 'table' && level < 3) visit(d.address!, level + 1, va);
      else if (d.kind === 'block' || d.kind === 'page') out.leaves.push({ va, shift, addr });
      if (out.truncated) return;
    }
  };
  visit(tt.ttb, start, 0n);
  return out;
}
