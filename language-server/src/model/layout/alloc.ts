// Address allocator for the structures a scenario names without an `at` clause (stream tables,
// CD tables, page tables, queues). A bump allocator from a default region with a free list for
// page-table pages that `unmap` releases. Deterministic: the same scenario gets the same addresses.
// One allocator places the tool's own structures in physical memory; each nested STE's stage 2
// has one more for the guest's structures in its IPA space (decls/guest.ts).

export const DEFAULT_REGION_BASE = 0x4000_0000n;
const FRAME = 12n;

export class Allocator {
  private next: bigint;
  /** Freed blocks by size, reused first (LIFO: the most recently freed table is reused first). */
  private readonly free = new Map<bigint, bigint[]>();
  /** Ranges the allocator must not hand out: user-placed (`at`) structures and memory others use. */
  private readonly reserved: Array<[bigint, bigint]> = [];
  /** 4K frames holding a structure this allocator placed or an `at` reserved. */
  private readonly owned = new Set<bigint>();

  constructor(readonly base = DEFAULT_REGION_BASE) {
    this.next = base;
  }

  /** Marks [addr, addr+size) as used by a user-placed structure. */
  reserve(addr: bigint, size: bigint): void {
    this.avoid(addr, size);
    this.own(addr, size);
  }

  /** Never hands out [addr, addr+size) (memory something else holds), without owning it. */
  avoid(addr: bigint, size: bigint): void {
    this.reserved.push([addr, addr + size]);
  }

  /** Whether the 4K frame of `addr` holds a structure of this allocator's. */
  owns(addr: bigint): boolean {
    return this.owned.has(addr >> FRAME);
  }

  /** The end of the region handed out so far. */
  highWater(): bigint {
    return this.next;
  }

  /** Allocates `size` bytes aligned to `align` (a power of two). */
  alloc(size: bigint, align: bigint = size): bigint {
    const list = this.free.get(size);
    if (list && list.length) {
      for (let i = list.length - 1; i >= 0; i--) {
        if (list[i] % align === 0n) return list.splice(i, 1)[0];
      }
    }
    let a = (this.next + align - 1n) & -align;
    for (;;) {
      const hit = this.reserved.find(([lo, hi]) => a < hi && a + size > lo);
      if (!hit) break;
      a = (hit[1] + align - 1n) & -align;
    }
    this.next = a + size;
    this.own(a, size);
    return a;
  }

  /** The end of the highest allocation so far (memory above it has never been handed out). */
  get top(): bigint {
    return this.next;
  }

  release(addr: bigint, size: bigint): void {
    const list = this.free.get(size) ?? [];
    list.push(addr);
    this.free.set(size, list);
  }

  private own(addr: bigint, size: bigint): void {
    // Large reservations (a whole stream table) are marked frame by frame up to a bound.
    const end = addr + size;
    for (let f = addr >> FRAME, n = 0; f << FRAME < end && n < 4096; f++, n++) this.owned.add(f);
  }
}
