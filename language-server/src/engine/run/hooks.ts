// What a hazard hook sees of a run: the model and the current step's commands and transactions in
// the order they happened. The runtime implements it; hooks never import the runtime.

import type { CommandResult } from '../../model/smmu/commands';
import type { IommufdContext } from '../../model/iommufd/context';
import type { TransactionResult } from '../../model/smmu/result';
import type { BroadcastResult } from '../../model/smmu/broadcast';
import type { ShadowingView } from '../../model/hazards';
import type { RunView } from '../output/state';
import type { WireHazard, WireRange, WireStep } from '../output/wire';

/** One command, transaction or broadcast TLBI of the current step. */
export interface StepLogEntry {
  smmu: string;
  cmd?: CommandResult;
  txn?: TransactionResult;
  /** A PE's broadcast TLBI as this SMMU took it. */
  broadcast?: BroadcastResult;
}

export interface HazardView extends RunView {
  /** Commands and transactions of the current step, in order (kept only between beginStep and endStep). */
  readonly stepLog: readonly StepLogEntry[];
  /** The run's iommufd objects, once a line created them (hazards on them are worded in the guest's terms). */
  readonly vmContext?: IommufdContext;
  /** What the hook keeps for this run (copied with the run's checkpoints). */
  hookState: unknown;
  /** The run's shadowing vIOMMUs, if any (H_SHADOW_STALE). */
  readonly shadowing?: ShadowingView;
}

/** Hazard analysis hook: another module may register one; it sees every step after it ran. */
export interface HazardHook {
  afterStep(rt: HazardView, step: { readonly kind: string; readonly range: WireRange }, out: WireStep): WireHazard[];
}
