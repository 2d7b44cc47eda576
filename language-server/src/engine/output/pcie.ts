// The wire form of PCIe ATS results, ATC entries and HTTU descriptor updates (model/smmu/ats.ts).

import { hex } from '../../model/bits';
import type { AtcEntry } from '../../model/smmu/ats';
import type { AtsInfo } from '../../model/smmu/result';
import type { DescUpdate } from '../../model/walk/api';
import type { WireAtcEntry, WireStep } from './wire';
import { permsText } from '../../model/smmu/perms';

export function wireAtcEntry(e: AtcEntry): WireAtcEntry {
  const w: WireAtcEntry = { id: e.id, sid: hex(e.sid), base: hex(e.base), sizeLog2: e.sizeLog2, output: hex(e.output), split: e.split, perms: permsText(e.perms) };
  if (e.ssid !== undefined) w.ssid = hex(e.ssid);
  return w;
}

/** HTTU descriptor updates (IHI 0070 §3.13) as the step shows them. */
export function wireHttu(us: readonly DescUpdate[]): NonNullable<WireStep['httu']> {
  return us.map((u) => ({ stage: u.stage, level: u.level, descPa: hex(u.descPa), old: hex(u.oldValue), new: hex(u.newValue), what: u.what }));
}

export function wireAts(a: AtsInfo): NonNullable<WireStep['ats']> {
  const w: NonNullable<WireStep['ats']> = { kind: a.kind };
  if (a.completion) w.completion = a.completion;
  if (a.atc) w.atc = a.atc;
  if (a.entry) w.entry = wireAtcEntry(a.entry);
  if (a.split) w.split = true;
  return w;
}
