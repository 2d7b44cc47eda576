// What a compile keeps for the next compile of the same document (reuse.ts): the context that
// laid the declarations out, the statements' outputs in order, and the lowering state before
// each statement, so an edit lowers only the statements it changed.

import type { ParseResult, Statement } from '../../dsl/ast';
import type { WireDiagnostic } from '../output/wire';
import type { Program, StepDef } from '../run/runtime';
import type { LowerCtx, TxnRef } from './lowerCtx';
import type { SkipEntry } from './broken';

/** One `readInclude` call and what it returned (an include changing on disk recompiles). */
export interface IncludeRead {
  from: string;
  path: string;
  got: { uri: string; text: string } | { error: string };
}

const SHIFT = 9;
const MASK = (1 << SHIFT) - 1;

/** An array in chunks, copied in O(n / 512) and each chunk only when written (an edit changes a few). */
class Chunked<T> {
  private chunks: T[][];
  private mine: boolean[];

  /** A copy of `from`, or of its entries [0, upTo). */
  constructor(from?: Chunked<T>, upTo?: number) {
    if (!from) {
      this.chunks = [];
      this.mine = [];
    } else if (upTo === undefined) {
      this.chunks = from.chunks.slice();
      this.mine = this.chunks.map(() => false);
    } else {
      const full = upTo >> SHIFT;
      this.chunks = from.chunks.slice(0, full);
      this.mine = this.chunks.map(() => false);
      if (upTo & MASK) {
        this.chunks.push(from.chunks[full].slice(0, upTo & MASK));
        this.mine.push(true);
      }
    }
  }

  get(i: number): T {
    return this.chunks[i >> SHIFT][i & MASK];
  }

  set(i: number, v: T): void {
    const c = i >> SHIFT;
    if (c === this.chunks.length) {
      this.chunks.push([]);
      this.mine.push(true);
    } else if (!this.mine[c]) {
      this.chunks[c] = this.chunks[c].slice();
      this.mine[c] = true;
    }
    this.chunks[c][i & MASK] = v;
  }
}

/**
 * The lowering state before each statement (index = ordinal in the expanded statement list; the
 * last entry is the state at the end): how many steps, diagnostics, skip entries and watched
 * steps the statements before it produced, and the state a statement may read from the ones
 * before it (the latest transaction, why it did not run, the latest iommufd call). A copy shares
 * what the next compile does not change.
 */
export class StmtStates {
  readonly steps: Chunked<number>;
  readonly diags: Chunked<number>;
  readonly skips: Chunked<number>;
  readonly watch: Chunked<number>;
  readonly txn: Chunked<TxnRef | undefined>;
  readonly skipped: Chunked<WireDiagnostic | undefined>;
  readonly call: Chunked<number | undefined>;

  /** Recorded in order from statement 0, or a copy of `from` (of its entries [0, upTo), the
   *  next ones recorded in order). */
  constructor(readonly count: number, from?: StmtStates, upTo?: number) {
    this.steps = new Chunked(from?.steps, upTo);
    this.diags = new Chunked(from?.diags, upTo);
    this.skips = new Chunked(from?.skips, upTo);
    this.watch = new Chunked(from?.watch, upTo);
    this.txn = new Chunked(from?.txn, upTo);
    this.skipped = new Chunked(from?.skipped, upTo);
    this.call = new Chunked(from?.call, upTo);
  }

  /** The state before statement `k` is the context's now. */
  record(k: number, ctx: LowerCtx): void {
    this.steps.set(k, ctx.steps.length);
    this.diags.set(k, ctx.diagnostics.length);
    this.skips.set(k, ctx.broken.skips.length);
    this.watch.set(k, ctx.watchLog.length);
    this.txn.set(k, ctx.lastTxn);
    this.skipped.set(k, ctx.lastTxnSkipped);
    this.call.set(k, ctx.lastCall);
  }

  /** Entries [k, end) moved by the given numbers of diagnostics, skip entries and watched steps. */
  shift(k: number, diags: number, skips: number, watch: number, end = this.count + 1): void {
    for (const [a, d] of [[this.diags, diags], [this.skips, skips], [this.watch, watch]] as const) {
      if (d !== 0) for (let i = k; i < end; i++) a.set(i, a.get(i) + d);
    }
  }

  /** Entries [from, to) of `src` as entries from `at` on, the counts moved by `d` (diagnostics,
   *  skip entries, watched steps), the skipped-transaction causes through `cause` and the steps
   *  renumbered by `shift`. */
  copyFrom(src: StmtStates, from: number, to: number, at: number, d: readonly [number, number, number], cause: (x: WireDiagnostic | undefined) => WireDiagnostic | undefined, shift = NO_SHIFT): void {
    for (let k = from, n = at; k < to; k++, n++) {
      this.steps.set(n, src.steps.get(k) + shift.d);
      this.diags.set(n, src.diags.get(k) + d[0]);
      this.skips.set(n, src.skips.get(k) + d[1]);
      this.watch.set(n, src.watch.get(k) + d[2]);
      this.txn.set(n, shift.txn(src.txn.get(k)));
      this.skipped.set(n, cause(src.skipped.get(k)));
      this.call.set(n, shift.call(src.call.get(k)));
    }
  }

  /** How many steps the context's state now is ahead of the state before statement `k`, when it
   *  is that state with its steps renumbered (undefined: another state). Every step reference a
   *  statement's outputs hold is relative to its own step (lowering/expect.ts), so the outputs
   *  from `k` on stand, renumbered (StepShift). `skipped`: that state's skipped-transaction cause
   *  as the new outputs hold it. */
  rejoins(k: number, ctx: LowerCtx, skipped = this.skipped.get(k)): number | undefined {
    const d = ctx.steps.length - this.steps.get(k);
    const c = this.call.get(k);
    const same = ctx.lastTxnSkipped === skipped && (c === undefined ? ctx.lastCall === undefined : ctx.lastCall === c + d) && sameTxn(ctx.lastTxn, this.txn.get(k), d);
    return same ? d : undefined;
  }
}

/** Step indices an edit moved by `d` (the steps it added before them); one copy of each TxnRef. */
export class StepShift {
  private readonly txns = new Map<TxnRef, TxnRef>();

  constructor(readonly d: number) {}

  txn(t: TxnRef | undefined): TxnRef | undefined {
    if (!t || this.d === 0) return t;
    let m = this.txns.get(t);
    if (!m) this.txns.set(t, (m = { ...t, step: t.step + this.d }));
    return m;
  }

  call(c: number | undefined): number | undefined {
    return c === undefined ? c : c + this.d;
  }

  /** A watch log's entries, renumbered. */
  log(xs: number[]): number[] {
    return this.d === 0 ? xs : xs.map((t) => t + this.d);
  }
}
const NO_SHIFT = new StepShift(0);

/** Program.watched: how many expectations look at each step (an edit adds and removes a few). */
export class Watched {
  constructor(private readonly counts: Int32Array) {}

  static of(log: readonly number[], steps: number): Watched {
    const w = new Watched(new Int32Array(steps));
    for (const t of log) w.counts[t]++;
    return w;
  }

  has(step: number): boolean {
    return this.counts[step] > 0;
  }

  /** A copy for `steps` steps without the `removed` looks and with log[from, to). */
  patched(steps: number, removed: readonly number[], log: readonly number[], from: number, to: number): Watched {
    const c = new Int32Array(steps);
    c.set(this.counts.length <= steps ? this.counts : this.counts.subarray(0, steps));
    for (const t of removed) if (t < steps) c[t]--;
    for (let i = from; i < to; i++) c[log[i]]++;
    return new Watched(c);
  }
}

/** Whether `a` is `b` with its step renumbered by `d`. */
function sameTxn(a: TxnRef | undefined, b: TxnRef | undefined, d: number): boolean {
  if (a === b) return d === 0 || a === undefined;
  if (!a || !b) return false;
  return a.step === b.step + d && a.smmu === b.smmu && a.sid === b.sid && a.ssid === b.ssid && a.iova === b.iova && a.read === b.read;
}

/** A compile's outputs in statement order (before Broken.finish words the causes). */
export interface Outputs {
  steps: StepDef[];
  diagnostics: WireDiagnostic[];
  skips: SkipEntry[];
  watchLog: number[];
}

/** An incremental compile's result (reuse.ts compileIncremental). */
export interface Compiled {
  program: Program;
  /** For the next compile of the document (undefined: the compile was cut short). */
  memo?: CompileMemo;
  /** Statements lowered again (-1: compiled from scratch). */
  lowered: number;
}

export interface CompileMemo {
  uri: string;
  text: string;
  /** The main file's parse. */
  parsed: ParseResult;
  /** The context whose declaration-side state (names, layout, declarations) the program uses. */
  ctx: LowerCtx;
  out: Outputs;
  /** Main-file statement index -> ordinal in the expanded list (-1: an include). */
  ordOf: Int32Array;
  /** The expanded statement count. */
  count: number;
  /** The `ordOf` whose ordinals the declarations' records use (ctx.decls reads, the AllocLog):
   *  another one when statements moved since (compile/declEdit.ts lowers nothing alone then). */
  declsAt?: Int32Array;
  states: StmtStates;
  watched: Watched;
  reads: IncludeRead[];
  /** Whether includes could be read at all. */
  includes: boolean;
  /** ctx.diagnostics[0, mainDiags) are the main file's syntax diagnostics. */
  mainDiags: number;
  program: Program;
}

/** Statements whose lowering reads only the names and the state StmtStates keeps, and changes
 *  nothing but steps, diagnostics, skip entries, watched steps and that state: they can be
 *  lowered again alone, with the declarations of the earlier compile. */
export function lowersAlone(s: Statement): boolean {
  switch (s.kind) {
    case 'dma':
    case 'ats':
    case 'expect':
    case 'write':
    case 'abort':
      return true;
    case 'error':
      return s.typo?.name === undefined;
    default:
      return false;
  }
}

/** What a statement adds to the names pre-pass (names/resolve.ts): a write's 4K page. */
export function prepassFact(s: Statement): string {
  return s.kind === 'write' && s.addr ? (s.addr.value >> 12n).toString(16) : '';
}
