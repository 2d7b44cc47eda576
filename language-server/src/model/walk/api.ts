// Types of the walk API: how descriptors are fetched, what a walk returns, how descriptor
// updates (HTTU, IHI 0070 §3.13) are handed back to the caller.

import type { PhysicalMemory } from '../memory';
import type { FaultClass, Stage, StageResult, WalkFault, WalkTrace } from '../types';
import type { ConfigError } from './config';
import type { FastTranslate } from './levels';

/** A fetched descriptor: the PA it was read from, its value, and (nested) the stage-2 walk of its address. */
export interface FetchOk {
  ok: true;
  pa: bigint;
  value: bigint;
  s2Walk?: WalkTrace;
}

/** A descriptor fetch that failed (stage-2 fault on a stage-1 table address, or an external abort). */
export interface FetchFault {
  ok: false;
  fault: WalkFault;
  s2Walk?: WalkTrace;
}

export type FetchResult = FetchOk | FetchFault;

/**
 * Reads one 64-bit descriptor at `addr` (an IPA for a nested stage-1 walk, else a PA) for a lookup at
 * `level` of `stage`. A fetch made by {@link memFetch} carries `mem`: the walk then reads memory directly
 * (the fast path, no result objects).
 */
export interface DescFetch {
  (addr: bigint, level: number, stage: Stage): FetchResult;
  readonly mem?: PhysicalMemory;
  /** The memory behind a fetch that is not plain (nested): checked for external aborts. */
  readonly physMem?: PhysicalMemory;
  /** Internal: number-based translation of descriptor addresses for untraced nested walks. */
  readonly fast?: FastTranslate;
  /**
   * Nested only: a hardware update of the stage-1 descriptor at IPA `addr` is a write through stage 2
   * (IHI 0070 §3.13): check (and HTTU-update) its stage-2 translation as a write, CLASS=TT. Returns the
   * stage-2 fault, or undefined when the write may go ahead.
   */
  readonly prepareWrite?: (addr: bigint) => WalkFault | undefined;
}

/** A descriptor the walk changed (Access flag or dirty state, IHI 0070 §3.13). */
export interface DescUpdate {
  stage: Stage;
  level: number;
  /** Address of the descriptor as the walk addressed it (IPA for nested stage 1). */
  descAddr: bigint;
  /** PA of the descriptor: where to write. */
  descPa: bigint;
  oldValue: bigint;
  newValue: bigint;
  /** 'AF': Access flag set; 'DBM': write made the descriptor writable-dirty (AP[2] cleared / S2AP[1] set). */
  what: 'AF' | 'DBM' | 'AF+DBM';
}

export interface WalkOptions {
  /** Record every step (WalkTrace). Off: a cheaper path that only returns the result or the fault. */
  trace?: boolean;
  /**
   * Called for each hardware descriptor update (HA/HD), so the caller controls memory writes.
   * Without it the update is only reported in the outcome's `updates`.
   */
  writeBack?: (u: DescUpdate) => void;
  /** Stage 2 only: the CLASS of the access being translated (IN: the transaction, TT: a stage-1 table, CD). */
  faultClass?: FaultClass;
}

export interface StageOk {
  ok: true;
  result: StageResult;
  trace?: WalkTrace;
  updates?: DescUpdate[];
}

export interface StageFault {
  ok: false;
  fault: WalkFault;
  trace?: WalkTrace;
  configError?: undefined;
}

/** The configuration is not legal: the SMMU raises `configError.event` (C_BAD_CD / C_BAD_STE). */
export interface StageConfigError {
  ok: false;
  fault?: undefined;
  configError: ConfigError;
  trace?: undefined;
}

export type StageOutcome = StageOk | StageFault | StageConfigError;

/** Plain (non-nested) descriptor fetch from physical memory. */
export function memFetch(mem: PhysicalMemory): DescFetch {
  const f = ((addr: bigint) => ({ ok: true, pa: addr, value: mem.read64(addr) })) as DescFetch;
  (f as { mem?: PhysicalMemory }).mem = mem;
  return f;
}

/** A writeBack that writes the updated descriptor to memory at its PA. */
export function memWriteBack(mem: PhysicalMemory): (u: DescUpdate) => void {
  return (u) => mem.write64(u.descPa, u.newValue);
}
