// Commands replayed on shadow structures with the instance's own `executeCommand` (IHI 0070 §4), so
// that what an invalidation covers (TLBI VMID/ASID/VA/range matching, CFGI ranges, ATC_INV SSV/Global/
// Size) is decided by the model's code and nothing else.

import { executeCommand, type CommandCtx, type CommandResult } from '../smmu/commands';
import type { ConfigCache, ConfigCacheEntry } from '../smmu/configCache';
import type { Atc } from '../smmu/ats';
import { Tlb } from '../tlb/tlb';
import type { SmmuCtx } from './shadow';

export interface ShadowTargets {
  tlb?: Tlb;
  config?: ConfigCache<unknown, unknown>;
  atc?: Atc;
}

const none = (): ConfigCacheEntry<unknown>[] => [];

/** Run `c` again on `s`'s shadow structures; returns what it removed from them. */
export function replay(s: SmmuCtx, c: Pick<CommandResult, 'raw' | 'index'>, to: ShadowTargets): CommandResult {
  const cfg = to.config;
  const atc = to.atc;
  const ctx: CommandCtx = {
    features: s.inst.features,
    tlb: to.tlb ?? new Tlb({ capacity: 1, policy: 'fifo' }),
    // CMD_CFGI_STE counts for the STEs only: the analysis does not rely on the model dropping the CDs
    // cached through them.
    invalidateSteRange: cfg ? (lo, hi) => cfg.invalidateSteRange(lo, hi) : none,
    invalidateCds: cfg ? (sid, ssid) => cfg.invalidateCds(sid, ssid) : none,
    invalidateAllConfig: cfg ? () => cfg.clear() : none,
    atcInvalidate: atc ? (sid, ssid, global, addr, size) => atc.invalidate(sid, ssid, global, addr, size) : undefined,
    resume: () => undefined,
    stallTerm: () => 0,
  };
  return executeCommand(ctx, c.raw, c.index);
}
