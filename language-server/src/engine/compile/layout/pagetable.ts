// Page-table layout: turns `map IOVA SIZE -> PA` into real VMSAv8-64 descriptors for one stage
// and granule, at compile time, over a shadow of the tree. Each operation returns the memory
// writes it needs; the step replays them on the model's memory at run time.
// Geometry: DDI 0487 D8.2 (granules, levels, start level, concatenated stage-2 start tables);
// block sizes per level: DDI 0487 D8.3 (4K: L1/L2 blocks; 16K and 64K: L2 blocks without LPA).

import { granuleShift, levelShift, levelStride } from '../../../model/walk/config';
import type { Granule, Stage } from '../../../model/types';
import type { Allocator } from './alloc';

export interface Write {
  addr: bigint;
  value: bigint;
}

/** Descriptor encoders for this table's stage (see descriptors.ts). */
export interface DescCodec {
  /** Table descriptor at `level` pointing to `next`. */
  table(next: bigint, level: number): bigint;
  /** Block (level < 3) or page (level 3) descriptor mapping output address `oa`. */
  leaf(level: number, oa: bigint): bigint;
}

export interface TableGeometry {
  stage: Stage;
  granule: Granule;
  /** Input address size in bits (64 - TxSZ). */
  inputSize: number;
  startLevel: number;
  /** Output address size in bits (the instance's OAS or the stage's PS). */
  outputSize: number;
}

interface Node {
  addr: bigint;
  level: number;
  /** Live entries: index -> child table or leaf (its input base). */
  children: Map<number, Node | Leaf>;
}

interface Leaf {
  leaf: true;
  level: number;
  iova: bigint;
  desc: bigint;
}

export interface MappedRange {
  iova: bigint;
  size: bigint;
  pa: bigint;
}

/** Descriptors one mapping may write: larger mappings must be aligned so blocks can be used. */
const MAX_DESCRIPTORS_PER_MAP = 1 << 20;

export type LayoutResult = { ok: true; writes: Write[] } | { ok: false; message: string };

/** Lowest level at which a block descriptor is legal (DDI 0487 D8.3; no FEAT_LPA/LPA2 blocks). */
function minBlockLevel(g: Granule): number {
  return g === 4 ? 1 : 2;
}

/** Number of concatenated tables at the start level (stage 2 only; 1 for stage 1). */
export function startTables(geo: TableGeometry): number {
  const bitsAtStart = geo.inputSize - levelShift(geo.granule, geo.startLevel);
  const extra = bitsAtStart - levelStride(geo.granule);
  return extra > 0 ? 2 ** extra : 1;
}

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

  /** Refuses a mapping that would need more than MAX_DESCRIPTORS_PER_MAP descriptors (counted, not built). */
  private tooMany(iova: bigint, size: bigint, pa: bigint): string | undefined {
    const g = this.geo.granule;
    const minLevel = Math.max(minBlockLevel(g), this.geo.startLevel);
    let va = iova;
    let oa = pa;
    const end = iova + size;
    let n = 0;
    while (va < end) {
      let level = minLevel;
      let bs = this.blockSize(level);
      for (; level < 3; level++) {
        bs = this.blockSize(level);
        if (va % bs === 0n && oa % bs === 0n && end - va >= bs) break;
      }
      if (level === 3) {
        bs = this.blockSize(3);
        // Pages up to the next boundary of the smallest block (or the end): counted in one go.
        const blk = this.blockSize(2);
        const stop = (va / blk + 1n) * blk < end ? (va / blk + 1n) * blk : end;
        n += Number((stop - va) / bs);
        oa += stop - va;
        va = stop;
      } else {
        n++;
        va += bs;
        oa += bs;
      }
      if (n > MAX_DESCRIPTORS_PER_MAP) {
        return `needs more than ${MAX_DESCRIPTORS_PER_MAP} descriptors: align IOVA and PA to a block size so blocks can be used, or split it`;
      }
    }
    return undefined;
  }

  /** Lays out one mapping: the largest legal block where IOVA, PA and the remaining size are aligned. */
  map(iova: bigint, size: bigint, pa: bigint, codec: DescCodec = this.codec): LayoutResult {
    const problem = this.check(iova, size, pa) ?? this.tooMany(iova, size, pa);
    if (problem) return { ok: false, message: problem };
    const writes: Write[] = [];
    const g = this.geo.granule;
    const minLevel = Math.max(minBlockLevel(g), this.geo.startLevel);
    let va = iova;
    let oa = pa;
    const end = iova + size;
    while (va < end) {
      let level = minLevel;
      for (; level < 3; level++) {
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

  /** Removes the mappings [iova, iova+size): leaf descriptors are zeroed, empty tables are unlinked and freed. */
  unmap(iova: bigint, size: bigint): LayoutResult {
    const hit = this.ranges.filter((r) => iova < r.iova + r.size && r.iova < iova + size);
    if (hit.length === 0) return { ok: false, message: `nothing is mapped in [0x${iova.toString(16)}, 0x${(iova + size).toString(16)})` };
    const writes: Write[] = [];
    const leaves: Array<{ path: Node[]; idx: number; leaf: Leaf }> = [];
    this.collect(this.rootNode, [], iova, iova + size, leaves);
    for (const { leaf } of leaves) {
      const bs = 1n << BigInt(levelShift(this.geo.granule, leaf.level));
      if (leaf.iova < iova || leaf.iova + bs > iova + size) {
        return { ok: false, message: `unmap [0x${iova.toString(16)}, 0x${(iova + size).toString(16)}) would split the ${bs >= 1n << 20n ? `${bs >> 20n}M` : `${bs >> 10n}K`} block at 0x${leaf.iova.toString(16)}` };
      }
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
    return { ok: true, writes };
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
