// A Map shared with its snapshots part by part (model/snapshot.ts, the checkpoints of a run): the
// entries are spread over 256 parts by a key's `part` (uids, ids and descriptor addresses spread
// evenly); a snapshot copies the list of parts, and the first write to a part shared with a
// snapshot (of another generation than the map's) copies that part alone. A checkpoint costs 256
// references whatever the size, and a step that writes a few entries copies a few parts (a map of
// 10,000 entries: about 40 entries a part). For the large maps of the hazard shadows' state that
// every step may touch (descriptors, TLB records, entry ids). Values are not copied (what they hold
// is the owner's business: copy-on-write records, numbers). Iteration is part by part, each in
// insertion order (none of its users depends on the order: only SAME compares it). SAME: parts
// both share are equal at once, the others entry by entry.

import { SAME, SNAPSHOT, cowCopied, newGeneration, type Copier, type SameFn } from './snapshot';

const PARTS = 256;

interface Part<K, V> {
  m: Map<K, V>;
  gen: number;
}

/** The part of a number key (an id: consecutive ids in consecutive parts). */
export const numberPart = (k: number): number => k & (PARTS - 1);
/** The part of an 8-byte-aligned address (consecutive descriptors in consecutive parts). */
export const addressPart = (k: bigint): number => Number(BigInt.asUintN(11, k)) >>> 3;

export class CowMap<K, V> implements Iterable<[K, V]> {
  private parts: Array<Part<K, V> | undefined> = new Array(PARTS);
  private gen = newGeneration();
  private n = 0;

  /** `part`: a number in [0, 256) for a key, the same for equal keys, stateless. */
  constructor(private readonly part: (k: K) => number) {}

  [SNAPSHOT](c: Copier): CowMap<K, V> {
    const d = c.clone(this);
    d.parts = this.parts.slice();
    this.gen = newGeneration();
    d.gen = newGeneration();
    return d;
  }

  [SAME](other: CowMap<K, V>, same: SameFn): boolean {
    return this.sameAs(other, (a, b) => same(a, b), same);
  }

  /** The same entries (values compared by `eq` unless the same object), part by part in order:
   *  parts both share are equal at once. */
  sameAs(other: CowMap<K, V>, eq: (a: V, b: V) => boolean, same?: SameFn): boolean {
    if (this.n !== other.n) return false;
    for (let i = 0; i < PARTS; i++) {
      const a = this.parts[i];
      const b = other.parts[i];
      if (a === b) continue;
      const x = a?.m.size ?? 0;
      if (x !== (b?.m.size ?? 0)) return false;
      if (x === 0) continue;
      const it = b!.m.entries();
      for (const [k, v] of a!.m) {
        const [k2, v2] = it.next().value as [K, V];
        if (!(k === k2 || (same !== undefined && same(k, k2))) || !(v === v2 || eq(v, v2))) return false;
      }
    }
    return true;
  }

  /** Part `i`, to change (created, or copied when a snapshot shares it). */
  private mine(i: number): Map<K, V> {
    const p = this.parts[i];
    if (p?.gen === this.gen) return p.m;
    if (p) cowCopied.n += p.m.size + 1;
    const o = { m: new Map(p?.m), gen: this.gen };
    this.parts[i] = o;
    return o.m;
  }

  get size(): number {
    return this.n;
  }

  get(k: K): V | undefined {
    return this.parts[this.part(k)]?.m.get(k);
  }

  has(k: K): boolean {
    return this.parts[this.part(k)]?.m.has(k) ?? false;
  }

  set(k: K, v: V): this {
    const m = this.mine(this.part(k));
    const had = m.size;
    m.set(k, v);
    this.n += m.size - had;
    return this;
  }

  delete(k: K): boolean {
    const i = this.part(k);
    if (!this.parts[i]?.m.has(k)) return false;
    this.mine(i).delete(k);
    this.n--;
    return true;
  }

  clear(): void {
    this.parts = new Array(PARTS);
    this.n = 0;
  }

  *entries(): IterableIterator<[K, V]> {
    for (const p of this.parts) if (p) yield* p.m;
  }

  *keys(): IterableIterator<K> {
    for (const p of this.parts) if (p) yield* p.m.keys();
  }

  *values(): IterableIterator<V> {
    for (const p of this.parts) if (p) yield* p.m.values();
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.entries();
  }
}
