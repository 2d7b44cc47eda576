// The previous run's results moved to the lines an edit moved their steps to (converge.ts). After
// an edit that added or removed lines but no step before them (Enter, a pasted or deleted comment
// or blank line), the steps after it are the same steps (same index, key and state) at other
// lines: a run that rejoins the previous one takes their results with each step's own range
// replaced, which is all a run writes of it (Session.step: the result's line and columns;
// Runtime.report: its run diagnostics). Results that name another line (hazards, their related
// lines and messages; a run diagnostic away from its step or with a line in its text) are not
// moved: the run does not rejoin there (`movable`).

import type { WireDiagnostic, WireRange, WireStep } from '../output/wire';
import { copyStep } from '../output/lazyWalks';
import type { Program } from './runtime';
import type { TxnRecord } from './records';
import { StepRanges } from './stepRanges';

const LINE_IN_TEXT = /\bline \d/;

function atRange(d: WireDiagnostic, r: WireRange): boolean {
  return d.line === r.line && d.col === r.col && d.endLine === r.endLine && d.endCol === r.endCol;
}

/** Whether the results of `prev`'s steps [p, n) name no source position but their own step's range. */
export function movable(prev: Program, done: readonly WireStep[], diags: ReadonlyArray<readonly WireDiagnostic[]>, p: number, n: number): boolean {
  const ranges = new StepRanges(prev.steps);
  for (let q = p; q < n; q++) {
    const s = done[q];
    if (s.hazards.length || s.expectation?.hazards?.length) return false;
    const ds = diags[q];
    if (!ds.length) continue;
    const r = ranges.range(q);
    for (const d of ds) if (d.related || !atRange(d, r) || LINE_IN_TEXT.test(d.message)) return false;
  }
  return true;
}

/** Copies of the previous run's results with the ranges of `program`'s steps (one copy of each
 *  diagnostic, so the records that point at one find its copy). */
export class MovedResults {
  private readonly diagCopies = new Map<WireDiagnostic, WireDiagnostic>();
  private readonly stepCopies = new Map<WireStep, WireStep>();

  private readonly ranges: StepRanges;

  constructor(program: Program) {
    this.ranges = new StepRanges(program.steps);
  }

  /** `done[p, n)` moved. */
  steps(done: readonly WireStep[], p: number, n: number): WireStep[] {
    const out = new Array<WireStep>(n - p);
    for (let q = p; q < n; q++) {
      const s = done[q];
      const r = this.ranges.range(q);
      const c = copyStep(s);
      c.line = r.line;
      c.col = r.col;
      c.endLine = r.endLine;
      c.endCol = r.endCol;
      this.stepCopies.set(s, c);
      out[q - p] = c;
    }
    return out;
  }

  /** `diags[p, n)` moved (a step without any keeps its shared empty list). */
  diags(diags: ReadonlyArray<WireDiagnostic[]>, p: number, n: number): WireDiagnostic[][] {
    const out = new Array<WireDiagnostic[]>(n - p);
    for (let q = p; q < n; q++) {
      const ds = diags[q];
      out[q - p] = ds.length ? ds.map((d) => this.diag(d, this.ranges.range(q))) : ds;
    }
    return out;
  }

  /** The copy of `d` (moved to `r` on first sight). */
  diag(d: WireDiagnostic, r?: WireRange): WireDiagnostic {
    let c = this.diagCopies.get(d);
    if (!c) {
      c = r ? { ...d, line: r.line, col: r.col, endLine: r.endLine, endCol: r.endCol } : d;
      this.diagCopies.set(d, c);
    }
    return c;
  }

  /** A transaction record of a moved step: its result and fault diagnostic are the copies. */
  record(rec: TxnRecord): TxnRecord {
    const c = { ...rec, wire: this.stepCopies.get(rec.wire) ?? rec.wire };
    if (rec.faultDiag) c.faultDiag = this.diag(rec.faultDiag);
    return c;
  }
}
