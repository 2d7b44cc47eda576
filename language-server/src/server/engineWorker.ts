// The engine worker (a worker thread started by WorkerRunner, workerRunner.ts): compiles and runs
// each document incrementally (the syntax tree re-parsed from the last one, the run resumed from a
// checkpoint of the last completed session), answers state and whole-result requests from what it
// keeps, and after each run sends the summary first (diagnostics are published from it), then the
// steps that changed since the last run (stepStore.ts).
import type { ScenarioSession, WireScenarioResult, WireState } from '../engine/api';
import { compileScenario, cutToSize } from '../engine';
import { parse } from '../dsl';
import { reparse } from '../dsl/incremental';
import type { ParseResult } from '../dsl/ast';
import { countsOf, resolverFor, stateOf, type RunCounts, type RunRequest } from './runner';
import { StepEncoder, type StepDelta } from './stepStore';

export type ToWorker =
  | { type: 'run'; id: number; req: RunRequest; flag: SharedArrayBuffer }
  | { type: 'state'; id: number; uri: string; version: number; stepIndex: number }
  | { type: 'full'; id: number; runId: number }
  | { type: 'release'; runId: number }
  | { type: 'forget'; uri: string };
export type FromWorker =
  /** `diagnostics`: the JSON of the run's diagnostics (a string is far cheaper to pass between
   *  threads than objects; the server's thread reuses its last array when the string is the same). */
  | { type: 'done'; id: number; summary: Omit<RunCounts, 'diagnostics'>; diagnostics: string }
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

/** Worker side: keeps the latest completed session per document for state requests. */
export function engineWorkerMain(port: { on(ev: 'message', fn: (m: ToWorker) => void): void; postMessage(m: FromWorker): void }): void {
  const sessions = new Map<string, Kept>();
  const trees = new Map<string, Tree>();
  const encoder = new StepEncoder();
  /** Results of completed runs, by run id, until the server releases them. */
  const results = new Map<number, { uri: string; result: WireScenarioResult }>();
  port.on('message', (m) => {
    if (m.type === 'forget') {
      sessions.delete(m.uri);
      trees.delete(m.uri);
      encoder.forget(m.uri);
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
        // The summary first (diagnostics are published from it), then the steps that changed.
        const { diagnostics, ...summary } = countsOf(result);
        port.postMessage({ type: 'done', id: m.id, summary, diagnostics: JSON.stringify(diagnostics) });
        let delta: StepDelta | null = null;
        try {
          delta = encoder.delta(m.req.uri, result.steps);
        } catch {
          encoder.forget(m.req.uri);
        }
        port.postMessage({ type: 'steps', id: m.id, uri: m.req.uri, delta });
      } catch (e) {
        port.postMessage({ type: 'failed', id: m.id, message: e instanceof Error ? e.stack ?? e.message : String(e) });
      }
    }
  });
}
