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
// A guest device with substreams (STE.S1CDMax > 0) or a TTB1 range cannot be held in one stage-2
// table: its shadow is a VMM-owned stage-1 host context instead (shadowS1.ts), one shadow per guest
// CD (SubstreamID), each re-walked over TTB0 and TTB1 (guestTables.ts) on the invalidations that
// reach its CD (CMD_CFGI_CD of its SubstreamID) or its ASID (CMD_TLBI_NH_ASID / NH_VA).

import { hex } from '../bits';
import { tlbiRange, type CommandResult } from '../smmu/commands';
import { tlbiSpan } from '../tlb/tlbi';
import { granuleShift, type S1WalkConfig } from '../walk/config';
import type { Access } from '../types';
import { Allocator } from '../layout/alloc';
import { PageTableLayout, type Write } from '../layout/pagetable';
import { noEffects as noFx } from './effects';
import { guestRanges, scanLeaves } from './guestTables';
import type { Viommu } from './objects';
import { MAX_HOST_CD_LOG2, S1Device } from './shadowS1';
import type { GuestTranslation, ShadowDomain, ShadowHost, ShadowMap, ShadowPlan } from './shadowTypes';

export type { GuestTranslation, ShadowDomain, ShadowHost, ShadowMap, ShadowPlan, ShadowTableFormat, VsmmuMode } from './shadowTypes';

const READ: Access = { read: true, exec: false, priv: false };
const WRITE: Access = { read: false, exec: false, priv: false };
const ALL: [bigint, bigint] = [0n, 1n << 64n];
/** translateGuest answers kept at most (then dropped at once). */
const ANSWERS_KEPT = 1 << 16;
/** Descriptors one re-walk reads at most (bounded work per guest command). */
const REWALK_LIMIT = 1 << 16;

const sameMap = (a: ShadowMap | undefined, b: ShadowMap | undefined): boolean =>
  !!a && !!b && a.length === b.length && a.pa === b.pa && a.readOnly === b.readOnly;

export class ShadowVmm {
  /** The shadows: `${vsid}` for a device's stage-2 shadow, `${vsid}/${cd}` for a CD's stage-1 host context. */
  readonly domains = new Map<string, ShadowDomain>();
  /** The devices with a stage-1 host context (their host STE), by virtual StreamID. */
  private readonly devices = new Map<number, S1Device>();
  /** `${smmu}:${sid}` -> virtual StreamID (the hazard analysis asks on every transaction). */
  private readonly byStream = new Map<string, number>();
  /** Host PAs of the guest table pages the re-walks read (the hazard analysis watches them). */
  readonly tablePages = new Set<bigint>();
  /** Bumped when tablePages grows. */
  serial = 0;
  private readonly alloc: Allocator;
  private poolReported = false;
  /** translateGuest's answers, valid while `changes` is `answersAt`. */
  private readonly answers = new Map<string, GuestTranslation>();
  private changes = 0;
  private answersAt = 0;

  constructor(private readonly host: ShadowHost, readonly plan: ShadowPlan) {
    this.alloc = new Allocator(plan.pool);
    host.fd.sys.mem.onWrite({ memoryWritten: () => this.changes++ });
  }

  /**
   * A guest CMD_CFGI_STE for `vsid`: a stage-1 STE gets (or keeps) its shadow, re-walked whole.
   * False when the STE does not translate at stage 1: the caller installs it as under nesting
   * (bypass -> the stage-2-only STE, abort/invalid -> the abort STE), which needs no shadow.
   */
  configure(vsid: number): boolean {
    const probe = this.host.guest.translate({ sid: vsid, iova: 0n, access: READ }, { dryRun: true });
    const s1 = probe.ste?.config?.mode === 's1' ? probe.ste.config.s1 : undefined;
    if (!s1) {
      this.drop(vsid);
      return false;
    }
    const v = this.host.viommuOf(vsid);
    if (!v) {
      this.host.note(`guest STE of virtual StreamID ${hex(vsid)} cannot be shadowed: no vDEVICE for it behind ${this.host.name} (IOMMU_VDEVICE_ALLOC)`);
      return true;
    }
    const tt1 = probe.cd?.config?.walk.tt1;
    if (s1.cdMax > 0 || (tt1 && !tt1.epd) || this.devices.has(vsid)) this.configureS1(vsid, v, s1.cdMax, BigInt(s1.dss));
    else this.configureS2(vsid, v);
    return true;
  }

  /** A device without substreams or TTB1: one stage-2 shadow over iommufd objects. */
  private configureS2(vsid: number, v: Viommu): void {
    const d = this.domains.get(`${vsid}`) ?? this.create(vsid, v);
    if (!d) return;
    if (this.host.fd.attachments.get(`${v.smmu}:${d.sid}`)?.hwpt !== d.hwpt) {
      this.host.call(`iommufd attach ${v.smmu} ${hex(d.sid)} ${d.hwpt}`, this.host.fd.attach(v.smmu, d.sid, d.hwpt));
    }
    this.rewalk(d, ALL);
  }

  /** A device with substreams or TTB1: the VMM's host STE and CD table, a stage-1 host context per guest CD. */
  private configureS1(vsid: number, v: Viommu, cdMax: number, dss: bigint): void {
    const format = this.plan.s1Formats?.get(v.smmu);
    const inst = this.host.fd.sys.get(v.smmu);
    if (!format || !inst) {
      this.host.note(`${v.smmu} has no stage-1 table format: virtual StreamID ${hex(vsid)} (substreams or TTB1) is not shadowed`);
      return;
    }
    const sid = v.vdevices.get(vsid)!;
    let dev = this.devices.get(vsid);
    if (!dev || dev.cdMax !== Math.min(cdMax, MAX_HOST_CD_LOG2) || dev.inst !== inst || dev.sid !== sid) {
      this.drop(vsid);
      dev = new S1Device(inst, sid, cdMax, dss, format, this.alloc);
      if (cdMax > MAX_HOST_CD_LOG2) this.host.note(`virtual StreamID ${hex(vsid)}: only SubstreamIDs below ${1 << MAX_HOST_CD_LOG2} are shadowed (the guest's STE.S1CDMax is ${cdMax})`);
      const fx = dev.install();
      if (typeof fx === 'string') return this.host.note(fx);
      this.host.record(fx);
      // The VMM owns the device's STE now: no iommufd HWPT is attached to it.
      this.host.fd.attachments.delete(`${v.smmu}:${sid}`);
      this.devices.set(vsid, dev);
      this.byStream.set(`${v.smmu}:${sid}`, vsid);
    }
    for (let cd = 0; cd < 1 << dev.cdMax; cd++) this.configureCd(vsid, dev, cd);
  }

  /** One guest CD: a host context with its shape (made anew when the guest's ranges changed), re-walked whole. */
  private configureCd(vsid: number, dev: S1Device, cd: number): void {
    const key = `${vsid}/${cd}`;
    const g = this.guestCd(vsid, cd);
    let d = this.domains.get(key);
    if (!g) {
      if (d) for (const m of [...d.maps.values()]) this.unmap(d, m);
      return;
    }
    const ranges = guestRanges(g.cfg.walk.tt0, g.cfg.walk.tt1);
    const shape = ranges.map((r) => `${r.index}:${r.tt.tsz}:${r.tt.epd ? 1 : 0}`).join(',');
    if (!d || d.shape !== shape) {
      const fx = noFx();
      const ctx = dev.context(cd, ranges, fx);
      this.host.record(fx);
      this.checkPool();
      d = { vsid, smmu: dev.inst.name, sid: dev.sid, ssid: cd, ioas: '', hwpt: '', layout: ctx.ranges[0]?.layout, host: { device: dev, ctx }, shape, maps: new Map(), rewalks: 0 };
      this.domains.set(key, d);
    }
    this.rewalk(d, ALL);
  }

  /** The guest's CD `cd` of `vsid`: the SubstreamID a transaction uses for it, and its stage-1 configuration. */
  private guestCd(vsid: number, cd: number): { ssid?: number; cfg: { asid: number; walk: S1WalkConfig } } | undefined {
    for (const ssid of cd === 0 ? [undefined, 0] : [cd]) {
      const r = this.host.guest.translate({ sid: vsid, ssid, iova: 0n, access: READ }, { dryRun: true });
      const c = r.ste?.config?.mode === 's1' ? r.cd?.config : undefined;
      if (c) return { ssid, cfg: c };
    }
    return undefined;
  }

  /** Forgets the shadows of `vsid` (its STE no longer translates at stage 1, or its host context is remade). */
  private drop(vsid: number): void {
    for (const [k, d] of this.domains) if (d.vsid === vsid) this.domains.delete(k);
    for (const [k, v] of this.byStream) if (v === vsid) this.byStream.delete(k);
    this.devices.delete(vsid);
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
      case 'CMD_CFGI_CD_ALL': {
        const vsid = Number(f.StreamID);
        const dev = this.devices.get(vsid);
        // A CD change may bring substreams or TTB1 into use: the device's shadow is decided again.
        if (!dev) {
          if (this.domains.has(`${vsid}`)) this.configure(vsid);
          return true;
        }
        if (r.name === 'CMD_CFGI_CD_ALL') for (let cd = 0; cd < 1 << dev.cdMax; cd++) this.configureCd(vsid, dev, cd);
        else if (Number(f.SubstreamID) < 1 << dev.cdMax) this.configureCd(vsid, dev, Number(f.SubstreamID));
        return true;
      }
      case 'CMD_ATC_INV':
        return true; // the shadow has no ATS: nothing cached in a device
      default:
        return false;
    }
  }

  /** The shadow a transaction of (physical SMMU, StreamID, SubstreamID) goes through, when this vSMMU shadows it. */
  domainAt(smmu: string, sid: number, ssid?: number): ShadowDomain | undefined {
    const key = `${smmu}:${sid}`;
    const vsid = this.byStream.get(key);
    if (vsid === undefined) return undefined;
    const dev = this.devices.get(vsid);
    if (!dev) {
      const d = this.domains.get(`${vsid}`);
      return d && this.host.fd.attachments.get(key)?.hwpt === d.hwpt ? d : undefined;
    }
    // A later iommufd attach took the STE over.
    if (this.host.fd.attachments.has(key)) return undefined;
    return this.domains.get(`${vsid}/${ssid ?? 0}`);
  }

  /**
   * What the guest's own tables give for one access now (what the shadow should hold). Asked at
   * every DMA on a shadowed device, so answers are kept until guest memory (any host write) or a
   * guest register changes: the guest walk reads nothing else (a dry run fills no guest cache).
   */
  translateGuest(vsid: number, ssid: number | undefined, iova: bigint, access: Access): GuestTranslation {
    if (this.answersAt !== this.changes) {
      this.answers.clear();
      this.answersAt = this.changes;
    }
    const key = `${vsid}:${ssid ?? '-'}:${access.read ? 'r' : 'w'}${access.exec ? 'x' : ''}${access.priv ? 'p' : ''}:${iova}`;
    let a = this.answers.get(key);
    if (!a) {
      if (this.answers.size >= ANSWERS_KEPT) this.answers.clear();
      this.answers.set(key, (a = this.walkGuest(vsid, ssid, iova, access)));
    }
    return a;
  }

  /** Guest memory or registers changed: kept answers are dropped. */
  guestChanged(): void {
    this.changes++;
  }

  private walkGuest(vsid: number, ssid: number | undefined, iova: bigint, access: Access): GuestTranslation {
    const r = this.host.guest.translate({ sid: vsid, ssid, iova, access }, { dryRun: true });
    const steps = r.walks.stage1?.steps;
    const last = steps?.[steps.length - 1];
    const out: GuestTranslation = { vsid, ssid, asid: r.cd?.config?.asid };
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
    this.domains.set(`${vsid}`, d);
    this.byStream.set(`${d.smmu}:${d.sid}`, vsid);
    return d;
  }

  /** Re-walks the guest's tables (TTB0 and TTB1) over [lo, hi) and maps/unmaps the differences in the shadow. */
  private rewalk(d: ShadowDomain, [lo, hi]: [bigint, bigint]): void {
    d.rewalks++;
    const g = d.ssid === undefined ? this.guestCd(d.vsid, 0) : this.guestCd(d.vsid, d.ssid);
    const want = new Map<bigint, ShadowMap>();
    let [rlo, rhi] = [lo, hi];
    if (g) {
      d.asid = g.cfg.asid;
      // A stage-2 shadow holds TTB0 only (a device using TTB1 gets a stage-1 host context: configure()).
      const ranges = guestRanges(g.cfg.walk.tt0, d.host ? g.cfg.walk.tt1 : undefined);
      for (const range of ranges) {
        const scan = scanLeaves(this.host.guest.mem, range, lo, hi, REWALK_LIMIT);
        if (scan.truncated) this.host.note(`re-walk of virtual StreamID ${hex(d.vsid)} stopped after ${REWALK_LIMIT} descriptors: invalidate smaller ranges`);
        this.watchTables(scan.tables);
        for (const leaf of scan.leaves) {
          const size = 1n << BigInt(leaf.shift);
          if (leaf.va < rlo) rlo = leaf.va;
          if (leaf.va + size > rhi) rhi = leaf.va + size;
          for (const m of this.compose(d.vsid, g.ssid, leaf.va, size)) want.set(m.iova, m);
        }
      }
    }
    for (const m of [...d.maps.values()]) if (m.iova < rhi && m.iova + m.length > rlo && !sameMap(m, want.get(m.iova))) this.unmap(d, m);
    for (const m of want.values()) if (!sameMap(d.maps.get(m.iova), m)) this.map(d, m);
  }

  /** One guest leaf [va, va + size) through the guest's SMMU (read, then write) and the IOAS. */
  private compose(vsid: number, ssid: number | undefined, va: bigint, size: bigint): ShadowMap[] {
    const g = this.host.guest;
    const r = g.translate({ sid: vsid, ssid, iova: va, access: READ }, { dryRun: true });
    if (r.outcome !== 'ok' || r.pa === undefined) return [];
    const writable = g.translate({ sid: vsid, ssid, iova: va, access: WRITE }, { dryRun: true }).outcome === 'ok';
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
    this.checkPool();
  }

  private checkPool(): void {
    if (!this.poolReported && this.alloc.top > this.plan.pool + this.plan.poolSize) {
      this.poolReported = true;
      this.host.note(`shadow tables outgrew the ${hex(this.plan.poolSize)} bytes reserved at ${hex(this.plan.pool)}: later tables may overlap other memory`);
    }
  }

  /** One composed mapping into the shadow: IOMMU_IOAS_MAP (stage-2 shadow) or the host context's table. */
  private map(d: ShadowDomain, m: ShadowMap): void {
    if (d.host) {
      const fx = noFx();
      const problem = d.host.device.map(d.host.ctx, m.iova, m.length, m.pa, m.readOnly, fx.writes);
      this.checkPool();
      if (problem) return this.host.note(`virtual StreamID ${hex(d.vsid)} SubstreamID ${d.ssid}: ${hex(m.iova)} (+${hex(m.length)}) cannot be shadowed: ${problem}`);
      d.maps.set(m.iova, m);
      return this.host.record(fx);
    }
    const line = `iommufd ioas_map ${d.ioas} ${hex(m.iova)} ${hex(m.length)} ${hex(m.pa)}${m.readOnly ? ' ro' : ''}`;
    const problem = d.layout!.check(m.iova, m.length, m.pa);
    if (problem) return this.host.note(`${line}: the shadow table cannot hold it: ${problem}`);
    const fx = this.host.fd.mapIoas(d.ioas, { iova: m.iova, length: m.length, pa: m.pa, readOnly: m.readOnly });
    if (!fx.rejections.length) {
      const r = d.layout!.map(m.iova, m.length, m.pa, m.readOnly ? d.format!.ro : d.format!.rw);
      if (r.ok) this.write(r.writes, fx.writes);
      d.maps.set(m.iova, m);
    }
    this.host.call(line, fx);
  }

  /** Removes one mapping: IOMMU_IOAS_UNMAP (the kernel's invalidations follow), or the host context's own. */
  private unmap(d: ShadowDomain, m: ShadowMap): void {
    d.maps.delete(m.iova);
    if (d.host) {
      const fx = noFx();
      d.host.device.unmap(d.host.ctx, m.iova, m.length, fx);
      return this.host.record(fx);
    }
    const r = d.layout!.unmap(m.iova, m.length);
    const ws: Write[] = [];
    if (r.ok) this.write(r.writes, ws);
    const fx = this.host.fd.unmapIoas(d.ioas, m.iova, m.length, 1n << BigInt(granuleShift(d.format!.geo.granule)));
    fx.writes.unshift(...ws);
    this.host.call(`iommufd ioas_unmap ${d.ioas} ${hex(m.iova)} ${hex(m.length)}`, fx);
  }
}
