// The steps of completed runs on the server's thread, without the whole result. After each run the
// engine worker (stepEncoder.ts) sends only the steps whose JSON changed since the store it sent
// before for the same document, in one chunk: "the new store has `count` steps; these are new,
// every other step is the previous store's". The server's thread keeps the text and decodes only
// the steps a feature shows (hover: the steps at one line), so a hover right after an edit never
// waits for the worker (busy with the edit's run) nor parses the whole result.
import type { WireStep } from '../engine/api';
import type { TxSummary } from './runner';
import { byValue, lowerBound } from '../dsl/lowerBound';

/** Steps of one run (any, ascending): their JSON one after the other in `json`, entry k being
 *  step `index[k]` and ending at `ends[k]`. */
export interface StepChunk {
  index: Int32Array;
  json: string;
  ends: Int32Array;
  /** 1-based source line of each entry. */
  lines: Int32Array;
  /** JSON array of the chunk's transactions (TxSummary), in step order. */
  tx: string;
}

/** What the worker sends after a run: store `id` has `count` steps, those in `chunk` and, for
 *  every other index, store `base`'s (0: the empty store). */
export interface StepDelta {
  id: number;
  base: number;
  count: number;
  chunk: StepChunk;
}

/** A chunk (shared by every store that keeps it). */
class Chunk {
  private txs?: TxSummary[];
  constructor(readonly c: StepChunk) {
    const { index, ends, lines } = c;
    if (ends.length !== index.length || lines.length !== index.length) throw new Error('step chunk: arrays of different lengths');
    for (let k = 1; k < index.length; k++) if (index[k] <= index[k - 1]) throw new Error('step chunk: indices not ascending');
  }
  /** Indices (absolute) of the chunk's steps at 1-based `line`: a scan of the lines array
   *  (microseconds for tens of thousands of steps; no index is built after each run). */
  at(line: number): number[] {
    const { lines, index } = this.c;
    const out: number[] = [];
    for (let k = 0; k < lines.length; k++) if (lines[k] === line) out.push(index[k]);
    return out;
  }
  tx(): TxSummary[] {
    return (this.txs ??= JSON.parse(this.c.tx) as TxSummary[]);
  }
  /** Entry k's step. */
  entry(k: number): WireStep {
    return JSON.parse(this.c.json.slice(k === 0 ? 0 : this.c.ends[k - 1], this.c.ends[k])) as WireStep;
  }
  /** Step `i` (which the chunk holds). */
  decode(i: number): WireStep {
    return this.entry(Math.min(lowerBound(this.c.index, i, byValue), this.c.index.length - 1));
  }
}

export class StepStore {
  static readonly EMPTY = new StepStore(0, [], new Int32Array(0));

  private txs?: TxSummary[];

  /** `owner[i]`: the chunk holding step i. */
  private constructor(readonly id: number, private readonly chunks: readonly Chunk[], private readonly owner: Int32Array) {}

  get count(): number {
    return this.owner.length;
  }

  get chunkCount(): number {
    return this.chunks.length;
  }

  /** The store after a run (`delta.base` must be this store's id); chunks left without a step are dropped. */
  next(delta: StepDelta): StepStore {
    if (delta.base !== this.id) throw new Error(`step delta for store ${delta.base}, applied to store ${this.id}`);
    const chunk = new Chunk(delta.chunk);
    const n = delta.count;
    const owner = new Int32Array(n);
    owner.set(this.owner.subarray(0, Math.min(n, this.count)));
    const k = this.chunks.length;
    let beyond = 0;
    for (const i of delta.chunk.index) {
      if (i >= n) throw new Error(`step ${i} beyond the store's ${n} steps`);
      owner[i] = k;
      if (i >= this.count) beyond++;
    }
    if (n > this.count && beyond !== n - this.count) throw new Error(`step delta leaves steps ${this.count}..${n - 1} without their JSON`);
    const used = new Uint8Array(k + 1);
    for (let i = 0; i < n; i++) used[owner[i]] = 1;
    const all = [...this.chunks, chunk];
    if (used.every((u) => u === 1)) return new StepStore(delta.id, all, owner);
    const slot = new Int32Array(k + 1);
    const kept: Chunk[] = [];
    all.forEach((c, j) => {
      slot[j] = kept.length;
      if (used[j]) kept.push(c);
    });
    for (let i = 0; i < n; i++) owner[i] = slot[owner[i]];
    return new StepStore(delta.id, kept, owner);
  }

  /** Every transaction's outcome, in step order (for inlay hints and code lenses). */
  tx(): TxSummary[] {
    if (!this.txs) {
      const out: TxSummary[] = [];
      this.chunks.forEach((c, k) => {
        for (const t of c.tx()) if (this.owner[t.index] === k) out.push(t);
      });
      if (this.chunks.length > 1) out.sort((a, b) => a.index - b.index);
      this.txs = out;
    }
    return this.txs;
  }

  /** Steps whose source line is the 0-based `line`, in run order. */
  atLine(line: number): WireStep[] {
    const hits: number[] = [];
    this.chunks.forEach((c, k) => {
      for (const i of c.at(line + 1)) if (i < this.count && this.owner[i] === k) hits.push(i);
    });
    hits.sort((a, b) => a - b);
    return hits.map((i) => this.chunks[this.owner[i]].decode(i));
  }

  /** Step `i`, or undefined when out of range. */
  step(i: number): WireStep | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) return undefined;
    return this.chunks[this.owner[i]].decode(i);
  }

  /** Every step, decoded (the whole result). */
  all(): WireStep[] {
    const out = new Array<WireStep>(this.count);
    this.chunks.forEach((c, k) => {
      const { index } = c.c;
      for (let e = 0; e < index.length; e++) if (index[e] < this.count && this.owner[index[e]] === k) out[index[e]] = c.entry(e);
    });
    return out;
  }
}
