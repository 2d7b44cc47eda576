// The SMMU TLB's data: an entry and its tags (IHI 0070 §3.17), the replacement policy, a TLBI range.

import type { Attrs, Perms } from '../types';
import type { KEPT } from '../snapshot';

export type TlbPolicy = 'lru' | 'fifo' | 'random' | 'unbounded';

/** Translation regime of an entry (STE.STRW, IHI 0070 §5.2): NS-EL1, EL2, or EL2 with E2H. */
export type TlbRegime = 'nsel1' | 'el2' | 'el2-e2h';

/** What an entry caches: stage 1 only, stage 2 only (IPA input), or a combined nested VA -> PA entry. */
export type TlbEntryKind = 's1' | 's2' | 'nested';

export interface TlbEntry {
  /** Unique, increasing. */
  readonly id: number;
  readonly kind: TlbEntryKind;
  readonly regime: TlbRegime;
  /** VMID tag (0 in the EL2 regimes, which are not VMID-tagged). */
  readonly vmid: number;
  /** ASID tag; meaningless when `global`. */
  readonly asid: number;
  /** nG=0 (or a regime without ASIDs): matches every ASID. Always false for stage-2 entries. */
  readonly global: boolean;
  /** CD.ASET of the CD that filled it (IHI 0070 §5.4): 1 = a non-shared ASID, outside broadcast TLB
   *  invalidation by ASID or VA. False for stage-2-only entries. */
  readonly aset: boolean;
  /** Granule of the walk that produced it, and log2 of the region it maps. */
  readonly granule: 4 | 16 | 64;
  readonly blockShift: number;
  /** Lookup level of the leaf (of the smaller stage for nested entries). */
  readonly level: number;
  /** Region base: VA (s1, nested; canonical) or IPA (s2). */
  readonly inputBase: bigint;
  readonly outputBase: bigint;
  /** Nested: the IPA of inputBase. */
  readonly ipaBase?: bigint;
  /** Effective permissions (nested: both stages intersected). */
  readonly perms: Perms;
  readonly s1Perms?: Perms;
  readonly s2Perms?: Perms;
  readonly attrs: Attrs;
  readonly s2Attrs?: Attrs;
  /** Scenario step that inserted it. */
  readonly insertedAt: number;
  /** Lookups that hit it. */
  hits: number;
  /** Shared by every snapshot (model/snapshot.ts KEPT; tlb.ts insert sets it). */
  readonly [KEPT]?: true;
}

/** What the caller provides to insert an entry (the TLB assigns id, hits); `aset` defaults to false. */
export type TlbInsert = Omit<TlbEntry, 'id' | 'hits' | 'insertedAt' | 'aset'> & { aset?: boolean };

export interface TlbOptions {
  /** Maximum number of entries (ignored for 'unbounded'). */
  capacity: number;
  policy: TlbPolicy;
  /** Seed of the 'random' policy's generator (deterministic replay). */
  seed?: number;
  /** Entries never change once inserted (a hazard shadow's TLB: no lookup() counts hits on it):
   *  they are frozen, and a snapshot shares them instead of copying. */
  frozen?: boolean;
}

/** Range part of a TLBI by address (IHI 0070 §4.4.1: TG, TTL, NUM, SCALE; SMMUv3.2 range invalidation). */
export interface TlbiRange {
  /** TG: 0 = not a range (single address), 1 = 4K, 2 = 16K, 3 = 64K. */
  tg: number;
  /** TTL: level hint, 0 = any level; with TG != 0, 1..3 = only entries of that level. */
  ttl: number;
  num: number;
  scale: number;
}
