// The steps of completed runs on the server's thread, without the whole result. The engine worker
// encodes each step once (JSON, cached by the step object: a run resumed from a checkpoint keeps
// the previous run's step objects before it) and sends, after each run, only the steps that are
// new since the store it sent before for the same document: "keep the first K steps of the last
// store, then these". The server's thread keeps the text and decodes only the steps a feature
// shows (hover: the steps at one line), so a hover right after an edit never waits for the worker
// (busy with the edit's run) nor parses the whole result.
import type { WireStep } from '../engine/api';
import { txSummary, type TxSummary } from './runner';

/** Consecutive steps from `first`: their JSON one after the other in `json`, step i ending at `ends[i]`. */
export interface StepChunk {
  first: number;
  json: string;
  ends: Int32Array;
  /** 1-based source line of each step. */
  lines: Int32Array;
  /** JSON array of the chunk's transactions (TxSummary), in step order. */
  tx: string;
}

/** What the worker sends after a run: keep `keep` steps of the document's last store, then `chunk`. */
export interface StepDelta {
  keep: number;
  chunk: StepChunk;
}

/** A chunk, with its steps by line built on first use (shared by every store that keeps it). */
class Chunk {
  private byLine?: Map<number, number[]>;
  private txs?: TxSummary[];
  constructor(readonly c: StepChunk) {}
  get first(): number {
    return this.c.first;
  }
  get end(): number {
    return this.c.first + this.c.ends.length;
  }
  /** Indices (absolute) of the steps at 1-based `line`, below `limit`. */
  at(line: number, limit: number): number[] {
    if (!this.byLine) {
      const m = new Map<number, number[]>();
      const { lines, first } = this.c;
      for (let i = 0; i < lines.length; i++) {
        const l = m.get(lines[i]);
        if (l) l.push(first + i);
        else m.set(lines[i], [first + i]);
      }
      this.byLine = m;
    }
    const hit = this.byLine.get(line);
    return hit ? hit.filter((i) => i < limit) : [];
  }
  /** The chunk's transactions whose step is below `limit`. */
  tx(limit: number): TxSummary[] {
    this.txs ??= JSON.parse(this.c.tx) as TxSummary[];
    return limit >= this.end ? this.txs : this.txs.filter((t) => t.index < limit);
  }
  decode(i: number): WireStep {
    const k = i - this.c.first;
    const from = k === 0 ? 0 : this.c.ends[k - 1];
    return JSON.parse(this.c.json.slice(from, this.c.ends[k])) as WireStep;
  }
}

export class StepStore {
  static readonly EMPTY = new StepStore([], 0);

  private txs?: TxSummary[];

  private constructor(private readonly chunks: readonly Chunk[], readonly count: number) {}

  /** Every transaction's outcome, in step order (for inlay hints and code lenses). */
  tx(): TxSummary[] {
    if (!this.txs) {
      const out: TxSummary[] = [];
      this.chunks.forEach((c, k) => {
        for (const t of c.tx(this.chunks[k + 1]?.first ?? this.count)) out.push(t);
      });
      this.txs = out;
    }
    return this.txs;
  }

  /** The store after a run: `delta.keep` steps of this one, then the new chunk. */
  next(delta: StepDelta): StepStore {
    const keep = Math.min(delta.keep, this.count);
    if (delta.chunk.first !== keep) throw new Error(`step chunk starts at ${delta.chunk.first}, expected ${keep}`);
    const kept = this.chunks.filter((c) => c.first < keep);
    return new StepStore([...kept, new Chunk(delta.chunk)], keep + delta.chunk.ends.length);
  }

  get chunkCount(): number {
    return this.chunks.length;
  }

  /** Steps whose source line is the 0-based `line`, in run order. */
  atLine(line: number): WireStep[] {
    const out: WireStep[] = [];
    // A kept chunk's steps from the next chunk's first on were replaced by it.
    this.chunks.forEach((c, k) => {
      for (const i of c.at(line + 1, this.chunks[k + 1]?.first ?? this.count)) out.push(c.decode(i));
    });
    return out;
  }

  /** Step `i`, or undefined when out of range. */
  step(i: number): WireStep | undefined {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) return undefined;
    for (let k = this.chunks.length - 1; k >= 0; k--) if (this.chunks[k].first <= i) return this.chunks[k].decode(i);
    return undefined;
  }
}

/** Worker side: the JSON of each step, once; the layout of the last store sent per document. */
export class StepEncoder {
  private readonly json = new WeakMap<WireStep, string>();
  /** Per document: the steps of the last store sent, and its chunks (first step, characters). */
  private readonly last = new Map<string, { steps: readonly WireStep[]; chunks: Array<{ first: number; chars: number }> }>();

  /** `maxChunks`, `slack`: a store is sent whole when it would have more chunks, or when the
   *  chunks the server's thread keeps would hold more than `slack` times the characters in use. */
  constructor(private readonly maxChunks = 16, private readonly slack = 2) {}

  private encode(s: WireStep): string {
    let j = this.json.get(s);
    if (j === undefined) {
      j = JSON.stringify(s);
      this.json.set(s, j);
    }
    return j;
  }

  /** The delta from the last store sent for `uri` to `steps` (whole when too fragmented). */
  delta(uri: string, steps: readonly WireStep[]): StepDelta {
    const prev = this.last.get(uri);
    let keep = 0;
    let chunks: Array<{ first: number; chars: number }> = [];
    if (prev) {
      const n = Math.min(prev.steps.length, steps.length);
      while (keep < n && prev.steps[keep] === steps[keep]) keep++;
      chunks = prev.chunks.filter((c) => c.first < keep);
    }
    const parts: string[] = [];
    const tx: TxSummary[] = [];
    const ends = new Int32Array(steps.length - keep);
    const lines = new Int32Array(steps.length - keep);
    let at = 0;
    for (let i = keep; i < steps.length; i++) {
      const j = this.encode(steps[i]);
      parts.push(j);
      at += j.length;
      ends[i - keep] = at;
      lines[i - keep] = steps[i].line;
      const t = txSummary(steps[i]);
      if (t) tx.push(t);
    }
    if (keep > 0) {
      let used = at;
      for (let i = 0; i < keep; i++) used += this.encode(steps[i]).length;
      const held = chunks.reduce((n, c) => n + c.chars, at);
      if (chunks.length + 1 > this.maxChunks || held > this.slack * used) return this.whole(uri, steps);
    }
    chunks.push({ first: keep, chars: at });
    this.last.set(uri, { steps, chunks });
    return { keep, chunk: { first: keep, json: parts.join(''), ends, lines, tx: JSON.stringify(tx) } };
  }

  private whole(uri: string, steps: readonly WireStep[]): StepDelta {
    this.last.delete(uri);
    return this.delta(uri, steps);
  }

  forget(uri: string): void {
    this.last.delete(uri);
  }
}
