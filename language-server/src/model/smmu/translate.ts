// The transaction pipeline (IHI 0070 §3.2 "operation overview"): SMMUEN/GBPA, StreamID check,
// STE (config cache), SubstreamID / CD selection, TLB lookup, stage 1 / stage 2 / nested walks,
// fault -> event record -> record / terminate / stall. Raw words -> decoded config -> walk ->
// typed fault -> event record, with the fault-to-event mapping in one place (walkFault below).

import type { Access, EventType, FaultClass, Perms, StageResult, WalkFault, WalkTrace } from '../types';
import { PA_LIMIT, type PhysicalMemory } from '../memory';
import type { S1Regime } from '../walk/config';
import { detectsTlbConflicts, type SmmuFeatures } from './features';
import type { ConfigCache } from './configCache';
import { interpretSte, type SteConfig } from './ste';
import { interpretCd, type CdConfig } from './cd';
import { locateCd, locateSte, readStruct, type StreamTableCfg } from './tables';
import type { EventInfo } from './events';
import type { EventRecord, TransactionResult, TranslateRequest, TlbEntryInfo } from './result';
import { intersect, permits } from './perms';
import { s1Walk, s2Walk, nestedFetch, plainFetch, type StageRun } from './walkPort';
import type { Tlb } from '../tlb/tlb';
import type { TlbEntry, TlbRegime } from '../tlb/types';
import { s1Entry, s2Entry, nestedEntry } from '../tlb/fromWalk';
import { s1Canonical } from '../walk/stage1';
import { hex, sizeName } from '../bits';

/** What the pipeline needs from its instance. */
export interface PipelineCtx {
  readonly features: SmmuFeatures;
  readonly mem: PhysicalMemory;
  readonly configCache: ConfigCache<SteConfig, CdConfig>;
  readonly tlb: Tlb;
  readonly step: number;
  smmuEnabled(): boolean;
  gbpaAbort(): boolean;
  recInvSid(): boolean;
  e2h(): boolean;
  streamTable(): StreamTableCfg;
  /** Build an event record (not yet written). */
  makeEvent(type: EventType, info: EventInfo, reason: string): EventRecord;
  /** Write to the event queue (sets recorded / queueIndex / notRecordedBecause). */
  recordEvent(ev: EventRecord): void;
  /** Keep a stalled transaction; returns its STAG. */
  stall(res: TransactionResult, ev: EventRecord): number;
  nextStag(): number;
}

export interface TranslateOptions {
  /**
   * Look, don't touch: no cache fills, no TLB fills, no event queue writes, no stalls, no HTTU
   * writes (for the debug console's `translate` and for hovers). Faults are still reported.
   */
  dryRun?: boolean;
}


/** OFFSET_MASK[n] = 2^n - 1: offset within a block of 2^n bytes (precomputed: no BigInt allocation per hit). */
const ADDR_END = 1n << 64n;
const OFFSET_MASK: bigint[] = Array.from({ length: 65 }, (_, n) => (1n << BigInt(n)) - 1n);

/** Translate a DMA of `len` bytes: per mapped region; the first fault ends the DMA. */
const NO_OPTS: TranslateOptions = {};
/** Shared empty containers of results that walked nothing / raised nothing (most TLB hits): never mutated. */
const NO_WALKS: TransactionResult['walks'] = Object.freeze({});
const NO_EVENTS: EventRecord[] = Object.freeze([]) as unknown as EventRecord[];

function walksOf(res: TransactionResult): TransactionResult['walks'] {
  if (res.walks === NO_WALKS) res.walks = {};
  return res.walks;
}

// `used` lists start as shared frozen empties and become exact-size literals on their first ids (a push
// onto [] allocates a 17-slot backing store; a TLB hit would pay for three of them).
const NO_IDS: number[] = Object.freeze([]) as unknown as number[];
const NO_PAS: bigint[] = Object.freeze([]) as unknown as bigint[];

function useConfig(res: TransactionResult, id: number): void {
  const u = res.used;
  const a = u.configEntries;
  if (a === NO_IDS) u.configEntries = [id];
  else if (a.length === 1) u.configEntries = [a[0], id]; // STE then CD: the common pair
  else a.push(id);
}

function useTlb(res: TransactionResult, id: number): void {
  const u = res.used;
  if (u.tlbEntries === NO_IDS) u.tlbEntries = [id];
  else u.tlbEntries.push(id);
}

function useDesc(res: TransactionResult, pa: bigint): void {
  const u = res.used;
  if (u.descriptors === NO_PAS) u.descriptors = [pa];
  else u.descriptors.push(pa);
}

function addEvent(res: TransactionResult, ev: EventRecord): void {
  if (res.events === NO_EVENTS) res.events = [];
  res.events.push(ev);
}

export function translate(ctx: PipelineCtx, req: TranslateRequest, opts: TranslateOptions = NO_OPTS): TransactionResult {
  const len = req.len ?? 1n;
  const first = translateOne(ctx, req.sid, req.ssid, req.iova, req.access, opts);
  if (len <= 1n || (first.outcome !== 'ok' && first.outcome !== 'bypass')) return first;
  // Exclusive end; nothing lies above 2^64 - 1 (a bypass covers the rest of the space in one region,
  // so an unclamped end past 2^64 would never be reached).
  const end = req.iova + len > ADDR_END ? ADDR_END : req.iova + len;
  let regionEnd = nextRegion(first, req.iova);
  if (regionEnd >= end) return first;
  const pages: TransactionResult[] = [first];
  let last = first;
  while (regionEnd < end) {
    const r = translateOne(ctx, req.sid, req.ssid, regionEnd, req.access, opts);
    pages.push(r);
    last = r;
    if (r.outcome !== 'ok' && r.outcome !== 'bypass') break;
    regionEnd = nextRegion(r, regionEnd);
  }
  // The DMA's result: the first page's details, the overall outcome, every page's result.
  const out: TransactionResult = { ...first, pages };
  if (last.outcome !== 'ok' && last.outcome !== 'bypass') {
    out.outcome = last.outcome;
    delete out.pa; // pa is only given for an ok/bypass DMA (each page keeps its own)
    out.events = pages.flatMap((p) => p.events);
    out.reason = last.reason;
    out.stag = last.stag;
  }
  const httu = pages.flatMap((p) => p.httu ?? []);
  if (httu.length) out.httu = httu;
  out.used = {
    configEntries: [...new Set(pages.flatMap((p) => p.used.configEntries))],
    tlbEntries: [...new Set(pages.flatMap((p) => p.used.tlbEntries))],
    descriptors: pages.flatMap((p) => p.used.descriptors),
  };
  return out;
}

/** End (exclusive) of the region the translation of `addr` covers. */
function nextRegion(r: TransactionResult, addr: bigint): bigint {
  if (r.outcome === 'bypass') return ADDR_END; // untranslated: one region
  const shift = r.tlbEntry ? r.tlbEntry.blockShift : r.blockShift ?? 12;
  return (addr | OFFSET_MASK[shift]) + 1n; // = ((addr >> shift) + 1) << shift, two BigInt operations fewer
}

function newResult(sid: number, ssid: number | undefined, iova: bigint, access: Access): TransactionResult {
  return {
    outcome: 'fault', sid, ssid, iova, access, tlb: 'n/a', configCache: 'n/a', walks: NO_WALKS, events: NO_EVENTS,
    used: { configEntries: NO_IDS, tlbEntries: NO_IDS, descriptors: NO_PAS },
  };
}

/** Translate one address. */
function translateOne(
  ctx: PipelineCtx, sidIn: bigint | number, ssid: number | undefined, iova: bigint, access: Access, opts: TranslateOptions,
): TransactionResult {
  const dry = opts.dryRun === true;
  const f = ctx.features;
  const sid = Number(sidIn);
  const res = newResult(sid, ssid, iova, access);
  const base: EventInfo = res; // the result carries sid/ssid/iova/access: no allocation on the hot path

  // IHI 0070 §6.3.14 SMMU_GBPA: with SMMU_CR0.SMMUEN == 0, transactions bypass or abort per GBPA.ABORT.
  if (!ctx.smmuEnabled()) {
    if (ctx.gbpaAbort()) return done(res, 'aborted', 'SMMU_CR0.SMMUEN == 0 and SMMU_GBPA.ABORT == 1: aborted, no event (IHI 0070 §6.3.14)');
    res.pa = iova;
    return done(res, 'bypass', 'SMMU_CR0.SMMUEN == 0 and SMMU_GBPA.ABORT == 0: global bypass (IHI 0070 §6.3.14)');
  }

  // ---- StreamID range (IHI 0070 §3.3.2, §6.3.24): StreamID >= 2^LOG2SIZE (or beyond SMMU_IDR1.SIDSIZE)
  // -> C_BAD_STREAMID, recorded only when SMMU_CR2.RECINVSID == 1 (IHI 0070 §6.3.12). ----
  const t = ctx.streamTable();
  if (sid >= (t.log2size < 31 ? 1 << t.log2size : 2 ** t.log2size)) {
    return badStreamId(ctx, res, base, `StreamID ${hex(sid)} >= 2^SMMU_STRTAB_BASE_CFG.LOG2SIZE (2^${t.log2size})`, dry);
  }

  // ---- STE ----
  res.configCache = 'miss';
  let ste: SteConfig;
  // IHI 0070 §3.20.2: a lookup that matches several cached STEs that differ (overlapping STE.CONT spans).
  const clash = f.cfgConflict === 'detect' ? ctx.configCache.steConflict(sid) : undefined;
  if (clash) return cfgConflict(ctx, res, base, clash, dry);
  const cached = dry ? ctx.configCache.peekSte(sid) : ctx.configCache.getSte(sid);
  if (cached) {
    res.configCache = 'hit';
    ste = cached.value;
    res.ste = cached.view ??= { addr: cached.addr, raw: cached.raw, fields: ste.fields, config: ste, cacheId: cached.id };
    useConfig(res, cached.id);
  } else {
    const loc = locateSte(ctx.mem, t, sid);
    if (loc.l1Addr !== undefined) useDesc(res, loc.l1Addr);
    // IHI 0070 §7.3.4: an L1STD or STE fetch that aborts is F_STE_FETCH.
    if (loc.l1Addr !== undefined && fetchAborted(ctx, res, base, 'F_STE_FETCH', loc.l1Addr, 8, 'L1STD', dry)) return res;
    if (!loc.ok) return badStreamId(ctx, res, base, loc.reason, dry);
    // A fetch beyond the implemented PA range cannot complete: F_STE_FETCH (IHI 0070 §7.3).
    if (loc.addr >> BigInt(f.oas) !== 0n) return fetchFault(ctx, res, base, 'F_STE_FETCH', loc.addr, `STE address ${hex(loc.addr)} is beyond the ${f.oas}-bit OAS`, dry);
    if (fetchAborted(ctx, res, base, 'F_STE_FETCH', loc.addr, 64, 'STE', dry)) return res;
    const raw = readStruct(ctx.mem, loc.addr, 8);
    useDesc(res, loc.addr);
    const chk = interpretSte(raw, f);
    if (!chk.ok) {
      res.ste = { addr: loc.addr, raw, fields: chk.fields };
      const ev = ctx.makeEvent('C_BAD_STE', base, `${chk.rule.message} (${chk.rule.spec})`);
      ev.rule = chk.rule;
      emit(ctx, ev, dry);
      addEvent(res, ev);
      return done(res, 'fault', `C_BAD_STE: ${chk.rule.message}`);
    }
    ste = chk.config;
    res.ste = { addr: loc.addr, raw, fields: ste.fields, config: ste };
    if (!dry) {
      // IHI 0070 §5.2 STE.CONT: one entry for the aligned span, capped by the Stream table (or the level-2 array).
      const cont = f.steCont === 'honour' ? Math.min(Number(ste.fields.CONT ?? 0n), loc.l2Log2 ?? t.log2size) : 0;
      const { entry } = ctx.configCache.putSte(sid, loc.addr, raw, ste, ctx.step, cont);
      res.ste.cacheId = entry.id;
      useConfig(res, entry.id);
    }
  }

  // IHI 0070 §5.2 STE.Config == 0b0xx: abort, no event.
  if (ste.mode === 'abort') return done(res, 'aborted', `STE.Config == 0b${Number(ste.fields.Config).toString(2).padStart(3, '0')}: abort, no event (IHI 0070 §5.2)`);

  // A SubstreamID is only usable with stage 1 and S1CDMax != 0 (IHI 0070 §3.9, §5.2 STE.S1CDMax).
  if (ssid !== undefined && (!ste.s1 || ste.s1.cdMax === 0)) {
    const why = !ste.s1 ? 'a transaction with a SubstreamID on a stream without stage 1' : 'a transaction with a SubstreamID but STE.S1CDMax == 0 (substreams disabled)';
    return badSubstream(ctx, res, base, why, dry);
  }

  if (ste.mode === 'bypass') {
    res.pa = iova;
    return done(res, 'bypass', 'STE.Config == 0b100: bypass (IHI 0070 §5.2)');
  }

  if (ste.mode === 's2') return stage2Only(ctx, res, base, ste, iova, access, dry);

  // ---- stage 1: choose the CD (IHI 0070 §5.2 STE.S1DSS) ----
  const s1 = ste.s1!;
  let effSsid: number;
  if (ssid === undefined) {
    if (s1.cdMax === 0) effSsid = 0;
    else if (s1.dss === 0) {
      const ev = ctx.makeEvent('F_STREAM_DISABLED', base, 'no SubstreamID and STE.S1DSS == 0b00 (terminate) (IHI 0070 §5.2)');
      emit(ctx, ev, dry);
      addEvent(res, ev);
      return done(res, 'fault', 'F_STREAM_DISABLED: transaction without SubstreamID, STE.S1DSS == 0b00');
    } else if (s1.dss === 1) {
      // Stage 1 bypassed for non-substream traffic.
      if (ste.mode === 'nested') return stage2Only(ctx, res, base, ste, iova, access, dry, 'STE.S1DSS == 0b01: stage 1 bypassed; ');
      res.pa = iova;
      return done(res, 'bypass', 'no SubstreamID and STE.S1DSS == 0b01: stage 1 bypassed (IHI 0070 §5.2)');
    } else effSsid = 0;
  } else {
    if (ssid >= 2 ** s1.cdMax) return badSubstream(ctx, res, base, `SubstreamID ${hex(ssid)} >= 2^STE.S1CDMax (2^${s1.cdMax})`, dry);
    if (ssid === 0 && s1.dss === 2) {
      // IHI 0070 §5.2 STE.S1DSS == 0b10: a transaction that selects Substream 0 is terminated and F_STREAM_DISABLED recorded.
      const ev = ctx.makeEvent('F_STREAM_DISABLED', base, 'SubstreamID 0 with STE.S1DSS == 0b10 (substream 0 is reserved for non-substream traffic) (IHI 0070 §5.2)');
      emit(ctx, ev, dry);
      addEvent(res, ev);
      return done(res, 'fault', 'F_STREAM_DISABLED: SubstreamID 0 with STE.S1DSS == 0b10');
    }
    effSsid = ssid;
  }

  const regime: S1Regime = s1.strw === 2 ? (ctx.e2h() ? 'el2-e2h' : 'el2') : 'el1';
  let cd: CdConfig;
  const cdHit = dry ? ctx.configCache.peekCd(sid, effSsid) : ctx.configCache.getCd(sid, effSsid);
  if (cdHit) {
    cd = cdHit.value;
    res.cd = cdHit.view ??= { addr: cdHit.addr, raw: cdHit.raw, fields: cd.fields, config: cd, cacheId: cdHit.id };
    useConfig(res, cdHit.id);
  } else {
    if (res.configCache === 'hit') res.configCache = 'miss';
    const got = fetchCd(ctx, res, base, ste, effSsid, dry);
    if (!got) return res;
    const chk = interpretCd(got.raw, f, regime);
    if (!chk.ok) {
      res.cd = { addr: got.addr, raw: got.raw, fields: chk.fields };
      const ev = ctx.makeEvent('C_BAD_CD', base, `${chk.rule.message} (${chk.rule.spec})`);
      ev.rule = chk.rule;
      emit(ctx, ev, dry);
      addEvent(res, ev);
      return done(res, 'fault', `C_BAD_CD: ${chk.rule.message}`);
    }
    // IHI 0070 §5.4.2: CD.S == 1 with STE.S1STALLD == 1 is ILLEGAL (stall disabled for the stream).
    if (chk.config.stall && s1.stalld) {
      res.cd = { addr: got.addr, raw: got.raw, fields: chk.config.fields };
      const ev = ctx.makeEvent('C_BAD_CD', base, 'CD.S == 1 but STE.S1STALLD == 1 (IHI 0070 §5.4.2)');
      ev.rule = { field: 'CD.S', message: 'CD.S == 1 but STE.S1STALLD == 1', spec: 'IHI 0070 §5.4.2' };
      emit(ctx, ev, dry);
      addEvent(res, ev);
      return done(res, 'fault', 'C_BAD_CD: CD.S == 1 but STE.S1STALLD == 1');
    }
    cd = chk.config;
    res.cd = { addr: got.addr, raw: got.raw, fields: cd.fields, config: cd };
    if (!dry) {
      const { entry } = ctx.configCache.putCd(sid, effSsid, got.addr, got.raw, cd, ctx.step);
      res.cd.cacheId = entry.id;
      useConfig(res, entry.id);
    }
  }

  // ---- TLB ----
  // Stage-1-only streams are tagged with STE.S2VMID when stage 2 is implemented (IHI 0070 §5.2 STE.S2VMID).
  const vmid = ste.s2 ? ste.s2.vmid : ste.tlbVmid ?? (f.stage2 ? Number(ste.fields.S2VMID) : 0);
  const nested = ste.mode === 'nested';
  const tregime: TlbRegime = regime === 'el1' ? 'nsel1' : regime;
  const w = cd.walk;
  const va = w.tt0.tbi || w.tt1?.tbi ? s1Canonical(w, iova) : iova;
  const hit = dry ? ctx.tlb.peek(tregime, vmid, cd.asid, va) : ctx.tlb.lookup(tregime, vmid, cd.asid, va);
  if (hit) {
    if (detectsTlbConflicts(f)) {
      const all = ctx.tlb.lookupAll(tregime, vmid, cd.asid, va);
      if (all.length > 1) return tlbConflict(ctx, res, base, all, undefined, dry);
    }
    res.tlb = 'hit';
    res.tlbEntry = hit;
    useTlb(res, hit.id);
    const p1 = hit.s1Perms ?? hit.perms;
    if (!permits(p1, access)) {
      if (hit.attrs.dbm && writeAccess(access)) {
        // A write to a clean DBM page: the walk must set the dirty state (IHI 0070 §3.13). Re-walk.
        if (!dry) ctx.tlb.remove(hit.id);
      } else {
        const fault = permFault(1, 'IN', iova, 'permission denied by the cached stage-1 translation (TLB hit)', hit.level);
        return walkFault(ctx, res, base, fault, ste, cd, dry);
      }
    } else if (hit.s2Perms && !permits(hit.s2Perms, access)) {
      if (hit.s2Attrs?.dbm && writeAccess(access)) {
        if (!dry) ctx.tlb.remove(hit.id);
      } else {
        const ipa = hit.ipaBase! + (va - hit.inputBase);
        const fault = permFault(2, 'IN', ipa, 'permission denied by the cached stage-2 translation (TLB hit)', hit.level);
        return walkFault(ctx, res, base, fault, ste, cd, dry);
      }
    } else {
      res.pa = hit.outputBase + (va & (OFFSET_MASK[hit.blockShift]));
      res.perms = hit.perms;
      res.attrs = hit.attrs;
      res.blockShift = hit.blockShift;
      return done(res, 'ok');
    }
  }
  res.tlb = 'miss';

  // ---- walks ----
  const fetch = nested ? nestedFetch(ste.s2!.walk, ctx.mem, dry) : plainFetch(ctx.mem);
  const r1 = s1Walk(cd.walk, iova, access, fetch, ctx.mem, dry);
  walksOf(res).stage1 = r1.trace;
  collectDescs(res, r1.trace);
  if (!r1.ok) return walkFault(ctx, res, base, r1.fault, ste, cd, dry);
  if (r1.updates) res.httu = r1.updates;
  let out = r1.result;
  let s2res: StageResult | undefined;
  if (nested) {
    const r2 = s2Walk(ste.s2!.walk, r1.result.outputAddr, access, ctx.mem, 'IN', dry);
    walksOf(res).stage2 = r2.trace;
    collectDescs(res, r2.trace);
    if (!r2.ok) return walkFault(ctx, res, base, r2.fault, ste, cd, dry);
    if (r2.updates) res.httu = [...(res.httu ?? []), ...r2.updates];
    s2res = r2.result;
    out = r2.result;
  }
  res.pa = out.outputAddr;
  res.perms = s2res ? intersect(r1.result.perms, s2res.perms) : r1.result.perms; // nested: both stages must allow
  res.attrs = out.attrs;
  res.blockShift = s2res ? Math.min(r1.result.blockShift, s2res.blockShift) : r1.result.blockShift;
  if (!dry) {
    if (f.bbml === 1 && (r1.result.attrs.nT || s2res?.attrs.nT)) return done(res, 'ok', NT_NOT_CACHED);
    const tags = { regime: tregime, vmid, asid: cd.asid };
    const g = r1.trace?.granule ?? 4;
    const ins = s2res ? nestedEntry(r1.result, s2res, tags, g) : s1Entry(r1.result, tags, g);
    const e = ctx.tlb.insert(ins, ctx.step).entry;
    res.tlbEntry = e;
    useTlb(res, e.id);
  }
  return done(res, 'ok');
}

function stage2Only(
  ctx: PipelineCtx, res: TransactionResult, base: EventInfo, ste: SteConfig, ipa: bigint, access: Access, dry: boolean, why = '',
): TransactionResult {
  const s2 = ste.s2!;
  const f = ctx.features;
  const hit = dry ? ctx.tlb.peekS2(s2.vmid, ipa) : ctx.tlb.lookupS2(s2.vmid, ipa);
  if (hit) {
    if (detectsTlbConflicts(f)) {
      const all = ctx.tlb.lookupAllS2(s2.vmid, ipa);
      if (all.length > 1) return tlbConflict(ctx, res, base, all, ipa, dry);
    }
    res.tlb = 'hit';
    res.tlbEntry = hit;
    useTlb(res, hit.id);
    if (permits(hit.perms, access)) {
      res.pa = hit.outputBase + (ipa & (OFFSET_MASK[hit.blockShift]));
      res.perms = hit.perms;
      res.attrs = hit.attrs;
      res.blockShift = hit.blockShift;
      return done(res, 'ok', why || undefined);
    }
    if (!(hit.attrs.dbm && writeAccess(access))) {
      return walkFault(ctx, res, base, permFault(2, 'IN', ipa, 'permission denied by the cached stage-2 translation (TLB hit)', hit.level), ste, undefined, dry);
    }
    // Clean DBM page written: re-walk to set the dirty state (IHI 0070 §3.13).
    if (!dry) ctx.tlb.remove(hit.id);
  }
  res.tlb = 'miss';
  const r2 = s2Walk(s2.walk, ipa, access, ctx.mem, 'IN', dry);
  walksOf(res).stage2 = r2.trace;
  collectDescs(res, r2.trace);
  if (!r2.ok) return walkFault(ctx, res, base, r2.fault, ste, undefined, dry);
  if (r2.updates) res.httu = r2.updates;
  res.pa = r2.result.outputAddr;
  res.perms = r2.result.perms;
  res.attrs = r2.result.attrs;
  res.blockShift = r2.result.blockShift;
  if (!dry) {
    if (f.bbml === 1 && r2.result.attrs.nT) return done(res, 'ok', why + NT_NOT_CACHED);
    const e = ctx.tlb.insert(s2Entry(r2.result, s2.vmid, s2.walk.granule), ctx.step).entry;
    res.tlbEntry = e;
    useTlb(res, e.id);
  }
  return done(res, 'ok', why || undefined);
}

/** Fetch the CD for `ssid` (linear or 2-level, through stage 2 under nesting: CLASS=CD). */
function fetchCd(
  ctx: PipelineCtx, res: TransactionResult, base: EventInfo, ste: SteConfig, ssid: number, dry: boolean,
): { addr: bigint; raw: bigint[] } | undefined {
  const s1 = ste.s1!;
  const nested = ste.mode === 'nested';
  // Under nesting, S1ContextPtr and L1CD.L2Ptr are IPAs: every fetch goes through stage 2 (IHI 0070 §3.4).
  const oas = BigInt(ctx.features.oas);
  const toPa = (ipa: bigint): bigint | undefined => {
    if (!nested) {
      // A CD/L1CD fetch beyond the implemented PA range cannot complete: F_CD_FETCH (IHI 0070 §7.3).
      if (ipa >> oas !== 0n) {
        fetchFault(ctx, res, base, 'F_CD_FETCH', ipa, `CD table address ${hex(ipa)} is beyond the ${ctx.features.oas}-bit OAS`, dry);
        return undefined;
      }
      return ipa;
    }
    const r = s2Walk(ste.s2!.walk, ipa, { read: true, exec: false, priv: true }, ctx.mem, 'CD', dry);
    (walksOf(res).cdFetch ??= []).push(r.trace!);
    collectDescs(res, r.trace);
    if (!r.ok) {
      walkFault(ctx, res, base, r.fault, ste, undefined, dry);
      return undefined;
    }
    return r.result.outputAddr;
  };
  const loc = locateCd(ctx.mem, s1, ssid, (addr, what) => {
    const pa = toPa(addr);
    if (pa === undefined) return undefined;
    useDesc(res, pa);
    // IHI 0070 §7.3.10: an L1CD or CD fetch that aborts is F_CD_FETCH.
    return fetchAborted(ctx, res, base, 'F_CD_FETCH', pa, what === 'CD' ? 64 : 8, what, dry) ? undefined : pa;
  });
  if (!loc) return undefined;
  if (!loc.ok) {
    badSubstream(ctx, res, base, loc.reason, dry);
    return undefined;
  }
  const cdPa = loc.addr;
  return { addr: cdPa, raw: readStruct(ctx.mem, cdPa, 8) };
}

/** F_STE_FETCH / F_CD_FETCH: a configuration fetch that cannot complete; always recorded. */
function fetchFault(
  ctx: PipelineCtx, res: TransactionResult, base: EventInfo, type: 'F_STE_FETCH' | 'F_CD_FETCH', addr: bigint, why: string, dry: boolean,
): TransactionResult {
  const ev = ctx.makeEvent(type, { sid: base.sid, ssid: base.ssid, fetchAddr: addr }, why);
  emit(ctx, ev, dry);
  addEvent(res, ev);
  return done(res, 'fault', `${type}: ${why}`);
}

/**
 * An SMMU read of `len` bytes at `pa` that hits a declared external-abort range: F_STE_FETCH /
 * F_CD_FETCH is raised (true), or nothing happens (false).
 */
function fetchAborted(
  ctx: PipelineCtx, res: TransactionResult, base: EventInfo, type: 'F_STE_FETCH' | 'F_CD_FETCH', pa: bigint, len: number, what: string, dry: boolean,
): boolean {
  if (!ctx.mem.hasAborts || pa >= PA_LIMIT || !ctx.mem.abortsAt(Number(pa), len)) return false;
  fetchFault(ctx, res, base, type, pa, `external abort fetching the ${what} at ${hex(pa)}`, dry);
  return true;
}


function badStreamId(ctx: PipelineCtx, res: TransactionResult, base: EventInfo, why: string, dry: boolean): TransactionResult {
  const ev = ctx.makeEvent('C_BAD_STREAMID', base, why);
  if (ctx.recInvSid()) emit(ctx, ev, dry);
  else ev.notRecordedBecause = 'SMMU_CR2.RECINVSID == 0';
  addEvent(res, ev);
  return done(res, 'fault', `C_BAD_STREAMID: ${why}`);
}

function badSubstream(ctx: PipelineCtx, res: TransactionResult, base: EventInfo, why: string, dry: boolean): TransactionResult {
  const ev = ctx.makeEvent('C_BAD_SUBSTREAMID', base, `${why} (IHI 0070 §5.2)`);
  emit(ctx, ev, dry);
  addEvent(res, ev);
  return done(res, 'fault', `C_BAD_SUBSTREAMID: ${why}`);
}

const NT_NOT_CACHED = 'not cached: Block descriptor with nT == 1 (SMMU_IDR3.BBML == 1, IHI 0070 §3.21.1.2)';

/**
 * A lookup that matched more than one TLB entry, detected (IHI 0070 §3.20.1): the transaction is aborted
 * and F_TLB_CONFLICT recorded (not a translation fault: CD.R/STE.S2R and stalling do not apply, §7.3.17).
 * `ipa` is given for stage-2 entries (S2 == 1).
 */
function tlbConflict(
  ctx: PipelineCtx, res: TransactionResult, base: EventInfo, entries: TlbEntry[], ipa: bigint | undefined, dry: boolean,
): TransactionResult {
  res.tlb = 'hit';
  for (const e of entries) useTlb(res, e.id);
  const list = entries.map((e) => `#${e.id} (${sizeName(e.blockShift)} ${e.level < 3 ? 'block' : 'page'} at ${hex(e.inputBase)}${e.kind === 's2' ? '' : e.global ? ', global' : `, ASID ${e.asid}`})`).join(', ');
  const info: EventInfo = { sid: base.sid, ssid: base.ssid, iova: base.iova, access: base.access, s2: ipa !== undefined, ipa, reasonCode: BigInt(entries.length) };
  const ev = ctx.makeEvent('F_TLB_CONFLICT', info, `${entries.length} TLB entries match: ${list}; a translation changed (block size, or nG) without break-before-make (IHI 0070 §3.20.1, §3.21.1)`);
  emit(ctx, ev, dry);
  addEvent(res, ev);
  return done(res, 'fault', `F_TLB_CONFLICT: ${entries.length} TLB entries match (${list})`);
}

/** A lookup that matched several cached STEs that differ (STE.CONT spans), detected: abort, F_CFG_CONFLICT (IHI 0070 §3.20.2, §7.3.18). */
function cfgConflict(
  ctx: PipelineCtx, res: TransactionResult, base: EventInfo, entries: Array<{ id: number; sid: number; span: number; spanBase: number }>, dry: boolean,
): TransactionResult {
  res.configCache = 'hit';
  for (const e of entries) useConfig(res, e.id);
  const list = entries.map((e) => `#${e.id} (STE of StreamID ${hex(e.sid)}${e.span > 0 ? `, STE.CONT ${e.span}: StreamIDs ${hex(e.spanBase)}-${hex(e.spanBase + 2 ** e.span - 1)}` : ''})`).join(', ');
  const ev = ctx.makeEvent('F_CFG_CONFLICT', { sid: base.sid, ssid: base.ssid, reasonCode: BigInt(entries.length) },
    `${entries.length} cached STEs match and are not identical: ${list} (IHI 0070 §3.20.2, §5.2 STE.CONT)`);
  emit(ctx, ev, dry);
  addEvent(res, ev);
  return done(res, 'fault', `F_CFG_CONFLICT: StreamID ${hex(base.sid)} matches ${entries.length} cached STEs that differ (${list})`);
}

function writeAccess(a: Access): boolean {
  return !a.read && !a.exec;
}

function permFault(stage: 1 | 2, cls: FaultClass, addr: bigint, reason: string, level: number): WalkFault {
  const f: WalkFault = { kind: 'F_PERMISSION', stage, level, class: cls, inputAddr: addr, reason };
  if (stage === 2) f.ipa = addr;
  return f;
}

/**
 * A translation fault -> its event record, recorded/terminated/stalled per CD.R/CD.S (stage 1)
 * or STE.S2R/STE.S2S (stage 2) (IHI 0070 §5.5; events §7.3).
 * A stall event is always recorded (the stall cannot be resumed otherwise).
 */
function walkFault(
  ctx: PipelineCtx, res: TransactionResult, base: EventInfo, fault: WalkFault, ste: SteConfig, cd: CdConfig | undefined, dry: boolean,
): TransactionResult {
  const s2 = fault.stage === 2;
  // CD.R/CD.S and STE.S2R/S2S govern the translation-related faults only (IHI 0070 §3.12): an
  // external abort on a walk (F_WALK_EABT) is always recorded and terminates.
  const stallable = fault.kind !== 'F_WALK_EABT';
  const record = !stallable || (s2 ? ste.s2?.record ?? false : cd?.record ?? false);
  const stall = stallable && (s2 ? ste.s2?.stall ?? false : cd?.stall ?? false);
  const info: EventInfo = {
    sid: base.sid, ssid: base.ssid, iova: base.iova, access: base.access,
    s2, class: fault.class, ipa: s2 ? fault.ipa : undefined, fetchAddr: fault.fetchAddr,
  };
  if (stall) {
    info.stall = true;
    info.stag = dry ? 0 : ctx.nextStag();
  }
  const ev = ctx.makeEvent(fault.kind as EventType, info, `${fault.reason} (stage ${fault.stage}, level ${fault.level}, CLASS=${fault.class})`);
  if (record || stall) emit(ctx, ev, dry);
  else ev.notRecordedBecause = s2 ? 'STE.S2R == 0' : 'CD.R == 0';
  addEvent(res, ev);
  if (stall && !dry && ev.recorded) {
    res.stag = info.stag;
    ctx.stall(res, ev);
    return done(res, 'stalled', `${fault.kind} stalled (${s2 ? 'STE.S2S' : 'CD.S'} == 1), STAG ${hex(info.stag!)}`);
  }
  return done(res, 'fault', `${fault.kind}: ${fault.reason}`);
}

function emit(ctx: PipelineCtx, ev: EventRecord, dry: boolean): void {
  if (dry) ev.notRecordedBecause = 'dry run';
  else ctx.recordEvent(ev);
}

function collectDescs(res: TransactionResult, t: WalkTrace | undefined): void {
  if (!t) return;
  for (const s of t.steps) {
    if (s.s2Walk) collectDescs(res, s.s2Walk);
    useDesc(res, s.descPa);
  }
}

function done(res: TransactionResult, outcome: TransactionResult['outcome'], reason?: string): TransactionResult {
  res.outcome = outcome;
  if (reason !== undefined) res.reason = reason;
  return res;
}

export type { StageRun, TlbEntryInfo, TlbEntry, Perms };
