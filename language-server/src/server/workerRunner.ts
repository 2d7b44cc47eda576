// The engine on a worker thread (engineWorker.ts is the other side). Runs are queued to the
// worker; a run that takes longer than `maxRunMs` is stopped by terminating the worker (the next
// run starts a new one). After each run the worker sends the steps that changed (stepStore.ts):
// the server's thread keeps the latest step store per document, so features read a completed
// run's steps at a line without asking the worker, which may be busy with the next edit's run.
// A run request carries the edits since the version last posted for the document (the worker
// keeps the text), the whole text only when those edits are not known or the worker asks for it.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { WireDiagnostic, WireScenarioResult, WireStep } from '../engine/api';
import { expectationResults } from '../engine';
import type { FromWorker, ToWorker } from './engineWorker';
import { stepsByLine, txSummary, type CancelFlag, type EngineRunner, type RunCounts, type RunOutcome, type RunRequest } from './runner';
import { StepStore } from './stepStore';
import { PostedTexts } from './textEdits';
import { clock, mark, threadCpuMs } from './trace';

interface Pending {
  resolve: (m: FromWorker) => void;
}

export class WorkerRunner implements EngineRunner {
  private worker?: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  /** The latest step store per document, as the worker's messages built it (in order). */
  private readonly stores = new Map<string, StepStore>();
  /** The last diagnostics per document, as received (the worker sends them only when they change). */
  private readonly diagnostics = new Map<string, WireDiagnostic[]>();
  /** The diagnostics of each run whose `done` was received and not yet taken by `run`. */
  private readonly doneDiagnostics = new Map<number, WireDiagnostic[]>();
  /** Runs whose steps have not arrived yet. */
  private readonly stepWaiters = new Map<number, (s: StepStore | undefined) => void>();
  /** The version of each document the current worker holds. */
  readonly posted = new PostedTexts();

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
      // A scenario that exhausts memory takes down the worker, not the server. Just under 2 GB:
      // from 2 GB up V8 lets the heap grow to 4 times what a collection leaves live before the
      // next one (a 100,000-line document's ~250 MB peaked near 1 GB); below, at most about twice.
      resourceLimits: { maxOldGenerationSizeMb: 2000 },
    });
    w.unref();
    w.stdout.resume(); // the engine prints nothing; never let output reach the LSP stream
    w.stderr.on('data', (d: Buffer) => this.log(`engine worker: ${d.toString().trimEnd()}`));
    w.on('message', (m: FromWorker) => {
      if (m.type === 'steps') {
        if (this.worker === w) this.steps(m);
        return;
      }
      // In the order the worker sent them: each run's diagnostics follow from the last ones.
      if (m.type === 'done' && this.worker === w) this.doneDiagnostics.set(m.id, this.diagnosticsOf(m));
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
      this.posted.clear();
      this.stores.clear();
      this.diagnostics.clear();
      this.doneDiagnostics.clear();
      for (const resolve of this.stepWaiters.values()) resolve(undefined);
      this.stepWaiters.clear();
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

  /** A run's diagnostics: parsed when they changed, else the same array as the last run's. */
  private diagnosticsOf(m: Extract<FromWorker, { type: 'done' }>): WireDiagnostic[] {
    if (m.diagnostics === null) return this.diagnostics.get(m.uri) ?? [];
    const list = JSON.parse(m.diagnostics) as WireDiagnostic[];
    this.diagnostics.set(m.uri, list);
    return list;
  }

  /** Applies a run's step delta to the document's store (every message, in order). */
  private steps(m: Extract<FromWorker, { type: 'steps' }>): void {
    const t0 = clock();
    const c0 = m.encodeMs !== undefined ? threadCpuMs() : 0;
    if (m.superseded) {
      // A newer run came first: the store stays as it is, this run has no steps of its own.
      if (m.encodeMs !== undefined) process.stderr.write(`trace steps of run ${m.id}: superseded after ${m.encodeMs.toFixed(1)} ms of worker encoding (CPU ${m.encodeCpuMs?.toFixed(1)} ms)\n`);
      this.stepWaiters.get(m.id)?.(undefined);
      this.stepWaiters.delete(m.id);
      return;
    }
    let store: StepStore | undefined;
    try {
      const base = m.delta?.base === 0 ? StepStore.EMPTY : this.stores.get(m.uri);
      if (m.delta && base) store = base.next(m.delta);
      else if (m.delta) throw new Error(`no step store ${m.delta.base} for ${m.uri}`);
    } catch (e) {
      // Out of step with the worker (a document closed meanwhile): the next delta is whole.
      this.log(`engine worker: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (m.encodeMs !== undefined) {
      const sent = m.delta ? `${m.delta.chunk.index.length} steps sent` : 'failed';
      process.stderr.write(`trace steps of run ${m.id}: worker encode ${m.encodeMs.toFixed(1)} ms, CPU ${m.encodeCpuMs?.toFixed(1)} ms (${sent}), main decode ${(clock() - t0).toFixed(1)}/${(threadCpuMs() - c0).toFixed(1)} ms\n`);
    }
    if (store) this.stores.set(m.uri, store);
    else {
      this.stores.delete(m.uri);
      this.worker?.postMessage({ type: 'resync', uri: m.uri } satisfies ToWorker);
    }
    this.stepWaiters.get(m.id)?.(store);
    this.stepWaiters.delete(m.id);
  }

  async run(req: RunRequest, cancel: CancelFlag): Promise<RunOutcome> {
    const id = this.nextId++;
    let stepsReady = false;
    const steps = new Promise<StepStore | undefined>((resolve) => this.stepWaiters.set(id, resolve));
    // A superseded run's steps never come (no store): a hover must not wait on it for the whole result.
    void steps.then((store) => (stepsReady = store !== undefined));
    this.ensure();
    const answer = this.call({ type: 'run', id, req: this.posted.request(req), flag: cancel.buffer }, this.maxRunMs);
    mark(req.marks, 'posted');
    let m = await answer;
    // The worker does not hold the version the edits start from: the whole text.
    if (m.type === 'needText') m = await this.call({ type: 'run', id, req: this.posted.request(req, true), flag: cancel.buffer }, this.maxRunMs);
    if (req.marks && m.type === 'done' && m.marks) req.marks.push(...m.marks.map(([k, t, c]): [string, number, number?] => [`worker ${k}`, t, c]), ['main: answer', clock(), threadCpuMs()]);
    const worker = this.worker;
    if (m.type !== 'done') {
      this.stepWaiters.delete(id);
      // A stale run that failed as it was cancelled is cancelled, not an engine failure.
      if (m.type === 'cancelled' || (m.type === 'failed' && cancel.isSet)) return { kind: 'cancelled' };
      return { kind: 'failed', message: m.type === 'failed' ? m.message : 'unexpected answer from the engine worker' };
    }
    const { uri, version } = req;
    // Unchanged diagnostics (most edits) keep the same array: nothing parsed or converted again.
    const diagnostics = this.doneDiagnostics.get(id) ?? [];
    this.doneDiagnostics.delete(id);
    let full: Promise<WireScenarioResult> | undefined;
    // Built once, when a feature needs the whole result (the result panel): from the steps the
    // worker sent, else (no store) asked of the worker while its last run is this one; an empty
    // result when neither has it.
    const fullResult = () =>
      (full ??= (async () => {
        const store = await steps;
        if (store) return wholeResult(uri, diagnostics, m.summary, store.all());
        const r = this.worker === worker ? await this.call({ type: 'full', id: this.nextId++, uri, version }, this.maxRunMs) : undefined;
        const j = r?.type === 'full' ? r.json : null;
        return j ? (JSON.parse(j) as WireScenarioResult) : { file: uri, diagnostics: [], steps: [], expectations: m.summary.expectations };
      })());
    const fromFull = stepsByLine(fullResult);
    return {
      kind: 'done',
      summary: { ...m.summary, diagnostics },
      tx: async () => (await steps)?.tx() ?? (await fullResult()).steps.flatMap((s) => txSummary(s) ?? []),
      full: fullResult,
      stepsReady: () => stepsReady,
      stepsAtLine: async (line: number): Promise<WireStep[]> => {
        const store = await steps;
        return store ? store.atLine(line) : fromFull(line);
      },
      state: async (stepIndex) => {
        const r = await this.call({ type: 'state', id: this.nextId++, uri, version, stepIndex }, this.maxRunMs);
        return r.type === 'state' ? r.state : null;
      },
    };
  }

  forget(uri: string): void {
    this.posted.forget(uri);
    this.stores.delete(uri);
    this.diagnostics.delete(uri);
    this.worker?.postMessage({ type: 'forget', uri } satisfies ToWorker);
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}

/** The whole result of a run from its summary and steps, as the engine's `result()` lays it out. */
function wholeResult(file: string, diagnostics: WireDiagnostic[], summary: Omit<RunCounts, 'diagnostics'>, steps: WireStep[]): WireScenarioResult {
  return { file, diagnostics, steps, expectations: summary.expectations, expectationResults: expectationResults(steps) };
}
