// The guest's queues behind a vIOMMU: IOMMU_HWPT_INVALIDATE (guest invalidations converted by the
// uAPI rule, uapi.ts), a hardware command queue the guest fills directly (IOMMU_HW_QUEUE_ALLOC,
// Tegra241 CMDQV style: hwQueue.ts), and the vEVENTQ its devices' stage-1 faults go to
// (IOMMU_VEVENTQ_ALLOC, veventq.ts).

import { hex } from '../bits';
import { encodeCommand as CMD } from '../fields/commands';
import { eventByName } from '../fields/events';
import { setField } from '../fields/field';
import { executeCommand } from '../smmu/commands';
import type { EventRecord } from '../smmu/result';
import type { IommufdContext } from './context';
import { fail, issue, noEffects, type GuestEvent, type IommufdEffects } from './effects';
import { HwQueue } from './hwQueue';
import type { ParentHwpt } from './objects';
import { GUEST_INVALIDATIONS, VEVENT_TYPES, convertGuestCommand } from './uapi';
import { VEventQueue } from './veventq';

/**
 * IOMMU_HWPT_INVALIDATE on a vIOMMU: convert each guest command, stop at the first rejected one
 * (entry_num = the entries handled before it), issue the accepted ones on the vIOMMU's SMMU and
 * end the batch with the kernel's own CMD_SYNC.
 */
export function invalidate(ctx: IommufdContext, viommu: string, cmds: [bigint, bigint][]): IommufdEffects {
  const v = ctx.viommus.get(viommu);
  if (!v) return fail({ errno: 'ENOENT', message: `no vIOMMU named ${viommu}` });
  const inst = ctx.sys.get(v.smmu)!;
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
  host.forEach((h, i) => ctx.facts.add({ kind: 'guestCmd', viommu, smmu: v.smmu, via: 'invalidate', guest: cmds[i], host: h }));
  if (host.length > 0) issue(inst, [...host, CMD('CMD_SYNC', {})], fx, cmds.slice(0, host.length));
  return fx;
}

/** IOMMU_VEVENTQ_ALLOC (IOMMU_VEVENTQ_TYPE_ARM_SMMUV3): one per vIOMMU. */
export function allocVeventq(ctx: IommufdContext, viommu: string, depth: number): IommufdEffects {
  const v = ctx.viommus.get(viommu);
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
export function reportEvent(ctx: IommufdContext, smmu: string, ev: EventRecord): GuestEvent | undefined {
  if (!VEVENT_TYPES.has(ev.type) || ev.fields.S2 === 1n) return undefined;
  const a = ctx.attachments.get(`${smmu}:${Number(ev.fields.StreamID)}`);
  const v = a?.vmaster && ctx.viommus.get(a.vmaster.viommu);
  if (!a?.vmaster || !v?.veventq) return undefined;
  const record = setField(eventByName(ev.type)!, ev.raw, 'StreamID', BigInt(a.vmaster.vsid));
  const d = v.veventq.report(record);
  ctx.veventSerial++;
  return { viommu: v.name, vsid: a.vmaster.vsid, sequence: d.sequence, delivered: d.delivered, record, type: ev.type, reason: d.delivered ? undefined : d.reason };
}

/** IOMMU_HW_QUEUE_ALLOC (IOMMU_HW_QUEUE_TYPE_TEGRA241_CMDQV). */
export function allocHwQueue(ctx: IommufdContext, viommu: string, index: number, ipa: bigint, log2size: number): IommufdEffects {
  const v = ctx.viommus.get(viommu);
  if (!v) return fail({ errno: 'ENOENT', message: `no vIOMMU named ${viommu}` });
  if (v.hwQueues.has(index)) return fail({ errno: 'EEXIST', message: `${viommu} already has hardware queue ${index}` });
  if (index !== v.hwQueues.size) return fail({ errno: 'EINVAL', message: `hardware queues are allocated from index 0 upwards: the next one on ${viommu} is ${v.hwQueues.size}` });
  const cmdqs = ctx.sys.get(v.smmu)!.features.cmdqs;
  if (log2size < 1 || log2size > cmdqs) return fail({ errno: 'EINVAL', message: `LOG2SIZE ${log2size}: the queue must hold 2..2^SMMU_IDR1.CMDQS (2^${cmdqs}) commands` });
  const length = BigInt(16 << log2size);
  if (ipa % length !== 0n) return fail({ errno: 'EINVAL', message: `queue base ${hex(ipa)} is not aligned to its length ${hex(length)}` });
  const ioas = ctx.hwpts.get(v.parent) as ParentHwpt;
  const pa = ctx.ipaToPa(ioas.ioas, ipa);
  const paEnd = ctx.ipaToPa(ioas.ioas, ipa + length - 1n);
  if (pa === undefined || paEnd === undefined || paEnd - pa !== length - 1n) return fail({ errno: 'EINVAL', message: `queue [${hex(ipa)}, +${hex(length)}) is not mapped contiguously in IOAS ${ioas.ioas}` });
  v.hwQueues.set(index, new HwQueue(viommu, index, ipa, pa, log2size));
  return noEffects();
}

/** The guest advanced a hardware queue's PROD: the hardware executes its commands directly. */
export function hwQueueProd(ctx: IommufdContext, viommu: string, index: number, prod: number): IommufdEffects {
  const v = ctx.viommus.get(viommu);
  const q = v?.hwQueues.get(index);
  if (!v || !q) return fail({ errno: 'ENOENT', message: `no hardware queue ${index} on ${viommu}` });
  const inst = ctx.sys.get(v.smmu)!;
  const fx = noEffects();
  for (const e of q.consume(prod, (a) => inst.mem.read64(a), v.vmid, (vs) => v.vdevices.get(vs))) {
    if (e.error) fx.rejections.push({ ...e.error, errno: 'CERROR_ILL', message: q.stopped?.reason ?? e.error.message, index: e.index });
    else {
      ctx.facts.add({ kind: 'guestCmd', viommu, smmu: v.smmu, via: 'vcmdq', guest: e.guest, host: e.host! });
      fx.hostCommands.push({ smmu: v.smmu, cmd: e.host!, guest: e.guest, results: [executeCommand(inst, e.host!, e.index)] });
    }
  }
  return fx;
}
