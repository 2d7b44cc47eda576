// The one "pending until CMD_SYNC" protocol every shadow follows (IHI 0070 §4.7.3): an invalidation
// (CMD_TLBI_*, CMD_CFGI_*, CMD_ATC_INV) removes what it covers from a shadow, but the SMMU may still
// use it until a later CMD_SYNC on that SMMU completes the invalidation. A change of the item after
// its invalidation voids it (the SMMU may have refetched the old value in between).

export class Pending<T> {
  /** Item -> step of the invalidation awaiting a CMD_SYNC (insertion order = issue order). */
  private readonly items = new Map<T, number>();

  /** `counter.everyWrite` follows the number of pending items (the write filter, watch.ts). */
  constructor(private readonly counter?: { everyWrite: number }) {}

  get size(): number {
    return this.items.size;
  }

  /** `x` was invalidated at `step`; a second invalidation before the sync changes nothing. */
  add(x: T, step: number): void {
    if (this.items.has(x)) return;
    this.items.set(x, step);
    if (this.counter) this.counter.everyWrite++;
  }

  /** Step of `x`'s invalidation not yet completed, if any. */
  at(x: T): number | undefined {
    return this.items.get(x);
  }

  /** `x` changed after its invalidation: that invalidation does not count. */
  void(x: T): boolean {
    if (!this.items.delete(x)) return false;
    if (this.counter) this.counter.everyWrite--;
    return true;
  }

  keys(): IterableIterator<T> {
    return this.items.keys();
  }

  /** CMD_SYNC: every pending invalidation has completed; returns the items and forgets them. */
  sync(): T[] {
    const done = [...this.items.keys()];
    this.items.clear();
    if (done.length && this.counter) this.counter.everyWrite -= done.length;
    return done;
  }
}
