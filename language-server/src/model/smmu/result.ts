// Plain-data results of the SMMU instance: transactions, events, commands, register accesses.

import type { Access, Attrs, EventType, FaultClass, Perms, WalkTrace } from '../types';
import type { TlbEntry } from '../tlb/types';
import type { FieldValues } from '../fields/field';
import type { ConfigRule, SteConfig } from './ste';
import type { CdConfig } from './cd';
import type { AtcEntry } from './ats';
import type { DescUpdate } from '../walk/api';

/** What a device asks the SMMU for. `len` bytes starting at `iova` (default 1). */
export interface TranslateRequest {
  sid: bigint | number;
  ssid?: number;
  iova: bigint;
  access: Access;
  len?: bigint;
  /** PCIe ATS (ats.ts): 'ats' is a Translation Request (the result's pa is the completion's address),
   *  'translated' a translated transaction through the function's ATC. Default: an untranslated transaction. */
  kind?: 'ats' | 'translated';
}

/** What ATS did for a Translation Request or a translated transaction (ats.ts). */
export interface AtsInfo {
  kind: 'ats' | 'translated';
  /** Translation Request completion: a translation, R = W = 0 (fault), or Unsupported Request. */
  completion?: 'ok' | 'fault' | 'ur';
  /** Translated transactions: the function's ATC lookup. */
  atc?: 'hit' | 'miss';
  /** The ATC entry filled (request) or used (translated). */
  entry?: AtcEntry;
  /** The completion's address is an IPA (STE.EATS == 0b10). */
  split?: boolean;
}

/**
 * Outcome scheme:
 * - 'ok': translated (pa set);
 * - 'bypass': passed through untranslated (STE.Config bypass, or SMMUEN=0 with GBPA.ABORT=0); pa = iova;
 * - 'fault': terminated because of a fault or configuration error: `events` holds the event record
 *   (its `recorded` flag says whether it reached the event queue: CD.R/STE.S2R, CR2.RECINVSID);
 * - 'stalled': stalled (CD.S/STE.S2S), kept in the instance's stalled list until CMD_RESUME/CMD_STALL_TERM;
 * - 'aborted': terminated with no event at all (STE.Config abort, SMMUEN=0 with GBPA.ABORT=1).
 */
export type Outcome = 'ok' | 'bypass' | 'fault' | 'stalled' | 'aborted';

/** One event record (IHI 0070 §7.3), built with the fields tables. */
export interface EventRecord {
  type: EventType;
  code: number;
  /** Every field of the record by its spec name (decoded from `raw`). */
  fields: FieldValues;
  raw: bigint[];
  /** Written to the event queue (false: not recorded because of CD.R/S2R/RECINVSID, queue disabled or overflow). */
  recorded: boolean;
  /** Why it was not recorded, when it was not. */
  notRecordedBecause?: string;
  /** Queue slot index it was written to. */
  queueIndex?: number;
  /** Why the event happened: for C_BAD_*, the rule that fired. */
  reason: string;
  rule?: ConfigRule;
}

/** A TLB entry as results and snapshots show it: the tlb module's entry (plain data). */
export type TlbEntryInfo = TlbEntry;

export interface StructView<T> {
  addr: bigint;
  raw: bigint[];
  fields: FieldValues;
  config?: T;
  /** Config cache entry id when it came from / went into the cache. */
  cacheId?: number;
}

export interface TransactionResult {
  outcome: Outcome;
  /** Output address of the first byte (ok/bypass). */
  pa?: bigint;
  sid: number;
  ssid?: number;
  iova: bigint;
  access: Access;
  tlb: 'hit' | 'miss' | 'n/a';
  tlbEntry?: TlbEntryInfo;
  configCache: 'hit' | 'miss' | 'n/a';
  ste?: StructView<SteConfig>;
  cd?: StructView<CdConfig>;
  walks: {
    stage1?: WalkTrace;
    stage2?: WalkTrace;
    /** Stage-2 walks of CD / L1CD fetches under nesting (CLASS=CD). */
    cdFetch?: WalkTrace[];
  };
  events: EventRecord[];
  perms?: Perms;
  attrs?: Attrs;
  /** Log2 of the region the translation covers (12 for a 4K page, 21 for a 2M block). */
  blockShift?: number;
  /** One-line explanation (why bypass/abort/fault). */
  reason?: string;
  /** Stall tag when stalled. */
  stag?: number;
  /** Hazard hooks: what this transaction used. */
  used: {
    configEntries: number[];
    tlbEntries: number[];
    /** PAs of every structure/descriptor read (STE, L1STD, CD, L1CD, table descriptors). */
    descriptors: bigint[];
  };
  /** For a DMA spanning several pages: one result per page, in order (the first fault ends the DMA). */
  pages?: TransactionResult[];
  /** ATS requests and translated transactions (ats.ts). */
  ats?: AtsInfo;
  /** HTTU descriptor updates this transaction made (IHI 0070 §3.13: AF set, DBM dirty), in order. */
  httu?: DescUpdate[];
}

export interface StalledTransaction {
  stag: number;
  sid: number;
  ssid?: number;
  iova: bigint;
  access: Access;
  event: EventRecord;
  step: number;
}

export type FaultClassName = FaultClass;
