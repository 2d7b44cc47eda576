// Address allocator for the structures a scenario names without an `at` clause (stream tables,
// CD tables, page tables, queues). A bump allocator from a default region with a free list for
// page-table pages that `unmap` releases. Deterministic: the same scenario gets the same addresses.

const DEFAULT_REGION_BASE = 0x4000_0000n;

export class Allocator {
  private next: bigint;
  /** Freed blocks by size, reused first (LIFO: the most recently freed table is reused first). */
  private readonly free = new Map<bigint, bigint[]>();
  /** Ranges the user placed with `at`, which the allocator must not hand out. */
  private readonly reserved: Array<[bigint, bigint]> = [];

  constructor(base = DEFAULT_REGION_BASE) {
    this.next = base;
  }

  /** Marks [addr, addr+size) as used by a user-placed structure. */
  reserve(addr: bigint, size: bigint): void {
    this.reserved.push([addr, addr + size]);
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
    return a;
  }

  release(addr: bigint, size: bigint): void {
    const list = this.free.get(size) ?? [];
    list.push(addr);
    this.free.set(size, list);
  }
}
