// iommufd results (model/iommufd) as wire data: hex strings, command names, guest events.

import { hex } from '../../model/bits';
import { commandByOpcode } from '../../model/fields/commands';
import type { GuestEvent, IommufdEffects } from '../../model/iommufd/context';
import { decodeEvent } from '../../model/smmu/events';
import type { EventRecord } from '../../model/smmu/result';
import type { WireIommufd, WireVEvent } from './wire';
import { wireEvent } from './convert';

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
