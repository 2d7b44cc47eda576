// Worker side of the step store (stepStore.ts): after each run, the steps whose JSON differs from
// the store last sent for the document. A run resumed from a checkpoint keeps the previous run's
// step objects before it (the same objects: skipped at once); the steps it ran again are compared
// by value with the previous ones (no string built; walks as the model's traces), and only those that differ are encoded, so
// an edit that changes two steps sends two steps whatever it re-ran. The server's thread keeps
// every chunk that still holds a step: when a chunk is mostly replaced, or there are too many,
// its remaining steps are sent again with the next delta and the chunk is dropped there.
import type { WireStep } from '../engine/api';
import { walkTraces } from '../engine';
import { txSummary, type TxSummary } from './runner';
import type { StepDelta } from './stepStore';

/** True when `a` and `b` have the same JSON value (plain data: objects, arrays, primitives). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const arr = Array.isArray(a);
  if (arr !== Array.isArray(b)) return false;
  if (arr) {
    const x = a as unknown[];
    const y = b as unknown[];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!sameJson(x[i], y[i])) return false;
    return true;
  }
  return sameKeys(a as Record<string, unknown>, b as Record<string, unknown>);
}

/** Every key of `x` and `y` but `skip` has the same JSON value in both. */
function sameKeys(x: Record<string, unknown>, y: Record<string, unknown>, skip?: string): boolean {
  let n = 0;
  for (const k in x) {
    n++;
    if (k === skip) continue;
    const v = x[k];
    if (!sameJson(v, y[k]) || (v === undefined && !(k in y))) return false;
  }
  for (const _ in y) n--;
  return n === 0;
}

/** `sameJson` for two steps: their walks are compared as the model's traces when both have them,
 *  so a re-run step that matches is never turned into wire walks (lazyWalks.ts) to find out. */
export function sameStep(a: WireStep, b: WireStep): boolean {
  if (a === b) return true;
  const ta = walkTraces(a);
  const tb = walkTraces(b);
  if (!ta || !tb) return sameJson(a, b);
  return (ta === tb || sameJson(ta, tb)) && sameKeys(a as never, b as never, 'walks');
}

/** What the server's thread holds for a document: the steps, and which chunk holds each. */
interface Sent {
  id: number;
  steps: readonly WireStep[];
  /** Chunk number (this encoder's) holding each step, and the step's JSON length. */
  owner: Int32Array;
  size: Int32Array;
  /** Per chunk number: characters sent, and those of its steps still in the store. */
  chunks: Map<number, { chars: number; live: number }>;
}

export class StepEncoder {
  private readonly last = new Map<string, Sent>();
  private nextId = 1;
  private nextChunk = 1;

  /** A chunk is sent again (its remaining steps) when less than `1 / slack` of it is still in use,
   *  and the smallest ones when the store would hold more than `maxChunks`. */
  constructor(private readonly maxChunks = 32, private readonly slack = 2) {}

  /** The delta from the last store sent for `uri` to `steps`. */
  delta(uri: string, steps: readonly WireStep[]): StepDelta {
    const job = this.slices(uri, steps, Infinity);
    for (;;) {
      const r = job.next();
      if (r.done) return r.value;
    }
  }

  /** `delta` as a job that pauses after encoding each `slice` steps (and comparing 4 times as many),
   *  so a caller can answer other messages between slices; nothing is recorded until the job
   *  returns (one that is dropped part-way leaves the encoder as it was). */
  *slices(uri: string, steps: readonly WireStep[], slice: number): Generator<void, StepDelta, void> {
    const prev = this.last.get(uri);
    const n = steps.length;
    const owner = new Int32Array(n);
    const size = new Int32Array(n);
    const chunks = new Map<number, { chars: number; live: number }>();
    /** Steps to send, ascending. */
    let send: number[] = [];
    let from = 0;
    if (prev) {
      const m = Math.min(n, prev.steps.length);
      owner.set(prev.owner.subarray(0, m));
      size.set(prev.size.subarray(0, m));
      for (const [c, v] of prev.chunks) chunks.set(c, { ...v });
      const drop = (i: number) => (chunks.get(prev.owner[i])!.live -= prev.size[i]);
      while (from < m && prev.steps[from] === steps[from]) from++;
      for (let i = from; i < m; i++) {
        if ((i - from) % (4 * slice) === 4 * slice - 1) yield;
        if (sameStep(prev.steps[i], steps[i])) continue;
        drop(i);
        send.push(i);
      }
      for (let i = m; i < prev.steps.length; i++) drop(i);
      from = m;
    }
    for (let i = from; i < n; i++) send.push(i);
    // Chunks mostly replaced, or the smallest beyond maxChunks: their steps are sent again.
    const kept = [...chunks].filter(([, v]) => v.live > 0);
    const again = new Set(kept.filter(([, v]) => v.live * this.slack < v.chars).map(([c]) => c));
    const left = kept.filter(([c]) => !again.has(c)).sort((a, b) => a[1].live - b[1].live);
    while (left.length + 1 > this.maxChunks) again.add(left.shift()![0]);
    if (again.size) {
      const more: number[] = [];
      for (let i = 0; i < Math.min(n, prev?.steps.length ?? 0); i++) if (again.has(owner[i])) more.push(i);
      send = mergeSorted(send, more);
    }
    for (const c of chunks.keys()) if (!kept.some(([k]) => k === c) || again.has(c)) chunks.delete(c);
    const chunk = this.nextChunk++;
    const parts: string[] = [];
    const tx: TxSummary[] = [];
    const index = Int32Array.from(send);
    const ends = new Int32Array(send.length);
    const lines = new Int32Array(send.length);
    let at = 0;
    for (let k = 0; k < send.length; k++) {
      if (k > 0 && k % slice === 0) yield;
      const i = send[k];
      const j = JSON.stringify(steps[i]);
      parts.push(j);
      at += j.length;
      ends[k] = at;
      lines[k] = steps[i].line;
      owner[i] = chunk;
      size[i] = j.length;
      const t = txSummary(steps[i]);
      if (t) tx.push(t);
    }
    if (send.length) chunks.set(chunk, { chars: at, live: at });
    const id = this.nextId++;
    this.last.set(uri, { id, steps, owner, size, chunks });
    return { id, base: prev?.id ?? 0, count: n, chunk: { index, json: parts.join(''), ends, lines, tx: JSON.stringify(tx) } };
  }

  /** Chunks the server's thread holds for `uri` after the last delta (for tests). */
  chunkCount(uri: string): number {
    return this.last.get(uri)?.chunks.size ?? 0;
  }

  /** The server's thread dropped its store of `uri` (or the document closed): the next delta is whole. */
  forget(uri: string): void {
    this.last.delete(uri);
  }
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) out.push(a[i++]);
    else if (i >= a.length || b[j] < a[i]) out.push(b[j++]);
    else {
      out.push(a[i++]);
      j++;
    }
  }
  return out;
}
