// Pipeline stage: a stage-2-only translation (STE.Config == 0b110, or nested with stage 1 bypassed):
// the TLB lookup by VMID and IPA, the stage-2 walk and the TLB fill (IHI 0070 §3.17, §3.21).

import type { Access } from '../../types';
import { detectsTlbConflicts } from '../features';
import type { SteConfig } from '../ste';
import type { TransactionResult } from '../result';
import { permits } from '../perms';
import { s2Walk } from '../walkPort';
import { s2Entry } from '../../tlb/fromWalk';
import type { PipelineCtx } from './ctx';
import { blockAddr, collectDescs, done, useTlb, walksOf } from './record';
import { permFault, tlbConflict, walkFault, writeAccess } from './faults';

export const NT_NOT_CACHED = 'not cached: Block descriptor with nT == 1 (SMMU_IDR3.BBML == 1, IHI 0070 §3.21.1.2)';

export function stage2Only(
  ctx: PipelineCtx, res: TransactionResult, ste: SteConfig, ipa: bigint, access: Access, dry: boolean, why = '',
): TransactionResult {
  const s2 = ste.s2!;
  const f = ctx.features;
  const hit = dry ? ctx.tlb.peekS2(s2.vmid, ipa) : ctx.tlb.lookupS2(s2.vmid, ipa);
  if (hit) {
    if (detectsTlbConflicts(f)) {
      const all = ctx.tlb.lookupAllS2(s2.vmid, ipa);
      if (all.length > 1) return tlbConflict(ctx, res, all, ipa, dry);
    }
    res.tlb = 'hit';
    res.tlbEntry = hit;
    useTlb(res, hit.id);
    if (permits(hit.perms, access)) {
      res.pa = blockAddr(hit.outputBase, ipa, hit.blockShift);
      res.perms = hit.perms;
      res.attrs = hit.attrs;
      res.blockShift = hit.blockShift;
      return done(res, 'ok', why || undefined);
    }
    if (!(hit.attrs.dbm && writeAccess(access))) {
      return walkFault(ctx, res, permFault(2, 'IN', ipa, 'permission denied by the cached stage-2 translation (TLB hit)', hit.level), ste, undefined, dry);
    }
    // Clean DBM page written: re-walk to set the dirty state (IHI 0070 §3.13).
    if (!dry) ctx.tlb.remove(hit.id);
  }
  res.tlb = 'miss';
  const r2 = s2Walk(s2.walk, ipa, access, ctx.mem, 'IN', dry);
  walksOf(res).stage2 = r2.trace;
  collectDescs(res, r2.trace);
  if (!r2.ok) return walkFault(ctx, res, r2.fault, ste, undefined, dry);
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
