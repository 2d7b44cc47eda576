// Circular queue index arithmetic (IHI 0070 §3.5): a PROD/CONS value holds the index in
// bits [LOG2SIZE-1:0] and the wrap flag in bit [LOG2SIZE]. Empty: index and wrap equal.
// Full: same index, different wrap.

import type { PhysicalMemory } from '../memory';
import type { SmmuFeatures } from './features';

/** What a queue in memory needs from its SMMU: the memory it lives in, the SMMU_IDR1 size limits. */
export interface QueueHost {
  readonly mem: PhysicalMemory;
  readonly features: SmmuFeatures;
}

/** Combined index+wrap value of `reg` (bits [log2size:0]). */
export function qval(reg: bigint, log2size: number): number {
  return Number(reg & 0xfffffn) & ((2 << log2size) - 1);
}

export function qFull(prod: number, cons: number, log2size: number): boolean {
  const m = (1 << log2size) - 1;
  return (prod & m) === (cons & m) && prod !== cons;
}

/** Next index+wrap value. */
export function qInc(v: number, log2size: number): number {
  return (v + 1) & ((2 << log2size) - 1);
}

/** Number of entries between cons and prod. */
export function qCount(prod: number, cons: number, log2size: number): number {
  return (prod - cons) & ((2 << log2size) - 1);
}
