// Hazard analysis: what a *conforming* SMMU may return, not only what the model's own cache policy
// returned. The coordinator: it watches memory writes (PhysicalMemory.onWrite, filtered by `Watch`),
// buffers them and hands each written word to the shadows at the end of the step, and routes
// transactions and commands to the shadows (one per kind of state an SMMU may cache, shadow.ts).
// Findings are data (finding.ts); the engine words them.

import type { PhysicalMemory } from '../memory';
import type { SmmuInstance } from '../smmu/instance';
import type { TransactionResult } from '../smmu/result';
import type { CommandResult } from '../smmu/commands';
import type { BroadcastResult } from '../smmu/broadcast';
import type { Finding } from './finding';
import type { HazardEnv, Shadow, SmmuCtx } from './shadow';
import { Watch } from './watch';
import { TlbShadow } from './tlb';
import { ConfigShadow } from './config';
import { AtcShadow } from './atc';
import { NegativeShadow } from './negative';
import { BindingShadow } from './bindings';
import { ContCheck } from './cont';
import { TornShadow } from './torn';
import { ViommuLens } from './viommu';
import type { IommufdContext } from '../iommufd/context';
import { ShadowingCheck, type ShadowingView } from './shadowing';

export interface HazardTrackerOptions {
  /** Reports per stale item (later uses are not repeated); default 20. */
  maxReportsPerItem?: number;
}

const WORD = ~7n;

/** The shadows' environment; findings are collected in `out`. */
class Env implements HazardEnv {
  step = -1;
  out: Finding[] = [];
  constructor(readonly mem: PhysicalMemory, readonly watch: Watch, readonly maxReports: number) {}
  report(f: Finding): void {
    this.out.push(f);
  }
}

/** A tracker holds no closures: `snapshot` (model/snapshot.ts) copies it with its memory. */
export class HazardTracker {
  private readonly smmus = new Map<string, SmmuCtx & { last?: { ste: unknown; cd: unknown; epoch: number } }>();
  private readonly env: Env;
  private readonly shadows: Shadow[];
  // The shadows that implement each per-transaction hook, in `shadows` order (the hot path calls
  // only those: a TLB hit on a quiet SMMU makes no call that does nothing).
  private readonly onTxn: Shadow[];
  private readonly onConfig: Shadow[];
  private readonly onPage: Shadow[];
  private readonly onEnd: Shadow[];
  private writes: bigint[] = [];
  private lens?: ViommuLens;

  constructor(mem: PhysicalMemory, opts: HazardTrackerOptions = {}) {
    this.env = new Env(mem, new Watch(), opts.maxReportsPerItem ?? 20);
    const tlb = new TlbShadow(this.env);
    const config = new ConfigShadow(this.env);
    // Order: configuration checks, then per page the TLB before the shadows that build on its entries.
    this.shadows = [new TornShadow(this.env, config), config, new ContCheck(this.env), new BindingShadow(this.env), tlb, new NegativeShadow(this.env), new AtcShadow(this.env, tlb), new ShadowingCheck(this.env, this)];
    this.onTxn = this.shadows.filter((x) => x.transaction);
    this.onConfig = this.shadows.filter((x) => x.config);
    this.onPage = this.shadows.filter((x) => x.page);
    this.onEnd = this.shadows.filter((x) => x.endStep);
    mem.onWrite(this);
  }

  /** PhysicalMemory's observer: buffers the watched words written. */
  memoryWritten(addr: bigint, size: number): void {
    if (!this.env.watch.wants(addr)) return;
    const end = addr + BigInt(size);
    for (let a = addr & WORD; a < end; a += 8n) this.writes.push(a);
  }

  /** Whether a write of `addr` is looked at (PhysicalMemory.observed). */
  wants(addr: bigint): boolean {
    return this.env.watch.wants(addr);
  }

  /** Descriptors and STE/CD structures currently watched (for tests and state views). */
  get trackedWords(): number {
    let n = 0;
    for (const s of this.shadows) n += s.tracked ?? 0;
    return n;
  }

  /** Start of a step: findings from here on belong to it. */
  beginStep(step: number): void {
    this.env.step = step;
  }

  /** Judge the memory writes of the step. `byHardware`: the step was a transaction (HTTU writes). */
  flushWrites(byHardware: boolean): void {
    if (this.writes.length === 0) return;
    const ws = [...new Set(this.writes)];
    this.writes = [];
    for (const a of ws) {
      const now = this.env.mem.read64(a);
      for (const s of this.shadows) s.written?.(a, now, byHardware);
    }
  }

  /** The run's VM layer (iommufd scenarios only): from now on findings on its state are in the guest's terms. */
  vm(ctx: IommufdContext): void {
    this.lens ??= new ViommuLens(ctx, this.env);
  }

  /** Read by ShadowingCheck (an object, not a closure: the tracker is copied with checkpoints). */
  shadowView?: ShadowingView;

  /** The run's shadowing vIOMMUs (set by the hook every step: a restored checkpoint gets the live one). */
  shadowing(view: ShadowingView | undefined): void {
    this.shadowView = view;
  }

  /** Everything found since the last call; the end of the step (shadows prepare for the next). */
  take(): Finding[] {
    for (let i = 0; i < this.onEnd.length; i++) this.onEnd[i].endStep!();
    const f = this.env.out;
    // (the same empty list again when nothing was found: a caller never changes what it gets)
    if (f.length) this.env.out = [];
    return this.lens ? this.lens.apply(f) : f;
  }

  // The last instance seen (transactions repeat the same SMMU): its context without a Map lookup.
  private lastInst?: SmmuInstance;
  private lastCtx?: SmmuCtx & { last?: { ste: unknown; cd: unknown; epoch: number } };

  private smmu(inst: SmmuInstance): SmmuCtx & { last?: { ste: unknown; cd: unknown; epoch: number } } {
    if (inst === this.lastInst) return this.lastCtx!;
    let s = this.smmus.get(inst.name);
    if (!s) this.smmus.set(inst.name, (s = { name: inst.name, inst, epoch: 0 }));
    // (a context is kept for the instance it was made for: another one of that name gets its own lookup)
    if (s.inst === inst) {
      this.lastInst = inst;
      this.lastCtx = s;
    }
    return s;
  }

  /** A transaction (or a retried stalled one) ran on `inst`. `ats`: its stream uses ATS (STE.EATS != 0). */
  transaction(inst: SmmuInstance, r: TransactionResult, ats = false): void {
    const s = this.smmu(inst);
    const onTxn = this.onTxn;
    for (let i = 0; i < onTxn.length; i++) onTxn[i].transaction!(s, r);
    const l = s.last;
    // Configuration verdicts only change with the STE/CD views or the epoch: O(1) on the hot path.
    if (!l || l.ste !== r.ste || l.cd !== r.cd || l.epoch !== s.epoch || !r.ste) {
      for (const x of this.onConfig) x.config!(s, r);
      if (l) {
        l.ste = r.ste;
        l.cd = r.cd;
        l.epoch = s.epoch;
      } else s.last = { ste: r.ste, cd: r.cd, epoch: s.epoch };
    }
    const onPage = this.onPage;
    if (r.pages) for (const p of r.pages) for (let i = 0; i < onPage.length; i++) onPage[i].page!(s, r, p, ats);
    else for (let i = 0; i < onPage.length; i++) onPage[i].page!(s, r, r, ats);
  }

  /** A command the instance consumed (in queue order). */
  command(inst: SmmuInstance, c: CommandResult): void {
    if (c.error) return;
    const s = this.smmu(inst);
    if (c.name === 'CMD_SYNC') {
      // IHI 0070 §4.7.3: CMD_SYNC completes every earlier invalidation on this SMMU.
      s.epoch++;
      for (const x of this.shadows) x.sync?.(s);
      return;
    }
    for (const x of this.shadows) x.command?.(s, c);
  }

  /** A PE's broadcast TLBI reached `inst` (taken or refused: `b` says). */
  broadcast(inst: SmmuInstance, b: BroadcastResult): void {
    const s = this.smmu(inst);
    for (const x of this.shadows) x.broadcast?.(s, b);
  }
}
