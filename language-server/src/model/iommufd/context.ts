// One VM's iommufd state and the ioctls on it, applied to the physical SMMUs of an SmmuSystem as
// the Linux arm-smmu-v3 driver applies them: host STEs written into the SMMU's stream table and
// made visible with CMD_CFGI_STE + CMD_SYNC, guest invalidations converted and issued on the
// vIOMMU's SMMU with a closing CMD_SYNC, faults of vDEVICEs forwarded to the vEVENTQ.
// This class holds the objects and the allocations; the ioctls that act on the SMMUs are in
// attach.ts (IOMMU_DEVICE_ATTACH), unmap.ts (IOMMU_IOAS_UNMAP) and guestQueues.ts (invalidations,
// hardware queues, vEVENTQs); VMIDs in vmids.ts; what a call produced in effects.ts.

import { hex } from '../bits';
import type { SmmuInstance } from '../smmu/instance';
import type { EventRecord } from '../smmu/result';
import { attachDevice } from './attach';
import { fail, noEffects, type GuestEvent, type IommufdEffects, type SmmuHost } from './effects';
import { allocHwQueue, allocVeventq, hwQueueProd, invalidate, reportEvent } from './guestQueues';
import type { S2Table } from './hostSte';
import type { Attachment, Hwpt, Ioas, IoasMapping, NestedHwpt, ParentHwpt, Viommu } from './objects';
import { validateVste, type UapiError } from './uapi';
import { unmapIoas } from './unmap';
import { VmidTable } from './vmids';
import { liveS2Vmids } from './steVmids';
import { VmFacts } from './facts';

export type { GuestEvent, HostCommand, IommufdEffects, SmmuHost } from './effects';

export class IommufdContext {
  readonly ioas = new Map<string, Ioas>();
  readonly hwpts = new Map<string, Hwpt>();
  readonly viommus = new Map<string, Viommu>();
  /** `${smmu}:${sid}` -> attachment. */
  readonly attachments = new Map<string, Attachment>();
  /** Bumped by every event reported to a vEVENTQ (readers skip their queues while it is unchanged). */
  veventSerial = 0;
  /** Bumped by every IOMMU_VDEVICE_ALLOC (routing caches key on it). */
  vdeviceVersion = 0;
  /** VMIDs per SMMU: a parent's VMID on each SMMU that uses it, and those the scenario's own STEs use. */
  readonly vmids: VmidTable;
  /** What the hazard analysis words in the guest's terms (drained by the engine's hazard hook). */
  readonly facts = new VmFacts();

  /**
   * `namedSids`: the StreamIDs the scenario names on an SMMU, whose live STEs' VMIDs a first
   * allocation on that SMMU skips (with the start of a linear stream table: steVmids.ts).
   */
  constructor(readonly sys: SmmuHost, firstVmid = 1, private readonly namedSids?: (smmu: string) => Iterable<number>) {
    this.vmids = new VmidTable(firstVmid);
  }

  /** The VMID of `parent` on `smmu`: allocated on first use, skipping those the SMMU's live STEs use. */
  vmidFor(parent: string, smmu: string): number {
    const known = this.vmids.of(parent, smmu);
    if (known !== undefined) return known;
    const inst = this.sys.get(smmu);
    if (inst) for (const [vmid, sid] of liveS2Vmids(inst, this.namedSids?.(smmu))) this.vmids.reserve(smmu, vmid, `the STE of StreamID ${hex(sid)}`);
    return this.vmids.allocate(parent, smmu);
  }

  private inst(name: string): SmmuInstance | UapiError {
    return this.sys.get(name) ?? { errno: 'ENOENT', message: `no SMMU named ${name}` };
  }

  /** IOMMU_IOAS_ALLOC. */
  allocIoas(name: string): IommufdEffects {
    if (this.ioas.has(name)) return fail({ errno: 'EEXIST', message: `IOAS ${name} already exists` });
    this.ioas.set(name, { name, maps: [] });
    return noEffects();
  }

  /** IOMMU_IOAS_MAP: the mapping itself (the stage-2 descriptors are laid out by the caller). */
  mapIoas(name: string, m: IoasMapping): IommufdEffects {
    const ioas = this.ioas.get(name);
    if (!ioas) return fail({ errno: 'ENOENT', message: `no IOAS named ${name}` });
    if (m.length <= 0n) return fail({ errno: 'EINVAL', message: 'IOMMU_IOAS_MAP length must not be 0' });
    const clash = ioas.maps.find((x) => x.iova < m.iova + m.length && m.iova < x.iova + x.length);
    if (clash) return fail({ errno: 'EEXIST', message: `[${hex(m.iova)}, +${hex(m.length)}) overlaps the mapping at ${hex(clash.iova)} (+${hex(clash.length)})` });
    ioas.maps.push(m);
    ioas.maps.sort((a, b) => (a.iova < b.iova ? -1 : 1));
    return noEffects();
  }

  /** The host PA of guest-physical `ipa` in an IOAS, or undefined when unmapped. */
  ipaToPa(ioasName: string, ipa: bigint): bigint | undefined {
    const m = this.ioas.get(ioasName)?.maps.find((x) => x.iova <= ipa && ipa < x.iova + x.length);
    return m ? m.pa + (ipa - m.iova) : undefined;
  }

  /** The parents over an IOAS, with every SMMU and VMID they are used with. */
  usersOf(ioasName: string): { parent: ParentHwpt; smmu: string; vmid: number }[] {
    const out: { parent: ParentHwpt; smmu: string; vmid: number }[] = [];
    for (const { smmu, vmid, parent } of this.vmids.given()) {
      const p = this.hwpts.get(parent);
      if (p?.kind === 'parent' && p.ioas === ioasName) out.push({ parent: p, smmu, vmid });
    }
    return out;
  }

  /** The nesting parent VMID `vmid` belongs to on `smmu`, if iommufd allocated it. */
  vmidOwner(smmu: string, vmid: number): ParentHwpt | undefined {
    const p = this.hwpts.get(this.vmids.parentAt(smmu, vmid) ?? '');
    return p?.kind === 'parent' ? p : undefined;
  }

  /**
   * IOMMU_IOAS_UNMAP: drop the mappings in [iova, iova+length) (whole mappings only, as iommufd
   * requires), then on every SMMU using a parent over the IOAS issue what the driver issues for a
   * nesting parent: CMD_TLBI_S2_IPA over the range (CMD_TLBI_S12_VMALL when it is large), then
   * CMD_TLBI_NH_ALL for the VMID, CMD_ATC_INV for ATS devices, CMD_SYNC. `skip` leaves SMMUs out
   * (to show what a missing invalidation does).
   */
  unmapIoas(name: string, iova: bigint, length: bigint, granule: bigint, skip: ReadonlySet<string> = new Set()): IommufdEffects {
    return unmapIoas(this, name, iova, length, granule, skip);
  }

  /** The nesting parent of an HWPT (itself, or its vIOMMU's). */
  parentOf(hwptName: string): ParentHwpt | undefined {
    const h = this.hwpts.get(hwptName);
    if (!h) return undefined;
    if (h.kind === 'parent') return h;
    const v = this.viommus.get(h.viommu);
    const p = v && this.hwpts.get(v.parent);
    return p?.kind === 'parent' ? p : undefined;
  }

  /** A VMID the scenario's own STEs use on `smmu`, so allocation skips it; the parent already given it, if any. */
  reserveVmid(smmu: string, vmid: number, user: string): string | undefined {
    return this.vmids.reserve(smmu, vmid, user);
  }

  /** IOMMU_HWPT_ALLOC with IOMMU_HWPT_ALLOC_NEST_PARENT over an IOAS, in `smmu`'s format. */
  allocParent(name: string, ioasName: string, smmu: string, table: S2Table): IommufdEffects {
    if (this.hwpts.has(name)) return fail({ errno: 'EEXIST', message: `HWPT ${name} already exists` });
    if (!this.ioas.has(ioasName)) return fail({ errno: 'ENOENT', message: `no IOAS named ${ioasName}` });
    const inst = this.inst(smmu);
    if ('errno' in inst) return fail(inst);
    if (!inst.features.stage2) return fail({ errno: 'EOPNOTSUPP', message: `${smmu} does not implement stage 2 (SMMU_IDR0.S2P == 0): no nesting parent` });
    this.hwpts.set(name, { kind: 'parent', name, ioas: ioasName, smmu, table });
    return noEffects();
  }

  /** IOMMU_VIOMMU_ALLOC (IOMMU_VIOMMU_TYPE_ARM_SMMUV3) on `smmu` over the parent `hwpt`. */
  allocViommu(name: string, smmu: string, hwpt: string): IommufdEffects {
    if (this.viommus.has(name)) return fail({ errno: 'EEXIST', message: `vIOMMU ${name} already exists` });
    const p = this.hwpts.get(hwpt);
    if (!p) return fail({ errno: 'ENOENT', message: `no HWPT named ${hwpt}` });
    if (p.kind !== 'parent') return fail({ errno: 'EINVAL', message: `HWPT ${hwpt} is not a nesting parent` });
    const inst = this.inst(smmu);
    if ('errno' in inst) return fail(inst);
    if (!inst.features.nested) return fail({ errno: 'EOPNOTSUPP', message: `${smmu} does not implement nesting (SMMU_IDR0.S1P and S2P): no vIOMMU` });
    this.viommus.set(name, { name, smmu, parent: hwpt, vmid: this.vmidFor(hwpt, smmu), vdevices: new Map(), hwQueues: new Map() });
    return noEffects();
  }

  /** IOMMU_VDEVICE_ALLOC: virtual StreamID `vsid` of `viommu` is the device with physical `sid`. */
  allocVdevice(viommu: string, vsid: number, sid: number): IommufdEffects {
    const v = this.viommus.get(viommu);
    if (!v) return fail({ errno: 'ENOENT', message: `no vIOMMU named ${viommu}` });
    if (v.vdevices.has(vsid)) return fail({ errno: 'EEXIST', message: `virtual StreamID ${hex(vsid)} already has a vDEVICE on ${viommu}` });
    for (const [vs, s] of v.vdevices) if (s === sid) return fail({ errno: 'EEXIST', message: `StreamID ${hex(sid)} already is virtual StreamID ${hex(vs)} on ${viommu}` });
    v.vdevices.set(vsid, sid);
    this.vdeviceVersion++;
    return noEffects();
  }

  /** IOMMU_HWPT_ALLOC on a vIOMMU with a guest STE's words 0-1 (IOMMU_HWPT_DATA_ARM_SMMUV3). */
  allocNested(name: string, viommu: string, w0: bigint, w1: bigint): IommufdEffects {
    if (this.hwpts.has(name)) return fail({ errno: 'EEXIST', message: `HWPT ${name} already exists` });
    if (!this.viommus.has(viommu)) return fail({ errno: 'ENOENT', message: `no vIOMMU named ${viommu}` });
    const vste = validateVste(w0, w1);
    if (!vste.ok) return fail(vste.error);
    this.hwpts.set(name, { kind: 'nested', name, viommu, guest: [w0, w1], vste });
    return noEffects();
  }

  /** IOMMU_DEVICE_ATTACH: the host STE for StreamID `sid` of `smmu` installed (attach.ts). */
  attach(smmu: string, sid: number, hwptName: string): IommufdEffects {
    return attachDevice(this, smmu, sid, hwptName);
  }

  /** IOMMU_HWPT_INVALIDATE on a vIOMMU with guest commands (guestQueues.ts). */
  invalidate(viommu: string, cmds: [bigint, bigint][]): IommufdEffects {
    return invalidate(this, viommu, cmds);
  }

  /** IOMMU_VEVENTQ_ALLOC. */
  allocVeventq(viommu: string, depth: number): IommufdEffects {
    return allocVeventq(this, viommu, depth);
  }

  /** A physical SMMU's event, forwarded to a vEVENTQ when it belongs to a vDEVICE (guestQueues.ts). */
  reportEvent(smmu: string, ev: EventRecord): GuestEvent | undefined {
    return reportEvent(this, smmu, ev);
  }

  /** IOMMU_HW_QUEUE_ALLOC. */
  allocHwQueue(viommu: string, index: number, ipa: bigint, log2size: number): IommufdEffects {
    return allocHwQueue(this, viommu, index, ipa, log2size);
  }

  /** The guest advanced a hardware queue's PROD. */
  hwQueueProd(viommu: string, index: number, prod: number): IommufdEffects {
    return hwQueueProd(this, viommu, index, prod);
  }

  /** The nested HWPTs, vIOMMUs and attachments that name `viommu`'s SMMU: for the VM view. */
  nestedOf(viommu: string): NestedHwpt[] {
    return [...this.hwpts.values()].filter((h): h is NestedHwpt => h.kind === 'nested' && h.viommu === viommu);
  }
}

