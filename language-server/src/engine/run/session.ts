// ScenarioSession (api.ts): runs a Program step by step on its own Runtime. Step back and
// `goto` replay from the start on a fresh Runtime: the model is deterministic, so replaying N
// steps reproduces the state exactly.

import type { ScenarioSession, StepInfo } from '../api';
import { diag } from '../output/convert';
import { Runtime, type Program } from './runtime';
import type { WireDiagnostic, WireScenarioResult, WireState, WireStep } from '../output/wire';
import { evaluate } from './evaluate';
import type { TrafficSink } from '../output/traffic';

export class Session implements ScenarioSession {
  readonly uri: string;
  readonly diagnostics: readonly WireDiagnostic[];
  private stepInfos?: StepInfo[];
  private rt: Runtime;
  private done: WireStep[] = [];
  /** Run diagnostics per executed step (faults, failed expectations, internal errors). */
  private runDiags: WireDiagnostic[][] = [];

  constructor(private readonly program: Program, private readonly isCancelled?: () => boolean, private readonly traffic?: TrafficSink) {
    this.uri = program.uri;
    this.diagnostics = program.diagnostics;
    this.rt = this.fresh();
  }

  /** Built on first use (a run does not need it). */
  get steps(): readonly StepInfo[] {
    this.stepInfos ??= this.program.steps.map((s, index) => ({
      index, line: s.range.line, col: s.range.col, endLine: s.range.endLine, endCol: s.range.endCol, kind: s.kind, label: s.label,
    }));
    return this.stepInfos;
  }

  get position(): number {
    return this.done.length;
  }

  private fresh(): Runtime {
    const rt = new Runtime(this.program, this.traffic);
    return rt;
  }

  step(): WireStep | undefined {
    const i = this.done.length;
    const def = this.program.steps[i];
    if (!def) return undefined;
    const out: WireStep = {
      index: i, line: def.range.line, col: def.range.col, endLine: def.range.endLine, endCol: def.range.endCol,
      kind: def.kind, label: def.label, events: [], hazards: [],
    };
    if (def.smmu !== undefined) out.smmu = def.smmu;
    this.rt.beginStep(i, def);
    try {
      def.run(this.rt, out);
    } catch (e) {
      // Bad input never throws out of the engine: the step reports it and the run goes on.
      const msg = e instanceof Error ? e.message : String(e);
      this.rt.diags.push(diag(def.range, 'error', 'E_INTERNAL', `internal error in this step: ${msg}`));
    }
    this.rt.endStep(out);
    this.done.push(out);
    this.runDiags.push(this.rt.diags);
    return out;
  }

  goto(position: number): void {
    const target = Math.max(0, Math.min(position, this.program.steps.length));
    if (target < this.done.length) {
      this.rt = this.fresh();
      this.done = [];
      this.runDiags = [];
    }
    while (this.done.length < target) this.step();
  }

  runToEnd(): WireScenarioResult {
    while (this.done.length < this.program.steps.length) {
      if (this.isCancelled?.()) break;
      this.step();
    }
    return this.result();
  }

  result(): WireScenarioResult {
    let passed = 0;
    let failed = 0;
    for (const s of this.done) {
      if (!s.expectation) continue;
      if (s.expectation.passed) passed++;
      else failed++;
    }
    const diagnostics = [...this.program.diagnostics, ...this.runDiags.flat()];
    diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
    const r: WireScenarioResult = { file: this.uri, diagnostics, steps: [...this.done], expectations: { passed, failed } };
    if (this.program.partial) r.partial = true;
    return r;
  }

  results(): readonly WireStep[] {
    return this.done;
  }

  state(): WireState {
    const last = this.done[this.done.length - 1];
    return this.rt.state(last);
  }

  evaluate(expression: string): string {
    try {
      return evaluate(this.rt, expression);
    } catch (e) {
      return `error: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
}
