// What a checkpoint of a run holds (checkpoints.ts): the model state after some steps.

import type { PhysicalMemory } from '../../model/memory';
import type { SmmuInstance } from '../../model/smmu/instance';
import type { SmmuFeatures } from '../../model/smmu/features';
import type { LastTransaction } from '../output/walkContext';

/** The model state of a run after some steps: a copy no run changes (or an ended run's own). */
export interface RunSnapshot {
  readonly model: ModelState;
  /** Index of the last step run. */
  readonly index: number;
  /** Objects copied (for the checkpoints' memory bound). */
  readonly objects: number;
}

export interface ModelState {
  mem: PhysicalMemory;
  smmus: Map<string, SmmuInstance>;
  declared: Map<string, SmmuFeatures>;
  hookState: unknown;
  lastTraces?: LastTransaction;
}
