// The transaction pipeline (IHI 0070 §3.2 "operation overview"): SMMUEN/GBPA, StreamID and STE
// (pipeline/steStage.ts), SubstreamID and CD (pipeline/cdStage.ts), TLB lookup and stage 1 / nested
// walks (pipeline/stage1.ts) or stage 2 alone (pipeline/stage2.ts); a fault becomes an event record,
// recorded / terminated / stalled, through the one exit in pipeline/faults.ts. A DMA longer than one
// region is translated region by region.

import type { Access, Perms } from '../types';
import type { S1Regime } from '../walk/config';
import type { TransactionResult, TranslateRequest, TlbEntryInfo } from './result';
import type { StageRun } from './walkPort';
import type { TlbEntry } from '../tlb/types';
import type { PipelineCtx, TranslateOptions } from './pipeline/ctx';
import { OFFSET_MASK, done, inOneBlock, newResult } from './pipeline/record';
import { steOf } from './pipeline/steStage';
import { cdOf, substreamOf } from './pipeline/cdStage';
import { badSubstream } from './pipeline/faults';
import { stage1 } from './pipeline/stage1';
import { stage2Only } from './pipeline/stage2';

export type { PipelineCtx, TranslateOptions } from './pipeline/ctx';

const ADDR_END = 1n << 64n;
const NO_OPTS: TranslateOptions = {};

/** Translate a DMA of `len` bytes: per mapped region; the first fault ends the DMA. */
export function translate(ctx: PipelineCtx, req: TranslateRequest, opts: TranslateOptions = NO_OPTS): TransactionResult {
  const len = req.len ?? 1n;
  const first = translateOne(ctx, req.sid, req.ssid, req.iova, req.access, opts);
  if (len <= 1n || (first.outcome !== 'ok' && first.outcome !== 'bypass')) return first;
  // Most DMAs lie inside their first region (a bypass covers all of the address space).
  if (first.outcome === 'bypass' || inOneBlock(req.iova, len, regionShift(first))) return first;
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
  return (addr | OFFSET_MASK[regionShift(r)]) + 1n; // = ((addr >> shift) + 1) << shift, two BigInt operations fewer
}

/** log2 of the region a translation covers: its TLB entry's, else its walk's (4K when neither says). */
function regionShift(r: TransactionResult): number {
  return r.tlbEntry ? r.tlbEntry.blockShift : r.blockShift ?? 12;
}

/** Translate one address: the pipeline's stages in order; each either continues or completes `res`. */
function translateOne(
  ctx: PipelineCtx, sidIn: bigint | number, ssid: number | undefined, iova: bigint, access: Access, opts: TranslateOptions,
): TransactionResult {
  const dry = opts.dryRun === true;
  const sid = Number(sidIn);
  const res = newResult(sid, ssid, iova, access);

  // IHI 0070 §6.3.14 SMMU_GBPA: with SMMU_CR0.SMMUEN == 0, transactions bypass or abort per GBPA.ABORT.
  if (!ctx.smmuEnabled()) {
    if (ctx.gbpaAbort()) return done(res, 'aborted', 'SMMU_CR0.SMMUEN == 0 and SMMU_GBPA.ABORT == 1: aborted, no event (IHI 0070 §6.3.14)');
    res.pa = iova;
    return done(res, 'bypass', 'SMMU_CR0.SMMUEN == 0 and SMMU_GBPA.ABORT == 0: global bypass (IHI 0070 §6.3.14)');
  }

  const ste = steOf(ctx, res, sid, dry);
  if (!ste) return res;

  // IHI 0070 §5.2 STE.Config == 0b0xx: abort, no event.
  if (ste.mode === 'abort') return done(res, 'aborted', `STE.Config == 0b${Number(ste.fields.Config).toString(2).padStart(3, '0')}: abort, no event (IHI 0070 §5.2)`);

  // A SubstreamID is only usable with stage 1 and S1CDMax != 0 (IHI 0070 §3.9, §5.2 STE.S1CDMax).
  if (ssid !== undefined && (!ste.s1 || ste.s1.cdMax === 0)) {
    const why = !ste.s1 ? 'a transaction with a SubstreamID on a stream without stage 1' : 'a transaction with a SubstreamID but STE.S1CDMax == 0 (substreams disabled)';
    return badSubstream(ctx, res, why, dry);
  }

  if (ste.mode === 'bypass') {
    res.pa = iova;
    return done(res, 'bypass', 'STE.Config == 0b100: bypass (IHI 0070 §5.2)');
  }

  if (ste.mode === 's2') return stage2Only(ctx, res, ste, iova, access, dry);

  const effSsid = substreamOf(ctx, res, ste, ssid, iova, access, dry);
  if (effSsid === undefined) return res;
  const regime: S1Regime = ste.s1!.strw === 2 ? (ctx.e2h() ? 'el2-e2h' : 'el2') : 'el1';
  const cd = cdOf(ctx, res, ste, effSsid, regime, dry);
  if (!cd) return res;
  return stage1(ctx, res, ste, cd, regime, iova, access, dry);
}

export type { StageRun, TlbEntryInfo, TlbEntry, Perms };
