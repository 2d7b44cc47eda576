// Event records (IHI 0070 §7.3): built from the fault/config error with the fields tables, written
// to the event queue (IHI 0070 §7.2) by the instance.

import type { Access, EventType, FaultClass } from '../types';
import { decode, encode, fieldByName } from '../fields/field';
import { EVENT_CLASS, EVENT_TYPES, eventByName } from '../fields/events';
import type { EventRecord } from './result';
import { PA_LIMIT } from '../memory';

export interface EventInfo {
  sid: number;
  ssid?: number;
  iova?: bigint;
  access?: Access;
  s2?: boolean;
  class?: FaultClass;
  /** Stage-2 faulting IPA. */
  ipa?: bigint;
  /** F_WALK_EABT / F_CD_FETCH / F_STE_FETCH fetch address. */
  fetchAddr?: bigint;
  stall?: boolean;
  stag?: number;
  /** IMPLEMENTATION DEFINED Reason (F_TLB_CONFLICT, F_CFG_CONFLICT: this model gives the number of matching entries). */
  reasonCode?: bigint;
}

const PAGE_MASK = ~0xfffn;
const DW_MASK = ~0x7n;

/** Build the record: every field the record type has is filled from `info`. */
export function makeEvent(type: EventType, info: EventInfo, reason: string): EventRecord {
  const def = eventByName(type);
  const code = EVENT_TYPES[type];
  if (!def) return { type, code, fields: {}, raw: [BigInt(code), 0n, 0n, 0n], recorded: false, reason };
  const v: Record<string, bigint> = { Type: BigInt(code), StreamID: BigInt(info.sid) & 0xffff_ffffn };
  if (info.ssid !== undefined) {
    v.SSV = 1n;
    v.SubstreamID = BigInt(info.ssid) & 0xfffffn; // SubstreamID is 20 bits
  }
  if (info.access) {
    v.RnW = info.access.read ? 1n : 0n;
    v.InD = info.access.exec ? 1n : 0n;
    v.PnU = info.access.priv ? 1n : 0n;
  }
  if (info.iova !== undefined) v.InputAddr = info.iova;
  if (info.s2 !== undefined) v.S2 = info.s2 ? 1n : 0n;
  if (info.class !== undefined) v.CLASS = EVENT_CLASS[info.class];
  // IPA holds bits [51:12], FetchAddr bits [51:3] (IHI 0070 §7.3).
  if (info.ipa !== undefined) v.IPA = info.ipa & PAGE_MASK & (PA_LIMIT - 1n);
  if (info.fetchAddr !== undefined) v.FetchAddr = info.fetchAddr & DW_MASK & (PA_LIMIT - 1n);
  if (info.reasonCode !== undefined) v.Reason = info.reasonCode & 0xffff_ffffn;
  if (info.stall) {
    v.Stall = 1n;
    v.STAG = BigInt(info.stag ?? 0) & 0xffffn;
  }
  // Keep only fields this record type has (e.g. C_BAD_STE has no InputAddr).
  const present: Record<string, bigint> = {};
  for (const k of Object.keys(v)) if (fieldByName(def, k)) present[k] = v[k];
  const raw = encode(def, present);
  return { type, code, fields: decode(def, raw), raw, recorded: false, reason };
}

/** Decode 4 dwords read back from the event queue. */
export function decodeEvent(raw: bigint[]): { type: string; code: number; fields: Record<string, bigint> } {
  const code = Number(raw[0] & 0xffn);
  const name = (Object.keys(EVENT_TYPES) as EventType[]).find((k) => EVENT_TYPES[k] === code);
  const def = name ? eventByName(name) : undefined;
  return { type: name ?? `UNKNOWN_0x${code.toString(16)}`, code, fields: def ? decode(def, raw) : {} };
}
