// A shadowing (caching-mode) vIOMMU: instead of hardware nesting, the VMM composes the guest's
// stage 1 (what the guest's own vSMMU would translate, asked of the guest SmmuInstance itself)
// with the VM's stage 2 (the IOAS) into one stage-2-only host table per guest device, and updates
// it ONLY when the guest invalidates (CMD_TLBI_NH_*, CMD_CFGI_*), re-walking the guest tables over
// the invalidated range as QEMU's caching mode does (intel-iommu CM=1, vtd_page_walk + VFIO map
// notifiers). A guest mapping made valid without an invalidation therefore misses here.
// Each device's shadow is iommufd objects, logged in the interchange syntax: an IOAS of composed
// IOVA -> host PA mappings, a stage-2 HWPT over it (its table laid out with the model's
// PageTableLayout in memory the tool reserved), the device attached to it; a re-walk's
// differences are IOMMU_IOAS_UNMAP (the kernel's TLBIs follow) and IOMMU_IOAS_MAP calls.

import { hex } from '../bits';
import { tlbiRange, type CommandResult } from '../smmu/commands';
import type { SmmuInstance } from '../smmu/instance';
import { tlbiSpan } from '../tlb/tlbi';
import { granuleShift } from '../walk/config';
import type { Access } from '../types';
import { Allocator } from '../layout/alloc';
import { PageTableLayout, type DescCodec, type TableGeometry, type Write } from '../layout/pagetable';
import type { IommufdContext, IommufdEffects } from './context';
import { scanLeaves } from './guestTables';
import type { Viommu } from './objects';

/** How a VMM backs a guest's vSMMU. */
export type VsmmuMode = 'nested' | 'shadow';

/** A shadow table's format on one physical SMMU: its stage-2 geometry and leaf encoders. */
export interface ShadowTableFormat {
  geo: TableGeometry;
  rw: DescCodec;
  ro: DescCodec;
}

/** Where and how shadow tables are laid out (decided by the engine at compile time). */
export interface ShadowPlan {
  /** Host memory reserved for shadow tables: [pool, pool + poolSize). */
  pool: bigint;
  poolSize: bigint;
  formats: ReadonlyMap<string, ShadowTableFormat>;
}

/** One composed mapping: guest IOVA -> host PA. */
export interface ShadowMap {
  iova: bigint;
  length: bigint;
  pa: bigint;
  readOnly: boolean;
}

/** The shadow of one guest device (virtual StreamID) on its physical SMMU. */
export interface ShadowDomain {
  vsid: number;
  smmu: string;
  sid: number;
  ioas: string;
  hwpt: string;
  layout: PageTableLayout;
  format: ShadowTableFormat;
  /** Composed mappings by IOVA. */
  maps: Map<bigint, ShadowMap>;
  /** The guest CD's ASID at the last re-walk (a TLBI by ASID re-walks the domains with it). */
  asid?: number;
  rewalks: number;
}

/** What the shadow needs of its vSMMU (vsmmu.ts). */
export interface ShadowHost {
  readonly name: string;
  readonly guest: SmmuInstance;
  readonly fd: IommufdContext;
  /** The VM's IOAS (guest-physical -> host PA). */
  readonly ioas: string;
  viommuOf(vsid: number): Viommu | undefined;
  call(line: string, fx: IommufdEffects): IommufdEffects;
  note(message: string): void;
}

/** The guest's own translation of one access, composed with the VM's stage 2. */
export interface GuestTranslation {
  vsid: number;
  asid?: number;
  /** Host PA, when the guest's tables and the IOAS translate it. */
  pa?: bigint;
  /** Why not (an event type, or the IOAS not mapping the IPA). */
  fault?: string;
  /** Host PA of the guest descriptor the walk ended at (the leaf, or the invalid entry). */
  desc?: bigint;
}

const READ: Access = { read: true, exec: false, priv: false };
const WRITE: Access = { read: false, exec: false, priv: false };
const ALL: [bigint, bigint] = [0n, 1n << 64n];
/** Descriptors one re-walk reads at most (bounded work per guest command). */
const REWALK_LIMIT = 1 << 16;

const sameMap = (a: ShadowMap | undefined, b: ShadowMap | undefined): boolean =>
  !!a && !!b && a.length === b.length && a.pa === b.pa && a.readOnly === b.readOnly;

export class ShadowVmm {
  readonly domains = new Map<number, ShadowDomain>();
  /** `${smmu}:${sid}` -> domain (the hazard analysis asks on every transaction). */
  private readonly byStream = new Map<string, ShadowDomain>();
  /** Host PAs of the guest table pages the re-walks read (the hazard analysis watches them). */
  readonly tablePages = new Set<bigint>();
  /** Bumped when tablePages grows. */
  serial = 0;
  private readonly alloc: Allocator;
  private poolReported = false;

  constructor(private readonly host: ShadowHost, readonly plan: ShadowPlan) {
    this.alloc = new Allocator(plan.pool);
  }

  /**
   * A guest CMD_CFGI_STE for `vsid`: a stage-1 STE gets (or keeps) its shadow, re-walked whole.
   * False when the STE does not translate at stage 1: the caller installs it as under nesting
   * (bypass -> the stage-2-only STE, abort/invalid -> the abort STE), which needs no shadow.
   */
  configure(vsid: number): boolean {
    const probe = this.host.guest.translate({ sid: vsid, iova: 0n, access: READ }, { dryRun: true });
    if (probe.ste?.config?.mode !== 's1') {
      const d = this.domains.get(vsid);
      if (d) this.byStream.delete(`${d.smmu}:${d.sid}`);
      this.domains.delete(vsid);
      return false;
    }
    const v = this.host.viommuOf(vsid);
    if (!v) {
      this.host.note(`guest STE of virtual StreamID ${hex(vsid)} cannot be shadowed: no vDEVICE for it behind ${this.host.name} (IOMMU_VDEVICE_ALLOC)`);
      return true;
    }
    const d = this.domains.get(vsid) ?? this.create(vsid, v);
    if (!d) return true;
    const sid = v.vdevices.get(vsid)!;
    if (this.host.fd.attachments.get(`${v.smmu}:${sid}`)?.hwpt !== d.hwpt) {
      this.host.call(`iommufd attach ${v.smmu} ${hex(sid)} ${d.hwpt}`, this.host.fd.attach(v.smmu, sid, d.hwpt));
    }
    this.rewalk(d, ALL);
    return true;
  }

  /** The guest invalidations a shadowing VMM acts on; false for the others. */
  trap(r: CommandResult): boolean {
    const f = r.fields;
    const each = (pick: (d: ShadowDomain) => boolean, span = ALL) => {
      for (const d of [...this.domains.values()]) if (pick(d)) this.rewalk(d, span);
    };
    const asid = (d: ShadowDomain) => d.asid === Number(f.ASID);
    switch (r.name) {
      case 'CMD_TLBI_NH_ALL':
      case 'CMD_TLBI_NSNH_ALL':
        each(() => true);
        return true;
      case 'CMD_TLBI_NH_ASID':
        each(asid);
        return true;
      case 'CMD_TLBI_NH_VA':
        each(asid, tlbiSpan(f.Address, tlbiRange(f, this.host.guest.features)));
        return true;
      case 'CMD_TLBI_NH_VAA':
        each(() => true, tlbiSpan(f.Address, tlbiRange(f, this.host.guest.features)));
        return true;
      case 'CMD_CFGI_CD':
      case 'CMD_CFGI_CD_ALL':
        each((d) => d.vsid === Number(f.StreamID));
        return true;
      case 'CMD_ATC_INV':
        return true; // the shadow has no ATS: nothing cached in a device
      default:
        return false;
    }
  }

  /** The shadow of (physical SMMU, StreamID), when a shadow of this vSMMU is attached there. */
  domainAt(smmu: string, sid: number): ShadowDomain | undefined {
    const key = `${smmu}:${sid}`;
    const d = this.byStream.get(key);
    return d && this.host.fd.attachments.get(key)?.hwpt === d.hwpt ? d : undefined;
  }

  /** What the guest's own tables give for one access now (what the shadow should hold). */
  translateGuest(vsid: number, iova: bigint, access: Access): GuestTranslation {
    const r = this.host.guest.translate({ sid: vsid, iova, access }, { dryRun: true });
    const steps = r.walks.stage1?.steps;
    const last = steps?.[steps.length - 1];
    const out: GuestTranslation = { vsid, asid: r.cd?.config?.asid };
    if (last) out.desc = this.host.fd.ipaToPa(this.host.ioas, last.descPa);
    if (r.outcome !== 'ok' || r.pa === undefined) return { ...out, fault: r.events[0]?.type ?? r.outcome };
    const pa = this.host.fd.ipaToPa(this.host.ioas, r.pa);
    return pa === undefined ? { ...out, fault: `IPA ${hex(r.pa)} not mapped by IOAS ${this.host.ioas}` } : { ...out, pa };
  }

  private create(vsid: number, v: Viommu): ShadowDomain | undefined {
    const format = this.plan.formats.get(v.smmu);
    if (!format) {
      this.host.note(`${v.smmu} has no stage-2 table format: no shadow table for virtual StreamID ${hex(vsid)}`);
      return undefined;
    }
    const fd = this.host.fd;
    const ioas = `${this.host.name}_shadow_${vsid.toString(16)}`;
    const hwpt = `${ioas}_s2`;
    if (this.host.call(`iommufd ioas ${ioas}`, fd.allocIoas(ioas)).rejections.length) return undefined;
    const layout = new PageTableLayout(format.geo, format.rw, this.alloc);
    const { granule, inputSize, startLevel, outputSize } = format.geo;
    const table = { ttb: layout.root, granule, inputSize, startLevel, outputSize };
    if (this.host.call(`iommufd hwpt_parent ${hwpt} ${ioas} ${v.smmu}`, fd.allocParent(hwpt, ioas, v.smmu, table)).rejections.length) return undefined;
    const d: ShadowDomain = { vsid, smmu: v.smmu, sid: v.vdevices.get(vsid)!, ioas, hwpt, layout, format, maps: new Map(), rewalks: 0 };
    this.domains.set(vsid, d);
    this.byStream.set(`${d.smmu}:${d.sid}`, d);
    return d;
  }

  /** Re-walks the guest's tables over [lo, hi) and maps/unmaps the differences in the shadow. */
  private rewalk(d: ShadowDomain, [lo, hi]: [bigint, bigint]): void {
    d.rewalks++;
    const probe = this.host.guest.translate({ sid: d.vsid, iova: lo, access: READ }, { dryRun: true });
    const cd = probe.ste?.config?.mode === 's1' ? probe.cd?.config : undefined;
    const want = new Map<bigint, ShadowMap>();
    let [rlo, rhi] = [lo, hi];
    if (cd) {
      d.asid = cd.asid;
      const scan = scanLeaves(this.host.guest.mem, cd.walk.tt0, lo, hi, REWALK_LIMIT);
      if (scan.truncated) this.host.note(`re-walk of virtual StreamID ${hex(d.vsid)} stopped after ${REWALK_LIMIT} descriptors: invalidate smaller ranges`);
      this.watchTables(scan.tables);
      for (const leaf of scan.leaves) {
        const size = 1n << BigInt(leaf.shift);
        if (leaf.va < rlo) rlo = leaf.va;
        if (leaf.va + size > rhi) rhi = leaf.va + size;
        for (const m of this.compose(d.vsid, leaf.va, size)) want.set(m.iova, m);
      }
    }
    for (const m of [...d.maps.values()]) if (m.iova < rhi && m.iova + m.length > rlo && !sameMap(m, want.get(m.iova))) this.unmap(d, m);
    for (const m of want.values()) if (!sameMap(d.maps.get(m.iova), m)) this.map(d, m);
  }

  /** One guest leaf [va, va + size) through the guest's SMMU (read, then write) and the IOAS. */
  private compose(vsid: number, va: bigint, size: bigint): ShadowMap[] {
    const g = this.host.guest;
    const r = g.translate({ sid: vsid, iova: va, access: READ }, { dryRun: true });
    if (r.outcome !== 'ok' || r.pa === undefined) return [];
    const writable = g.translate({ sid: vsid, iova: va, access: WRITE }, { dryRun: true }).outcome === 'ok';
    const ipa = r.pa;
    const out: ShadowMap[] = [];
    for (const m of this.host.fd.ioas.get(this.host.ioas)?.maps ?? []) {
      const a = m.iova > ipa ? m.iova : ipa;
      const b = m.iova + m.length < ipa + size ? m.iova + m.length : ipa + size;
      if (a < b) out.push({ iova: va + (a - ipa), length: b - a, pa: m.pa + (a - m.iova), readOnly: !writable || m.readOnly });
    }
    return out;
  }

  private watchTables(ipas: bigint[]): void {
    for (const ipa of ipas) {
      const pa = this.host.fd.ipaToPa(this.host.ioas, ipa);
      if (pa === undefined || this.tablePages.has(pa)) continue;
      this.tablePages.add(pa);
      this.serial++;
    }
  }

  /** Writes descriptors into host memory, listing them in `into` (the step's writes). */
  private write(ws: Write[], into: Write[]): void {
    const mem = this.host.fd.sys.mem;
    for (const w of ws) {
      mem.write64(w.addr, w.value);
      into.push(w);
    }
    if (!this.poolReported && this.alloc.top > this.plan.pool + this.plan.poolSize) {
      this.poolReported = true;
      this.host.note(`shadow tables outgrew the ${hex(this.plan.poolSize)} bytes reserved at ${hex(this.plan.pool)}: later tables may overlap other memory`);
    }
  }

  /** IOMMU_IOAS_MAP of one composed mapping, its descriptors written into the shadow table. */
  private map(d: ShadowDomain, m: ShadowMap): void {
    const line = `iommufd ioas_map ${d.ioas} ${hex(m.iova)} ${hex(m.length)} ${hex(m.pa)}${m.readOnly ? ' ro' : ''}`;
    const problem = d.layout.check(m.iova, m.length, m.pa);
    if (problem) return this.host.note(`${line}: the shadow table cannot hold it: ${problem}`);
    const fx = this.host.fd.mapIoas(d.ioas, { iova: m.iova, length: m.length, pa: m.pa, readOnly: m.readOnly });
    if (!fx.rejections.length) {
      const r = d.layout.map(m.iova, m.length, m.pa, m.readOnly ? d.format.ro : d.format.rw);
      if (r.ok) this.write(r.writes, fx.writes);
      d.maps.set(m.iova, m);
    }
    this.host.call(line, fx);
  }

  /** IOMMU_IOAS_UNMAP: the descriptors cleared, then the kernel's invalidations on the SMMU. */
  private unmap(d: ShadowDomain, m: ShadowMap): void {
    const r = d.layout.unmap(m.iova, m.length);
    const ws: Write[] = [];
    if (r.ok) this.write(r.writes, ws);
    const fx = this.host.fd.unmapIoas(d.ioas, m.iova, m.length, 1n << BigInt(granuleShift(d.format.geo.granule)));
    fx.writes.unshift(...ws);
    d.maps.delete(m.iova);
    this.host.call(`iommufd ioas_unmap ${d.ioas} ${hex(m.iova)} ${hex(m.length)}`, fx);
  }
}
