// Page-table layout: turns `map IOVA SIZE -> PA` into real VMSAv8-64 descriptors for one stage
// and granule, over a shadow of the tree. Each operation returns the memory writes it needs: the
// engine lays scenario tables out at compile time and replays the writes at run time; a shadowing
// vIOMMU (iommufd/shadow.ts) lays its shadow tables out at run time and writes them at once.
// Geometry: DDI 0487 D8.2 (granules, levels, start level, concatenated stage-2 start tables);
// block sizes per level: DDI 0487 D8.3 (4K: L1/L2 blocks; 16K and 64K: L2 blocks without LPA).

import { granuleShift, levelShift, levelStride } from '../walk/config';
import type { Allocator } from './alloc';
import { leafSizes, minBlockLevel, sizeText, startTables, tooMany, type DescCodec, type Leaf, type LayoutResult, type MappedRange, type Node, type SplitBlock, type TableGeometry, type Write } from './tree';

export type { DescCodec, LayoutResult, MappedRange, SplitBlock, TableGeometry, Write } from './tree';
export { leafSizes, sizeText, startTables } from './tree';

export class PageTableLayout {
  readonly root: bigint;
  readonly rootSize: bigint;
  private readonly rootNode: Node;
  private readonly ranges: MappedRange[] = [];
  private readonly tableSize: bigint;
  // Per lookup level (index level + 1: levels -1..3), precomputed once: the level's shift
  // (levelShift, DDI 0487 D8.2) as a bigint, its block size and the index mask.
  private readonly shiftB: bigint[] = [];
  private readonly blockB: bigint[] = [];
  private readonly idxMask: bigint[] = [];
  /** 2^inputSize and 2^outputSize: the bounds a mapping must stay below. */
  private readonly inLimit: bigint;
  private readonly outLimit: bigint;

  constructor(readonly geo: TableGeometry, private readonly codec: DescCodec, private readonly alloc: Allocator, at?: bigint) {
    this.tableSize = 1n << BigInt(granuleShift(geo.granule));
    this.inLimit = 1n << BigInt(geo.inputSize);
    this.outLimit = 1n << BigInt(geo.outputSize);
    for (let level = -1; level <= 3; level++) {
      const shift = levelShift(geo.granule, level);
      const bitsHere = level === geo.startLevel ? geo.inputSize - shift : levelStride(geo.granule);
      this.shiftB.push(BigInt(shift));
      this.blockB.push(1n << BigInt(shift));
      this.idxMask.push((1n << BigInt(bitsHere)) - 1n);
    }
    this.rootSize = this.tableSize * BigInt(startTables(geo));
    this.root = at ?? alloc.alloc(this.rootSize, this.rootSize);
    this.rootNode = { addr: this.root, level: geo.startLevel, children: new Map() };
  }

  /** A copy whose tables' entries change apart (leaves are replaced, never changed: shared). */
  copy(alloc: Allocator): PageTableLayout {
    const dup = (n: Node): Node => ({ addr: n.addr, level: n.level, children: new Map([...n.children].map(([i, c]) => [i, 'leaf' in c ? c : dup(c)])) });
    return Object.assign(Object.create(PageTableLayout.prototype) as PageTableLayout, this, { alloc, rootNode: dup(this.rootNode), ranges: this.ranges.slice() });
  }

  /**
   * Mapping `i` (of mappings()) to output address `pa` with `codec`'s descriptors, when its leaves
   * stay where they are (the same block at each step: `forced`, a pgsize, or the alignment rule of
   * map()): their new values, in order (undefined: not so; nothing changed).
   */
  remap(i: number, pa: bigint, codec: DescCodec, forced: boolean): Write[] | undefined {
    const r = this.ranges[i];
    if (pa % this.tableSize !== 0n || pa + r.size > this.outLimit) return undefined;
    const leaves: Array<[Node, number, Leaf]> = [];
    const end = r.iova + r.size;
    const min = Math.max(minBlockLevel(this.geo.granule), this.geo.startLevel);
    for (let va = r.iova, oa = pa; va < end;) {
      let node = this.rootNode;
      let c = node.children.get(this.index(va, node.level));
      while (c !== undefined && !('leaf' in c)) c = (node = c).children.get(this.index(va, c.level));
      if (c === undefined || c.iova !== va) return undefined;
      let level = min;
      while (level < 3 && !(va % this.blockSize(level) === 0n && oa % this.blockSize(level) === 0n && end - va >= this.blockSize(level))) level++;
      if (!forced && level !== c.level) return undefined;
      leaves.push([node, this.index(va, c.level), { leaf: true, level: c.level, iova: va, desc: codec.leaf(c.level, oa) }]);
      va += this.blockSize(c.level);
      oa += this.blockSize(c.level);
    }
    this.ranges[i] = { iova: r.iova, size: r.size, pa };
    return leaves.map(([node, idx, leaf]) => (node.children.set(idx, leaf), { addr: node.addr + BigInt(idx) * 8n, value: leaf.desc }));
  }

  /** Live mappings, in mapping order. */
  mappings(): readonly MappedRange[] {
    return this.ranges;
  }

  private index(va: bigint, level: number): number {
    return Number((va >> this.shiftB[level + 1]) & this.idxMask[level + 1]);
  }

  /** Block size at `level` (2^levelShift). */
  private blockSize(level: number): bigint {
    return this.blockB[level + 1];
  }

  /** Checks a new mapping against bounds and existing mappings. */
  check(iova: bigint, size: bigint, pa: bigint): string | undefined {
    const page = this.tableSize;
    if (size <= 0n) return 'size must be positive';
    if (iova % page !== 0n || pa % page !== 0n || size % page !== 0n) {
      return `IOVA, PA and size must be multiples of the ${this.geo.granule}K granule`;
    }
    const inLimit = this.inLimit;
    if (iova + size > inLimit) {
      return `mapping [0x${iova.toString(16)}, 0x${(iova + size).toString(16)}) is beyond the table's ${this.geo.inputSize}-bit input size`;
    }
    const outLimit = this.outLimit;
    if (pa + size > outLimit) {
      return `output [0x${pa.toString(16)}, 0x${(pa + size).toString(16)}) is beyond the ${this.geo.outputSize}-bit output address size`;
    }
    if (this.occupied(iova, size)) {
      const o = this.ranges.find((r) => iova < r.iova + r.size && r.iova < iova + size);
      if (o) return `overlaps the mapping [0x${o.iova.toString(16)}, 0x${(o.iova + o.size).toString(16)}) -> 0x${o.pa.toString(16)}`;
      return 'overlaps descriptors written with `pte`';
    }
    return undefined;
  }

  /**
   * Whether anything is mapped in [iova, iova+size), from the shadow tree: O(entries the range
   * covers), so laying out n mappings stays linear. Empty tables are always unlinked (unmap), so
   * a table where a block would go means something is mapped below it.
   */
  private occupied(iova: bigint, size: bigint): boolean {
    const end = iova + size;
    let va = iova;
    while (va < end) {
      let node = this.rootNode;
      let next: bigint | undefined;
      for (;;) {
        const shift = this.shiftB[node.level + 1];
        const c = node.children.get(this.index(va, node.level));
        const slotEnd = ((va >> shift) + 1n) << shift;
        if (c === undefined) {
          next = slotEnd;
          break;
        }
        if ('leaf' in c) return true;
        if (va === ((va >> shift) << shift) && slotEnd <= end) return true; // whole slot in range, table non-empty
        node = c;
      }
      va = next;
    }
    return false;
  }

  /**
   * Leaf sizes this table can use, smallest first: the page (level 3) and each block level from
   * the lowest legal one (DDI 0487 D8.3) that is not above the start level.
   */
  leafSizes(): Array<{ level: number; size: bigint }> {
    return leafSizes(this.geo.granule, this.geo.startLevel);
  }

  /** The level whose leaves map `pgsize` bytes, or why there is none. */
  levelFor(pgsize: bigint): number | string {
    const sizes = this.leafSizes();
    const hit = sizes.find((x) => x.size === pgsize);
    return hit ? hit.level : `pgsize ${sizeText(pgsize)} is not a page or block size of this ${this.geo.granule}K stage-${this.geo.stage} table (${sizes.map((x) => sizeText(x.size)).join(', ')})`;
  }

  /**
   * Lays out one mapping: the largest legal block where IOVA, PA and the remaining size are
   * aligned, or only leaves of `pgsize` bytes when given (a page or a block size of the granule).
   */
  map(iova: bigint, size: bigint, pa: bigint, codec: DescCodec = this.codec, pgsize?: bigint): LayoutResult {
    let forced: number | undefined;
    if (pgsize !== undefined) {
      const l = this.levelFor(pgsize);
      if (typeof l === 'string') return { ok: false, message: l };
      if (iova % pgsize !== 0n || pa % pgsize !== 0n || size % pgsize !== 0n) return { ok: false, message: `IOVA, PA and size must be multiples of pgsize ${sizeText(pgsize)}` };
      forced = l;
    }
    const problem = this.check(iova, size, pa) ?? tooMany(this.geo, (l) => this.blockSize(l), iova, size, pa, forced);
    if (problem) return { ok: false, message: problem };
    const writes: Write[] = [];
    const g = this.geo.granule;
    const minLevel = Math.max(minBlockLevel(g), this.geo.startLevel);
    let va = iova;
    let oa = pa;
    const end = iova + size;
    while (va < end) {
      let level = forced ?? minLevel;
      for (; forced === undefined && level < 3; level++) {
        const bs = this.blockSize(level);
        if (va % bs === 0n && oa % bs === 0n && end - va >= bs) break;
      }
      const node = this.tableFor(va, level, writes);
      const idx = this.index(va, level);
      const desc = codec.leaf(level, oa);
      node.children.set(idx, { leaf: true, level, iova: va, desc });
      writes.push({ addr: node.addr + BigInt(idx) * 8n, value: desc });
      const bs = this.blockSize(level);
      va += bs;
      oa += bs;
    }
    this.ranges.push({ iova, size, pa });
    return { ok: true, writes };
  }

  /** The table at `level` covering va, creating the tables on the way. */
  private tableFor(va: bigint, level: number, writes: Write[]): Node {
    let node = this.rootNode;
    while (node.level < level) {
      const idx = this.index(va, node.level);
      let child = node.children.get(idx);
      if (child === undefined) {
        const addr = this.alloc.alloc(this.tableSize, this.tableSize);
        const n: Node = { addr, level: node.level + 1, children: new Map() };
        node.children.set(idx, n);
        writes.push({ addr: node.addr + BigInt(idx) * 8n, value: this.codec.table(addr, node.level) });
        child = n;
      } else if ('leaf' in child) {
        throw new Error('internal: block in the way of a table (overlap check missed)');
      }
      node = child;
    }
    return node;
  }

  /**
   * Removes the mappings [iova, iova+size): leaf descriptors are zeroed, empty tables are unlinked
   * and freed. A block only partly in the range is split first, as Linux's io-pgtable did
   * (arm_lpae_split_blk_unmap, until Linux 6.13): a next-level table replaces it, mapping the rest of
   * the block with the same attributes (blocks of the next level, or pages; split again where the
   * range cuts one of those), its entries written before the table descriptor that replaces the block.
   */
  unmap(iova: bigint, size: bigint): LayoutResult {
    const page = this.tableSize;
    if (size <= 0n || iova % page !== 0n || size % page !== 0n) return { ok: false, message: `IOVA and size must be positive multiples of the ${this.geo.granule}K granule` };
    const hit = this.ranges.filter((r) => iova < r.iova + r.size && r.iova < iova + size);
    if (hit.length === 0) return { ok: false, message: `nothing is mapped in [0x${iova.toString(16)}, 0x${(iova + size).toString(16)})` };
    const writes: Write[] = [];
    const split: SplitBlock[] = [];
    let leaves: Array<{ path: Node[]; idx: number; leaf: Leaf }> = [];
    this.collect(this.rootNode, [], iova, iova + size, leaves);
    for (const { path, idx, leaf } of leaves) {
      const bs = this.blockSize(leaf.level);
      if (leaf.iova >= iova && leaf.iova + bs <= iova + size) continue;
      this.split(path[path.length - 1], idx, leaf, iova, iova + size, writes);
      split.push({ iova: leaf.iova, size: bs, level: leaf.level });
    }
    if (split.length) {
      leaves = [];
      this.collect(this.rootNode, [], iova, iova + size, leaves);
    }
    for (const { path, idx } of leaves) {
      const node = path[path.length - 1];
      node.children.delete(idx);
      writes.push({ addr: node.addr + BigInt(idx) * 8n, value: 0n });
      // Unlink and free tables that became empty (never the root).
      for (let i = path.length - 1; i > 0 && path[i].children.size === 0; i--) {
        const parent = path[i - 1];
        for (const [k, c] of parent.children) {
          if (c === path[i]) {
            parent.children.delete(k);
            writes.push({ addr: parent.addr + BigInt(k) * 8n, value: 0n });
            this.alloc.release(path[i].addr, this.tableSize);
            break;
          }
        }
      }
    }
    // Keep the parts of partly covered ranges.
    const keep: MappedRange[] = [];
    for (const r of this.ranges) {
      if (!hit.includes(r)) {
        keep.push(r);
        continue;
      }
      if (r.iova < iova) keep.push({ iova: r.iova, size: iova - r.iova, pa: r.pa });
      if (r.iova + r.size > iova + size) keep.push({ iova: iova + size, size: r.iova + r.size - iova - size, pa: r.pa + iova + size - r.iova });
    }
    this.ranges.length = 0;
    for (const r of keep) this.ranges.push(r);
    return split.length ? { ok: true, writes, split } : { ok: true, writes };
  }

  /**
   * Replaces the block `leaf` (entry `idx` of `parent`) by a table one level down holding the
   * block's mapping outside [lo, hi), splitting again the entries the range cuts.
   */
  private split(parent: Node, idx: number, leaf: Leaf, lo: bigint, hi: bigint, writes: Write[]): void {
    const level = leaf.level + 1;
    const addr = this.alloc.alloc(this.tableSize, this.tableSize);
    const node: Node = { addr, level, children: new Map() };
    const bs = this.blockSize(level);
    const n = Number(this.blockSize(leaf.level) / bs);
    const oa0 = this.codec.oa(leaf.level, leaf.desc);
    for (let i = 0; i < n; i++) {
      const va = leaf.iova + BigInt(i) * bs;
      if (va >= lo && va + bs <= hi) continue;
      const sub: Leaf = { leaf: true, level, iova: va, desc: this.codec.relevel(leaf.desc, leaf.level, level, oa0 + BigInt(i) * bs) };
      node.children.set(i, sub);
      if (va < hi && lo < va + bs) this.split(node, i, sub, lo, hi, writes);
      else writes.push({ addr: addr + BigInt(i) * 8n, value: sub.desc });
    }
    parent.children.set(idx, node);
    writes.push({ addr: parent.addr + BigInt(idx) * 8n, value: this.codec.table(addr, leaf.level) });
  }

  private collect(node: Node, path: Node[], lo: bigint, hi: bigint, out: Array<{ path: Node[]; idx: number; leaf: Leaf }>): void {
    const p = [...path, node];
    for (const [idx, c] of [...node.children]) {
      if ('leaf' in c) {
        const bs = 1n << BigInt(levelShift(this.geo.granule, c.level));
        if (c.iova < hi && lo < c.iova + bs) out.push({ path: p, idx, leaf: c });
      } else {
        this.collect(c, p, lo, hi, out);
      }
    }
  }

  /** The output address the tree maps `va` to now (undefined where nothing is mapped). */
  translate(va: bigint): bigint | undefined {
    if (va < 0n || va >= this.inLimit) return undefined;
    let node = this.rootNode;
    for (;;) {
      const c = node.children.get(this.index(va, node.level));
      if (c === undefined) return undefined;
      if ('leaf' in c) return this.codec.oa(c.level, c.desc) + (va & (this.blockSize(c.level) - 1n));
      node = c;
    }
  }

  /** Every table of the tree as [address, size] (the root with its concatenated tables first). */
  tables(): Array<[bigint, bigint]> {
    const out: Array<[bigint, bigint]> = [[this.root, this.rootSize]];
    const visit = (n: Node) => {
      for (const c of n.children.values()) {
        if ('leaf' in c) continue;
        out.push([c.addr, this.tableSize]);
        visit(c);
      }
    };
    visit(this.rootNode);
    return out;
  }

  /**
   * Address of the descriptor that translates `va` at `level` (default: the deepest existing
   * one). Used by `pte` steps. undefined when no table exists at that level.
   */
  descriptorAddr(va: bigint, level?: number): { addr: bigint; level: number; desc?: bigint } | undefined {
    let node = this.rootNode;
    for (;;) {
      const idx = this.index(va, node.level);
      const addr = node.addr + BigInt(idx) * 8n;
      const c = node.children.get(idx);
      if (level !== undefined && node.level === level) return { addr, level: node.level, desc: c && 'leaf' in c ? c.desc : undefined };
      if (c === undefined || 'leaf' in c) {
        if (level !== undefined && level > node.level) return undefined;
        return { addr, level: node.level, desc: c ? c.desc : undefined };
      }
      node = c;
    }
  }

  /** Records a raw descriptor write from a `pte` step into the shadow (a leaf now, or nothing). */
  notePte(va: bigint, level: number, value: bigint, valid: boolean): void {
    let node = this.rootNode;
    while (node.level < level) {
      const c = node.children.get(this.index(va, node.level));
      if (!c || 'leaf' in c) return;
      node = c;
    }
    const idx = this.index(va, level);
    if (valid) {
      const bs = 1n << BigInt(levelShift(this.geo.granule, level));
      node.children.set(idx, { leaf: true, level, iova: va - (va % bs), desc: value });
    } else {
      node.children.delete(idx);
    }
  }
}
