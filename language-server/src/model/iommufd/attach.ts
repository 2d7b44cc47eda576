// IOMMU_DEVICE_ATTACH (VFIO_DEVICE_ATTACH_IOMMUFD_PT): the host STE the arm-smmu-v3 driver builds
// for the HWPT (hostSte.ts), written into the physical SMMU's stream table in the driver's order and
// made visible with CMD_CFGI_STE + CMD_SYNC (IHI 0070 §3.21.3, configuration structure update procedure: an STE in use is changed only
// through an invalid STE, or a hitless update).

import { hex } from '../bits';
import { encodeCommand as CMD } from '../fields/commands';
import { getField } from '../fields/field';
import { STE } from '../fields/ste';
import type { SmmuInstance } from '../smmu/instance';
import { locateSte } from '../smmu/tables';
import type { IommufdContext } from './context';
import { fail, issue, noEffects, type IommufdEffects } from './effects';
import { nestedHostSte, s2DomainSte } from './hostSte';
import type { Attachment } from './objects';

/** Installs the host STE for StreamID `sid` of `smmu` for `hwptName`, then CMD_CFGI_STE + CMD_SYNC. */
export function attachDevice(ctx: IommufdContext, smmu: string, sid: number, hwptName: string): IommufdEffects {
  const h = ctx.hwpts.get(hwptName);
  if (!h) return fail({ errno: 'ENOENT', message: `no HWPT named ${hwptName}` });
  const inst = ctx.sys.get(smmu);
  if (!inst) return fail({ errno: 'ENOENT', message: `no SMMU named ${smmu}` });
  const parent = ctx.parentOf(hwptName)!;
  const oas = inst.features.oas;
  let ste: bigint[];
  let vmaster: Attachment['vmaster'];
  let guest: [bigint, bigint] | undefined;
  if (h.kind === 'parent') {
    if (!inst.features.stage2) return fail({ errno: 'EINVAL', message: `${smmu} does not implement stage 2` });
    ste = s2DomainSte(parent.table, ctx.vmidFor(parent.name, smmu), oas, false);
  } else {
    const v = ctx.viommus.get(h.viommu)!;
    if (v.smmu !== smmu) return fail({ errno: 'EINVAL', message: `nested HWPT ${hwptName} belongs to vIOMMU ${v.name} on ${v.smmu}, not ${smmu}` });
    const vsid = [...v.vdevices].find(([, s]) => s === sid)?.[0];
    if (vsid === undefined && h.vste.kind === 's1') {
      ctx.facts.add({ kind: 'noVdevice', viommu: v.name, smmu, sid, guest: h.guest });
      return fail({ errno: 'ENOENT', asHazard: true, message: `StreamID ${hex(sid)} has no vDEVICE on ${v.name}: a translating nested HWPT needs one (IOMMU_VDEVICE_ALLOC first)` });
    }
    if (vsid !== undefined) vmaster = { viommu: v.name, vsid };
    ste = nestedHostSte(h.vste, parent.table, v.vmid, oas, inst.features.ats && h.vste.enableAts);
    guest = h.guest;
  }
  const loc = locateSte(inst.mem, inst.streamTable(), sid);
  if (!loc.ok) return fail({ errno: 'EINVAL', message: `${smmu} has no STE for StreamID ${hex(sid)}: ${loc.reason}` });
  const fx = noEffects();
  writeHostSte(inst, sid, loc.addr, ste, fx);
  fx.steInstalls.push({ smmu, sid, addr: loc.addr, ste, guest });
  issue(inst, [CMD('CMD_CFGI_STE', { StreamID: BigInt(sid), Leaf: 1n }), CMD('CMD_SYNC', {})], fx);
  ctx.attachments.set(`${smmu}:${sid}`, { smmu, sid, hwpt: hwptName, hostSte: ste, vmaster });
  return fx;
}

/**
 * The STE update: a live STE is made invalid first (word 0 with V == 0, CMD_CFGI_STE, CMD_SYNC),
 * then words 1-7 and word 0 last, so the SMMU never fetches a mix of old and new words.
 */
export function writeHostSte(inst: SmmuInstance, sid: number, addr: bigint, ste: bigint[], fx: IommufdEffects): void {
  const w = (a: bigint, v: bigint) => {
    inst.mem.write64(a, v);
    fx.writes.push({ addr: a, value: v });
  };
  if (getField(STE, [inst.mem.read64(addr)], 'V') !== 0n) {
    w(addr, 0n);
    issue(inst, [CMD('CMD_CFGI_STE', { StreamID: BigInt(sid), Leaf: 1n }), CMD('CMD_SYNC', {})], fx);
  }
  for (let i = 1; i < 8; i++) w(addr + BigInt(i * 8), ste[i]);
  w(addr, ste[0]);
}
