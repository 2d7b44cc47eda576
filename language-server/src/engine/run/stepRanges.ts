// Keys and ranges of many steps, read without making moved copies: the steps of a program an
// incremental compile made after an edit that added or removed lines are the earlier steps with
// a line delta applied when one is read (compile/reuse.ts, dsl/shiftedList.ts). The comparisons
// over every step (checkpoints.ts firstChange, converge.ts unchangedFrom) and the results moved
// to the new lines (rebase.ts) read them here.

import { entryReader } from '../../dsl/shiftedList';
import type { WireRange } from '../output/wire';
import type { StepDef } from './runtime';

export class StepRanges {
  private readonly raw: (k: number) => StepDef;
  private readonly delta: (k: number) => number;

  constructor(steps: readonly StepDef[]) {
    const r = entryReader(steps);
    this.raw = r.raw;
    this.delta = r.delta;
  }

  key(k: number): string {
    return this.raw(k).key;
  }

  line(k: number): number {
    return this.raw(k).range.line + this.delta(k);
  }

  /** Step `k`'s range (a new object when the step moved). */
  range(k: number): WireRange {
    const r = this.raw(k).range;
    const d = this.delta(k);
    return d === 0 ? r : { line: r.line + d, col: r.col, endLine: r.endLine + d, endCol: r.endCol };
  }

  /** Whether step `j` of `other` is step `k` here (same key) moved by `dLines` lines, columns kept. */
  same(k: number, other: StepRanges, j: number, dLines = 0): boolean {
    const a = this.raw(k);
    const b = other.raw(j);
    if (a !== b && a.key !== b.key) return false;
    const ra = a.range;
    const rb = b.range;
    const d = other.delta(j) - this.delta(k) - dLines;
    return ra.col === rb.col && ra.endCol === rb.endCol && rb.line + d === ra.line && rb.endLine + d === ra.endLine;
  }
}
