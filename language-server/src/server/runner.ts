// Where the engine runs: the contract (EngineRunner, RunOutcome, the run summary) and
// `InlineRunner`, which runs on the server's thread in slices, yielding between them (the fallback
// when no worker can be started). `WorkerRunner` (workerRunner.ts, engineWorker.ts) compiles and
// runs scenarios on a worker thread, so the server's thread stays free for requests while a large
// scenario runs; a stale run is cancelled through a shared flag the engine polls
// (`EngineOptions.isCancelled`), and a run that never ends is stopped by terminating the worker.
import type { IncludeResolver, ScenarioSession, StepInfo, WireDiagnostic, WireScenarioResult, WireState, WireStep } from '../engine/api';
import { compileScenario } from '../engine';
import { makeIncludeResolver } from './includes';
import type { TextEdit } from './textEdits';
import type { Marks } from './trace';

export interface RunRequest {
  uri: string;
  version: number;
  /** The whole document (the engine cuts it at maxFileSize). */
  text: string;
  maxFileSize: number;
  /** Workspace folder URIs (include roots). */
  roots: string[];
  /** Texts of the other documents open in the editor (includes read them first). */
  openDocs: Record<string, string>;
  /** The edits from an earlier version of the document to `text`, or undefined when that version
   *  is not reachable (the worker runner sends these instead of the text when it can). */
  editsSince?: (version: number) => TextEdit[] | undefined;
  /** Tracing (trace.ts): the runner adds its marks, and the worker's. */
  marks?: Marks;
}

/** A run request as posted to the engine worker: the text, or the edits from the version the
 *  worker holds (`base`) that make it (`length`: the length they lead to, checked there). */
export type WireRunRequest = Omit<RunRequest, 'text' | 'editsSince' | 'marks'> & { text?: string; edits?: { base: number; list: TextEdit[]; length: number }; trace?: boolean };

/** A transaction's outcome, for inlay hints and code lenses. */
export interface TxSummary extends StepInfo, Pick<WireStep, 'outcome' | 'bypass' | 'abort'> {
  pa?: string;
  /** Type of the first event the transaction recorded. */
  event?: string;
}

/** What the server needs at once from a run (it publishes from it); the transactions, the steps
 *  and the whole result (walks...) are fetched on demand. */
export interface RunCounts {
  /** The engine's diagnostics (each hazard is one, with its fix). */
  diagnostics: WireDiagnostic[];
  expectations: { passed: number; failed: number };
  faults: number;
  hazards: number;
  steps: number;
}

export interface RunSummary extends RunCounts {
  tx: TxSummary[];
}

export type RunOutcome =
  | {
      kind: 'done';
      summary: RunCounts;
      /** The transactions' outcomes, for inlay hints and code lenses. */
      tx: () => Promise<TxSummary[]>;
      /** The whole result (every step with its walks). */
      full: () => Promise<WireScenarioResult>;
      /** Steps whose source line is the 0-based `line` (without fetching the whole result). */
      stepsAtLine: (line: number) => Promise<WireStep[]>;
      /** True once `stepsAtLine` answers without waiting (the worker sends the steps after the
       *  counts and diagnostics). Absent: always true. */
      stepsReady?: () => boolean;
      state: (stepIndex: number) => Promise<WireState | null>;
      /** The caller no longer needs `full` (lets the runner drop the result it keeps). */
      release?: () => void;
    }
  | { kind: 'cancelled' }
  | { kind: 'failed'; message: string };

const TX_KINDS = new Set(['dma', 'ats']);

/** The inlay-hint summary of a transaction step; undefined for other steps. */
export function txSummary(st: WireStep): TxSummary | undefined {
  if (!TX_KINDS.has(st.kind)) return undefined;
  const t: TxSummary = { index: st.index, line: st.line, col: st.col, endLine: st.endLine, endCol: st.endCol, kind: st.kind, label: st.label };
  if (st.outcome !== undefined) t.outcome = st.outcome;
  if (st.bypass !== undefined) t.bypass = st.bypass;
  if (st.abort !== undefined) t.abort = st.abort;
  if (st.pa !== undefined) t.pa = st.pa;
  if (st.events[0]) t.event = st.events[0].type;
  return t;
}

export type StepCounts = Omit<RunCounts, 'diagnostics'>;

/** The counts of `steps` from `from` on (`steps`: their number). */
export function stepCounts(steps: readonly WireStep[], from = 0, to = steps.length): StepCounts {
  let faults = 0;
  let hazards = 0;
  let passed = 0;
  let failed = 0;
  for (let i = from; i < to; i++) {
    const st = steps[i];
    if (st.outcome === 'fault') faults++;
    hazards += st.hazards.length;
    if (st.expectation) {
      if (st.expectation.passed) passed++;
      else failed++;
    }
  }
  return { expectations: { passed, failed }, faults, hazards, steps: to - from };
}

/** `a` with `b` added (sign 1) or taken away (-1). */
export function addCounts(a: StepCounts, b: StepCounts, sign: 1 | -1): StepCounts {
  return {
    expectations: { passed: a.expectations.passed + sign * b.expectations.passed, failed: a.expectations.failed + sign * b.expectations.failed },
    faults: a.faults + sign * b.faults, hazards: a.hazards + sign * b.hazards, steps: a.steps + sign * b.steps,
  };
}

/** The counts of a result (pure; runs wherever the result is). */
export function countsOf(r: WireScenarioResult): RunCounts {
  return { ...stepCounts(r.steps), diagnostics: r.diagnostics, expectations: r.expectations };
}

/** The summary of a result: its counts and every transaction's outcome. */
export function summarize(r: WireScenarioResult): RunSummary {
  const tx: TxSummary[] = [];
  for (const st of r.steps) {
    const t = txSummary(st);
    if (t) tx.push(t);
  }
  return { ...countsOf(r), tx };
}

export interface EngineRunner {
  /** Runs a scenario; `cancel` is set when a newer version makes the run stale. */
  run(req: RunRequest, cancel: CancelFlag): Promise<RunOutcome>;
  /** The document was closed: drop what is kept for it. */
  forget(uri: string): void;
  dispose(): void;
}

/** A flag both threads see (SharedArrayBuffer), set once when the run becomes stale. */
export class CancelFlag {
  readonly buffer = new SharedArrayBuffer(4);
  private readonly view = new Int32Array(this.buffer);
  set(): void {
    Atomics.store(this.view, 0, 1);
  }
  get isSet(): boolean {
    return Atomics.load(this.view, 0) !== 0;
  }
}

export function resolverFor(req: Pick<RunRequest, 'roots' | 'openDocs' | 'maxFileSize'>): IncludeResolver {
  return makeIncludeResolver({ workspaceFolders: () => req.roots, openText: (u) => req.openDocs[u], maxFileSize: () => req.maxFileSize });
}

/** The state after step `i`, from a fork of the session (the session stays at its end: the next
 *  edit resumes from it); stepping on through the scenario reuses the fork. */
export function stateOf(session: ScenarioSession): (i: number) => WireState | null {
  let cache: { index: number; state: WireState } | undefined;
  let fork: ScenarioSession | undefined;
  return (i) => {
    if (!Number.isInteger(i) || i < 0 || i >= session.steps.length) return null;
    if (cache?.index === i) return cache.state;
    if (fork && fork.position <= i + 1 && i + 1 - fork.position < 256) fork.goto(i + 1);
    else fork = session.fork(i + 1);
    cache = { index: i, state: fork.state() };
    return cache.state;
  };
}

/** Steps by 0-based line of a whole result (built on first use). */
export function stepsByLine(r: () => Promise<WireScenarioResult>): (line: number) => Promise<WireStep[]> {
  let byLine: Promise<Map<number, WireStep[]>> | undefined;
  return async (line) => {
    byLine ??= r().then((res) => {
      const m = new Map<number, WireStep[]>();
      for (const s of res.steps) {
        const list = m.get(s.line - 1);
        if (list) list.push(s);
        else m.set(s.line - 1, [s]);
      }
      return m;
    });
    return (await byLine).get(line) ?? [];
  };
}

const SLICE_MS = 8;
const yieldNow = (): Promise<void> => new Promise((r) => setImmediate(r));

export class InlineRunner implements EngineRunner {
  async run(req: RunRequest, cancel: CancelFlag): Promise<RunOutcome> {
    try {
      const s = compileScenario(req.text, req.uri, { readInclude: resolverFor(req), isCancelled: () => cancel.isSet, maxFileSize: req.maxFileSize });
      // Compiling is one synchronous piece: let edits that arrived meanwhile cancel this run.
      await yieldNow();
      while (s.position < s.steps.length) {
        if (cancel.isSet) return { kind: 'cancelled' };
        const end = performance.now() + SLICE_MS;
        while (s.position < s.steps.length && performance.now() < end) s.step();
        if (s.position < s.steps.length) await yieldNow();
      }
      if (cancel.isSet) return { kind: 'cancelled' };
      const result = s.runToEnd();
      const state = stateOf(s);
      const full = async () => result;
      const { tx, ...summary } = summarize(result);
      return { kind: 'done', summary, tx: async () => tx, full, stepsAtLine: stepsByLine(full), state: async (i) => state(i) };
    } catch (e) {
      return { kind: 'failed', message: e instanceof Error ? e.stack ?? e.message : String(e) };
    }
  }
  forget(): void {}
  dispose(): void {}
}

