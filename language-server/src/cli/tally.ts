// What the runner keeps of a run whose steps stream by (run.ts): the counts and the hazards'
// code@line, not the steps, so a 20,000-DMA file costs the same memory as a short one. Text,
// `--json`, `--junit` and `--fail-on` all read a file's result through this.

import type { WireScenarioResult, WireStep } from '../engine/output/wire';

export class StepTally {
  steps = 0;
  faults = 0;
  /** Every hazard of the run as `CODE@line`, in run order. */
  readonly hazards: string[] = [];
  /** Hazards a passing `expect hazard` asked for, as `CODE@line`. */
  private readonly expected = new Set<string>();

  add(s: WireStep): void {
    this.steps++;
    if (s.outcome === 'fault') this.faults++;
    for (const h of s.hazards) this.hazards.push(`${h.code}@${h.line}`);
    const asked = s.expectation?.hazards;
    if (asked) for (const h of asked) this.expected.add(`${h.code}@${h.line}`);
  }

  /** Hazards no `expect hazard` asked for (by code and line), as `CODE@line`. */
  unexpectedHazards(): string[] {
    return this.hazards.filter((h) => !this.expected.has(h));
  }
}

/** A file's run as the runner keeps it: the result without its steps, and their tally. */
export interface FileRun {
  result: WireScenarioResult;
  tally: StepTally;
}
