// Pipeline stage: the StreamID and its STE (IHI 0070 §3.3, §5.2): range check, the configuration
// cache (STE.CONT conflicts), the fetch from the Stream table and the STE's validation.

import type { SteConfig } from '../ste';
import { interpretSte } from '../ste';
import { locateSte, readStruct } from '../tables';
import type { TransactionResult } from '../result';
import type { PipelineCtx } from './ctx';
import { useConfig, useDesc } from './record';
import { badConfig, badStreamId, cfgConflict, fetchAborted, fetchFault } from './faults';
import { hex } from '../../bits';

/** The STE of the transaction's StreamID, or undefined when `res` is complete (a fault). */
export function steOf(ctx: PipelineCtx, res: TransactionResult, sid: number, dry: boolean): SteConfig | undefined {
  const f = ctx.features;
  // ---- StreamID range (IHI 0070 §3.3.2, §6.3.24): StreamID >= 2^LOG2SIZE (or beyond SMMU_IDR1.SIDSIZE)
  // -> C_BAD_STREAMID, recorded only when SMMU_CR2.RECINVSID == 1 (IHI 0070 §6.3.12). ----
  const t = ctx.streamTable();
  if (sid >= (t.log2size < 31 ? 1 << t.log2size : 2 ** t.log2size)) {
    badStreamId(ctx, res, `StreamID ${hex(sid)} >= 2^SMMU_STRTAB_BASE_CFG.LOG2SIZE (2^${t.log2size})`, dry);
    return undefined;
  }
  res.configCache = 'miss';
  // IHI 0070 §3.20.2: a lookup that matches several cached STEs that differ (overlapping STE.CONT spans).
  const clash = f.cfgConflict === 'detect' ? ctx.configCache.steConflict(sid) : undefined;
  if (clash) {
    cfgConflict(ctx, res, clash, dry);
    return undefined;
  }
  const cached = dry ? ctx.configCache.peekSte(sid) : ctx.configCache.getSte(sid);
  if (cached) {
    res.configCache = 'hit';
    const ste = cached.value;
    res.ste = cached.view ??= { addr: cached.addr, raw: cached.raw, fields: ste.fields, config: ste, cacheId: cached.id };
    useConfig(res, cached.id);
    return ste;
  }
  const loc = locateSte(ctx.mem, t, sid);
  if (loc.l1Addr !== undefined) useDesc(res, loc.l1Addr);
  // IHI 0070 §7.3.4: an L1STD or STE fetch that aborts is F_STE_FETCH.
  if (loc.l1Addr !== undefined && fetchAborted(ctx, res, 'F_STE_FETCH', loc.l1Addr, 8, 'L1STD', dry)) return undefined;
  if (!loc.ok) {
    badStreamId(ctx, res, loc.reason, dry);
    return undefined;
  }
  // A fetch beyond the implemented PA range cannot complete: F_STE_FETCH (IHI 0070 §7.3).
  if (loc.addr >> BigInt(f.oas) !== 0n) {
    fetchFault(ctx, res, 'F_STE_FETCH', loc.addr, `STE address ${hex(loc.addr)} is beyond the ${f.oas}-bit OAS`, dry);
    return undefined;
  }
  if (fetchAborted(ctx, res, 'F_STE_FETCH', loc.addr, 64, 'STE', dry)) return undefined;
  const raw = readStruct(ctx.mem, loc.addr, 8);
  useDesc(res, loc.addr);
  const chk = interpretSte(raw, f);
  if (!chk.ok) {
    res.ste = { addr: loc.addr, raw, fields: chk.fields };
    badConfig(ctx, res, 'C_BAD_STE', chk.rule, dry);
    return undefined;
  }
  const ste = chk.config;
  res.ste = { addr: loc.addr, raw, fields: ste.fields, config: ste };
  if (!dry) {
    // IHI 0070 §5.2 STE.CONT: one entry for the aligned span, capped by the Stream table (or the level-2 array).
    const cont = f.steCont === 'honour' ? Math.min(Number(ste.fields.CONT ?? 0n), loc.l2Log2 ?? t.log2size) : 0;
    const { entry } = ctx.configCache.putSte(sid, loc.addr, raw, ste, ctx.step, cont);
    res.ste.cacheId = entry.id;
    useConfig(res, entry.id);
  }
  return ste;
}
