// ScenarioSession (api.ts): runs a Program step by step on its own Runtime. Step back and
// `goto` replay from the latest checkpoint before the target (checkpoints.ts; from the start when
// there is none): the model is deterministic, so replaying reproduces the state exactly. A session
// of an edited text resumes from a checkpoint of the previous version's session, before the first
// step whose key changed, reusing that session's results for the steps before.

import type { CheckpointOptions, ScenarioSession, StepInfo } from '../api';
import { diag, NO_EVENTS, NO_HAZARDS } from '../output/convert';
import { Runtime, type Program } from './runtime';
import type { WireDiagnostic, WireExpectationResult, WireScenarioResult, WireState, WireStep } from '../output/wire';
import { evaluate } from './evaluate';
import type { TrafficSink } from '../output/traffic';
import { Checkpoints, firstChange, type RunSnapshot } from './checkpoints';
import { sameEarlierRanges, sameModel, unchangedFrom } from './converge';
import { MovedResults, movable } from './rebase';
import { RunAccess } from './access';
import { applyPatches, planPatches } from './declPatch';

/** Checkpoints of the previous run where a resumed run compares its state (each costs about a
 *  copy's time when the states are equal, less when they differ early). */
const REJOIN_TRIES = 4;

/** The previous session of a resumed run, the step it resumed at, its checkpoints still ahead. */
interface Rejoin {
  prev: Session;
  from: number;
  at: number[];
  /** performance.now() when the resumed run started (its time per step). */
  t0: number;
  /** Lines the edit moved the steps after it by (their results are moved: rebase.ts). */
  dLines: number;
}

/** The run diagnostics of a step without any (most of them): shared, never changed. */
const NO_DIAGS: WireDiagnostic[] = Object.freeze([]) as unknown as WireDiagnostic[];

export interface SessionOptions {
  isCancelled?: () => boolean;
  traffic?: TrafficSink;
  /** Take checkpoints (every `every` steps, at most `max`). */
  checkpoints?: CheckpointOptions;
  /** A session of an earlier version of the same document: resumed from its checkpoints. */
  previous?: ScenarioSession;
}

export class Session implements ScenarioSession {
  readonly uri: string;
  readonly diagnostics: readonly WireDiagnostic[];
  private stepInfos?: StepInfo[];
  private rt: Runtime;
  private done: WireStep[] = [];
  /** Run diagnostics per executed step (faults, failed expectations, internal errors; NO_DIAGS: none). */
  private runDiags: WireDiagnostic[][] = [];

  private readonly isCancelled?: () => boolean;
  private readonly traffic?: TrafficSink;
  private readonly cps?: Checkpoints;
  /** Steps whose results were taken over from the previous session (not run again). */
  reused = 0;
  /** Set when resumed: where this run may rejoin the previous one (converge.ts). */
  private rejoin?: Rejoin;

  constructor(private readonly program: Program, options: SessionOptions = {}) {
    this.uri = program.uri;
    this.diagnostics = program.diagnostics;
    this.isCancelled = options.isCancelled;
    this.traffic = options.traffic;
    if (options.checkpoints && !options.traffic) this.cps = new Checkpoints(options.checkpoints);
    this.rt = this.fresh();
    const prev = options.previous;
    if (this.cps && prev instanceof Session && prev.cps && prev.streamed === 0) this.reused = this.resume(prev, prev.cps);
    // (the start too: an edit before the first later checkpoint resumes from it and can rejoin this
    // run, which a fresh Runtime never could: its objects, closures included, are not this run's)
    if (this.cps && this.position === 0) this.cps.take(0, this.rt);
  }

  /** Continues `prev` from its latest checkpoint before the first changed step; returns that position. */
  private resume(prev: Session, cps: Checkpoints): number {
    const first = Math.min(firstChange(prev.program, this.program), prev.done.length);
    // (an edit to declarations' values: from before the first step that uses a changed word, declPatch.ts)
    const plan = planPatches(prev.program, this.program, first, prev.done, prev.runDiags, prev.rt.access);
    this.cps!.mark(plan.patches.length ? plan.limit : first);
    const cp = cps.atOrBefore(plan.limit);
    if (!cp) return 0;
    this.restore(prev, cp.position, cp.state);
    // (the previous run's checkpoints after a patched step lack its new words: this run's own copy instead)
    const patched = applyPatches(plan, cp.position, this.program, this.rt, this.done);
    this.cps!.adopt(cps, Math.min(patched, cp.position));
    if (patched < cp.position) this.cps!.take(cp.position, this.rt);
    const n = this.program.steps.length;
    const same = unchangedFrom(prev.program, this.program);
    if (prev.position === n && same) {
      // (the first few: when the state has not rejoined by then, an edit's effect usually lasts)
      const at = cps.positions(Math.max(first + 1, same.from), n).slice(0, REJOIN_TRIES);
      if (at.length) this.rejoin = { prev, from: cp.position, at, t0: performance.now(), dLines: same.dLines };
    }
    return cp.position;
  }

  /** At one of the previous run's checkpoints after the edit: when this run's state is that
   *  checkpoint's (converge.ts), takes the previous run's results for the remaining steps. */
  private tryRejoin(j: Rejoin): void {
    const p = this.position;
    j.at.shift();
    if (!j.at.length) this.rejoin = undefined;
    const n = this.program.steps.length;
    const cp = j.prev.cps!.atOrBefore(p);
    const end = j.prev.cps!.atOrBefore(n);
    if (cp?.position !== p || end?.position !== n) return;
    if (!this.cps!.worthComparing(n - p, (performance.now() - j.t0) / Math.max(1, p - j.from))) return;
    if (!this.rt.records.canRejoin(j.prev.rt.records, j.from, p)) return;
    // The live state itself against the checkpoint (no copy: the model's lookup memos a copy
    // resets are not compared, model/snapshot.ts SAME).
    if (!this.rt.copyable || !sameModel(this.rt.model(), cp.state.model)) return;
    if (j.dLines === 0 ? !sameEarlierRanges(j.prev.program, this.program, j.prev.runDiags.slice(p), this.program.steps[p].range.line)
      : !movable(j.prev.program, j.prev.done, j.prev.runDiags, p, n)) return;
    // The previous run's end state itself (an ended run never steps again; a step back of either
    // session restores a copy of a checkpoint).
    // An SMMU's latest transaction (not compared) is this run's where the previous run made none
    // after `p` (the steps from `p` on are the same, so otherwise the same one replaced it).
    for (const [name, inst] of end.state.model.smmus) {
      const mine = this.rt.smmus.get(name);
      if (mine && inst.lastTransactionStep < p) {
        inst.lastTransaction = mine.lastTransaction;
        inst.lastTransactionStep = mine.lastTransactionStep;
      }
    }
    const rt = new Runtime(this.program, undefined, end.state, true);
    const access = this.rt.access;
    if (access && j.prev.rt.access) {
      access.rejoined(j.prev.rt.access, p);
      rt.watch(access);
    }
    rt.records.adopt(this.rt.records, p, this.runDiags);
    const moved = j.dLines === 0 ? undefined : new MovedResults(this.program);
    // (concat: a copy of tens of thousands of references at memory speed)
    this.done = this.done.concat(moved ? moved.steps(j.prev.done, p, n) : j.prev.done.slice(p, n));
    this.runDiags = this.runDiags.concat(moved ? moved.diags(j.prev.runDiags, p, n) : j.prev.runDiags.slice(p, n));
    rt.records.rejoin(j.prev.rt.records, p, moved);
    this.rt = rt;
    this.cps!.rejoin(j.prev.cps!, p, n);
    this.reused += n - p;
    this.rejoin = undefined;
  }

  /** Restores the run at `position` from a checkpoint, taking `from`'s results before it. */
  private restore(from: Session, position: number, state: RunSnapshot): void {
    const rt = new Runtime(this.program, undefined, state);
    if (from.rt.access) rt.watch(from.rt.access.upTo(position));
    const diags = from.runDiags.slice(0, position);
    rt.adopt(from.rt, position, diags);
    this.rt = rt;
    this.done = from.done.slice(0, position);
    this.runDiags = diags;
  }

  fork(position: number): ScenarioSession {
    const target = Math.max(0, Math.min(position, this.program.steps.length));
    const s = new Session(this.program, { isCancelled: this.isCancelled, checkpoints: {} });
    const cp = this.streamed === 0 ? this.cps?.atOrBefore(Math.min(target, this.position)) : undefined;
    if (cp) {
      s.restore(this, cp.position, cp.state);
      s.cps!.adopt(this.cps!, cp.position);
    }
    s.goto(target);
    return s;
  }

  /** The memory the checkpoints hold, for benchmarks: their number and interval. */
  checkpointStats(): { count: number; interval: number; objects: number } | undefined {
    return this.cps && { count: this.cps.count, interval: this.cps.interval, objects: this.cps.objects };
  }

  /** Built on first use (a run does not need it). */
  get steps(): readonly StepInfo[] {
    this.stepInfos ??= this.program.steps.map((s, index) => ({
      index, line: s.range.line, col: s.range.col, endLine: s.range.endLine, endCol: s.range.endCol, kind: s.kind, label: s.label,
    }));
    return this.stepInfos;
  }

  get position(): number {
    return this.done.length + this.streamed;
  }

  private fresh(): Runtime {
    const rt = new Runtime(this.program, this.traffic);
    // (a run an edit may resume notes which step first used each declaration's words)
    if (this.cps) rt.watch(new RunAccess());
    return rt;
  }

  step(): WireStep | undefined {
    const i = this.position;
    const def = this.program.steps[i];
    if (!def) return undefined;
    const out: WireStep = {
      index: i, line: def.range.line, col: def.range.col, endLine: def.range.endLine, endCol: def.range.endCol,
      kind: def.kind, label: def.label, events: NO_EVENTS, hazards: NO_HAZARDS,
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
    // (the runtime reuses an empty list for the next step: a step without any gets the shared NO_DIAGS)
    this.runDiags.push(this.rt.diags.length ? this.rt.diags : NO_DIAGS);
    this.cps?.note(this.position, this.rt);
    return out;
  }

  goto(position: number): void {
    const target = Math.max(0, Math.min(position, this.program.steps.length));
    if (target < this.position) {
      const cp = this.streamed === 0 ? this.cps?.atOrBefore(target) : undefined;
      if (cp) this.restore(this, cp.position, cp.state);
      else {
        this.rt = this.fresh();
        this.done = [];
        this.streamed = 0;
        this.runDiags = [];
      }
    }
    while (this.position < target) this.step();
  }

  runToEnd(): WireScenarioResult {
    this.runOn();
    return this.result();
  }

  runOn(): boolean {
    while (this.position < this.program.steps.length) {
      if (this.isCancelled?.()) break;
      this.step();
      const j = this.rejoin;
      if (j && this.position === j.at[0]) this.tryRejoin(j);
    }
    if (this.position !== this.program.steps.length) return false;
    this.cps?.note(this.position, this.rt, true);
    return true;
  }

  allDiagnostics(): WireDiagnostic[] {
    const diagnostics = [...this.program.diagnostics];
    for (const d of this.runDiags) if (d !== NO_DIAGS) diagnostics.push(...d);
    diagnostics.sort((a, b) => a.line - b.line || a.col - b.col);
    return diagnostics;
  }

  /** `more`: when every step so far has run, adds the next steps to the program and says whether
   *  there may be more (the runner's streaming compile: compile/stream.ts). */
  runStreaming(onStep: (step: WireStep) => void, more?: () => boolean): WireScenarioResult {
    const counts = this.expectationCounts(this.done);
    const results = expectationResults(this.done);
    for (const s of this.done) onStep(s);
    this.streamed += this.done.length;
    this.done = [];
    for (;;) {
      if (this.position >= this.program.steps.length) {
        if (more?.()) continue;
        break;
      }
      if (this.isCancelled?.()) break;
      const s = this.step()!;
      onStep(s);
      if (s.expectation) {
        counts[s.expectation.passed ? 0 : 1]++;
        results.push(...expectationResults([s]));
      }
      // Only the count is kept (position), not the step: the caller has it.
      this.done.pop();
      this.streamed++;
    }
    return this.result([], counts, results);
  }

  /** Steps handed out by runStreaming and not kept. */
  private streamed = 0;

  private expectationCounts(steps: readonly WireStep[]): [number, number] {
    const c: [number, number] = [0, 0];
    for (const s of steps) if (s.expectation) c[s.expectation.passed ? 0 : 1]++;
    return c;
  }

  result(steps: WireStep[] = [...this.done], [passed, failed] = this.expectationCounts(steps), results = expectationResults(steps)): WireScenarioResult {
    const r: WireScenarioResult = { file: this.uri, diagnostics: this.allDiagnostics(), steps, expectations: { passed, failed }, expectationResults: results };
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

/** Each expectation step with its result (the runner's `expectationResults`). */
export function expectationResults(steps: readonly WireStep[]): WireExpectationResult[] {
  const out: WireExpectationResult[] = [];
  for (const s of steps) {
    const e = s.expectation;
    if (e) out.push({ line: s.line, col: s.col, text: e.text ?? s.label, passed: e.passed, message: e.message });
  }
  return out;
}
