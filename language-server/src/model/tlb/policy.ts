// The TLB's replacement policies (a declared capacity: 'lru', 'fifo', 'random', or 'unbounded').

import type { TlbPolicy } from './types';
import type { Slot } from './store';

/** Deterministic PRNG (mulberry32) for the 'random' policy (an object: a snapshot copies its state). */
export class Prng {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** The entry to evict when the TLB is full. */
export function pickVictim(all: readonly Slot[], policy: TlbPolicy, rand: Prng): Slot {
  if (policy === 'random') return all[Math.floor(rand.next() * all.length)];
  let best = all[0];
  for (let i = 1; i < all.length; i++) {
    const s = all[i];
    if (policy === 'lru' ? s.lastUse < best.lastUse : s.seq < best.seq) best = s;
  }
  return best;
}
