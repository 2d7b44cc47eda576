// The users (ids) of one hazard descriptor (descriptors.ts), with a Set's behaviour: membership,
// size, insertion order, and iteration that sees changes made meanwhile. Most descriptors (the
// leaves) have one user for their whole life, held alone. A table descriptor has thousands (every
// TLB entry walked through it), added in increasing order (a user is a new record, with the next
// id): those are held in parts of 64 consecutive ids, so a copy (copy-on-write: descriptors.ts
// `own`, after every snapshot of the run) copies the list of parts and a change copies one part,
// not a Set of thousands. An id added out of order turns them into a Set (insertion order kept).

import { cowCopied, newGeneration } from '../snapshot';

/** Ids per part. */
const SPAN = 64;

interface Part {
  /** Increasing ids. */
  ids: number[];
  /** The generation of the Users that may change it in place (a shared part is copied first). */
  gen: number;
}

export class Users implements Iterable<number> {
  private one: number | undefined;
  /** Parts by id / SPAN, in increasing order (ids were added in increasing order). */
  private parts: Map<number, Part> | undefined;
  private n = 0;
  private gen = newGeneration();
  /** The greatest id added to the parts (later ids are greater still). */
  private max = -Infinity;
  private set: Set<number> | undefined;

  get size(): number {
    return this.set ? this.set.size : this.parts ? this.n : this.one === undefined ? 0 : 1;
  }

  has(u: number): boolean {
    if (this.set) return this.set.has(u);
    if (this.parts) return this.parts.get(Math.floor(u / SPAN))?.ids.includes(u) ?? false;
    return this.one === u;
  }

  add(u: number): void {
    if (this.set) this.set.add(u);
    else if (this.parts) {
      if (this.has(u)) return;
      if (u > this.max) this.push(u);
      else {
        const s = new Set(this.values());
        s.add(u);
        this.set = s;
        this.parts = undefined;
      }
    } else if (this.one === undefined || this.one === u) this.one = u;
    else if (u > this.one) {
      this.parts = new Map();
      this.push(this.one);
      this.push(u);
      this.one = undefined;
    } else {
      this.set = new Set([this.one, u]);
      this.one = undefined;
    }
  }

  private push(u: number): void {
    const k = Math.floor(u / SPAN);
    const p = this.parts!.get(k);
    if (!p) this.parts!.set(k, { ids: [u], gen: this.gen });
    else this.mine(k, p).push(u);
    this.n++;
    this.max = u;
  }

  /** Part `k` as this one's own, to change. */
  private mine(k: number, p: Part): number[] {
    if (p.gen === this.gen) return p.ids;
    cowCopied.n += 1 + (p.ids.length >> 3);
    const o = { ids: p.ids.slice(), gen: this.gen };
    this.parts!.set(k, o);
    return o.ids;
  }

  delete(u: number): void {
    if (this.set) this.set.delete(u);
    else if (this.parts) {
      const k = Math.floor(u / SPAN);
      const p = this.parts.get(k);
      const i = p ? p.ids.indexOf(u) : -1;
      if (i < 0) return;
      if (p!.ids.length === 1) this.parts.delete(k);
      else this.mine(k, p!).splice(i, 1);
      this.n--;
    } else if (this.one === u) this.one = undefined;
  }

  values(): IterableIterator<number> {
    if (this.set) return this.set.values();
    if (this.parts) return this.inParts(this.parts);
    return (this.one === undefined ? [] : [this.one]).values();
  }

  /** The ids in increasing order, seeing changes made meanwhile as a Set's iteration does (the
   *  next id is the least one after the last given, looked up again each time). */
  private *inParts(parts: Map<number, Part>): IterableIterator<number> {
    let last = -Infinity;
    for (const k of parts.keys()) {
      for (;;) {
        const ids = parts.get(k)?.ids;
        if (!ids) break;
        // (the first id after `last`: a binary search)
        let lo = 0;
        let hi = ids.length;
        while (lo < hi) {
          const m = (lo + hi) >>> 1;
          if (ids[m] <= last) lo = m + 1;
          else hi = m;
        }
        const i = lo;
        if (i === ids.length) break;
        last = ids[i];
        yield last;
      }
    }
  }

  [Symbol.iterator](): IterableIterator<number> {
    return this.values();
  }

  /** A copy (the parts shared until either side changes one: both take a new generation). */
  copy(): Users {
    const u = new Users();
    this.gen = newGeneration();
    u.one = this.one;
    u.n = this.n;
    u.max = this.max;
    if (this.set) u.set = new Set(this.set);
    if (this.parts) u.parts = new Map(this.parts);
    return u;
  }

  /** The same users in the same order (however each holds them). */
  same(other: Users): boolean {
    if (this.size !== other.size) return false;
    const it = other.values();
    for (const u of this) if (u !== it.next().value) return false;
    return true;
  }
}
