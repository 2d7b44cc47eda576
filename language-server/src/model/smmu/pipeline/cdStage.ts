// Pipeline stage: the SubstreamID and its CD (IHI 0070 §3.9, §5.2 STE.S1DSS/S1CDMax, §5.4): which
// substream a transaction uses, the CD from the configuration cache or the CD table (through stage 2
// under nesting: CLASS=CD), and the CD's validation.

import type { Access } from '../../types';
import type { S1Regime } from '../../walk/config';
import type { SteConfig } from '../ste';
import { interpretCd, type CdConfig } from '../cd';
import { locateCd, readStruct } from '../tables';
import type { TransactionResult } from '../result';
import { s2Walk } from '../walkPort';
import type { PipelineCtx } from './ctx';
import { collectDescs, done, useConfig, useDesc, walksOf } from './record';
import { badConfig, badSubstream, fetchAborted, fetchFault, streamDisabled, walkFault } from './faults';
import { stage2Only } from './stage2';
import { hex } from '../../bits';

/**
 * The substream a stage-1 transaction uses (IHI 0070 §5.2 STE.S1DSS), or undefined when `res` is
 * complete (a fault, or stage 1 bypassed for non-substream traffic).
 */
export function substreamOf(
  ctx: PipelineCtx, res: TransactionResult, ste: SteConfig, ssid: number | undefined, iova: bigint, access: Access, dry: boolean,
): number | undefined {
  const s1 = ste.s1!;
  if (ssid === undefined) {
    if (s1.cdMax === 0) return 0;
    if (s1.dss === 0) {
      streamDisabled(ctx, res, 'no SubstreamID and STE.S1DSS == 0b00 (terminate) (IHI 0070 §5.2)', 'transaction without SubstreamID, STE.S1DSS == 0b00', dry);
      return undefined;
    }
    if (s1.dss === 1) {
      // Stage 1 bypassed for non-substream traffic.
      if (ste.mode === 'nested') stage2Only(ctx, res, ste, iova, access, dry, 'STE.S1DSS == 0b01: stage 1 bypassed; ');
      else {
        res.pa = iova;
        done(res, 'bypass', 'no SubstreamID and STE.S1DSS == 0b01: stage 1 bypassed (IHI 0070 §5.2)');
      }
      return undefined;
    }
    return 0;
  }
  if (ssid >= 2 ** s1.cdMax) {
    badSubstream(ctx, res, `SubstreamID ${hex(ssid)} >= 2^STE.S1CDMax (2^${s1.cdMax})`, dry);
    return undefined;
  }
  if (ssid === 0 && s1.dss === 2) {
    // IHI 0070 §5.2 STE.S1DSS == 0b10: a transaction that selects Substream 0 is terminated and F_STREAM_DISABLED recorded.
    streamDisabled(ctx, res, 'SubstreamID 0 with STE.S1DSS == 0b10 (substream 0 is reserved for non-substream traffic) (IHI 0070 §5.2)', 'SubstreamID 0 with STE.S1DSS == 0b10', dry);
    return undefined;
  }
  return ssid;
}

/** The CD of substream `ssid`, or undefined when `res` is complete (a fault). */
export function cdOf(ctx: PipelineCtx, res: TransactionResult, ste: SteConfig, ssid: number, regime: S1Regime, dry: boolean): CdConfig | undefined {
  const sid = res.sid;
  const cdHit = dry ? ctx.configCache.peekCd(sid, ssid) : ctx.configCache.getCd(sid, ssid);
  if (cdHit) {
    const cd = cdHit.value;
    res.cd = cdHit.view ??= { addr: cdHit.addr, raw: cdHit.raw, fields: cd.fields, config: cd, cacheId: cdHit.id };
    useConfig(res, cdHit.id);
    return cd;
  }
  if (res.configCache === 'hit') res.configCache = 'miss';
  const got = fetchCd(ctx, res, ste, ssid, dry);
  if (!got) return undefined;
  const chk = interpretCd(got.raw, ctx.features, regime);
  if (!chk.ok) {
    res.cd = { addr: got.addr, raw: got.raw, fields: chk.fields };
    badConfig(ctx, res, 'C_BAD_CD', chk.rule, dry);
    return undefined;
  }
  // IHI 0070 §5.4.2: CD.S == 1 with STE.S1STALLD == 1 is ILLEGAL (stall disabled for the stream).
  if (chk.config.stall && ste.s1!.stalld) {
    res.cd = { addr: got.addr, raw: got.raw, fields: chk.config.fields };
    badConfig(ctx, res, 'C_BAD_CD', { field: 'CD.S', message: 'CD.S == 1 but STE.S1STALLD == 1', spec: 'IHI 0070 §5.4.2' }, dry);
    return undefined;
  }
  const cd = chk.config;
  res.cd = { addr: got.addr, raw: got.raw, fields: cd.fields, config: cd };
  if (!dry) {
    const { entry } = ctx.configCache.putCd(sid, ssid, got.addr, got.raw, cd, ctx.step);
    res.cd.cacheId = entry.id;
    useConfig(res, entry.id);
  }
  return cd;
}

/** Fetch the CD for `ssid` (linear or 2-level, through stage 2 under nesting: CLASS=CD). */
function fetchCd(ctx: PipelineCtx, res: TransactionResult, ste: SteConfig, ssid: number, dry: boolean): { addr: bigint; raw: bigint[] } | undefined {
  const s1 = ste.s1!;
  const nested = ste.mode === 'nested';
  // Under nesting, S1ContextPtr and L1CD.L2Ptr are IPAs: every fetch goes through stage 2 (IHI 0070 §3.4).
  const oas = BigInt(ctx.features.oas);
  const toPa = (ipa: bigint): bigint | undefined => {
    if (!nested) {
      // A CD/L1CD fetch beyond the implemented PA range cannot complete: F_CD_FETCH (IHI 0070 §7.3).
      if (ipa >> oas !== 0n) {
        fetchFault(ctx, res, 'F_CD_FETCH', ipa, `CD table address ${hex(ipa)} is beyond the ${ctx.features.oas}-bit OAS`, dry);
        return undefined;
      }
      return ipa;
    }
    const r = s2Walk(ste.s2!.walk, ipa, { read: true, exec: false, priv: true }, ctx.mem, 'CD', dry);
    (walksOf(res).cdFetch ??= []).push(r.trace!);
    collectDescs(res, r.trace);
    if (!r.ok) {
      walkFault(ctx, res, r.fault, ste, undefined, dry);
      return undefined;
    }
    return r.result.outputAddr;
  };
  const loc = locateCd(ctx.mem, s1, ssid, (addr, what) => {
    const pa = toPa(addr);
    if (pa === undefined) return undefined;
    useDesc(res, pa);
    // IHI 0070 §7.3.10: an L1CD or CD fetch that aborts is F_CD_FETCH.
    return fetchAborted(ctx, res, 'F_CD_FETCH', pa, what === 'CD' ? 64 : 8, what, dry) ? undefined : pa;
  });
  if (!loc) return undefined;
  if (!loc.ok) {
    badSubstream(ctx, res, loc.reason, dry);
    return undefined;
  }
  return { addr: loc.addr, raw: readStruct(ctx.mem, loc.addr, 8) };
}
