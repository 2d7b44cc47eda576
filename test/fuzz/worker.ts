// Random edit sessions through the engine worker in process (engineWorkerMain with a port of our
// own), the path every edit takes in the editor: the tree re-parsed incrementally, declaration
// edits relowered (engine/compile/relower.ts), line-shifting edits and pastes moved
// (engine/compile/edit.ts), the run resumed from a checkpoint and rejoining the previous run
// (engine/run/converge.ts), the step deltas sent to the server's thread (stepEncoder.ts) and its
// step store rebuilt from them, sometimes after a resync (the server's thread lost its store).
// After some versions (and always the last) the diagnostics and steps the server's thread holds
// are compared with a from-scratch run of the same text. The bases are the examples with their
// steps repeated (a few hundred steps: checkpoints every 32 steps, so runs resume and rejoin).
// Used by the CI fuzz (test/unit/robust/incremental.test.ts) and `npm run fuzz`.
import { runScenario } from '../../language-server/src/engine';
import type { WireDiagnostic } from '../../language-server/src/engine/api';
import { engineWorkerMain, type FromWorker, type ToWorker } from '../../language-server/src/server/engineWorker';
import { StepStore } from '../../language-server/src/server/stepStore';
import { EditSession } from './edits';
import { Rng } from './lib';

/** Statements that are steps of the run (repeated to make a base long enough for checkpoints). */
const STEP = /^\s*(dma|ats|pri|cmd|expect|write(8|16|32|64)|unmap|pte|reg|cpu|iommufd)\b/;

/** An example with its step lines repeated until it has about `steps` of them. */
export function longerBase(example: string, steps: number): string {
  const lines = example.split('\n');
  const own = lines.filter((l) => STEP.test(l));
  if (own.length === 0) return example;
  const out = [...lines];
  for (let k = 0; out.length - lines.length + own.length < steps; k++) out.push(...own, `# repeat ${k}`);
  return out.join('\n') + '\n';
}

export interface InProcessWorker {
  /** Handles `m` as the worker thread would and returns the messages it posted meanwhile. */
  send(m: ToWorker): FromWorker[];
}

/** The engine worker's side in this thread (engineWorkerMain with a port of our own). */
export function inProcessWorker(): InProcessWorker {
  let handler: ((m: ToWorker) => void) | undefined;
  let out: FromWorker[] = [];
  // structuredClone: the messages cross a thread in the server, nothing is shared.
  engineWorkerMain({ on: (_ev, fn) => (handler = fn), postMessage: (m) => out.push(structuredClone(m)) });
  return {
    send(m) {
      out = [];
      handler!(m);
      return out;
    },
  };
}

const json = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/**
 * One session: `base` run, then 5 to 24 random edits (EditSession: inserts, deletes, pastes,
 * undo, digits, statements split and joined); each version is run by the worker, or skipped (a
 * burst the server's debounce folds into one run). Returns the number of edits, of versions
 * compared with a from-scratch run, and the first problem found.
 */
export function checkWorkerSession(rng: Rng, base: string, uri: string): { edits: number; compared: number; problem?: string } {
  const w = inProcessWorker();
  const s = new EditSession(rng, uri, base);
  let diagnostics: WireDiagnostic[] = [];
  let store = StepStore.EMPTY;
  const kinds: string[] = [];
  const n = 5 + rng.int(20);
  let compared = 0;
  for (let k = 0; k <= n; k++) {
    if (k > 0) kinds.push(s.next().kind);
    if (k > 0 && k < n && rng.chance(0.3)) continue; // a burst: this version is never run
    if (rng.chance(0.1)) {
      // The server's thread lost its step store (a restarted worker, a missed delta): resync.
      w.send({ type: 'resync', uri });
      store = StepStore.EMPTY;
      kinds.push('resync');
    }
    const text = s.text;
    const version = s.doc.version;
    const out = w.send({ type: 'run', id: version, req: { uri, version, text, maxFileSize: 4_000_000, roots: [], openDocs: {} }, flag: new SharedArrayBuffer(4) });
    const where = () => `${kinds.join(' ')} (version ${version})`;
    const done = out.find((m) => m.type === 'done');
    const steps = out.find((m) => m.type === 'steps');
    if (!done || !steps) return { edits: k, compared, problem: `${where()}: the worker answered ${json(out).slice(0, 300)}` };
    if (done.diagnostics !== null) diagnostics = JSON.parse(done.diagnostics) as WireDiagnostic[];
    if (!steps.delta) return { edits: k, compared, problem: `${where()}: no step delta` };
    store = store.next(steps.delta);
    if (k < n && !rng.chance(0.25)) continue;
    compared++;
    const scratch = runScenario(text, uri);
    if (json(diagnostics) !== json(scratch.diagnostics)) {
      return { edits: k, compared, problem: `${where()}: diagnostics differ from a from-scratch run (${diagnostics.length} vs ${scratch.diagnostics.length})` };
    }
    const all = store.all();
    if (json(all) !== json(scratch.steps)) {
      const i = all.findIndex((x, j) => json(x) !== json(scratch.steps[j]));
      return { edits: k, compared, problem: `${where()}: steps differ from a from-scratch run (${all.length} vs ${scratch.steps.length}, first at ${i})` };
    }
  }
  return { edits: n, compared };
}
