// What the transaction pipeline needs from its SMMU instance, and how it may be run.

import type { EventType } from '../../types';
import type { PhysicalMemory } from '../../memory';
import type { SmmuFeatures } from '../features';
import type { ConfigCache } from '../configCache';
import type { SteConfig } from '../ste';
import type { CdConfig } from '../cd';
import type { StreamTableCfg } from '../tables';
import type { EventInfo } from '../events';
import type { EventRecord, TransactionResult } from '../result';
import type { Tlb } from '../../tlb/tlb';

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
