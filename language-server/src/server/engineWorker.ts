// The engine worker (a worker thread started by WorkerRunner, workerRunner.ts): compiles and runs
// each document incrementally (the syntax tree re-parsed from the last one, the run resumed from a
// checkpoint of the last completed session), answers state requests from the session it keeps,
// and after each run sends the summary first (diagnostics are published from it: their JSON only
// when they changed), then the steps that changed since the last run (stepEncoder.ts). It keeps
// one session, one tree and the last steps sent per document, nothing per run.
import type { ScenarioSession, WireDiagnostic, WireState, WireStep } from '../engine/api';
import { compileScenario, cutToSize } from '../engine';
import { parse } from '../dsl';
import { reparse } from '../dsl/incremental';
import type { ParseResult } from '../dsl/ast';
import { addCounts, resolverFor, stateOf, stepCounts, type RunRequest, type StepCounts } from './runner';
import { StepEncoder, sameJson } from './stepEncoder';
import type { StepDelta } from './stepStore';

export type ToWorker =
  | { type: 'run'; id: number; req: RunRequest; flag: SharedArrayBuffer }
  | { type: 'state'; id: number; uri: string; version: number; stepIndex: number }
  /** The whole result of the document's last run, when it is of `version`. */
  | { type: 'full'; id: number; uri: string; version: number }
  /** The server's thread has no step store for `uri` (the next delta is sent whole). */
  | { type: 'resync'; uri: string }
  | { type: 'forget'; uri: string };
export type FromWorker =
  /** `diagnostics`: the JSON of the run's diagnostics (a string is far cheaper to pass between
   *  threads than objects), null when they are the same as the last run's of `uri` (the server's
   *  thread handles these messages in order and keeps its last array). */
  | { type: 'done'; id: number; uri: string; summary: StepCounts; diagnostics: string | null }
  /** `delta` null: the steps could not be encoded (the server's thread fetches the whole result). */
  | { type: 'steps'; id: number; uri: string; delta: StepDelta | null }
  | { type: 'full'; id: number; json: string | null }
  | { type: 'cancelled'; id: number }
  | { type: 'failed'; id: number; message: string }
  | { type: 'state'; id: number; state: WireState | null };

/** What the worker keeps of a document's last completed run (the next edit resumes from it). */
interface Kept {
  version: number;
  session: ScenarioSession;
  state: (i: number) => WireState | null;
  diagnostics: readonly WireDiagnostic[];
  /** The run's steps and their counts (the next run's counts are updated from the steps it changed). */
  steps: readonly WireStep[];
  counts: StepCounts;
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

export interface WorkerPort {
  on(ev: 'message', fn: (m: ToWorker) => void): void;
  postMessage(m: FromWorker): void;
}

/** Worker side: keeps the latest completed session per document for state requests. */
export function engineWorkerMain(port: WorkerPort): void {
  const sessions = new Map<string, Kept>();
  const trees = new Map<string, Tree>();
  const encoder = new StepEncoder();
  port.on('message', (m) => {
    if (m.type === 'forget') {
      sessions.delete(m.uri);
      trees.delete(m.uri);
      encoder.forget(m.uri);
    } else if (m.type === 'resync') {
      encoder.forget(m.uri);
    } else if (m.type === 'full') {
      // Only when the server's thread has no steps of the run (it builds the result from them).
      const s = sessions.get(m.uri);
      let json: string | null = null;
      try {
        json = s && s.version === m.version ? JSON.stringify(s.session.runToEnd()) : null;
      } catch {
        json = null;
      }
      port.postMessage({ type: 'full', id: m.id, json });
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
      run(m);
    }
  });

  function run(m: Extract<ToWorker, { type: 'run' }>): void {
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
      const kept = sessions.get(m.req.uri);
      const s = compileScenario(m.req.text, m.req.uri, {
        readInclude: resolverFor(m.req), isCancelled: cancelled, maxFileSize: m.req.maxFileSize, parsed,
        checkpoints: {}, previous: kept?.session,
      });
      if (cancelled() || !s.runOn() || cancelled()) {
        port.postMessage({ type: 'cancelled', id: m.id });
        return;
      }
      // The session's own list (it never steps again: state requests fork it).
      const steps = s.results();
      const summary = countsFrom(kept, steps);
      const diagnostics = s.allDiagnostics();
      const same = kept !== undefined && sameJson(kept.diagnostics, diagnostics);
      sessions.set(m.req.uri, { version: m.req.version, session: s, state: stateOf(s), diagnostics: same ? kept.diagnostics : diagnostics, steps, counts: summary });
      // The summary first (diagnostics are published from it), then the steps that changed.
      port.postMessage({ type: 'done', id: m.id, uri: m.req.uri, summary, diagnostics: same ? null : JSON.stringify(diagnostics) });
      let delta: StepDelta | null = null;
      try {
        delta = encoder.delta(m.req.uri, steps);
      } catch {
        encoder.forget(m.req.uri);
      }
      port.postMessage({ type: 'steps', id: m.id, uri: m.req.uri, delta });
    } catch (e) {
      // A run cancelled part-way may throw anything: it is stale, not failed.
      if (cancelled()) port.postMessage({ type: 'cancelled', id: m.id });
      else port.postMessage({ type: 'failed', id: m.id, message: e instanceof Error ? e.stack ?? e.message : String(e) });
    }
  }
}

/** The counts of `steps`: those of the last run's, updated from the first step that is not the same object. */
function countsFrom(kept: Kept | undefined, steps: readonly WireStep[]): StepCounts {
  if (!kept) return stepCounts(steps);
  const n = Math.min(kept.steps.length, steps.length);
  let from = 0;
  while (from < n && kept.steps[from] === steps[from]) from++;
  return addCounts(addCounts(kept.counts, stepCounts(kept.steps, from), -1), stepCounts(steps, from), 1);
}
