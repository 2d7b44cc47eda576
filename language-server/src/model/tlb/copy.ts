// A TLB's snapshot (model/snapshot.ts, the checkpoints of a run), copy-on-write: the copy gets its
// own buckets, levels, level maps and slot lists, and shares the chunks and slots (and so the
// entries) with the original until either side changes one: a chunk or slot of another generation
// is copied first (ownSlot, ownChunk), an entry with its slot (the shadows' frozen entries stay
// shared). A snapshot costs the index (a Map per level of 32-page chunks) and the slot lists, not
// the entries; the slots a later step touches are copied then, once.
// And its equality with a copy (sameStore): the slots in `all` order decide everything else (the
// levels and chunks index them by tag and key; `order` lists them by id), so only they, the counters
// and the replacement PRNG are compared, not the lookup memos a snapshot resets; a slot both share
// is equal as it is.

import { cowCopied, newGeneration, type Copier, type SameFn } from '../snapshot';
import { CHUNK, INV_CHUNK, K30, type Bucket, type Chunk, type Level, type Slot } from './store';
import type { TlbEntry } from './types';

/** The fields of a Tlb the snapshot and the copy-on-write use. */
export interface TlbStore {
  capacity: number;
  policy: string;
  frozen: boolean;
  gen: number;
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

/** Fills `to` (a shallow copy of `from`) with its own index sharing `from`'s chunks and slots; both
 *  take a new generation (what they share is copied before either changes it). Returns `to`. */
export function snapshotStore(from: TlbStore, to: TlbStore, c: Copier): TlbStore {
  const buckets = new Map<number, Bucket>();
  for (const [tag, b] of from.buckets) {
    buckets.set(tag, { tag, levels: b.levels.map((l) => ({ shift: l.shift, map: new Map(l.map), lastKey: -1, last: undefined })) });
  }
  to.buckets = buckets;
  to.all = from.all.slice();
  // The entries are the same objects in both: so are the other references to them in the copy
  // (an SMMU's last transaction): every entry is marked KEPT (tlb.ts insert; a copy's spread keeps the mark).
  // Removed slots (pos -1) are left out: `order` only serves lookups by id.
  to.order = from.dead ? from.order.filter((s) => s.pos >= 0) : from.order.slice();
  to.dead = 0;
  to.rand = c.copy(from.rand);
  to.lastTag = to.lastTag2 = -1;
  to.lastBucket = to.lastBucket2 = undefined;
  from.gen = newGeneration();
  to.gen = newGeneration();
  return to;
}

/** The level of `s` (its tag and block size). */
function levelOf(t: TlbStore, s: Slot): Level {
  return t.buckets.get(s.tag)!.levels.find((l) => l.shift === s.e.blockShift)!;
}

/** Chunk `ck` of level `l` as this TLB's own: copied when shared (and the chain up to it, which
 *  links it). */
export function ownChunk(l: Level, ck: number, gen: number): Chunk {
  const k30 = ck & K30;
  let prev: Chunk | undefined;
  let cur = l.map.get(k30);
  while (cur !== undefined) {
    let mine = cur;
    if (cur.gen !== gen) {
      mine = { key: cur.key, chain: cur.chain, slots: cur.slots.slice(), count: cur.count, gen };
      cowCopied.n += 1 + (cur.slots.length >> 3);
      if (prev) prev.chain = mine;
      else l.map.set(k30, mine);
      if (l.last === cur) l.last = mine;
    }
    if (mine.key === ck) return mine;
    prev = mine;
    cur = mine.chain;
  }
  throw new Error(`TLB chunk ${ck} not found`);
}

// (spread keeps the entry's shape: every entry has the same fields in the same order)
const copyEntry = (e: TlbEntry): TlbEntry => ({ ...e });

/** Slot `s` as this TLB's own, to change: copied when shared (with its entry, unless frozen), and
 *  the copy put in its place (chunk, `all`, `order`). */
export function ownSlot(t: TlbStore, s: Slot): Slot {
  if (s.gen === t.gen) return s;
  cowCopied.n += 2;
  const n: Slot = { e: t.frozen ? s.e : copyEntry(s.e), key: s.key, tag: s.tag, pos: s.pos, lastUse: s.lastUse, seq: s.seq, gen: t.gen };
  if (s.pos >= 0) {
    const ck = Math.floor(s.key * INV_CHUNK);
    ownChunk(levelOf(t, s), ck, t.gen).slots[s.key - ck * CHUNK] = n;
    t.all[s.pos] = n;
  }
  const o = t.order;
  let lo = 0;
  let hi = o.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (o[mid].seq === s.seq) {
      if (o[mid] === s) o[mid] = n;
      break;
    }
    if (o[mid].seq < s.seq) lo = mid + 1;
    else hi = mid - 1;
  }
  return n;
}

/** Whether two TLBs (a live one and a copy, or two copies) hold the same entries, in the same
 *  places, with the same replacement state. */
export function sameStore(a: TlbStore, b: TlbStore, same: SameFn): boolean {
  if (a.capacity !== b.capacity || a.policy !== b.policy || a.nextId !== b.nextId || a.clock !== b.clock) return false;
  if (a.lookups !== b.lookups || a.hitCount !== b.hitCount || a.all.length !== b.all.length || !same(a.rand, b.rand)) return false;
  for (let i = 0; i < a.all.length; i++) {
    const x = a.all[i];
    const y = b.all[i];
    if (x === y) continue;
    if (x.key !== y.key || x.pos !== y.pos || x.lastUse !== y.lastUse || x.seq !== y.seq || x.tag !== y.tag) return false;
    if (x.e !== y.e && !same(x.e, y.e)) return false;
  }
  return true;
}
