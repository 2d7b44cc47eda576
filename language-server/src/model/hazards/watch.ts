// Which memory writes the hazard analysis looks at: a count of watched words per 4K frame (a write
// to any other frame costs one map lookup), plus a counter of shadows that want every write (an
// invalidated, not yet synced translation makes any reuse of its memory a hazard).

const FRAME = 12n;

export class Watch {
  private readonly frames = new Map<number, number>();
  /** Shadows' requests to see every write (e.g. TLB entries awaiting a CMD_SYNC). */
  everyWrite = 0;

  /** Cheap filter for PhysicalMemory.onWrite. */
  wants(addr: bigint): boolean {
    return this.everyWrite > 0 || this.frames.has(Number(addr >> FRAME));
  }

  add(addr: bigint): void {
    const k = Number(addr >> FRAME);
    this.frames.set(k, (this.frames.get(k) ?? 0) + 1);
  }

  delete(addr: bigint): void {
    const k = Number(addr >> FRAME);
    const n = (this.frames.get(k) ?? 1) - 1;
    if (n <= 0) this.frames.delete(k);
    else this.frames.set(k, n);
  }
}

/** Same 4K frame. */
export function sameFrame(a: bigint, b: bigint): boolean {
  return a >> FRAME === b >> FRAME;
}
