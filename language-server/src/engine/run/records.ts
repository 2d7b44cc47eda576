// What a run records for its later steps, beside the model state: the transaction records that
// expectations read, the hazards found per step (`expect hazard`), the faults a passing expectation
// marked intended, and which step last read each transaction record. A run resumed from a
// checkpoint takes over the records before it (adopt); a run that rejoins the previous run's state
// takes over the records after the rejoin point (rejoin, converge.ts).

import type { TransactionResult } from '../../model/smmu/result';
import type { WireDiagnostic, WireHazard, WireStep } from '../output/wire';

/** The copies of results moved to other lines (rebase.ts MovedResults). */
interface Moved {
  record(r: TxnRecord): TxnRecord;
  diag(d: WireDiagnostic): WireDiagnostic;
}

/** What an expectation reads of a transaction it looks at. Not the TransactionResult itself: that
 *  holds the walks, STE/CD views and hazard lists (about 2 KB), and a run keeps a record per
 *  watched transaction. */
export interface TxnRecord {
  /** The model's outcome (the language's: `bypass` and `aborted` included). */
  outcome: TransactionResult['outcome'];
  pa?: bigint;
  /** Per event of the transaction (TransactionResult.events): written to the event queue. */
  recorded: readonly boolean[];
  wire: WireStep;
  /** Lookup level of the walk fault, when the fault came from a walk. */
  faultLevel?: number;
  reason: string;
  faultDiag?: WireDiagnostic;
}

/** An expectation turned an earlier fault into information (undone when a run goes back before it). */
interface Intended {
  at: number;
  step: number;
  diag: WireDiagnostic;
  prev: WireDiagnostic['severity'];
}

const NO_HAZARDS: readonly WireHazard[] = Object.freeze([]);

// Records and reads by step index in plain (holey) arrays: a 100,000-line run keeps tens of
// thousands, and a Map of that size costs more to fill than the steps that read it.
export class RunRecords {
  private txns: Array<TxnRecord | undefined> = [];
  private readonly hazards = new Map<number, WireHazard[]>();
  private intended: Intended[] = [];
  /** Transaction step -> the last step that read its record. */
  private reads: Array<number | undefined> = [];

  setTxn(step: number, rec: TxnRecord): void {
    this.txns[step] = rec;
  }

  /** The record of transaction `step`, read by step `at`. */
  txn(step: number, at: number): TxnRecord | undefined {
    if (at > (this.reads[step] ?? -1)) this.reads[step] = at;
    return this.txns[step];
  }

  /** A passing expectation at step `at` says the fault of transaction `step` was intended: it is shown as information. */
  markIntended(step: number, at: number): void {
    const d = this.txn(step, at)?.faultDiag;
    if (!d) return;
    this.intended.push({ at, step, diag: d, prev: d.severity });
    d.severity = 'information';
  }

  setHazards(step: number, hz: WireHazard[]): void {
    this.hazards.set(step, hz);
  }

  stepHazards(step: number): readonly WireHazard[] {
    return this.hazards.get(step) ?? NO_HAZARDS;
  }

  allHazards(): WireHazard[] {
    return [...this.hazards.values()].flat();
  }

  /**
   * This run was restored at `position` from a snapshot of `prev`'s run: it takes over what `prev`
   * recorded for the steps before and undoes what later steps of `prev` changed in them. `diags`:
   * the run diagnostics per step before `position` (copied where an undo changes one).
   */
  adopt(prev: RunRecords, position: number, diags: WireDiagnostic[][]): void {
    this.txns = withRange(prev.txns, this.txns, 0, position);
    for (const [k, v] of prev.hazards) if (k < position) this.hazards.set(k, v);
    // (a later reader of prev is kept: it may read again, or be taken over by a rejoin)
    this.reads = withRange(prev.reads, this.reads, 0, position);
    this.intended = prev.intended.filter((x) => x.at < position);
    const undo = new Map<WireDiagnostic, Intended>();
    for (const x of prev.intended) if (x.at >= position && x.step < position && !undo.has(x.diag)) undo.set(x.diag, x);
    for (const [d, x] of undo) {
      if (d.severity === x.prev) continue;
      const copy = { ...d, severity: x.prev };
      diags[x.step] = diags[x.step].map((y) => (y === d ? copy : y));
      const rec = this.txns[x.step];
      if (rec?.faultDiag === d) this.txns[x.step] = { ...rec, faultDiag: copy };
    }
  }

  /**
   * Whether `prev` (the previous run) may supply the steps from `position` on to this run, which
   * ran again from `from`: no step at or after `position` read a record of a transaction this run
   * redid (before `position`) unless the record is the same, or marked an earlier fault intended,
   * and this run found the same hazards as `prev` in [from, position)
   * (`expect hazard` without a transaction reads them all).
   */
  canRejoin(prev: RunRecords, from: number, position: number): boolean {
    for (let t = from; t < position; t++) {
      const at = prev.reads[t];
      if (at !== undefined && at >= position && !sameRecord(this.txns[t], prev.txns[t])) return false;
    }
    // (a mark across `position` was undone when this run resumed: prev's step would not redo it)
    for (const x of prev.intended) if (x.at >= position && x.step < position) return false;
    const mine = hazardsIn(this.hazards, from, position);
    const theirs = hazardsIn(prev.hazards, from, position);
    return mine === theirs;
  }

  /** This run continues with `prev`'s steps from `position` on (canRejoin held): their records
   *  (`moved`: the steps' results moved to other lines, rebase.ts; their steps have no hazards). */
  rejoin(prev: RunRecords, position: number, moved?: Moved): void {
    this.txns = withRange(prev.txns, this.txns, position, prev.txns.length, moved && ((r) => moved.record(r)));
    for (const [k, v] of prev.hazards) if (k >= position) this.hazards.set(k, v);
    this.reads = withRange(prev.reads, this.reads, position, prev.reads.length);
    for (const x of prev.intended) if (x.at >= position) this.intended.push(moved ? { ...x, diag: moved.diag(x.diag) } : x);
  }
}

/** `to` with to[i] = from[i] for i in [start, end) where from has one: when `to` holds nothing
 *  from `start` on (a resumed or rejoining run's records), a new array made by a slice at memory
 *  speed (a 100,000-line run: tens of thousands of records per edit); else `to` itself, written. */
function withRange<T>(from: ReadonlyArray<T | undefined>, to: Array<T | undefined>, start: number, end: number, f?: (x: T) => T): Array<T | undefined> {
  const e = Math.min(end, from.length);
  if (e <= start) return to;
  if (!f && to.length === 0 && start === 0) return from.slice(0, e);
  if (!f && to.length <= start) {
    to.length = start;
    return to.concat(from.slice(start, e));
  }
  for (let i = start; i < e; i++) {
    const v = from[i];
    if (v !== undefined) to[i] = f ? f(v) : v;
  }
  return to;
}

/** The same transaction record (what an expectation reads of it: not where its step stands, which
 *  an edit that adds lines before it moves). */
function sameRecord(a: TxnRecord | undefined, b: TxnRecord | undefined): boolean {
  if (!a || !b) return a === b;
  const d = (x: TxnRecord) => x.faultDiag && [x.faultDiag.severity, x.faultDiag.code, x.faultDiag.message];
  const w = ({ line: _l, col: _c, endLine: _el, endCol: _ec, ...rest }: WireStep) => rest;
  return a.outcome === b.outcome && a.pa === b.pa && a.reason === b.reason && a.faultLevel === b.faultLevel &&
    JSON.stringify([a.recorded, d(a), w(a.wire)]) === JSON.stringify([b.recorded, d(b), w(b.wire)]);
}

/** The hazards recorded for steps in [from, to), as text (equal texts: the same hazards). */
function hazardsIn(m: ReadonlyMap<number, WireHazard[]>, from: number, to: number): string {
  const keys: number[] = [];
  for (const k of m.keys()) if (k >= from && k < to) keys.push(k);
  keys.sort((a, b) => a - b);
  return JSON.stringify(keys.map((k) => [k, m.get(k)]));
}
