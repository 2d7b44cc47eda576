// One VM's iommufd state and the ioctls on it, applied to the physical SMMUs of an SmmuSystem as
// the Linux arm-smmu-v3 driver applies them: host STEs written into the SMMU's stream table and
// made visible with CMD_CFGI_STE + CMD_SYNC, guest invalidations converted and issued on the
// vIOMMU's SMMU with a closing CMD_SYNC, faults of vDEVICEs forwarded to the vEVENTQ.

import { hex } from '../bits';
import { setField } from '../fields/field';
import { encodeCommand as CMD } from '../fields/commands';
import { eventByName } from '../fields/events';
import type { PhysicalMemory } from '../memory';
import type { SmmuInstance } from '../smmu/instance';
import type { CommandResult } from '../smmu/commands';
import type { EventRecord } from '../smmu/result';
import { locateSte } from '../smmu/tables';
import { executeCommand } from '../smmu/commands';
import { nestedHostSte, s2DomainSte, type S2Table } from './hostSte';
import { HwQueue } from './hwQueue';
import type { Attachment, Hwpt, Ioas, IoasMapping, NestedHwpt, ParentHwpt, Viommu } from './objects';
import { GUEST_INVALIDATIONS, VEVENT_TYPES, convertGuestCommand, validateVste, type UapiError } from './uapi';
import { VEventQueue } from './veventq';
import { VmFacts } from './facts';

/** A host command the kernel issued (or a guest queue's hardware executed) and what it did. */
export interface HostCommand {
  smmu: string;
  cmd: [bigint, bigint];
  /** The guest command it was converted from. */
  guest?: [bigint, bigint];
  results: CommandResult[];
}

/** A guest event delivered to (or lost at) a vEVENTQ. */
export interface GuestEvent {
  viommu: string;
  vsid: number;
  sequence: number;
  delivered: boolean;
  /** The record with the virtual StreamID. */
  record: bigint[];
  type: string;
  reason?: string;
}

/** What one ioctl produced: the model's answer for the JSON, the panels and the hazards. */
export interface IommufdEffects {
  steInstalls: { smmu: string; sid: number; addr: bigint; ste: bigint[]; guest?: [bigint, bigint] }[];
  hostCommands: HostCommand[];
  rejections: (UapiError & { index?: number })[];
  /** IOMMU_HWPT_INVALIDATE: entry_num as the ioctl returns it (entries handled). */
  handled?: number;
  guestEvents: GuestEvent[];
  /** Memory the step wrote (host PAs), for the hazard analysis and `lower`. */
  writes: { addr: bigint; value: bigint }[];
}

/** The physical SMMUs and their memory (an SmmuSystem, or an engine run's instances). */
export interface SmmuHost {
  readonly mem: PhysicalMemory;
  get(name: string): SmmuInstance | undefined;
}

const noEffects = (): IommufdEffects => ({ steInstalls: [], hostCommands: [], rejections: [], guestEvents: [], writes: [] });
const fail = (e: UapiError): IommufdEffects => ({ ...noEffects(), rejections: [e] });

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
  /** VMIDs in use per SMMU (a parent's VMID on each SMMU that uses it). */
  private readonly vmids = new Map<string, Map<number, string>>();
  /** What the hazard analysis words in the guest's terms (drained by the engine's hazard hook). */
  readonly facts = new VmFacts();

  constructor(readonly sys: SmmuHost, private readonly firstVmid = 1) {}

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
    for (const [smmu, ids] of this.vmids) for (const [vmid, hw] of ids) {
      const p = this.hwpts.get(hw);
      if (p?.kind === 'parent' && p.ioas === ioasName) out.push({ parent: p, smmu, vmid });
    }
    return out;
  }

  /** The nesting parent VMID `vmid` belongs to on `smmu`, if iommufd allocated it. */
  vmidOwner(smmu: string, vmid: number): ParentHwpt | undefined {
    const p = this.hwpts.get(this.vmids.get(smmu)?.get(vmid) ?? '');
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
    const ioas = this.ioas.get(name);
    if (!ioas) return fail({ errno: 'ENOENT', message: `no IOAS named ${name}` });
    const end = iova + length;
    const partial = ioas.maps.find((x) => x.iova < end && iova < x.iova + x.length && (x.iova < iova || x.iova + x.length > end));
    if (partial) return fail({ errno: 'ENOENT', message: `[${hex(iova)}, +${hex(length)}) cuts the mapping at ${hex(partial.iova)} (+${hex(partial.length)}): IOMMU_IOAS_UNMAP removes whole mappings only` });
    const before = ioas.maps.length;
    ioas.maps = ioas.maps.filter((x) => !(x.iova >= iova && x.iova + x.length <= end));
    if (ioas.maps.length === before) return fail({ errno: 'ENOENT', message: `nothing is mapped in [${hex(iova)}, +${hex(length)})` });
    const fx = noEffects();
    const users = this.usersOf(name);
    const skipped = users.filter((u) => skip.has(u.smmu)).map((u) => u.smmu);
    if (skipped.length) this.facts.add({ kind: 'unmap', ioas: name, iova, length, skipped });
    for (const u of users) {
      if (skip.has(u.smmu)) continue;
      const inst = this.sys.get(u.smmu);
      if (!inst) continue;
      const pages = length / granule;
      const cmds: [bigint, bigint][] = pages <= 64n
        ? Array.from({ length: Number(pages) }, (_, i) => CMD('CMD_TLBI_S2_IPA', { VMID: BigInt(u.vmid), Address: iova + BigInt(i) * granule, Leaf: 1n }))
        : [CMD('CMD_TLBI_S12_VMALL', { VMID: BigInt(u.vmid) })];
      cmds.push(CMD('CMD_TLBI_NH_ALL', { VMID: BigInt(u.vmid) }));
      for (const a of this.attachments.values()) {
        if (a.smmu === u.smmu && this.parentOf(a.hwpt)?.name === u.parent.name && ((a.hostSte[1] >> 28n) & 3n) !== 0n) {
          cmds.push(CMD('CMD_ATC_INV', { StreamID: BigInt(a.sid), Size: 52n, Global: 0n }));
        }
      }
      cmds.push(CMD('CMD_SYNC', {}));
      for (const c of cmds) fx.hostCommands.push({ smmu: u.smmu, cmd: c, results: inst.submitCommand(c).commands });
    }
    return fx;
  }

  private parentOf(hwptName: string): ParentHwpt | undefined {
    const h = this.hwpts.get(hwptName);
    if (!h) return undefined;
    if (h.kind === 'parent') return h;
    const v = this.viommus.get(h.viommu);
    const p = v && this.hwpts.get(v.parent);
    return p?.kind === 'parent' ? p : undefined;
  }

  /** The VMID of `parent` on `smmu`, allocated on first use (VMIDs are local to each SMMU). */
  private vmidFor(parent: string, smmu: string): number {
    let ids = this.vmids.get(smmu);
    if (!ids) this.vmids.set(smmu, (ids = new Map()));
    for (const [v, p] of ids) if (p === parent) return v;
    let v = this.firstVmid;
    while (ids.has(v)) v++;
    ids.set(v, parent);
    return v;
  }

  /** A VMID the scenario uses elsewhere on `smmu`, so allocation skips it. */
  reserveVmid(smmu: string, vmid: number, owner: string): void {
    let ids = this.vmids.get(smmu);
    if (!ids) this.vmids.set(smmu, (ids = new Map()));
    if (!ids.has(vmid)) ids.set(vmid, owner);
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

  /**
   * IOMMU_DEVICE_ATTACH (VFIO_DEVICE_ATTACH_IOMMUFD_PT): install the host STE for StreamID `sid` of
   * `smmu` in its stream table, then CMD_CFGI_STE + CMD_SYNC on its command queue.
   */
  attach(smmu: string, sid: number, hwptName: string): IommufdEffects {
    const h = this.hwpts.get(hwptName);
    if (!h) return fail({ errno: 'ENOENT', message: `no HWPT named ${hwptName}` });
    const inst = this.inst(smmu);
    if ('errno' in inst) return fail(inst);
    const parent = this.parentOf(hwptName)!;
    const oas = inst.features.oas;
    let ste: bigint[];
    let vmaster: Attachment['vmaster'];
    let guest: [bigint, bigint] | undefined;
    if (h.kind === 'parent') {
      if (!inst.features.stage2) return fail({ errno: 'EINVAL', message: `${smmu} does not implement stage 2` });
      ste = s2DomainSte(parent.table, this.vmidFor(parent.name, smmu), oas, false);
    } else {
      const v = this.viommus.get(h.viommu)!;
      if (v.smmu !== smmu) return fail({ errno: 'EINVAL', message: `nested HWPT ${hwptName} belongs to vIOMMU ${v.name} on ${v.smmu}, not ${smmu}` });
      const vsid = [...v.vdevices].find(([, s]) => s === sid)?.[0];
      if (vsid === undefined && h.vste.kind === 's1') {
        this.facts.add({ kind: 'noVdevice', viommu: v.name, smmu, sid, guest: h.guest });
        return fail({ errno: 'ENOENT', asHazard: true, message: `StreamID ${hex(sid)} has no vDEVICE on ${v.name}: a translating nested HWPT needs one (IOMMU_VDEVICE_ALLOC first)` });
      }
      if (vsid !== undefined) vmaster = { viommu: v.name, vsid };
      ste = nestedHostSte(h.vste, parent.table, v.vmid, oas, inst.features.ats && h.vste.enableAts);
      guest = h.guest;
    }
    const loc = locateSte(inst.mem, inst.streamTable(), sid);
    if (!loc.ok) return fail({ errno: 'EINVAL', message: `${smmu} has no STE for StreamID ${hex(sid)}: ${loc.reason}` });
    const fx = noEffects();
    this.writeSte(inst, sid, loc.addr, ste, fx);
    fx.steInstalls.push({ smmu, sid, addr: loc.addr, ste, guest });
    this.issue(inst, [CMD('CMD_CFGI_STE', { StreamID: BigInt(sid), Leaf: 1n }), CMD('CMD_SYNC', {})], fx);
    this.attachments.set(`${smmu}:${sid}`, { smmu, sid, hwpt: hwptName, hostSte: ste, vmaster });
    return fx;
  }

  /**
   * The STE update: a live STE is made invalid first (word 0 with V == 0, CMD_CFGI_STE, CMD_SYNC),
   * then words 1-7 and word 0 last, so the SMMU never fetches a mix of old and new words.
   */
  private writeSte(inst: SmmuInstance, sid: number, addr: bigint, ste: bigint[], fx: IommufdEffects): void {
    const w = (a: bigint, v: bigint) => {
      inst.mem.write64(a, v);
      fx.writes.push({ addr: a, value: v });
    };
    if ((inst.mem.read64(addr) & 1n) !== 0n) {
      w(addr, 0n);
      this.issue(inst, [CMD('CMD_CFGI_STE', { StreamID: BigInt(sid), Leaf: 1n }), CMD('CMD_SYNC', {})], fx);
    }
    for (let i = 1; i < 8; i++) w(addr + BigInt(i * 8), ste[i]);
    w(addr, ste[0]);
  }

  private issue(inst: SmmuInstance, cmds: [bigint, bigint][], fx: IommufdEffects, guest?: [bigint, bigint][]): void {
    cmds.forEach((c, i) => fx.hostCommands.push({ smmu: inst.name, cmd: c, guest: guest?.[i], results: inst.submitCommand(c).commands }));
  }

  /**
   * IOMMU_HWPT_INVALIDATE on a vIOMMU: convert each guest command, stop at the first rejected one
   * (entry_num = the entries handled before it), issue the accepted ones on the vIOMMU's SMMU and
   * end the batch with the kernel's own CMD_SYNC.
   */
  invalidate(viommu: string, cmds: [bigint, bigint][]): IommufdEffects {
    const v = this.viommus.get(viommu);
    if (!v) return fail({ errno: 'ENOENT', message: `no vIOMMU named ${viommu}` });
    const inst = this.sys.get(v.smmu)!;
    const fx = noEffects();
    const host: [bigint, bigint][] = [];
    for (let i = 0; i < cmds.length; i++) {
      const c = convertGuestCommand(cmds[i], v.vmid, (vs) => v.vdevices.get(vs), GUEST_INVALIDATIONS);
      if (!c.ok) {
        fx.rejections.push({ ...c.error, index: i });
        break;
      }
      host.push(c.host);
    }
    fx.handled = host.length;
    host.forEach((h, i) => this.facts.add({ kind: 'guestCmd', viommu, smmu: v.smmu, via: 'invalidate', guest: cmds[i], host: h }));
    if (host.length > 0) this.issue(inst, [...host, CMD('CMD_SYNC', {})], fx, cmds.slice(0, host.length));
    return fx;
  }

  /** IOMMU_VEVENTQ_ALLOC (IOMMU_VEVENTQ_TYPE_ARM_SMMUV3): one per vIOMMU. */
  allocVeventq(viommu: string, depth: number): IommufdEffects {
    const v = this.viommus.get(viommu);
    if (!v) return fail({ errno: 'ENOENT', message: `no vIOMMU named ${viommu}` });
    if (v.veventq) return fail({ errno: 'EEXIST', message: `${viommu} already has an ARM_SMMUV3 vEVENTQ` });
    if (depth < 1) return fail({ errno: 'EINVAL', message: 'veventq_depth must be at least 1' });
    v.veventq = new VEventQueue(depth);
    return noEffects();
  }

  /**
   * An event the physical SMMU raised: forwarded to the vEVENTQ of the device's vIOMMU, with the
   * virtual StreamID, when it is one of the types the driver reports and not a stage-2 fault
   * (those stay with the host). Undefined when the event is not forwarded.
   */
  reportEvent(smmu: string, ev: EventRecord): GuestEvent | undefined {
    if (!VEVENT_TYPES.has(ev.type) || ev.fields.S2 === 1n) return undefined;
    const a = this.attachments.get(`${smmu}:${Number(ev.fields.StreamID)}`);
    const v = a?.vmaster && this.viommus.get(a.vmaster.viommu);
    if (!a?.vmaster || !v?.veventq) return undefined;
    const record = setField(eventByName(ev.type)!, ev.raw, 'StreamID', BigInt(a.vmaster.vsid));
    const d = v.veventq.report(record);
    this.veventSerial++;
    return { viommu: v.name, vsid: a.vmaster.vsid, sequence: d.sequence, delivered: d.delivered, record, type: ev.type, reason: d.delivered ? undefined : d.reason };
  }

  /** IOMMU_HW_QUEUE_ALLOC (IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV). */
  allocHwQueue(viommu: string, index: number, ipa: bigint, log2size: number): IommufdEffects {
    const v = this.viommus.get(viommu);
    if (!v) return fail({ errno: 'ENOENT', message: `no vIOMMU named ${viommu}` });
    if (v.hwQueues.has(index)) return fail({ errno: 'EEXIST', message: `${viommu} already has hardware queue ${index}` });
    if (index !== v.hwQueues.size) return fail({ errno: 'EINVAL', message: `hardware queues are allocated from index 0 upwards: the next one on ${viommu} is ${v.hwQueues.size}` });
    const cmdqs = this.sys.get(v.smmu)!.features.cmdqs;
    if (log2size < 1 || log2size > cmdqs) return fail({ errno: 'EINVAL', message: `LOG2SIZE ${log2size}: the queue must hold 2..2^SMMU_IDR1.CMDQS (2^${cmdqs}) commands` });
    const length = BigInt(16 << log2size);
    if (ipa % length !== 0n) return fail({ errno: 'EINVAL', message: `queue base ${hex(ipa)} is not aligned to its length ${hex(length)}` });
    const ioas = this.hwpts.get(v.parent) as ParentHwpt;
    const pa = this.ipaToPa(ioas.ioas, ipa);
    const paEnd = this.ipaToPa(ioas.ioas, ipa + length - 1n);
    if (pa === undefined || paEnd === undefined || paEnd - pa !== length - 1n) return fail({ errno: 'EINVAL', message: `queue [${hex(ipa)}, +${hex(length)}) is not mapped contiguously in IOAS ${ioas.ioas}` });
    v.hwQueues.set(index, new HwQueue(viommu, index, ipa, pa, log2size));
    return noEffects();
  }

  /** The guest advanced a hardware queue's PROD: the hardware executes its commands directly. */
  hwQueueProd(viommu: string, index: number, prod: number): IommufdEffects {
    const v = this.viommus.get(viommu);
    const q = v?.hwQueues.get(index);
    if (!v || !q) return fail({ errno: 'ENOENT', message: `no hardware queue ${index} on ${viommu}` });
    const inst = this.sys.get(v.smmu)!;
    const fx = noEffects();
    for (const e of q.consume(prod, (a) => inst.mem.read64(a), v.vmid, (vs) => v.vdevices.get(vs))) {
      if (e.error) fx.rejections.push({ ...e.error, errno: 'CERROR_ILL', message: q.stopped?.reason ?? e.error.message, index: e.index });
      else {
        this.facts.add({ kind: 'guestCmd', viommu, smmu: v.smmu, via: 'vcmdq', guest: e.guest, host: e.host! });
        fx.hostCommands.push({ smmu: v.smmu, cmd: e.host!, guest: e.guest, results: [executeCommand(inst, e.host!, e.index)] });
      }
    }
    return fx;
  }

  /** The nested HWPTs, vIOMMUs and attachments that name `viommu`'s SMMU: for the VM view. */
  nestedOf(viommu: string): NestedHwpt[] {
    return [...this.hwpts.values()].filter((h): h is NestedHwpt => h.kind === 'nested' && h.viommu === viommu);
  }
}

