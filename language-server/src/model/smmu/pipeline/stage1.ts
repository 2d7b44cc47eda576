// Pipeline stage: a stage-1 or nested translation: the TLB lookup by regime, VMID, ASID and VA (with
// the permission check of a hit and the DBM re-walk), the stage-1 walk (its table fetches through
// stage 2 when nested), the stage-2 walk of its output, and the TLB fill (IHI 0070 §3.17, §3.21).

import type { Access, StageResult } from '../../types';
import type { S1Regime } from '../../walk/config';
import { detectsTlbConflicts } from '../features';
import type { SteConfig } from '../ste';
import type { CdConfig } from '../cd';
import type { TransactionResult } from '../result';
import { intersect, permits } from '../perms';
import { s1Walk, s2Walk, nestedFetch, plainFetch } from '../walkPort';
import type { TlbRegime } from '../../tlb/types';
import { s1Entry, nestedEntry } from '../../tlb/fromWalk';
import { s1Canonical } from '../../walk/stage1';
import type { PipelineCtx } from './ctx';
import { blockAddr, collectDescs, done, useTlb, walksOf } from './record';
import { permFault, tlbConflict, walkFault, writeAccess } from './faults';
import { NT_NOT_CACHED } from './stage2';

export function stage1(
  ctx: PipelineCtx, res: TransactionResult, ste: SteConfig, cd: CdConfig, regime: S1Regime, iova: bigint, access: Access, dry: boolean,
): TransactionResult {
  const f = ctx.features;
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
      if (all.length > 1) return tlbConflict(ctx, res, all, undefined, dry);
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
        return walkFault(ctx, res, fault, ste, cd, dry);
      }
    } else if (hit.s2Perms && !permits(hit.s2Perms, access)) {
      if (hit.s2Attrs?.dbm && writeAccess(access)) {
        if (!dry) ctx.tlb.remove(hit.id);
      } else {
        const ipa = hit.ipaBase! + (va - hit.inputBase);
        const fault = permFault(2, 'IN', ipa, 'permission denied by the cached stage-2 translation (TLB hit)', hit.level);
        return walkFault(ctx, res, fault, ste, cd, dry);
      }
    } else {
      res.pa = blockAddr(hit.outputBase, va, hit.blockShift);
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
  if (!r1.ok) return walkFault(ctx, res, r1.fault, ste, cd, dry);
  if (r1.updates) res.httu = r1.updates;
  let out = r1.result;
  let s2res: StageResult | undefined;
  if (nested) {
    const r2 = s2Walk(ste.s2!.walk, r1.result.outputAddr, access, ctx.mem, 'IN', dry);
    walksOf(res).stage2 = r2.trace;
    collectDescs(res, r2.trace);
    if (!r2.ok) return walkFault(ctx, res, r2.fault, ste, cd, dry);
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
    const tags = { regime: tregime, vmid, asid: cd.asid, aset: cd.aset };
    const g = r1.trace?.granule ?? 4;
    const ins = s2res ? nestedEntry(r1.result, s2res, tags, g) : s1Entry(r1.result, tags, g);
    const e = ctx.tlb.insert(ins, ctx.step).entry;
    res.tlbEntry = e;
    useTlb(res, e.id);
  }
  return done(res, 'ok');
}
