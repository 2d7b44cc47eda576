// ATS (IHI 0070 §3.9): Translation Requests from a PCIe function, the function's ATC (modelled per
// StreamID/SubstreamID on the SMMU instance), translated transactions and CMD_ATC_INV.
//
// What is modelled (choices at the code):
// - A Translation Request on a stream with STE.EATS == 0b00 is refused with F_BAD_ATS_TREQ (recorded)
//   and Unsupported Request (IHI 0070 §5.2 STE.EATS, §7.3). SMMU_CR0.SMMUEN == 0, STE.Config abort, a bad
//   StreamID/STE (C_* recorded as for any transaction): Unsupported Request.
// - The SMMU translates as for a read by the function (stage 1 and/or 2 per STE.Config); with
//   EATS == 0b10 (split stage, nested streams) the completion carries the stage-1 output (an IPA)
//   and translated transactions are translated by stage 2 (IHI 0070 §3.9.1.2). The model requires
//   the whole nested translation to succeed at request time.
// - A translation fault gives a completion with R = W = 0 and is not recorded or stalled
//   (IHI 0070 §3.9.1.1: ATS faults are reported to the function in the completion).
// - Write permission comes back in the completion (W) from the page's permissions; the ATC keeps it.
// - A translated transaction (`dma ... translated`): the function looks its ATC up; on a miss it
//   issues a Translation Request first. With SMMU_CR0.ATSCHK == 0 the SMMU passes it through unchecked
//   (IHI 0070 §3.9.1.3, §6.3.9); with ATSCHK == 1 it checks STE.EATS: 0b00 -> F_TRANSL_FORBIDDEN
//   (recorded), 0b01 -> passed through untranslated, 0b10 -> stage 2 on the IPA.
// - STE.EATS == 0b10 is effective only with ATSCHK == 1 and STE.Config == 0b111; otherwise the model
//   treats it as 0b00 (IHI 0070 §5.2 STE.EATS). The completion's permissions are those of both stages.
// - CMD_ATC_INV (IHI 0070 §4.6.1): Size is log2 of 4K pages (Address aligned down to that size;
//   Size >= 52 is everything); SSV == 0 removes the entries without a SubstreamID, SSV == 1 those of
//   SubstreamID, SSV == 1 and Global == 1 those of every SubstreamID of the StreamID.

import type { Access, Perms } from '../types';
import type { PhysicalMemory } from '../memory';
import { encode, decode } from '../fields/field';
import { eventByName, EVENT_TYPES } from '../fields/events';
import type { SmmuFeatures } from './features';
import type { AtsInfo, EventRecord, TransactionResult, TranslateRequest } from './result';
import type { TranslateOptions } from './translate';
import type { EventInfo } from './events';
import type { SteConfig } from './ste';
import { permits } from './perms';
import { s2Walk } from './walkPort';
import { hex } from '../bits';

export interface AtcEntry {
  id: number;
  sid: number;
  ssid?: number;
  /** Untranslated base (aligned to 2^sizeLog2). */
  base: bigint;
  sizeLog2: number;
  /** Translated base: a PA, or an IPA when `split` (STE.EATS == 0b10). */
  output: bigint;
  split: boolean;
  /** Completion R/W/X (and privileged copies) as granted. */
  perms: Perms;
  step: number;
}

/** The ATCs of the functions behind one SMMU, keyed by StreamID and SubstreamID. */
export class Atc {
  private entries: AtcEntry[] = [];
  private nextId = 1;

  /** `keepOverlaps`: hold every translation the function may have (the hazard analysis's shadow ATC). */
  constructor(private readonly keepOverlaps = false) {}

  clear(): void {
    this.entries = [];
  }

  snapshot(): AtcEntry[] {
    return this.entries.map((e) => ({ ...e }));
  }

  lookup(sid: number, ssid: number | undefined, addr: bigint): AtcEntry | undefined {
    return this.entries.find((e) => e.sid === sid && e.ssid === ssid && addr >> BigInt(e.sizeLog2) === e.base >> BigInt(e.sizeLog2));
  }

  insert(e: Omit<AtcEntry, 'id'>): AtcEntry {
    // Replace what the new entry overlaps (same function and PASID).
    const end = e.base + (1n << BigInt(e.sizeLog2));
    if (!this.keepOverlaps) this.entries = this.entries.filter((x) => !(x.sid === e.sid && x.ssid === e.ssid && x.base < end && e.base < x.base + (1n << BigInt(x.sizeLog2))));
    const entry: AtcEntry = { ...e, id: this.nextId++ };
    this.entries.push(entry);
    return entry;
  }

  /** CMD_ATC_INV: remove and return the matching entries. */
  invalidate(sid: number, ssid: number | undefined, global: boolean, addr: bigint, size: number): AtcEntry[] {
    const all = size >= 52;
    const shift = BigInt(size + 12);
    const lo = all ? 0n : (addr >> shift) << shift;
    const hi = all ? 1n << 64n : lo + (1n << shift);
    const removed: AtcEntry[] = [];
    this.entries = this.entries.filter((e) => {
      const who = e.sid === sid && (ssid === undefined ? e.ssid === undefined : global ? e.ssid !== undefined : e.ssid === ssid);
      const end = e.base + (1n << BigInt(e.sizeLog2));
      const hit = who && e.base < hi && lo < end;
      if (hit) removed.push(e);
      return !hit;
    });
    return removed;
  }
}

/** What ATS needs from its instance. */
export interface AtsCtx {
  readonly features: SmmuFeatures;
  readonly mem: PhysicalMemory;
  readonly step: number;
  readonly atc: Atc;
  smmuEnabled(): boolean;
  /** SMMU_CR0.ATSCHK. */
  atsChk(): boolean;
  translate(req: TranslateRequest, opts?: TranslateOptions): TransactionResult;
  recordEvent(ev: EventRecord): void;
  makeEvent(type: 'F_TRANSL_FORBIDDEN' | 'F_TRANSLATION' | 'F_ADDR_SIZE' | 'F_ACCESS' | 'F_PERMISSION' | 'F_WALK_EABT', info: EventInfo, reason: string): EventRecord;
}

/** Outcome of a Translation Request: `ok` (completion with a translation), `fault` (R = W = 0), `ur` (Unsupported Request). */
export interface AtsResult {
  outcome: 'ok' | 'fault' | 'ur';
  sid: number;
  ssid?: number;
  iova: bigint;
  /** Translated address (PA, or IPA when split). */
  output?: bigint;
  split?: boolean;
  perms?: Perms;
  sizeLog2?: number;
  entry?: AtcEntry;
  /** Events the request raised (recorded or not). */
  events: EventRecord[];
  /** The SMMU's translation, when it ran one. */
  translation?: TransactionResult;
  reason: string;
}


/** STE.EATS as the SMMU acts on it: 0b10 needs SMMU_CR0.ATSCHK == 1 and a nested stream, else 0b00. */
function effectiveEats(ctx: AtsCtx, ste: SteConfig): number {
  const eats = Number(ste.fields.EATS ?? 0n);
  return eats === 2 && (!ctx.atsChk() || ste.mode !== 'nested') ? 0 : eats;
}

function badAtsTreq(ctx: AtsCtx, sid: number, ssid: number | undefined, iova: bigint, access: Access): EventRecord {
  const def = eventByName('F_BAD_ATS_TREQ')!;
  const v: Record<string, bigint> = {
    Type: BigInt(EVENT_TYPES.F_BAD_ATS_TREQ), StreamID: BigInt(sid),
    Read: 1n, Write: access.read ? 0n : 1n, Exec: access.exec ? 1n : 0n, Priv: access.priv ? 1n : 0n,
    InputAddr: iova & ~0xfffn,
  };
  if (ssid !== undefined) {
    v.SSV = 1n;
    v.SubstreamID = BigInt(ssid);
  }
  const raw = encode(def, v);
  return { type: 'F_BAD_ATS_TREQ', code: EVENT_TYPES.F_BAD_ATS_TREQ, fields: decode(def, raw), raw, recorded: false, reason: 'ATS Translation Request on a stream with STE.EATS == 0b00 (IHI 0070 §5.2)' };
}

/** An ATS Translation Request (IHI 0070 §3.9.1). On success the function's ATC caches the result. */
export function atsRequest(ctx: AtsCtx, sid: number, ssid: number | undefined, iova: bigint, access: Access): AtsResult {
  const out: AtsResult = { outcome: 'ur', sid, ssid, iova, events: [], reason: '' };
  if (!ctx.features.ats) return { ...out, reason: 'ATS is not implemented (SMMU_IDR0.ATS == 0): Unsupported Request' };
  if (!ctx.smmuEnabled()) return { ...out, reason: 'SMMU_CR0.SMMUEN == 0: Unsupported Request (IHI 0070 §3.9.1)' };
  // The function asks for read (and write unless No Write); the SMMU walks as for a read.
  const rd: Access = { read: true, exec: access.exec, priv: access.priv };
  const dry = ctx.translate({ sid, ssid, iova, access: rd }, { dryRun: true });
  const ste = dry.ste?.config;
  if (!ste) {
    // Bad StreamID / STE / fetch: run it for real so the C_* event is recorded as for any transaction.
    const r = ctx.translate({ sid, ssid, iova, access: rd });
    return { ...out, events: r.events, translation: r, reason: `${r.reason ?? 'no usable STE'}: Unsupported Request` };
  }
  const eats = effectiveEats(ctx, ste);
  if (eats === 0) {
    const ev = badAtsTreq(ctx, sid, ssid, iova, access);
    ctx.recordEvent(ev);
    const why = Number(ste.fields.EATS ?? 0n) === 2 ? 'STE.EATS == 0b10 without SMMU_CR0.ATSCHK == 1 and STE.Config == 0b111 acts as 0b00' : 'STE.EATS == 0b00 (ATS disabled for the stream)';
    return { ...out, events: [ev], reason: `F_BAD_ATS_TREQ: ${why}: Unsupported Request (IHI 0070 §5.2)` };
  }
  if (dry.outcome === 'aborted') return { ...out, translation: dry, reason: `${dry.reason}: Unsupported Request` };
  if (dry.outcome === 'fault' && dry.events.some((e) => e.type === 'F_STREAM_DISABLED')) {
    // IHI 0070 §5.2 STE.S1DSS: a Translation Request terminated by S1DSS gets a Completer Abort, no event.
    for (const e of dry.events) e.notRecordedBecause = 'ATS Translation Request terminated by STE.S1DSS: Completer Abort, no event (IHI 0070 §5.2)';
    return { ...out, events: dry.events, translation: dry, reason: `${dry.reason}: Completer Abort, no event recorded (IHI 0070 §5.2 STE.S1DSS)` };
  }
  if (dry.outcome === 'fault') {
    const cfg = dry.events.some((e) => e.type.startsWith('C_') || e.type === 'F_CD_FETCH' || e.type === 'F_STE_FETCH');
    if (cfg) {
      const r = ctx.translate({ sid, ssid, iova, access: rd });
      return { ...out, events: r.events, translation: r, reason: `${r.reason}: Unsupported Request` };
    }
    for (const e of dry.events) e.notRecordedBecause = 'ATS Translation Request: the fault goes back in the completion (R = W = 0), not to the event queue (IHI 0070 §3.9.1.1)';
    return { ...out, outcome: 'fault', events: dry.events, translation: dry, reason: `${dry.reason}: completion with R = W = 0` };
  }
  // ok or bypass: translate for real (cache fills, HTTU).
  const r = ctx.translate({ sid, ssid, iova, access: rd });
  if (r.outcome !== 'ok' && r.outcome !== 'bypass') return { ...out, outcome: 'fault', events: r.events, translation: r, reason: r.reason ?? 'fault' };
  const ALL: Perms = { ur: true, uw: true, ux: true, pr: true, pw: true, px: true };
  const perms = r.outcome === 'bypass' ? ALL : r.perms ?? ALL;
  const sizeLog2 = r.outcome === 'bypass' ? 12 : r.tlbEntry?.blockShift ?? r.blockShift ?? 12;
  const split = eats === 2 && ste.mode === 'nested';
  let output = r.pa!;
  let p = perms;
  if (split) {
    // Split stage: the completion carries the stage-1 output (IPA), with both stages' permissions.
    const t = r.tlbEntry;
    const w1 = r.walks.stage1;
    const ipa = w1?.outputAddr ?? (t?.ipaBase !== undefined ? t.ipaBase + (iova - t.inputBase) : undefined);
    if (ipa !== undefined) output = ipa;
  }
  const mask = (1n << BigInt(sizeLog2)) - 1n;
  const entry = ctx.atc.insert({ sid, ssid, base: iova & ~mask, sizeLog2, output: output & ~mask, split, perms: p, step: ctx.step });
  return {
    ...out, outcome: 'ok', output, split, perms: p, sizeLog2, entry, events: r.events, translation: r,
    reason: `ATS completion: ${hex(iova)} -> ${split ? 'IPA ' : ''}${hex(output)} (${2n ** BigInt(sizeLog2 - 10)}K, ${p.uw || p.pw ? 'R/W' : 'R'}) cached in the ATC as entry #${entry.id}`,
  };
}

/** Result of a translated transaction: a TransactionResult (no SMMU walk; `ats` tells what happened). */
export interface TranslatedResult extends TransactionResult {
  ats: AtsInfo & { atc: 'hit' | 'miss'; request?: AtsResult };
}

/** A Translation Request's result as a TransactionResult (for the engine's transaction path):
 *  ok -> 'ok' with pa = the completion's address (an IPA when split), R = W = 0 -> 'fault',
 *  Unsupported Request -> 'aborted'. */
export function atsAsTransaction(q: AtsResult, access: Access): TransactionResult {
  const base: TransactionResult = q.translation
    ? { ...q.translation }
    : { outcome: 'aborted', sid: q.sid, ssid: q.ssid, iova: q.iova, access, tlb: 'n/a', configCache: 'n/a', walks: {}, events: [], used: { configEntries: [], tlbEntries: [], descriptors: [] } };
  base.outcome = q.outcome === 'ok' ? 'ok' : q.outcome === 'fault' ? 'fault' : 'aborted';
  base.events = q.events;
  base.reason = q.reason;
  delete base.pages;
  if (q.outcome === 'ok') base.pa = q.output;
  else delete base.pa;
  base.ats = { kind: 'ats', completion: q.outcome, entry: q.entry, split: q.split };
  return base;
}

/**
 * A translated transaction: ATC lookup (Translation Request on a miss), then the SMMU's STE.EATS check
 * and, for EATS == 0b10, stage 2 on the IPA (IHI 0070 §3.9.1.2, §5.2 STE.EATS).
 */
export function translatedTransaction(ctx: AtsCtx, steOf: (sid: number) => SteConfig | undefined, req: TranslateRequest): TranslatedResult {
  const sid = Number(req.sid);
  const res: TranslatedResult = {
    outcome: 'fault', sid, ssid: req.ssid, iova: req.iova, access: req.access, tlb: 'n/a', configCache: 'n/a', walks: {}, events: [],
    used: { configEntries: [], tlbEntries: [], descriptors: [] }, ats: { kind: 'translated', atc: 'miss' },
  };
  let e = ctx.atc.lookup(sid, req.ssid, req.iova);
  if (e) res.ats.atc = 'hit';
  else {
    const q = atsRequest(ctx, sid, req.ssid, req.iova, req.access);
    res.ats.request = q;
    res.events.push(...q.events);
    if (q.outcome !== 'ok') {
      res.reason = `ATC miss; the Translation Request failed (${q.reason}): the function cannot issue a translated transaction`;
      return res;
    }
    e = q.entry!;
  }
  res.ats.entry = e;
  if (!permits(e.perms, req.access)) {
    res.reason = `the ATC entry #${e.id} does not grant ${req.access.read ? 'read' : req.access.exec ? 'execute' : 'write'}: the function may not issue it`;
    return res;
  }
  const addr = e.output + (req.iova & ((1n << BigInt(e.sizeLog2)) - 1n));
  if (!ctx.atsChk()) {
    res.pa = addr;
    res.perms = e.perms;
    res.outcome = 'ok';
    res.reason = `ATC ${res.ats.atc} (entry #${e.id}): translated address ${hex(addr)}; SMMU_CR0.ATSCHK == 0: passed through unchecked (IHI 0070 §3.9.1.3)`;
    return res;
  }
  const ste = steOf(sid);
  const eats = ste ? effectiveEats(ctx, ste) : 0;
  if (!ste || eats === 0 || ste.mode === 'abort') {
    const ev = ctx.makeEvent('F_TRANSL_FORBIDDEN', { sid, iova: addr, access: req.access }, 'translated transaction on a stream whose STE.EATS == 0b00 (IHI 0070 §5.2)');
    ctx.recordEvent(ev);
    res.events.push(ev);
    res.reason = `F_TRANSL_FORBIDDEN: ${ste ? 'STE.EATS == 0b00' : 'no usable STE'} (IHI 0070 §5.2)`;
    return res;
  }
  if (e.split && eats === 2 && ste.s2) {
    const r2 = s2Walk(ste.s2.walk, addr, req.access, ctx.mem, 'IN', false);
    res.walks = { stage2: r2.trace };
    if (!r2.ok) {
      const f = r2.fault;
      const ev = ctx.makeEvent(f.kind as 'F_TRANSLATION', { sid, ssid: req.ssid, iova: req.iova, access: req.access, s2: true, class: f.class, ipa: f.ipa ?? addr }, `${f.reason} (stage 2 of a translated transaction, STE.EATS == 0b10)`);
      if (ste.s2.record) ctx.recordEvent(ev);
      else ev.notRecordedBecause = 'STE.S2R == 0';
      res.events.push(ev);
      res.reason = `${f.kind}: stage 2 of the translated transaction at IPA ${hex(addr)}: ${f.reason}`;
      return res;
    }
    res.pa = r2.result.outputAddr;
    res.perms = r2.result.perms;
    res.attrs = r2.result.attrs;
    res.outcome = 'ok';
    res.reason = `ATC ${res.ats.atc} (entry #${e.id}): IPA ${hex(addr)}, stage 2 (STE.EATS == 0b10) -> ${hex(res.pa)}`;
    return res;
  }
  res.pa = addr;
  res.perms = e.perms;
  res.outcome = 'ok';
  res.reason = `ATC ${res.ats.atc} (entry #${e.id}): translated address ${hex(addr)} passed through (STE.EATS == 0b01)`;
  return res;
}
