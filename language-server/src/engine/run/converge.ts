// Rejoining the previous run after an edit. A run resumed from a checkpoint (checkpoints.ts) runs
// the changed steps again; when, at a step where the previous run took a checkpoint, this run's
// model state equals that checkpoint's and every step from there to the end has the same key (the
// same statement, text and range), the steps from there on would run exactly as before: the
// session takes the previous run's results for them instead of running them (an edit to one DMA's
// address digit or to an expectation re-runs up to the next checkpoint, not to the end).
// The comparison is exact and runs only at the previous run's checkpoints (never per step):
// objects shared by both states (memory frames neither run wrote since, frozen records) are equal
// by identity; the rest is compared field by field and stops at the first difference.
// The records outside the model (transaction records, hazards, intended faults) must agree too
// (records.ts canRejoin).
// An edit that added or removed lines, not steps (Enter, a comment line pasted or deleted) moves
// the steps after it: the run rejoins there too, the previous results moved to the new lines
// (rebase.ts).

import type { Program } from './runtime';
import type { ModelState } from './modelState';
import { StepRanges } from './stepRanges';
import { PhysicalMemory } from '../../model/memory';
import { SmmuInstance } from '../../model/smmu/instance';
import { SAME, type Comparable } from '../../model/snapshot';

/** The steps of `b` from `from` on are `a`'s, each moved by `dLines` lines (0: in place). */
export interface Unchanged {
  from: number;
  dLines: number;
}

/** The longest run of steps at the end of `b` that are `a`'s (same key and watched flag) in place
 *  or all moved by the same lines, columns kept (an edit before them added or removed lines);
 *  undefined when the step counts differ. */
export function unchangedFrom(a: Program, b: Program): Unchanged | undefined {
  const n = a.steps.length;
  if (n !== b.steps.length || a.setupKey !== b.setupKey) return undefined;
  if (n === 0) return { from: 0, dLines: 0 };
  const wa = a.watched;
  const wb = b.watched;
  // (keys and ranges read without moved copies: stepRanges.ts)
  const ra = new StepRanges(a.steps);
  const rb = new StepRanges(b.steps);
  const dLines = rb.line(n - 1) - ra.line(n - 1);
  for (let i = n - 1; i >= 0; i--) {
    if (!ra.same(i, rb, i, dLines) || (wa?.has(i) ?? false) !== (wb?.has(i) ?? false)) return { from: i + 1, dLines };
  }
  return { from: 0, dLines };
}

/** The source range of the step at `line`, as Runtime.endStep finds it for a late hazard. */
function rangeAt(p: Program, line: number): string {
  const r = new StepRanges(p.steps);
  for (let k = 0; k < p.steps.length; k++) {
    if (r.line(k) !== line) continue;
    const s = r.range(k);
    return `${s.col}:${s.endLine}:${s.endCol}`;
  }
  return '';
}

/** Whether the diagnostics of the steps taken over (lines before `line`, where a late hazard is
 *  shown) point at the same ranges in both programs. */
export function sameEarlierRanges(a: Program, b: Program, diags: ReadonlyArray<readonly { line: number }[]>, line: number): boolean {
  const seen = new Set<number>();
  for (const ds of diags) {
    for (const d of ds) {
      if (d.line >= line || seen.has(d.line)) continue;
      seen.add(d.line);
      if (rangeAt(a, d.line) !== rangeAt(b, d.line)) return false;
    }
  }
  return true;
}

/** Exact equality of two model states (the view's last walks excepted: not state). */
export function sameModel(a: ModelState, b: ModelState): boolean {
  const eq = new Equal();
  return eq.same(a.mem, b.mem) && eq.same(a.smmus, b.smmus) && eq.same(a.declared, b.declared) && eq.same(a.hookState, b.hookState);
}

/** PhysicalMemory fields that are bookkeeping (copy-on-write, the run's access watch), not state. */
const MEMORY_BOOKKEEPING = new Set(['shared', 'words', 'watch']);
/** An SMMU's latest transaction result: no step reads it; a run that rejoins carries its own over
 *  where the previous run had none since (session.ts tryRejoin; lastTransactionStep is compared). */
const INSTANCE_LATEST = new Set(['lastTransaction']);

class Equal {
  /** Pairs being or already compared (cycles, shared references). */
  private readonly pairs = new Map<object, object>();
  private readonly bound = (a: unknown, b: unknown): boolean => this.same(a, b);

  same(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    const seen = this.pairs.get(a);
    if (seen !== undefined) return seen === b;
    if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
    this.pairs.set(a, b);
    const custom = (a as Partial<Comparable>)[SAME];
    if (custom) return custom.call(a, b, this.bound);
    if (Array.isArray(a)) return this.list(a, b as unknown[]);
    if (a instanceof Map) return this.map(a, b as Map<unknown, unknown>) && this.fields(a, b);
    if (a instanceof Set) return this.set(a, b as Set<unknown>) && this.fields(a, b);
    if (ArrayBuffer.isView(a)) return typed(a, b as ArrayBufferView);
    return this.fields(a, b, a instanceof PhysicalMemory ? MEMORY_BOOKKEEPING : a instanceof SmmuInstance ? INSTANCE_LATEST : undefined);
  }

  private list(a: readonly unknown[], b: readonly unknown[]): boolean {
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!this.same(a[i], b[i])) return false;
    return true;
  }

  /** Entries in the same order (insertion order is state: eviction, listing). */
  private map(a: Map<unknown, unknown>, b: Map<unknown, unknown>): boolean {
    if (a.size !== b.size) return false;
    const ib = b.entries();
    for (const [k, v] of a) {
      const [kb, vb] = ib.next().value as [unknown, unknown];
      if (!this.same(k, kb) || !this.same(v, vb)) return false;
    }
    return true;
  }

  private set(a: Set<unknown>, b: Set<unknown>): boolean {
    if (a.size !== b.size) return false;
    const ib = b.values();
    for (const v of a) if (!this.same(v, ib.next().value)) return false;
    return true;
  }

  /** Own enumerable fields (what a snapshot copies), in any order. */
  private fields(a: object, b: object, skip?: ReadonlySet<string>): boolean {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    for (const k of ka) {
      if (skip?.has(k)) continue;
      if (!(k in rb) || !this.same(ra[k], rb[k])) return false;
    }
    return true;
  }
}

function typed(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
