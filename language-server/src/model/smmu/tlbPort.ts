// What the SMMU instance needs from a TLB (IHI 0070 §3.17 tagging, §4.4 invalidation):
// lookups tagged by stage/regime/VMID/ASID, fills, and invalidations mirroring the commands,
// each returning exactly the entries removed.

import type { StageResult } from '../types';
import type { TlbEntryInfo } from './result';

/** Range invalidation parameters of a CMD_TLBI_* (IHI 0070 §4.4.1.1); absent: a single address. */
export interface TlbiRange {
  /** Granule log2 from TG (12/14/16); 0 means no range (TG == 0). */
  tgShift: number;
  num: number;
  scale: number;
  ttl: number;
}

export type TlbiOp =
  | { kind: 'NH_ALL'; vmid: number }
  | { kind: 'NH_ASID'; vmid: number; asid: number }
  | { kind: 'NH_VA'; vmid: number; asid: number; addr: bigint; leaf: boolean; range?: TlbiRange }
  | { kind: 'NH_VAA'; vmid: number; addr: bigint; leaf: boolean; range?: TlbiRange }
  | { kind: 'EL2_ALL' }
  | { kind: 'EL2_ASID'; asid: number }
  | { kind: 'EL2_VA'; asid?: number; addr: bigint; leaf: boolean; range?: TlbiRange }
  | { kind: 'EL2_VAA'; addr: bigint; leaf: boolean; range?: TlbiRange }
  | { kind: 'S12_VMALL'; vmid: number }
  | { kind: 'S2_IPA'; vmid: number; addr: bigint; leaf: boolean; range?: TlbiRange }
  | { kind: 'NSNH_ALL' };

export type Regime = 'el1' | 'el2' | 'el2-e2h';

export interface TlbPort {
  lookup(stage: 'S1' | 'S2' | 'S12', regime: Regime, vmid: number, asid: number, addr: bigint): TlbEntryInfo | undefined;
  /** Count a hit (not in a dry run). */
  touch(e: TlbEntryInfo, dry: boolean): void;
  /** Fill from a stage-1 walk (plus the stage-2 walk of its output when nested: a combined entry). */
  insertS1(regime: Regime, vmid: number, asid: number, va: bigint, s1: StageResult, s2: StageResult | undefined, step: number): TlbEntryInfo | undefined;
  insertS2(vmid: number, ipa: bigint, s2: StageResult, step: number): TlbEntryInfo | undefined;
  remove(id: number): TlbEntryInfo | undefined;
  invalidate(op: TlbiOp): TlbEntryInfo[];
  entries(): TlbEntryInfo[];
  readonly size: number;
}
