// Shadowing (caching-mode) vIOMMUs: a device a shadowing VMM serves is translated through the
// shadow table, which the VMM updates only on the guest's invalidations (model/iommufd/shadow.ts).
// Where the shadow's answer and the guest's own tables disagree at a DMA, the guest changed a
// mapping (made it valid, changed or removed it) and issued no invalidation: under hardware
// nesting a walk would see the change (IHI 0070 §3.17: invalid entries are not cached), here the
// device really gets the old answer. H_SHADOW_STALE, at the DMA, with the guest's write.

import type { TransactionResult } from '../smmu/result';
import type { Access } from '../types';
import type { GuestTranslation } from '../iommufd/shadowTypes';
import { withSync, type NowOutcome } from './finding';
import type { HazardEnv, Shadow, SmmuCtx } from './shadow';

/** The guest's own answer for an access to a shadowed device, with the vSMMU behind the physical StreamID. */
export type ShadowedAccess = GuestTranslation & { vsmmu: string };

/** The shadowing vIOMMUs of a run, as the analysis sees them (the engine's VM layer implements it). */
export interface ShadowingView {
  /** Bumped when `tablePages` grows. */
  readonly serial: number;
  /** Host PAs of the guest table pages the VMMs' re-walks read (their writes are remembered). */
  tablePages(): Iterable<bigint>;
  /** The guest's answer when (smmu, sid, ssid) goes through a shadow a shadowing VMM keeps, else undefined. */
  access(smmu: string, sid: number, ssid: number | undefined, iova: bigint, access: Access): ShadowedAccess | undefined;
}

const FRAME = 12n;
const PAGE_MASK = ~0xfffn;

export class ShadowingCheck implements Shadow {
  /** Last software write step per word of a watched guest table page. */
  private readonly lastWrite = new Map<bigint, number>();
  private readonly frames = new Set<bigint>();
  private serial = -1;
  private readonly reports = new Map<string, number>();

  constructor(private readonly env: HazardEnv, private readonly source: { readonly shadowView?: ShadowingView }) {}

  private view(): ShadowingView | undefined {
    return this.source.shadowView;
  }

  get tracked(): number {
    return this.frames.size;
  }

  /** Watches the guest table pages the VMMs read so far (before the next step's writes happen). */
  endStep(): void {
    const v = this.view();
    if (!v || v.serial === this.serial) return;
    this.serial = v.serial;
    for (const pa of v.tablePages()) {
      if (this.frames.has(pa >> FRAME)) continue;
      this.frames.add(pa >> FRAME);
      this.env.watch.add(pa);
    }
  }

  written(addr: bigint, _now: bigint, byHardware: boolean): void {
    if (!byHardware && this.frames.has(addr >> FRAME)) this.lastWrite.set(addr, this.env.step);
  }

  page(s: SmmuCtx, _r: TransactionResult, p: TransactionResult): void {
    if (this.serial < 0) return; // no shadowing VMM has re-walked anything yet
    const g = this.view()?.access(s.name, p.sid, p.ssid, p.iova, p.access);
    if (!g) return;
    const hostOk = p.outcome === 'ok' && p.pa !== undefined;
    if (hostOk ? g.pa === p.pa : g.pa === undefined) return;
    const key = `${s.name}:${p.sid}:${p.ssid ?? '-'}:${p.iova & PAGE_MASK}`;
    const n = this.reports.get(key) ?? 0;
    if (n >= this.env.maxReports) return;
    this.reports.set(key, n + 1);
    const now: NowOutcome = hostOk ? { kind: 'pa', pa: p.pa! } : { kind: 'fault', event: p.events[0]?.type ?? p.outcome };
    const guest: NowOutcome = g.pa !== undefined ? { kind: 'pa', pa: g.pa } : { kind: 'fault', event: g.fault ?? 'fault' };
    const changedAt = g.desc !== undefined ? this.lastWrite.get(g.desc) : undefined;
    const fields: Record<string, bigint> = g.asid !== undefined
      ? { ASID: BigInt(g.asid), Address: p.iova & PAGE_MASK, Leaf: 1n }
      : { Address: p.iova & PAGE_MASK, Leaf: 1n };
    this.env.report({
      state: 'shadow', code: 'H_SHADOW_STALE', severity: 'warning', step: this.env.step, smmu: g.vsmmu, host: s.name,
      sid: p.sid, vsid: g.vsid, ...(p.ssid !== undefined ? { ssid: p.ssid } : {}), va: p.iova, now, guest, desc: g.desc, changedAt,
      missing: withSync(g.vsmmu, g.asid !== undefined ? 'CMD_TLBI_NH_VA' : 'CMD_TLBI_NH_VAA', fields), insertAfter: changedAt,
    });
  }
}
