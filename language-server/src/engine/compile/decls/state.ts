// Compile-time state of the declarations: each instance's layout and each named pagetable, cd and
// cdtable in compiled form (built once, on first use), plus ASID/VMID allocation.

import type { Field, Span } from '../../../dsl/ast';
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

  /** A fresh ASID (from 1) that no CD of the scenario names explicitly. */
  freshAsid(symbols: Symbols): bigint {
    const used = this.scan(symbols).asid;
    while (used.has(BigInt(this.nextAsid))) this.nextAsid++;
    return BigInt(this.nextAsid++);
  }

  freshVmid(symbols: Symbols): bigint {
    const used = this.scan(symbols).vmid;
    while (used.has(BigInt(this.nextVmid))) this.nextVmid++;
    return BigInt(this.nextVmid++);
  }
}
