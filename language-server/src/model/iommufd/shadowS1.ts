// The host side of a shadow whose guest device uses substreams (STE.S1CDMax > 0) or a TTB1 range.
// A stage-2-only host STE takes no SubstreamID (IHI 0070 §5.2 STE.S1CDMax: C_BAD_SUBSTREAMID) and
// its input range has no upper half; and iommufd gives a VMM no host CD with TTB1 (the kernel's
// stage-1 paging domain has TTB0 only, CD.EPD1 = 1). So for these devices the VMM owns the host
// STE, as a hypervisor-resident SMMU driver does: Config S1_TRANS over a host CD table that mirrors
// the guest's (S1CDMax, S1Fmt linear, S1DSS), one host CD per guest CD with a host ASID and
// composed stage-1 tables (guest VA -> host PA) for TTB0 and TTB1 with the guest's T0SZ/T1SZ and
// EPD0/EPD1 (IHI 0070 §5.4), and it issues CMD_CFGI_STE / CMD_CFGI_CD / CMD_TLBI_NH_VA +
// CMD_SYNC on the physical SMMU itself (IHI 0070 §4.3, §4.4).

import { encodeCommand as CMD } from '../fields/commands';
import { CD } from '../fields/cd';
import { encode, getField } from '../fields/field';
import { STE, STE_CONFIG } from '../fields/ste';
import type { Allocator } from '../layout/alloc';
import { PageTableLayout, type DescCodec, type Write } from '../layout/pagetable';
import type { SmmuInstance } from '../smmu/instance';
import { oasEncoding } from '../smmu/idr';
import { locateSte } from '../smmu/tables';
import type { Granule } from '../types';
import { granuleShift, s1StartLevel, tg0Encoding, tg1Encoding } from '../walk/config';
import { writeHostSte } from './attach';
import { issue, noEffects, type IommufdEffects } from './effects';
import type { GuestRange } from './guestTables';

/** The stage-1 format of shadow tables on one physical SMMU (decided by the engine at compile time). */
export interface S1ShadowFormat {
  granule: Granule;
  outputSize: number;
  rw: DescCodec;
  ro: DescCodec;
  /** CD.MAIR the codecs' AttrIndx values refer to. */
  mair: bigint;
}

/** One VA range of a host CD: the composed table of a guest range. */
export interface HostRange {
  index: 0 | 1;
  /** First VA of the range (0, or 2^64 - 2^inputSize for TTB1). */
  base: bigint;
  layout: PageTableLayout;
}

/** The host context of one guest CD: its host CD and tables. */
export interface HostContext {
  /** CD index (the SubstreamID; 0 also for traffic without one under STE.S1DSS == 0b10). */
  cd: number;
  hostAsid: number;
  ranges: HostRange[];
}

/** At most this many CDs are mirrored (2^S1CDMax beyond it: the larger SubstreamIDs are not shadowed). */
export const MAX_HOST_CD_LOG2 = 6;
/** Host ASIDs of shadows count down from the top of the SMMU's ASID space, per SMMU. */
const nextAsid = new WeakMap<SmmuInstance, number>();
/** Above this many pages an unmap invalidates the whole host ASID (CMD_TLBI_NH_ASID). */
const MAX_TLBI_PAGES = 64n;

/** The VMM-owned host STE of one shadowed device and its CD table. */
export class S1Device {
  readonly contexts = new Map<number, HostContext>();
  readonly cdTable: bigint;
  readonly cdMax: number;

  constructor(readonly inst: SmmuInstance, readonly sid: number, guestCdMax: number, private readonly s1dss: bigint, readonly format: S1ShadowFormat, private readonly alloc: Allocator) {
    this.cdMax = Math.min(guestCdMax, MAX_HOST_CD_LOG2);
    this.cdTable = alloc.alloc(64n << BigInt(this.cdMax), 64n << BigInt(this.cdMax));
  }

  /** Writes the host STE (S1_TRANS, the host CD table) in the driver's order, with CMD_CFGI_STE + CMD_SYNC. */
  install(): IommufdEffects | string {
    const loc = locateSte(this.inst.mem, this.inst.streamTable(), this.sid);
    if (!loc.ok) return `${this.inst.name} has no STE for StreamID 0x${this.sid.toString(16)}: ${loc.reason}`;
    const ste = encode(STE, {
      V: 1n, Config: STE_CONFIG.S1_TRANS, S1ContextPtr: this.cdTable, S1CDMax: BigInt(this.cdMax), S1Fmt: 0n,
      S1DSS: this.cdMax ? this.s1dss : 0n, S1CIR: 1n, S1COR: 1n, S1CSH: 3n,
    });
    const fx = noEffects();
    writeHostSte(this.inst, this.sid, loc.addr, ste, fx);
    fx.steInstalls.push({ smmu: this.inst.name, sid: this.sid, addr: loc.addr, ste });
    issue(this.inst, [CMD('CMD_CFGI_STE', { StreamID: BigInt(this.sid), Leaf: 1n }), CMD('CMD_SYNC', {})], fx);
    return fx;
  }

  /** A host context for guest CD `cd` with the guest's ranges (a new host CD, its tables empty). */
  context(cd: number, ranges: GuestRange[], fx: IommufdEffects): HostContext {
    const old = this.contexts.get(cd);
    const hostAsid = old?.hostAsid ?? this.allocAsid();
    const { granule, outputSize, rw } = this.format;
    const hr: HostRange[] = [];
    for (const r of ranges) {
      if (r.tt.epd) continue;
      const inputSize = Math.min(64 - r.tt.tsz, 48);
      const geo = { stage: 1 as const, granule, inputSize, startLevel: s1StartLevel(granule, inputSize), outputSize: Math.min(outputSize, this.inst.features.oas) };
      hr.push({ index: r.index, base: r.index ? (1n << 64n) - (1n << BigInt(inputSize)) : 0n, layout: new PageTableLayout(geo, rw, this.alloc) });
    }
    const c: HostContext = { cd, hostAsid, ranges: hr };
    this.contexts.set(cd, c);
    this.writeCd(c, fx);
    // The old tables' entries are tagged with the same host ASID: gone with them.
    if (old) issue(this.inst, [CMD('CMD_TLBI_NH_ASID', { ASID: BigInt(hostAsid) }), CMD('CMD_SYNC', {})], fx);
    return c;
  }

  /** Host CD `c.cd`: the host ASID and tables, the guest's ranges (IHI 0070 §5.4), then CMD_CFGI_CD + CMD_SYNC. */
  private writeCd(c: HostContext, fx: IommufdEffects): void {
    const f = this.format;
    const v: Record<string, bigint> = {
      V: 1n, AA64: 1n, R: 1n, A: 1n, ASET: 0n, ASID: BigInt(c.hostAsid), IPS: oasEncoding(Math.min(f.outputSize, this.inst.features.oas)),
      MAIR0: f.mair & 0xffff_ffffn, MAIR1: f.mair >> 32n, EPD0: 1n, EPD1: 1n,
    };
    for (const r of c.ranges) {
      const tsz = BigInt(64 - r.layout.geo.inputSize);
      if (r.index === 0) Object.assign(v, { EPD0: 0n, TTB0: r.layout.root, T0SZ: tsz, TG0: BigInt(tg0Encoding(f.granule)), IR0: 1n, OR0: 1n, SH0: 3n });
      else Object.assign(v, { EPD1: 0n, TTB1: r.layout.root, T1SZ: tsz, TG1: BigInt(tg1Encoding(f.granule)), IR1: 1n, OR1: 1n, SH1: 3n });
    }
    const addr = this.cdTable + BigInt(c.cd) * 64n;
    const words = encode(CD, v);
    // A live CD is made invalid first (CD.V == 0, CMD_CFGI_CD + CMD_SYNC), then word 0 last (IHI 0070 §3.21.3).
    if (getField(CD, [this.inst.mem.read64(addr)], 'V') !== 0n) {
      this.write([{ addr, value: 0n }], fx.writes);
      issue(this.inst, [this.cfgiCd(c.cd), CMD('CMD_SYNC', {})], fx);
    }
    this.write(words.map((value, i) => ({ addr: addr + BigInt(i * 8), value })).slice(1).concat([{ addr, value: words[0] }]), fx.writes);
    issue(this.inst, [this.cfgiCd(c.cd), CMD('CMD_SYNC', {})], fx);
  }

  private cfgiCd(cd: number): [bigint, bigint] {
    return CMD('CMD_CFGI_CD', { StreamID: BigInt(this.sid), SubstreamID: BigInt(cd), Leaf: 1n });
  }

  private allocAsid(): number {
    const top = (1 << this.inst.features.asidBits) - 1;
    const a = nextAsid.get(this.inst) ?? top;
    nextAsid.set(this.inst, a - 1);
    return a;
  }

  /** The host range holding `va` and the offset in it, if the context has that range. */
  rangeOf(c: HostContext, va: bigint): { r: HostRange; off: bigint } | undefined {
    const r = c.ranges.find((x) => (va >> 63n) === BigInt(x.index));
    if (!r || va < r.base) return undefined;
    return { r, off: va - r.base };
  }

  /** Maps [va, va + length) -> pa in the context's table (no host TLBI: an invalid entry is never cached, IHI 0070 §3.17). */
  map(c: HostContext, va: bigint, length: bigint, pa: bigint, readOnly: boolean, into: Write[]): string | undefined {
    const at = this.rangeOf(c, va);
    if (!at) return `VA 0x${va.toString(16)} is outside the host CD's ranges`;
    const problem = at.r.layout.check(at.off, length, pa);
    if (problem) return problem;
    const r = at.r.layout.map(at.off, length, pa, readOnly ? this.format.ro : this.format.rw);
    if (!r.ok) return r.message;
    this.write(r.writes, into);
    return undefined;
  }

  /** Unmaps [va, va + length) and invalidates it: CMD_TLBI_NH_VA per page (CMD_TLBI_NH_ASID when large) + CMD_SYNC. */
  unmap(c: HostContext, va: bigint, length: bigint, fx: IommufdEffects): void {
    const at = this.rangeOf(c, va);
    if (!at) return;
    const r = at.r.layout.unmap(at.off, length);
    if (r.ok) this.write(r.writes, fx.writes);
    const granule = 1n << BigInt(granuleShift(this.format.granule));
    const pages = length / granule;
    const asid = BigInt(c.hostAsid);
    const cmds: [bigint, bigint][] = pages <= MAX_TLBI_PAGES
      ? Array.from({ length: Number(pages) }, (_, i) => CMD('CMD_TLBI_NH_VA', { ASID: asid, Address: va + BigInt(i) * granule, Leaf: 1n }))
      : [CMD('CMD_TLBI_NH_ASID', { ASID: asid })];
    issue(this.inst, [...cmds, CMD('CMD_SYNC', {})], fx);
  }

  private write(ws: Write[], into: Write[]): void {
    for (const w of ws) {
      this.inst.mem.write64(w.addr, w.value);
      into.push(w);
    }
  }
}
