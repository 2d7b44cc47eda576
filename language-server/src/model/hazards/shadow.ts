// The contract between the coordinator (tracker.ts) and the shadows: one shadow per kind of state an
// SMMU may cache. The coordinator routes memory writes, transactions and commands; each shadow keeps
// its own per-SMMU state, follows the pending-until-CMD_SYNC protocol (pending.ts) and reports
// findings (finding.ts). Adding a kind of cached state = one module implementing `Shadow`, registered
// in `HazardTracker`'s list.

import type { PhysicalMemory } from '../memory';
import type { SmmuInstance } from '../smmu/instance';
import type { TransactionResult } from '../smmu/result';
import type { CommandResult } from '../smmu/commands';
import type { BroadcastResult } from '../smmu/broadcast';
import type { Finding } from './finding';
import type { Watch } from './watch';
import { SAME, stateless, type SameFn } from '../snapshot';

/** One SMMU instance as the analysis sees it. */
export interface SmmuCtx {
  readonly name: string;
  readonly inst: SmmuInstance;
  /** Bumped on every change that can alter a configuration verdict (STE/CD writes, CMD_CFGI_*, CMD_SYNC). */
  epoch: number;
}

/** What a shadow gets from the coordinator. */
export interface HazardEnv {
  readonly mem: PhysicalMemory;
  readonly watch: Watch;
  /** Step being analysed. */
  readonly step: number;
  /** Reports per stale item (later uses are not repeated). */
  readonly maxReports: number;
  report(f: Finding): void;
}

export interface Shadow {
  /** A watched word (or any word, while `watch.everyWrite`) was written; `byHardware`: HTTU during a transaction. */
  written?(addr: bigint, now: bigint, byHardware: boolean): void;
  /** The transaction's STE/CD views or the SMMU's epoch changed since the last transaction on it. */
  config?(s: SmmuCtx, r: TransactionResult): void;
  /** Every transaction, before the configuration checks and its pages. */
  transaction?(s: SmmuCtx, r: TransactionResult): void;
  /** Every page of a transaction (hot path: O(1) when nothing is stale or pending). `ats`: the stream uses ATS. */
  page?(s: SmmuCtx, r: TransactionResult, p: TransactionResult, ats: boolean): void;
  /** A command the SMMU consumed without error, CMD_SYNC excepted (`c.invalidated` says which cache an invalidation is for). */
  command?(s: SmmuCtx, c: CommandResult): void;
  /** A PE's broadcast TLBI as SMMU `s` took it (complete at once: the PE's DSB ISH). */
  broadcast?(s: SmmuCtx, b: BroadcastResult): void;
  /** CMD_SYNC on `s`: complete what is pending. */
  sync?(s: SmmuCtx): void;
  /** The step's analysis is done (HazardTracker.take): watch what the next step's writes may touch. */
  endStep?(): void;
  /** Words this shadow watches. */
  readonly tracked?: number;
}

/** Per-SMMU state of one shadow, created on first use. */
export class PerSmmu<T, A = undefined> {
  private readonly m = new Map<SmmuCtx, T>();

  /** `make` captures nothing mutable (model/snapshot.ts copies a PerSmmu): what it needs is `arg`. */
  constructor(private readonly make: (arg: A) => T, private readonly arg: A = undefined as A) {
    stateless(make);
  }

  // The last SMMU asked for (transactions repeat the same one): its state without a Map lookup.
  private lastS: SmmuCtx | undefined;
  private lastV: T | undefined;

  get(s: SmmuCtx): T {
    if (s === this.lastS) return this.lastV!;
    let v = this.m.get(s);
    if (v === undefined) this.m.set(s, (v = this.make(this.arg)));
    this.lastS = s;
    this.lastV = v;
    return v;
  }

  values(): IterableIterator<T> {
    return this.m.values();
  }

  /** The states per SMMU and `arg` (`make` is code, not state: a run that made this object again
   *  from the same statement has its own closure; the last SMMU asked for is a lookup memo). */
  [SAME](other: PerSmmu<T, A>, same: SameFn): boolean {
    return same(this.m, other.m) && same(this.arg, other.arg);
  }
}
