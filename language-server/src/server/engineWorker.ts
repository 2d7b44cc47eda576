// The engine worker (a worker thread started by WorkerRunner, workerRunner.ts): compiles and runs
// each document incrementally (the syntax tree re-parsed from the last one, the run resumed from a
// checkpoint of the last completed session), answers state requests from the session it keeps,
// and after each run sends the summary first (diagnostics are published from it: their JSON only
// when they changed), then the steps that changed since the last run (stepEncoder.ts). It keeps
// one session, one tree, the document's text and the last steps sent per document, nothing per
// run. A run request brings the edits since the version of the text the worker holds (applied
// here; the whole text only when the server's thread cannot reach that version): when they do
// not apply (another version, a length that differs), the worker answers `needText` and the
// server's thread sends the request again with the whole text.
import type { ScenarioSession, WireDiagnostic, WireState, WireStep } from '../engine/api';
import { compileScenario, cutToSize } from '../engine';
import { parse } from '../dsl';
import { reparse } from '../dsl/incremental';
import type { ParseResult } from '../dsl/ast';
import { addCounts, resolverFor, stateOf, stepCounts, type StepCounts, type WireRunRequest } from './runner';
import { applyEdits, composeExtents, extentOf, type Extent } from './textEdits';
import { clock, mark, threadCpuMs, type Marks } from './trace';
import { StepEncoder, sameJson } from './stepEncoder';
import type { StepDelta } from './stepStore';

export type ToWorker =
  | { type: 'run'; id: number; req: WireRunRequest; flag: SharedArrayBuffer }
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
  | { type: 'done'; id: number; uri: string; summary: StepCounts; diagnostics: string | null; marks?: Marks }
  /** `delta` null: the steps could not be encoded (the server's thread drops its store; the next
   *  delta is whole), or, `superseded`, a newer run of the document came first: its steps are not
   *  sent, the store stays as it was (the newer run's delta follows from it). */
  | { type: 'steps'; id: number; uri: string; delta: StepDelta | null; superseded?: true; encodeMs?: number; encodeCpuMs?: number }
  | { type: 'full'; id: number; json: string | null }
  | { type: 'cancelled'; id: number }
  /** The run's edits do not lead from the text the worker holds: send the whole text. */
  | { type: 'needText'; id: number }
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

/** A step encoding under way (stepEncoder.ts) and the newest run's, queued behind it. */
interface Encoding {
  stop(): void;
  queued?: { start(): void; drop(): void };
}

/** The syntax tree of the last text the worker saw for a document (re-parsed incrementally). */
interface Tree {
  text: string;
  parsed: ParseResult;
  /** Statements the last re-parse parsed again (all of them after a parse from scratch). */
  reparsed: number;
}

/** The extent of no edit (the identity of composeExtents; reparse clamps it to the text). */
const SAME: Extent = { p: Infinity, s: Infinity };

/** The document's text as the worker holds it. */
interface Doc {
  version: number;
  text: string;
  /** The extent from the text of the document's tree to `text`, when known from edits. */
  sinceTree?: Extent;
}

/** The text of `req`'s version: its own, or the held text with its edits applied; undefined
 *  (and nothing held) when the edits do not lead from the held text. */
function textFor(docs: Map<string, Doc>, req: WireRunRequest): string | undefined {
  if (req.text !== undefined) {
    docs.set(req.uri, { version: req.version, text: req.text });
    return req.text;
  }
  const d = docs.get(req.uri);
  const text = d && req.edits && d.version === req.edits.base ? applyEdits(d.text, req.edits.list) : undefined;
  if (!d || !req.edits || text === undefined || text.length !== req.edits.length) {
    docs.delete(req.uri);
    return undefined;
  }
  docs.set(req.uri, { version: req.version, text, sinceTree: d.sinceTree && composeExtents(d.sinceTree, extentOf(req.edits.list, d.text.length)) });
  return text;
}

/** Parses `doc`'s text, incrementally from the document's last tree; undefined when the engine cuts it. */
function parseFor(trees: Map<string, Tree>, uri: string, doc: Doc, maxFileSize: number): ParseResult | undefined {
  const text = doc.text;
  if (cutToSize(text, maxFileSize).length !== text.length) return undefined;
  const t = trees.get(uri);
  const re = t && reparse(t.parsed, t.text, text, uri, doc.sinceTree);
  const parsed = re ?? parse(text, uri);
  trees.set(uri, { text, parsed, reparsed: re ? re.info.parsed : parsed.tree.statements.length });
  doc.sinceTree = SAME;
  return parsed;
}

export interface WorkerPort {
  on(ev: 'message', fn: (m: ToWorker) => void): void;
  postMessage(m: FromWorker): void;
}

/** What a test can see of the worker: the text it holds, the statements its last re-parse parsed. */
export interface WorkerView {
  textOf(uri: string): string | undefined;
  reparsed(uri: string): number | undefined;
}

/** Steps JSON-encoded between two looks at the worker's messages (7 µs each at 100,000 lines:
 *  an edit that arrives meanwhile waits at most ~7 ms on a quiet machine). */
const ENCODE_SLICE = 1024;

/** Worker side: keeps the latest completed session per document for state requests. */
export function engineWorkerMain(port: WorkerPort): WorkerView {
  const sessions = new Map<string, Kept>();
  const trees = new Map<string, Tree>();
  const docs = new Map<string, Doc>();
  const encoder = new StepEncoder();
  /** Per document, the step encoding under way (after its run's `done`) and the one queued behind it. */
  const encoding = new Map<string, Encoding>();
  port.on('message', (m) => {
    // Closing the document drops the encoding of its steps.
    if (m.type === 'forget') {
      const e = encoding.get(m.uri);
      encoding.delete(m.uri);
      e?.queued?.drop();
      e?.stop();
      sessions.delete(m.uri);
      trees.delete(m.uri);
      docs.delete(m.uri);
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

  return { textOf: (uri) => docs.get(uri)?.text, reparsed: (uri) => trees.get(uri)?.reparsed };

  /** Sends run `id`'s steps as a delta, encoded a slice at a time between other messages: a new
   *  run for the document (its next edit) is never queued behind the encoding of a large run's
   *  steps, and state and whole-result requests are answered between slices. An encoding under way
   *  is finished (the next delta follows from it: the first, whole, step set of a large document
   *  reaches the server's thread however fast the user types); of the runs that end meanwhile,
   *  only the newest is encoded after it, the others are superseded (not sent). */
  function encodeSteps(id: number, uri: string, steps: readonly WireStep[], trace: boolean): void {
    const t0 = trace ? clock() : undefined;
    /** The worker's CPU in the encoding's slices (when tracing). */
    let cpu = 0;
    const post = (delta: StepDelta | null, superseded?: true) =>
      port.postMessage({ type: 'steps', id, uri, delta, ...(superseded && { superseded }), ...(t0 !== undefined && { encodeMs: clock() - t0, encodeCpuMs: cpu }) });
    const start = () => {
      const job = encoder.slices(uri, steps, ENCODE_SLICE);
      let stopped = false;
      const e: Encoding = {
        stop: () => {
          stopped = true;
          post(null, true);
        },
      };
      encoding.set(uri, e);
      const slice = () => {
        if (stopped) return;
        const c0 = t0 !== undefined ? threadCpuMs() : 0;
        try {
          const r = job.next();
          if (t0 !== undefined) cpu += threadCpuMs() - c0;
          if (!r.done) return void setImmediate(slice);
          post(r.value);
        } catch {
          encoder.forget(uri);
          post(null);
        }
        encoding.delete(uri);
        e.queued?.start();
      };
      slice();
    };
    const current = encoding.get(uri);
    if (!current) return start();
    current.queued?.drop();
    current.queued = { start, drop: () => post(null, true) };
  }

  function run(m: Extract<ToWorker, { type: 'run' }>): void {
    const flag = new Int32Array(m.flag);
    const cancelled = () => Atomics.load(flag, 0) !== 0;
    const marks: Marks | undefined = m.req.trace ? [] : undefined;
    mark(marks, 'start');
    try {
      // The text first, even for a stale run: the next request's edits follow from this version.
      const text = textFor(docs, m.req);
      mark(marks, m.req.text === undefined ? 'edits applied' : 'text');
      if (text === undefined) {
        port.postMessage({ type: 'needText', id: m.id });
        return;
      }
      // A run that went stale while it queued behind another is not started.
      if (cancelled()) {
        port.postMessage({ type: 'cancelled', id: m.id });
        return;
      }
      // Incremental: the tree re-parses only the statements the edit touched; the run resumes
      // from a checkpoint of the last completed run before the first step that changed.
      const parsed = parseFor(trees, m.req.uri, docs.get(m.req.uri)!, m.req.maxFileSize);
      mark(marks, 'parse');
      const kept = sessions.get(m.req.uri);
      const s = compileScenario(text, m.req.uri, {
        readInclude: resolverFor(m.req), isCancelled: cancelled, maxFileSize: m.req.maxFileSize, parsed,
        checkpoints: {}, previous: kept?.session,
      });
      mark(marks, 'compile');
      const ran = !cancelled() && s.runOn();
      mark(marks, 'run');
      if (!ran || cancelled()) {
        port.postMessage({ type: 'cancelled', id: m.id });
        return;
      }
      // The session's own list (it never steps again: state requests fork it).
      const steps = s.results();
      const summary = countsFrom(kept, steps);
      mark(marks, 'counts');
      const diagnostics = s.allDiagnostics();
      const same = kept !== undefined && sameJson(kept.diagnostics, diagnostics);
      sessions.set(m.req.uri, { version: m.req.version, session: s, state: stateOf(s), diagnostics: same ? kept.diagnostics : diagnostics, steps, counts: summary });
      const json = same ? null : JSON.stringify(diagnostics);
      mark(marks, 'diagnostics');
      // The summary first (diagnostics are published from it), then the steps that changed.
      port.postMessage({ type: 'done', id: m.id, uri: m.req.uri, summary, diagnostics: json, marks });
      encodeSteps(m.id, m.req.uri, steps, marks !== undefined);
    } catch (e) {
      // A run cancelled part-way may throw anything: it is stale, not failed.
      if (cancelled()) port.postMessage({ type: 'cancelled', id: m.id });
      else port.postMessage({ type: 'failed', id: m.id, message: e instanceof Error ? e.stack ?? e.message : String(e) });
    }
  }
}

/** The counts of `steps`: those of the last run's, updated for the steps between the first and
 *  the last that are not the same objects (a run that rejoined the last one shares its end). */
function countsFrom(kept: Kept | undefined, steps: readonly WireStep[]): StepCounts {
  if (!kept) return stepCounts(steps);
  const old = kept.steps;
  const n = Math.min(old.length, steps.length);
  let from = 0;
  while (from < n && old[from] === steps[from]) from++;
  let end = 0;
  while (end < n - from && old[old.length - 1 - end] === steps[steps.length - 1 - end]) end++;
  return addCounts(addCounts(kept.counts, stepCounts(old, from, old.length - end), -1), stepCounts(steps, from, steps.length - end), 1);
}
