// iommufd results (model/iommufd) as wire data: hex strings, command names, guest events.

import { hex } from '../../model/bits';
import { commandByOpcode } from '../../model/fields/commands';
import type { GuestEvent, IommufdEffects } from '../../model/iommufd/context';
import { decodeEvent } from '../../model/smmu/events';
import type { EventRecord } from '../../model/smmu/result';
import type { IommufdContext } from '../../model/iommufd/context';
import type { VSmmu } from '../../model/iommufd/vsmmu';
import type { WireIommufd, WireShadow, WireVEvent, WireVm } from './wire';
import type { ShadowDomain } from '../../model/iommufd/shadow';
import { wireEvent, wireFields } from './convert';
import { decode, STE } from '../../model/fields';

/** STE fields by spec name, only those that lie in the given words (a guest STE has words 0-1). */
function steFields(words: readonly bigint[]): Record<string, string> {
  const inWords = new Set(STE.fields.filter((f) => f.word < words.length).map((f) => f.name));
  return wireFields(decode(STE, words), (n) => !inWords.has(n));
}

const cmdName = (d0: bigint): string => commandByOpcode(d0 & 0xffn)?.name ?? `opcode ${hex(d0 & 0xffn)}`;

/** Adds one call's effects to a step's iommufd record. */
export function addEffects(w: WireIommufd, fx: IommufdEffects): void {
  for (const i of fx.steInstalls) w.steInstalls.push({ smmu: i.smmu, sid: hex(i.sid), addr: hex(i.addr), ste: i.ste.map(hex), ...(i.guest ? { guest: i.guest.map(hex) } : {}) });
  for (const c of fx.hostCommands) {
    const e: WireIommufd['hostCommands'][number] = { smmu: c.smmu, name: cmdName(c.cmd[0]), raw: c.cmd.map(hex) };
    if (c.guest) Object.assign(e, { guest: c.guest.map(hex), guestName: cmdName(c.guest[0]) });
    w.hostCommands.push(e);
  }
  for (const r of fx.rejections) w.rejections.push({ errno: r.errno, message: r.message, ...(r.field ? { field: r.field } : {}), ...(r.index !== undefined ? { index: r.index } : {}) });
  if (fx.handled !== undefined) w.handled = (w.handled ?? 0) + fx.handled;
}

export function emptyIommufd(): WireIommufd {
  return { steInstalls: [], hostCommands: [], rejections: [] };
}

/** A forwarded event as the guest sees it: the record with the virtual StreamID. */
export function wireVEvent(g: GuestEvent, smmu: string): WireVEvent {
  const d = decodeEvent(g.record);
  const ev: EventRecord = { type: g.type as EventRecord['type'], code: d.code, fields: d.fields, raw: g.record, recorded: g.delivered, reason: g.reason ?? '' };
  return { ...wireEvent(ev, smmu), viommu: g.viommu, vevent: g.sequence, delivered: g.delivered };
}

function wireShadow(d: ShadowDomain): WireShadow {
  return {
    vsid: hex(d.vsid), smmu: d.smmu, sid: hex(d.sid), ...(d.ssid !== undefined ? { ssid: d.ssid } : {}), ioas: d.ioas, hwpt: d.hwpt, root: hex(d.layout?.root ?? 0n),
    ...(d.host ? { hostAsid: d.host.ctx.hostAsid, hostCd: hex(d.host.device.cdTable + BigInt(d.host.ctx.cd) * 64n), ranges: d.host.ctx.ranges.map((r) => ({ ttb: r.index, root: hex(r.layout.root), inputSize: r.layout.geo.inputSize })) } : {}),
    ...(d.asid !== undefined ? { asid: d.asid } : {}),
    rewalks: d.rewalks, maps: [...d.maps.values()].sort((a, b) => (a.iova < b.iova ? -1 : 1)).map((m) => ({ iova: hex(m.iova), length: hex(m.length), pa: hex(m.pa), readOnly: m.readOnly })),
  };
}

/** The VM view of the state (panels, the debugger's Variables). */
export function wireVm(fd: IommufdContext, vsmmus: ReadonlyMap<string, VSmmu>): WireVm {
  const hwpts = [...fd.hwpts.values()];
  const attachments = [...fd.attachments.values()];
  return {
    ioas: [...fd.ioas.values()].map((i) => ({ name: i.name, maps: i.maps.map((m) => ({ iova: hex(m.iova), length: hex(m.length), pa: hex(m.pa), readOnly: m.readOnly })) })),
    parents: hwpts.flatMap((h) => (h.kind !== 'parent' ? [] : [{
      name: h.name, ioas: h.ioas, smmu: h.smmu, root: hex(h.table.ttb), granule: h.table.granule, inputSize: h.table.inputSize, startLevel: h.table.startLevel,
      vmids: fd.usersOf(h.ioas).filter((u) => u.parent.name === h.name).map((u) => ({ smmu: u.smmu, vmid: u.vmid })),
    }])),
    viommus: [...fd.viommus.values()].map((v) => ({
      name: v.name, smmu: v.smmu, parent: v.parent, vmid: v.vmid,
      vdevices: [...v.vdevices].map(([vsid, sid]) => ({ vsid: hex(vsid), sid: hex(sid) })),
      ...(v.veventq ? { veventq: { depth: v.veventq.depth, lost: v.veventq.lostCount, events: v.veventq.snapshot().map((e) => ({ sequence: e.sequence, lost: e.lost, ...(e.record ? { type: decodeEvent(e.record).type, sid: hex(e.record[0] >> 32n) } : {}) })) } } : {}),
      hwQueues: [...v.hwQueues.values()].map((q) => ({ index: q.index, ipa: hex(q.ipa), pa: hex(q.pa), log2size: q.log2size, cons: q.cons, prod: q.prod, ...(q.stopped ? { stopped: q.stopped.reason } : {}) })),
    })),
    nested: hwpts.flatMap((h) => (h.kind !== 'nested' ? [] : [{
      name: h.name, viommu: h.viommu, kind: h.vste.kind, guest: h.guest.map(hex), guestFields: steFields(h.guest),
      attached: attachments.filter((a) => a.hwpt === h.name).map((a) => ({ smmu: a.smmu, sid: hex(a.sid), ...(a.vmaster ? { vsid: hex(a.vmaster.vsid) } : {}), hostSte: a.hostSte.map(hex), hostFields: steFields(a.hostSte) })),
    }])),
    vsmmus: [...vsmmus.values()].map((v) => ({ name: v.name, viommus: v.viommus, mode: v.mode, ...(v.shadow ? { shadows: [...v.shadow.domains.values()].map(wireShadow) } : {}) })),
  };
}
