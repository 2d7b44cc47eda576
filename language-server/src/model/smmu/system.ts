// A scenario's hardware: one PhysicalMemory shared by any number of named SMMU instances, each with
// its own registers, tables, queues and caches. Invalidation on one instance affects only its own
// caches; a stage-2 table in memory can be shared by several instances (each with its own VMID).

import { PhysicalMemory } from '../memory';
import { makeFeatures, type SmmuFeatures } from './features';
import { SmmuInstance, type SmmuSnapshot } from './instance';

export class SmmuSystem {
  readonly mem: PhysicalMemory;
  private readonly instances = new Map<string, SmmuInstance>();
  private stepIndex = 0;

  constructor(mem?: PhysicalMemory) {
    this.mem = mem ?? new PhysicalMemory();
  }

  /** The instance called `name`; created with `features` (default: full SMMUv3.2), disabled as after reset. */
  getOrCreate(name: string, features?: Partial<SmmuFeatures>): SmmuInstance {
    let s = this.instances.get(name);
    if (!s) {
      s = new SmmuInstance(name, this.mem, makeFeatures(features));
      s.step = this.stepIndex;
      this.instances.set(name, s);
    }
    return s;
  }

  get(name: string): SmmuInstance | undefined {
    return this.instances.get(name);
  }

  names(): string[] {
    return [...this.instances.keys()];
  }

  all(): SmmuInstance[] {
    return [...this.instances.values()];
  }

  /** Current scenario step (recorded in cache entries as `insertedAt`). */
  get step(): number {
    return this.stepIndex;
  }

  set step(n: number) {
    this.stepIndex = n;
    for (const s of this.instances.values()) s.step = n;
  }

  snapshot(): SmmuSnapshot[] {
    return this.all().map((s) => s.snapshot());
  }
}
