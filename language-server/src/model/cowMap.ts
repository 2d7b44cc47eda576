// A Map shared with its snapshots until one side writes (model/snapshot.ts, the checkpoints of a
// run): a snapshot takes no copy of the entries; the first write on either side after it copies
// the map, once. For large maps of a run's state that most steps only read (the hazard shadows'
// descriptors and TLB records: a checkpoint of a 100,000-line scenario costs nothing for them
// while the steps only hit the TLB). Values are not copied: what they hold is the owner's business
// (copy-on-write records, numbers). SAME: a map compared with one sharing its entries is equal at
// once, else entry by entry in order (insertion order is state).

import { SAME, SNAPSHOT, type Copier, type SameFn } from './snapshot';

export class CowMap<K, V> implements Iterable<[K, V]> {
  private m: Map<K, V>;
  /** Whether `m` is this map's alone (false: a snapshot may share it). */
  private own = true;

  constructor(entries?: Iterable<[K, V]>) {
    this.m = new Map(entries);
  }

  [SNAPSHOT](c: Copier): CowMap<K, V> {
    const d = c.clone(this);
    this.own = d.own = false;
    return d;
  }

  /** Whether both hold the same entries because they share them (no write since a snapshot). */
  shares(other: CowMap<K, V>): boolean {
    return this.m === other.m;
  }

  [SAME](other: CowMap<K, V>, same: SameFn): boolean {
    if (this.m === other.m) return true;
    if (this.m.size !== other.m.size) return false;
    const it = other.m.entries();
    for (const [k, v] of this.m) {
      const [k2, v2] = it.next().value as [K, V];
      if (!(k === k2 || same(k, k2)) || !(v === v2 || same(v, v2))) return false;
    }
    return true;
  }

  /** The map, to change. */
  private mine(): Map<K, V> {
    if (!this.own) {
      this.m = new Map(this.m);
      this.own = true;
    }
    return this.m;
  }

  get size(): number {
    return this.m.size;
  }

  get(k: K): V | undefined {
    return this.m.get(k);
  }

  has(k: K): boolean {
    return this.m.has(k);
  }

  set(k: K, v: V): this {
    this.mine().set(k, v);
    return this;
  }

  delete(k: K): boolean {
    return this.m.has(k) && this.mine().delete(k);
  }

  clear(): void {
    if (this.own) this.m.clear();
    else this.m = new Map();
    this.own = true;
  }

  keys(): IterableIterator<K> {
    return this.m.keys();
  }

  values(): IterableIterator<V> {
    return this.m.values();
  }

  entries(): IterableIterator<[K, V]> {
    return this.m.entries();
  }

  [Symbol.iterator](): IterableIterator<[K, V]> {
    return this.m.entries();
  }
}
