// A TLB's copy for a snapshot (model/snapshot.ts, the checkpoints of a run): its hash structure
// copied by shape (buckets, levels, chunks, slots, entries), not field by field. An entry's
// permissions and attributes are values never changed once inserted: the copy shares them.
// And its equality with a copy (sameStore): the slots in `all` order decide everything else (the
// buckets, levels and chunks index them by tag and key; `order` lists them by id), so only they,
// the counters and the replacement PRNG are compared, not the lookup memos a copy resets.

import type { Copier, SameFn } from '../snapshot';
import { CHUNK, type Bucket, type Chunk, type Slot } from './store';
import type { TlbEntry } from './types';

/** The fields of a Tlb the copy replaces (the others are numbers and strings). */
export interface TlbStore {
  frozen: boolean;
  capacity: number;
  policy: string;
  nextId: number;
  clock: number;
  lookups: number;
  hitCount: number;
  buckets: Map<number, Bucket>;
  all: Slot[];
  order: Slot[];
  dead: number;
  rand: object;
  lastTag: number;
  lastBucket: Bucket | undefined;
  lastTag2: number;
  lastBucket2: Bucket | undefined;
}

// (spread keeps the entry's shape: every entry has the same fields in the same order)
const copyEntry = (e: TlbEntry): TlbEntry => ({ ...e });

/** Fills `to` (a shallow copy of `from`) with copies of `from`'s structure. */
export function copyStore(from: TlbStore, to: TlbStore, c: Copier): void {
  const slots = new Map<Slot, Slot>();
  const buckets = new Map<number, Bucket>();
  for (const [tag, b] of from.buckets) {
    const nb: Bucket = { tag, levels: [] };
    for (const l of b.levels) {
      const map = new Map<number, Chunk>();
      for (const [k, ch] of l.map) map.set(k, copyChunk(ch, nb, slots, c, from.frozen));
      nb.levels.push({ shift: l.shift, map, lastKey: -1, last: undefined });
    }
    buckets.set(tag, nb);
  }
  to.buckets = buckets;
  to.all = from.all.map((s) => slots.get(s)!);
  // Removed slots (pos -1) are left out: `order` only serves lookups by id.
  to.order = [];
  for (const s of from.order) if (s.pos >= 0) to.order.push(slots.get(s)!);
  to.dead = 0;
  to.rand = c.copy(from.rand);
  to.lastTag = to.lastTag2 = -1;
  to.lastBucket = to.lastBucket2 = undefined;
}

/** (`frozen`: the entries are shared, never changed) */
function copyChunk(ch: Chunk, b: Bucket, slots: Map<Slot, Slot>, c: Copier, frozen: boolean): Chunk {
  const out: Chunk = { key: ch.key, chain: ch.chain && copyChunk(ch.chain, b, slots, c, frozen), slots: new Array<Slot | undefined>(CHUNK), count: ch.count };
  for (let i = 0; i < CHUNK; i++) {
    const s = ch.slots[i];
    if (s === undefined) continue;
    const n: Slot = { e: frozen ? s.e : c.copyWith(s.e, copyEntry), key: s.key, bucket: b, pos: s.pos, lastUse: s.lastUse, seq: s.seq };
    slots.set(s, n);
    out.slots[i] = n;
  }
  return out;
}

/** Whether two TLBs (a live one and a copy, or two copies) hold the same entries, in the same
 *  places, with the same replacement state. */
export function sameStore(a: TlbStore, b: TlbStore, same: SameFn): boolean {
  if (a.capacity !== b.capacity || a.policy !== b.policy || a.nextId !== b.nextId || a.clock !== b.clock) return false;
  if (a.lookups !== b.lookups || a.hitCount !== b.hitCount || a.all.length !== b.all.length || !same(a.rand, b.rand)) return false;
  for (let i = 0; i < a.all.length; i++) {
    const x = a.all[i];
    const y = b.all[i];
    if (x.key !== y.key || x.pos !== y.pos || x.lastUse !== y.lastUse || x.seq !== y.seq || x.bucket.tag !== y.bucket.tag) return false;
    if (!same(x.e, y.e)) return false;
  }
  return true;
}
