// Checkpoints of a run: copies of the model state (Runtime.snapshot: the SMMU instances, memory
// copy-on-write, TLB, caches, queues, hazard shadows) every N steps, so a run can start again
// from the step before a change (an edit, the debugger's step back) instead of from the start.
// A copy costs time in proportion to the state: one is taken at least `every` steps after the
// last and once the run has spent `cost` times the last copy's cost since (copying stays a
// fraction of the run); that cost counts the copy-on-write it leaves to the steps after it (the
// first write to each part it shares: model/snapshot.ts cowCopied), and with the default `every`
// the copies are spread over the steps left (none taken only to be dropped by thinning). Edits come in bursts at one place (typing): a run resumed for an edit also
// takes one at the edit's first changed step (`mark`), kept until the next edit, so the next
// keystroke there re-runs only the steps after it, and one AFTER_EDIT steps later, where that
// keystroke's run can rejoin this one's (converge.ts). Memory is bounded: at most `max` checkpoints
// and `budget` copied objects in all; beyond, every other checkpoint is dropped (never the
// edit's, nor the start's: Session takes one there) and `every` doubles.
// Which steps changed is decided by key: a step's key holds everything its `run` uses besides
// the model state (its statement's text, label and `sig`), so equal keys and ranges run equally
// (the range is compared apart: an edit that moves lines shifts the ranges and keeps the keys).

import type { CheckpointOptions } from '../api';
import type { Program, Runtime } from './runtime';
import type { RunSnapshot } from './modelState';
import { cowCopied } from '../../model/snapshot';
import { StepRanges } from './stepRanges';

export type { RunSnapshot } from './modelState';

/** A canonical text of plain data (bigints, arrays, objects): for step keys. */
export function sigOf(x: unknown): string {
  if (x === undefined) return '';
  if (typeof x === 'bigint') return x.toString(16);
  if (typeof x !== 'object' || x === null) return String(x);
  if (Array.isArray(x)) {
    let s = '[';
    for (const v of x) s += sigOf(v) + ',';
    return s + ']';
  }
  if (x instanceof Map || x instanceof Set) return sigOf([...x]);
  let s = '{';
  for (const k of Object.keys(x)) s += k + ':' + sigOf((x as Record<string, unknown>)[k]) + ',';
  return s + '}';
}

export function stepKey(kind: string, label: string, smmu: string | undefined, text: string, sig: unknown): string {
  // join() makes one flat string; a template literal leaves a tree of a dozen cons strings per
  // step alive (25 of a 20,000-DMA program's 41 MB, all copied by the young-generation GC).
  return [kind, label, smmu ?? '', text, sigOf(sig)].join('\u0001');
}

/** Index of the first step of `b` from `from` on that may run differently from the same step of `a`. */
export function firstChange(a: Program, b: Program, from = 0): number {
  if (a.setupKey !== b.setupKey) return from;
  const n = Math.min(a.steps.length, b.steps.length);
  const wa = a.watched;
  const wb = b.watched;
  // (keys and ranges read without moved copies: stepRanges.ts)
  const ra = new StepRanges(a.steps);
  const rb = new StepRanges(b.steps);
  for (let i = from; i < n; i++) {
    // A watched transaction keeps its result for the expectation that looks at it.
    if (!ra.same(i, rb, i) || (wa?.has(i) ?? false) !== (wb?.has(i) ?? false)) return i;
  }
  return n;
}

export interface Checkpoint {
  /** Steps run before the copy was taken. */
  position: number;
  state: RunSnapshot;
}

/** Most objects copied into checkpoints in all, by default (about 60 bytes each: the copies of a
 *  100,000-line scenario's state stay near 100 MB). */
const BUDGET = 2_000_000;

/** What one object copied on write costs the run, in ms: the copy and the collection of the
 *  version it replaced (measured: a run of the 100,000-line benchmark scenario with checkpoints
 *  every 500, 2,000 and 8,000 steps costs 0.45-0.8 us more per object copied than with none). */
const COW_MS = 0.0008;

/** Steps after an edit's first changed step where a checkpoint is taken too. */
const AFTER_EDIT = 512;

/** The cost of a copy as the spacing rule counts it: the time this one took, at most twice the
 *  last estimate (and 1 ms). A collection or a preemption in the middle of one copy (0.2 ms
 *  becoming 20-70 ms at 100,000 lines) would otherwise hold the next checkpoint back by thousands
 *  of steps, and the first edit after opening re-runs those steps; a copy that really costs more
 *  is counted in full after a few. */
export function copyCost(last: number, ms: number): number {
  return Math.min(ms, Math.max(2 * last, 1));
}

export class Checkpoints {
  private list: Checkpoint[] = [];
  /** Set when a snapshot failed (the VM layer holds state a copy cannot take): no more are tried. */
  private stopped = false;
  private every: number;
  private readonly max: number;
  private readonly cost: number;
  private readonly budget: number;
  /** performance.now() after the last copy, and how long it took. */
  private lastAt = 0;
  private lastMs = 0;
  private lastPos = 0;
  /** cowCopied.n after the last copy: what the steps since copied of the state it shares. */
  private cowAt = 0;
  /** Whether `every` is the default (then spread over the steps left: spaceFor). */
  private readonly spread: boolean;
  /** The run length `every` was spread over (undefined: not yet). */
  private spanned?: number;
  /** The first changed step of the latest edit (a checkpoint there survives thinning). */
  private edit = -1;

  constructor(o: CheckpointOptions = {}) {
    this.every = o.every ?? 32;
    this.spread = o.every === undefined;
    this.cowAt = cowCopied.n;
    this.max = o.max ?? 64;
    this.cost = o.cost ?? 3;
    this.budget = o.budget ?? BUDGET;
  }

  /** Objects the checkpoints hold (copies; memory frames are shared until written). */
  get objects(): number {
    let n = 0;
    for (const c of this.list) n += c.state.objects;
    return n;
  }

  get count(): number {
    return this.list.length;
  }

  get interval(): number {
    return this.every;
  }

  /** After `position` steps ran on `rt`: takes a checkpoint when one is due (or `last`: the end of
   *  the run, so an edit that changes no step re-runs nothing; that one is the ended run's state
   *  itself, not a copy: the session never steps that Runtime again, a step back makes another). */
  note(position: number, rt: Runtime, last = false): void {
    // (and one a little after the edit: where the next edit there rejoins this run, converge.ts)
    const forced = last || position === this.edit || position === this.edit + AFTER_EDIT;
    if (this.spread && this.spanned === undefined) this.spaceFor(rt.program.steps.length, position);
    if (this.stopped || (Math.abs(position - this.lastPos) < this.every && !forced)) return;
    const t0 = performance.now();
    if (!forced && t0 - this.lastAt < this.cost * this.copyMs()) return;
    if (this.atOrBefore(position)?.position === position) return;
    const state = last ? rt.finalState(this.list[this.list.length - 1]?.state.objects ?? 0) : rt.snapshot();
    if (!state) {
      this.stopped = true;
      return;
    }
    this.lastAt = performance.now();
    this.cowAt = cowCopied.n;
    if (!last) this.lastMs = copyCost(this.lastMs, this.lastAt - t0);
    this.lastPos = position;
    this.insert({ position, state });
  }

  /** What the last copy cost: its own time and the copy-on-write it left to the steps since (the
   *  first write to each part it shares copies that part: model/snapshot.ts cowCopied). */
  private copyMs(): number {
    return this.lastMs + (cowCopied.n - this.cowAt) * COW_MS;
  }

  /** The run has `total` steps and is at `position`: checkpoints at least as far apart as half the
   *  room left allows (the interval thinning would come to: no copy taken only to be dropped). */
  private spaceFor(total: number, position: number): void {
    this.spanned = total;
    const room = Math.max(2, this.max - this.list.length);
    this.every = Math.max(this.every, Math.ceil((2 * (total - position)) / room));
  }

  private insert(c: Checkpoint): void {
    // Sorted by position (after a step back, the later checkpoints are still valid).
    let i = this.list.length;
    while (i > 0 && this.list[i - 1].position > c.position) i--;
    this.list.splice(i, 0, c);
    if (this.list.length > this.max || this.objects > this.budget) {
      this.every *= 2;
      const n = this.list.length;
      this.list = this.list.filter((c, i) => i % 2 === 1 || i === n - 1 || c.position === this.edit || c.position === 0);
    }
  }

  /** The latest checkpoint at or before `position`. */
  atOrBefore(position: number): Checkpoint | undefined {
    const l = this.list;
    let lo = 0;
    let hi = l.length - 1;
    let best: Checkpoint | undefined;
    while (lo <= hi) {
      const m = (lo + hi) >> 1;
      if (l[m].position <= position) {
        best = l[m];
        lo = m + 1;
      } else hi = m - 1;
    }
    return best;
  }

  /** An edit changed the run from step `position` on: a checkpoint is taken there (when the run
   *  gets there) and kept until the next edit. */
  mark(position: number): void {
    this.edit = position;
  }

  /** Whether comparing the live state with a checkpoint (converge.ts; about as long as the last
   *  copy when they are equal) may pay for itself: `steps` left that would cost `stepMs` each
   *  (always, with `cost` 0: spacing by steps only). */
  worthComparing(steps: number, stepMs: number): boolean {
    return this.cost === 0 || 2 * this.lastMs < steps * stepMs;
  }

  /** Positions of the checkpoints in [from, to). */
  positions(from: number, to: number): number[] {
    return this.list.filter((c) => c.position >= from && c.position < to).map((c) => c.position);
  }

  /** This run rejoined `from`'s at `position` (converge.ts): `from`'s checkpoints from there on
   *  hold (the one at `position` is this run's state: the next edit at the same place resumes
   *  there and rejoins at once), but not its end-of-run one (the ended run's own state: this run
   *  notes its own at `end`). */
  rejoin(from: Checkpoints, position: number, end: number): void {
    const own = this.atOrBefore(position)?.position === position;
    for (const c of from.list) if ((c.position > position || (c.position === position && !own)) && c.position < end) this.list.push(c);
    this.every = Math.max(this.every, from.every);
  }

  /** A checkpoint of `rt` at `position`, now (a resumed run's state after its patches: declPatch.ts). */
  take(position: number, rt: Runtime): void {
    const state = this.stopped ? undefined : rt.snapshot();
    if (state) this.insert({ position, state });
  }

  /** This run continues another from `position`: its checkpoints up to there hold. */
  adopt(from: Checkpoints, position: number): void {
    this.every = from.every;
    this.spanned = undefined;
    this.lastMs = from.lastMs;
    this.lastPos = position;
    this.lastAt = performance.now();
    // (what the run copies of the restored state from here on is counted like a copy's)
    this.cowAt = cowCopied.n;
    this.list = from.list.filter((c) => c.position <= position);
  }
}
