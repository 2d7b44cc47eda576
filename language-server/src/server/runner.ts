// Where the engine runs. `WorkerRunner` compiles and runs scenarios on a worker thread, so the
// server's thread stays free for requests while a large scenario runs; a stale run is cancelled
// through a shared flag the engine polls (`EngineOptions.isCancelled`), and a run that never ends
// is stopped by terminating the worker. `InlineRunner` runs on the server's thread in slices,
// yielding between them (the fallback when no worker can be started).
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { IncludeResolver, ScenarioSession, StepInfo, WireDiagnostic, WireScenarioResult, WireState, WireStep } from '../engine/api';
import { compileScenario, cutToSize } from '../engine';
import { parse } from '../dsl';
import { reparse } from '../dsl/incremental';
import type { ParseResult } from '../dsl/ast';
import { makeIncludeResolver } from './includes';

export interface RunRequest {
  uri: string;
  version: number;
  text: string;
  maxFileSize: number;
  /** Workspace folder URIs (include roots). */
  roots: string[];
  /** Texts of the other documents open in the editor (includes read them first). */
  openDocs: Record<string, string>;
}

/** A transaction's outcome, for inlay hints and code lenses. */
export interface TxSummary extends StepInfo, Pick<WireStep, 'outcome' | 'bypass' | 'abort'> {
  pa?: string;
  /** Type of the first event the transaction recorded. */
  event?: string;
}

/** What the server needs at once from a run; the full result (walks...) is fetched on demand. */
export interface RunSummary {
  /** The engine's diagnostics (each hazard is one, with its fix). */
  diagnostics: WireDiagnostic[];
  expectations: { passed: number; failed: number };
  faults: number;
  hazards: number;
  steps: number;
  tx: TxSummary[];
}

export type RunOutcome =
  | {
      kind: 'done';
      summary: RunSummary;
      /** The whole result (every step with its walks). */
      full: () => Promise<WireScenarioResult>;
      state: (stepIndex: number) => Promise<WireState | null>;
      /** The caller no longer needs `full` (lets the runner drop the result it keeps). */
      release?: () => void;
    }
  | { kind: 'cancelled' }
  | { kind: 'failed'; message: string };

const TX_KINDS = new Set(['dma', 'ats']);

/** The summary of a result (pure; runs wherever the result is). */
export function summarize(r: WireScenarioResult): RunSummary {
  let faults = 0;
  let hazards = 0;
  const tx: TxSummary[] = [];
  for (const st of r.steps) {
    if (st.outcome === 'fault') faults++;
    hazards += st.hazards.length;
    if (TX_KINDS.has(st.kind)) {
      const t: TxSummary = { index: st.index, line: st.line, col: st.col, endLine: st.endLine, endCol: st.endCol, kind: st.kind, label: st.label };
      if (st.outcome !== undefined) t.outcome = st.outcome;
      if (st.bypass !== undefined) t.bypass = st.bypass;
      if (st.abort !== undefined) t.abort = st.abort;
      if (st.pa !== undefined) t.pa = st.pa;
      if (st.events[0]) t.event = st.events[0].type;
      tx.push(t);
    }
  }
  return { diagnostics: r.diagnostics, expectations: r.expectations, faults, hazards, steps: r.steps.length, tx };
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

function resolverFor(req: RunRequest): IncludeResolver {
  return makeIncludeResolver({ workspaceFolders: () => req.roots, openText: (u) => req.openDocs[u], maxFileSize: () => req.maxFileSize });
}

/** The state after step `i`, from a fork of the session (the session stays at its end: the next
 *  edit resumes from it); stepping on through the scenario reuses the fork. */
function stateOf(session: ScenarioSession): (i: number) => WireState | null {
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

/** What the worker keeps of a document's last completed run (the next edit resumes from it). */
interface Kept {
  version: number;
  session: ScenarioSession;
  state: (i: number) => WireState | null;
}

/** The syntax tree of the last text the worker saw for a document (re-parsed incrementally). */
interface Tree {
  text: string;
  parsed: ParseResult;
}

/** Parses `text`, incrementally from the document's last tree; undefined when the engine cuts it. */
function parseFor(trees: Map<string, Tree>, req: RunRequest): ParseResult | undefined {
  if (cutToSize(req.text, req.maxFileSize).length !== req.text.length) return undefined;
  const t = trees.get(req.uri);
  const parsed = t ? reparse(t.parsed, t.text, req.text, req.uri) : parse(req.text, req.uri);
  trees.set(req.uri, { text: req.text, parsed });
  return parsed;
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
      return { kind: 'done', summary: summarize(result), full: async () => result, state: async (i) => state(i) };
    } catch (e) {
      return { kind: 'failed', message: e instanceof Error ? e.stack ?? e.message : String(e) };
    }
  }
  forget(): void {}
  dispose(): void {}
}

// ---- worker protocol ----

type ToWorker =
  | { type: 'run'; id: number; req: RunRequest; flag: SharedArrayBuffer }
  | { type: 'state'; id: number; uri: string; version: number; stepIndex: number }
  | { type: 'full'; id: number; runId: number }
  | { type: 'release'; runId: number }
  | { type: 'forget'; uri: string };
type FromWorker =
  | { type: 'done'; id: number; summary: RunSummary }
  | { type: 'full'; id: number; json: string | null }
  | { type: 'cancelled'; id: number }
  | { type: 'failed'; id: number; message: string }
  | { type: 'state'; id: number; state: WireState | null };

/** Worker side: keeps the latest completed session per document for state requests. */
export function engineWorkerMain(port: { on(ev: 'message', fn: (m: ToWorker) => void): void; postMessage(m: FromWorker): void }): void {
  const sessions = new Map<string, Kept>();
  const trees = new Map<string, Tree>();
  /** Results of completed runs, by run id, until the server releases them. */
  const results = new Map<number, { uri: string; result: WireScenarioResult }>();
  port.on('message', (m) => {
    if (m.type === 'forget') {
      sessions.delete(m.uri);
      trees.delete(m.uri);
      for (const [id, r] of results) if (r.uri === m.uri) results.delete(id);
    } else if (m.type === 'release') {
      results.delete(m.runId);
    } else if (m.type === 'full') {
      // Stringified only when the server asks: one flat string is much cheaper to pass between
      // threads than a tree of small objects.
      const r = results.get(m.runId);
      port.postMessage({ type: 'full', id: m.id, json: r ? JSON.stringify(r.result) : null });
    } else if (m.type === 'state') {
      const s = sessions.get(m.uri);
      let state: WireState | null = null;
      try {
        state = s && s.version === m.version ? s.state(m.stepIndex) : null;
      } catch {
        state = null;
      }
      port.postMessage({ type: 'state', id: m.id, state });
    } else if (m.type === 'run') {
      const flag = new Int32Array(m.flag);
      const cancelled = () => Atomics.load(flag, 0) !== 0;
      // A run that went stale while it queued behind another is not started.
      if (cancelled()) {
        port.postMessage({ type: 'cancelled', id: m.id });
        return;
      }
      try {
        // Incremental: the tree re-parses only the statements the edit touched; the run resumes
        // from a checkpoint of the last completed run before the first step that changed.
        const parsed = parseFor(trees, m.req);
        const s = compileScenario(m.req.text, m.req.uri, {
          readInclude: resolverFor(m.req), isCancelled: cancelled, maxFileSize: m.req.maxFileSize, parsed,
          checkpoints: {}, previous: sessions.get(m.req.uri)?.session,
        });
        const result = cancelled() ? undefined : s.runToEnd();
        if (!result || cancelled()) {
          port.postMessage({ type: 'cancelled', id: m.id });
          return;
        }
        sessions.set(m.req.uri, { version: m.req.version, session: s, state: stateOf(s) });
        results.set(m.id, { uri: m.req.uri, result });
        // Only the summary (diagnostics are published from it); the whole result on request.
        port.postMessage({ type: 'done', id: m.id, summary: summarize(result) });
      } catch (e) {
        port.postMessage({ type: 'failed', id: m.id, message: e instanceof Error ? e.stack ?? e.message : String(e) });
      }
    }
  });
}

interface Pending {
  resolve: (m: FromWorker) => void;
}

export class WorkerRunner implements EngineRunner {
  private worker?: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  /** `script`: the file to start as the worker (the bundled server itself). */
  constructor(private readonly script: string, private readonly log: (m: string) => void, private readonly maxRunMs = 60_000) {}

  private ensure(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(path.resolve(this.script), {
      workerData: { iommuLensEngineWorker: true },
      stdout: true,
      stderr: true,
      // Not the server's own flags (`--inspect` in the extension's debug launch is refused here).
      execArgv: [],
      // A scenario that exhausts memory takes down the worker, not the server.
      resourceLimits: { maxOldGenerationSizeMb: 2048 },
    });
    w.unref();
    w.stdout.resume(); // the engine prints nothing; never let output reach the LSP stream
    w.stderr.on('data', (d: Buffer) => this.log(`engine worker: ${d.toString().trimEnd()}`));
    w.on('message', (m: FromWorker) => {
      const p = this.pending.get(m.id);
      if (p) {
        this.pending.delete(m.id);
        p.resolve(m);
      }
    });
    const fail = (why: string) => {
      if (this.worker !== w) return;
      this.worker = undefined;
      this.log(`engine worker stopped: ${why}`);
      for (const [id, p] of this.pending) p.resolve({ type: 'failed', id, message: `the engine worker stopped (${why})` });
      this.pending.clear();
    };
    w.on('error', (e) => fail(e instanceof Error ? e.message : String(e)));
    w.on('exit', (code) => fail(`exit code ${code}`));
    this.worker = w;
    return w;
  }

  private call(msg: ToWorker & { id: number }, timeoutMs: number): Promise<FromWorker> {
    const w = this.ensure();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        // A run that does not end is stopped with its worker; the next run starts a new one.
        this.log(`engine worker: request ${msg.type} took more than ${timeoutMs} ms; restarting the worker`);
        void w.terminate();
      }, timeoutMs);
      timer.unref?.();
      this.pending.set(msg.id, {
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
      w.postMessage(msg);
    });
  }

  async run(req: RunRequest, cancel: CancelFlag): Promise<RunOutcome> {
    const id = this.nextId++;
    const m = await this.call({ type: 'run', id, req, flag: cancel.buffer }, this.maxRunMs);
    const worker = this.worker;
    if (m.type !== 'done') {
      if (m.type === 'cancelled') return { kind: 'cancelled' };
      return { kind: 'failed', message: m.type === 'failed' ? m.message : 'unexpected answer from the engine worker' };
    }
    const { uri, version } = req;
    let full: Promise<WireScenarioResult> | undefined;
    let released = false;
    return {
      kind: 'done',
      summary: m.summary,
      // Fetched and parsed once, when a feature first needs a step's details. A worker that
      // stopped since (or a released result) answers with an empty result.
      full: () =>
        (full ??= (async () => {
          const r = !released && this.worker === worker ? await this.call({ type: 'full', id: this.nextId++, runId: id }, this.maxRunMs) : undefined;
          const j = r?.type === 'full' ? r.json : null;
          return j ? (JSON.parse(j) as WireScenarioResult) : { file: uri, diagnostics: [], steps: [], expectations: m.summary.expectations };
        })()),
      release: () => {
        if (released) return;
        released = true;
        if (this.worker === worker) worker?.postMessage({ type: 'release', runId: id } satisfies ToWorker);
      },
      state: async (stepIndex) => {
        const r = await this.call({ type: 'state', id: this.nextId++, uri, version, stepIndex }, this.maxRunMs);
        return r.type === 'state' ? r.state : null;
      },
    };
  }

  forget(uri: string): void {
    this.worker?.postMessage({ type: 'forget', uri } satisfies ToWorker);
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
