// Compile-time state of the declarations: each instance's layout and each named pagetable, cd and
// cdtable in compiled form (built once, on first use), plus ASID/VMID allocation.

import type { Field, Mapping, Span } from '../../../dsl/ast';
import type { SmmuFeatures } from '../../../model/smmu/features';
import type { Granule, Stage } from '../../../model/types';
import type { DescCodec, PageTableLayout, Write } from '../../../model/layout/pagetable';
import type { Allocator } from '../../../model/layout/alloc';
import type { Symbols } from '../names/symbols';
import { fieldsOf } from './fields';

export interface SmmuLayout {
  name: string;
  features: SmmuFeatures;
  strtab: { base: bigint; log2size: number; twoLevel: boolean; split: number; l2: Map<number, bigint> };
  cmdq: { base: bigint; log2: number };
  eventq: { base: bigint; log2: number };
  /** PRI queue (16-byte page request records, IHI 0070 §8), when the SMMU implements PRI. */
  priq?: { base: bigint; log2: number };
}

export interface PtInfo {
  name: string;
  stage: Stage;
  granule: Granule;
  inputSize: number;
  startLevel: number;
  outputSize: number;
  layout: PageTableLayout;
  span: Span;
  /** Lays out the declaration's own mappings once (they are written at the declaration). */
  layBody?: () => Write[];
  /** The IPA space it lives in (a stage-1 table a nested STE reaches). */
  guest?: GuestSpace;
  /** Its mappings as laid out: per mapping, its first write in `writes` (and the end) and its
   *  index in the layout's mappings() (-1: not laid out); `allocs`: the tables they allocated. */
  body?: { items: Mapping[]; starts: number[]; ranges: number[]; writes: Write[]; allocs: number };
  /** A `map`, `unmap` or `pte` line changed the layout after the declaration. */
  edited?: boolean;
}

export interface CdInfo {
  name: string;
  dwords: bigint[];
  addr: bigint;
  /** Its TTB0/TTB1 tables. */
  tables: PtInfo[];
  guest?: GuestSpace;
}

export interface CdtInfo {
  name: string;
  fmt: number;
  cdMax: number;
  base: bigint;
  writes: Write[];
  hasSsid0: boolean;
  /** The table and its level-2 tables as [address, size], and its CDs. */
  ranges: Array<[bigint, bigint]>;
  cds: CdInfo[];
  guest?: GuestSpace;
}

/** The IPA space of a stage-2 table that nested STEs use: the guest's structures (decls/guest.ts). */
export interface GuestSpace {
  s2: PtInfo;
  /** Guest IPAs for the guest's structures. */
  alloc: Allocator;
  /** Guest writes stage 2 did not map when they were made, before the first nested STE. */
  pending: Array<{ write: Write; what: string }>;
  /** Host 4K frames holding guest structures. */
  placed: Set<bigint>;
  /** Whether a nested STE of this space was lowered. */
  steSeen: boolean;
}

export class DeclState {
  readonly smmus = new Map<string, SmmuLayout>();
  readonly pts = new Map<string, PtInfo | null>();
  readonly cds = new Map<string, CdInfo | null>();
  readonly cdts = new Map<string, CdtInfo | null>();
  readonly tableNames = new Map<bigint, string>();
  readonly codecs = new Map<string, DescCodec>();
  /** `kind:name` of structures STEs reach -> the stage-2 table of their IPA space ('' : physical). */
  readonly guestOf = new Map<string, string>();
  readonly guestSpaces = new Map<string, GuestSpace | null>();
  /** smmu -> stage-2 VMID of an `ste` declaration -> its StreamID (iommufd's VMID allocation skips them). */
  readonly steVmids = new Map<string, Map<number, bigint>>();
  /** `kind:name` -> the statement ordinals that read its compiled form (declInfo), in order,
   *  and the one that built it (compile/declEdit.ts lowers them again when it changes). */
  readonly reads = new Map<string, number[]>();
  readonly builtAt = new Map<string, number>();
  /** Statements that took a fresh ASID or VMID (a counter: not lowered again alone). */
  readonly freshIds = new Set<number>();
  /** `reads` arrays this state may append to (a fork copies one before its first append). */
  private readonly ownReads = new Set<string>();
  /** The earlier compile's state a fork was made from (compiled forms built again start from theirs). */
  previous?: DeclState;
  private nextAsid = 1;
  private nextVmid = 1;
  /** ASIDs / VMIDs the scenario writes explicitly (auto-allocated ones avoid them). */
  private explicit?: { asid: Set<bigint>; vmid: Set<bigint> };

  private scan(symbols: Symbols): { asid: Set<bigint>; vmid: Set<bigint> } {
    if (this.explicit) return this.explicit;
    const e = { asid: new Set<bigint>(), vmid: new Set<bigint>() };
    const grab = (fields: Field[], name: string, into: Set<bigint>) => {
      for (const f of fields) if (f.name.lower === name && f.values[0]?.kind === 'number') into.add(f.values[0].value);
    };
    for (const d of symbols.cd.values()) grab(fieldsOf(d.node), 'asid', e.asid);
    for (const f of symbols.steVmids) if (f.values[0]?.kind === 'number') e.vmid.add(f.values[0].value);
    this.explicit = e;
    return e;
  }

  /** Statement `ordinal` read the compiled form of `key` (`kind:name`; `built`: it built it). */
  noteRead(key: string, ordinal: number, built: boolean): void {
    if (built) this.builtAt.set(key, ordinal);
    let l = this.reads.get(key);
    if (l && l[l.length - 1] === ordinal) return;
    if (!l) this.reads.set(key, (l = []));
    else if (!this.ownReads.has(key)) this.reads.set(key, (l = l.slice()));
    this.ownReads.add(key);
    if (!l.includes(ordinal)) l.push(ordinal);
  }

  /** Whether an ASID was ever taken fresh (they avoid every CD's explicit one: a CD's ASID edit may move them). */
  get freshAsids(): boolean {
    return this.nextAsid !== 1;
  }

  /**
   * A copy to lower some statements again in (compile/declEdit.ts): the compiled forms of `drop`
   * (`kind:name`) left out, to be built again; the rest shared (they are not changed after they
   * are built), the maps copied.
   */
  fork(drop: ReadonlySet<string>): DeclState {
    const d = new DeclState();
    const copy = <V>(from: Map<string, V>, to: Map<string, V>, kind: string) => {
      for (const [k, v] of from) if (!drop.has(`${kind}:${k}`)) to.set(k, v);
    };
    copy(this.pts, d.pts, 'pagetable');
    copy(this.cds, d.cds, 'cd');
    copy(this.cdts, d.cdts, 'cdtable');
    for (const [k, v] of this.smmus) d.smmus.set(k, v);
    for (const [k, v] of this.tableNames) d.tableNames.set(k, v);
    for (const [k, v] of this.codecs) d.codecs.set(k, v);
    for (const [k, v] of this.guestOf) d.guestOf.set(k, v);
    for (const [k, v] of this.guestSpaces) d.guestSpaces.set(k, v);
    for (const [k, v] of this.steVmids) d.steVmids.set(k, v);
    for (const [k, v] of this.reads) d.reads.set(k, v);
    for (const [k, v] of this.builtAt) d.builtAt.set(k, v);
    for (const o of this.freshIds) d.freshIds.add(o);
    d.previous = this;
    d.nextAsid = this.nextAsid;
    d.nextVmid = this.nextVmid;
    return d;
  }

  /** A fresh ASID (from 1) that no CD of the scenario names explicitly. */
  freshAsid(symbols: Symbols, ordinal: number): bigint {
    this.freshIds.add(ordinal);
    const used = this.scan(symbols).asid;
    while (used.has(BigInt(this.nextAsid))) this.nextAsid++;
    return BigInt(this.nextAsid++);
  }

  freshVmid(symbols: Symbols, ordinal: number): bigint {
    this.freshIds.add(ordinal);
    const used = this.scan(symbols).vmid;
    while (used.has(BigInt(this.nextVmid))) this.nextVmid++;
    return BigInt(this.nextVmid++);
  }
}
