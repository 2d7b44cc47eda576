// Model results (bigints) -> wire JSON (0x-hex strings). One place for every conversion.

import { hex } from '../../model/bits';
import { decode } from '../../model/fields/field';
import { decodePte } from '../../model/fields/pte';
import type { Granule, WalkTrace, WalkStep } from '../../model/types';
import type { EventRecord, TlbEntryInfo, TransactionResult } from '../../model/smmu/result';
import { permsText } from '../../model/smmu/perms';
import type { WireDiagnostic, WireEvent, WireHazard, WireRange, WireStep, WireTlbEntry, WireWalk, WireWalkStep } from './wire';

/** Fields of an event record that WireEvent names itself (IHI 0070 §7.3), by lower-case spec name. */
const NAMED: Record<string, keyof WireEvent> = {
  streamid: 'sid',
  ssv: 'ssv',
  substreamid: 'ssid',
  inputaddr: 'inputAddr',
  ipa: 'ipa',
  rnw: 'rnw',
  pnu: 'pnu',
  ind: 'ind',
  s2: 's2',
  class: 'class',
  stall: 'stall',
  stag: 'stag',
};

const CLASSES = ['CD', 'TT', 'IN'] as const;

export function wireFields(fields: Record<string, bigint>, skip?: (name: string) => boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fields)) {
    if (k.startsWith('RES0')) continue;
    if (skip?.(k)) continue;
    out[k] = hex(v);
  }
  return out;
}

export function wireEvent(e: EventRecord, smmu: string): WireEvent {
  const w: WireEvent = { type: e.type, code: hex(e.code), sid: '0x0', ssv: false, fields: {}, raw: e.raw.map(hex), smmu, recorded: e.recorded };
  for (const [name, v] of Object.entries(e.fields)) {
    if (name.startsWith('RES0')) continue;
    const key = NAMED[name.toLowerCase()];
    if (key === undefined || (key === 'ipa' && w.ipa !== undefined)) {
      if (name.toLowerCase() !== 'type' && name.toLowerCase() !== 'event_id') w.fields[name] = hex(v);
      continue;
    }
    switch (key) {
      case 'sid': w.sid = hex(v); break;
      case 'ssv': w.ssv = v !== 0n; break;
      case 'ssid': w.ssid = hex(v); break;
      case 'inputAddr': w.inputAddr = hex(v); break;
      case 'ipa': w.ipa = hex(v); break;
      case 'stag': w.stag = hex(v); break;
      case 'class': {
        // CLASS encoding (IHI 0070 §7.3.12): 0b00 CD, 0b01 TT, 0b10 IN.
        const c = CLASSES[Number(v)];
        if (c) w.class = c;
        break;
      }
      case 'rnw': w.rnw = v !== 0n; break;
      case 'pnu': w.pnu = v !== 0n; break;
      case 'ind': w.ind = v !== 0n; break;
      case 's2': w.s2 = v !== 0n; break;
      case 'stall': w.stall = v !== 0n; break;
    }
  }
  if (!w.ssv) delete w.ssid;
  w.recorded = e.recorded;
  if (!e.recorded) w.notRecordedBecause = e.notRecordedBecause ?? 'suppressed';
  return w;
}

/** Shared, frozen empties of step results (most steps have no event or hazard, a lean walk step no
 *  decoded fields): a long run keeps one object instead of one per step. Writers replace them
 *  before adding (stepEvents, stepHazards); nothing else changes a step result. */
export const NO_EVENTS: WireEvent[] = Object.freeze([]) as unknown as WireEvent[];
export const NO_HAZARDS: WireHazard[] = Object.freeze([]) as unknown as WireHazard[];
const NO_FIELDS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/** The step's own event list, to add to. */
export function stepEvents(out: WireStep): WireEvent[] {
  return out.events === NO_EVENTS ? (out.events = []) : out.events;
}

/** The step's own hazard list, to add to. */
export function stepHazards(out: WireStep): WireHazard[] {
  return out.hazards === NO_HAZARDS ? (out.hazards = []) : out.hazards;
}

/** Descriptor fields for the walk panel: decoded with the given decoder when available. */
export type DescDecoder = (s: WalkStep, granule: WalkTrace['granule']) => Record<string, bigint>;

export function wireWalk(t: WalkTrace, decodeDesc?: DescDecoder): WireWalk {
  const w: WireWalk = {
    stage: t.stage, granule: t.granule, inputSize: t.inputSize, startLevel: t.startLevel, ttb: hex(t.ttb), inputAddr: hex(t.inputAddr),
    steps: t.steps.map((s): WireWalkStep => {
      const ws: WireWalkStep = {
        stage: s.stage, level: s.level, tableAddr: hex(s.tableAddr), index: s.index, descAddr: hex(s.descAddr), descPa: hex(s.descPa),
        desc: hex(s.desc), kind: s.kind, fields: decodeDesc ? wireFields(decodeDesc(s, t.granule)) : NO_FIELDS,
      };
      if (s.s2Walk) ws.s2Walk = wireWalk(s.s2Walk, decodeDesc);
      return ws;
    }),
  };
  if (t.outputAddr !== undefined) w.outputAddr = hex(t.outputAddr);
  if (t.fault) {
    const f = t.fault;
    w.fault = { kind: f.kind, stage: f.stage, level: f.level, class: f.class, inputAddr: hex(f.inputAddr), reason: f.reason };
    if (f.ipa !== undefined) w.fault.ipa = hex(f.ipa);
  }
  return w;
}

const TLB_STAGE = { s1: 'S1', s2: 'S2', nested: 'S12' } as const;

export function wireTlb(e: TlbEntryInfo): WireTlbEntry {
  const w: WireTlbEntry = {
    id: e.id, stage: TLB_STAGE[e.kind], regime: e.regime, global: e.global, inputBase: hex(e.inputBase), sizeLog2: e.blockShift,
    outputBase: hex(e.outputBase), perms: permsText(e.perms), hits: e.hits, insertedAt: e.insertedAt,
  };
  if (e.kind !== 's2' && !e.global) w.asid = hex(e.asid);
  if (e.regime === 'nsel1') w.vmid = hex(e.vmid);
  return w;
}

/** Every walk of a transaction, in the order they happened (CD fetches, stage 1, stage 2). */
export function transactionWalks(r: TransactionResult): WalkTrace[] {
  const w = r.walks;
  // Without CD fetches (most): an exact-size list (a push onto [] allocates room for 17).
  if (!w.cdFetch) return w.stage1 ? (w.stage2 ? [w.stage1, w.stage2] : [w.stage1]) : w.stage2 ? [w.stage2] : [];
  const out: WalkTrace[] = [];
  if (r.walks.cdFetch) out.push(...r.walks.cdFetch);
  if (r.walks.stage1) out.push(r.walks.stage1);
  if (r.walks.stage2) out.push(r.walks.stage2);
  return out;
}

export function diag(range: WireRange, severity: WireDiagnostic['severity'], code: string, message: string): WireDiagnostic {
  return { line: range.line, col: range.col, endLine: range.endLine, endCol: range.endCol, severity, code, message };
}

/** Decoded fields of a walk step's descriptor, for the walk panel. */
export function decodeDescriptor(s: WalkStep, granule: Granule): Record<string, bigint> {
  const d = decodePte(s.desc, { stage: s.stage, granule, level: s.level });
  return d.def ? decode(d.def, [s.desc]) : {};
}

/** A transaction's outcome on the wire (README "Command-line runner"): 'ok' | 'fault' | 'stalled'.
 *  The model's 'bypass' is 'ok' with `bypass` naming what bypassed it, its 'aborted' is 'fault'
 *  with `abort` naming what terminated it without an event. */
export function wireOutcome(r: TransactionResult, out: WireStep): void {
  const mode = r.ste?.config?.mode;
  switch (r.outcome) {
    case 'bypass':
      out.outcome = 'ok';
      out.bypass = r.ste === undefined ? 'SMMU_GBPA' : mode === 'bypass' ? 'STE.Config' : 'STE.S1DSS';
      break;
    case 'aborted':
      out.outcome = 'fault';
      out.abort = r.ats?.completion === 'ur' ? 'ATS' : r.ste === undefined ? 'SMMU_GBPA' : 'STE.Config';
      break;
    default:
      out.outcome = r.outcome;
      // (set by an earlier transaction of the step, e.g. a resumed stall; `delete` is slow on the hot path)
      if (out.bypass !== undefined) delete out.bypass;
      if (out.abort !== undefined) delete out.abort;
  }
  if (r.outcome === 'bypass' || r.outcome === 'aborted') {
    if (r.reason !== undefined) out.reason = r.reason;
  } else if (out.reason !== undefined) delete out.reason;
  if (r.pa !== undefined && (r.outcome === 'ok' || r.outcome === 'bypass')) out.pa = hex(r.pa);
}
