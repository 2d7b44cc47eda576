// The lowering context: what every statement's lowering reads and adds to (diagnostics, steps,
// the allocator, declaration state, names) and the span -> wire range conversion for the file
// being lowered.

import { lineIndexIn, positionIn } from '../../dsl/diagnostics';
import type { Span } from '../../dsl/ast';
import type { EngineOptions } from '../api';
import type { WireDiagnostic, WireRange } from '../output/wire';
import { diag } from '../output/convert';
import type { Program, StepDef } from '../run/runtime';
import type { MemWrite } from '../run/access';
import type { Allocator } from '../../model/layout/alloc';
import { AllocLog } from './decls/allocLog';
import { writesSig } from './decls/writesSig';
import type { Symbols } from './names/symbols';
import type { SourceFile } from './source';
import { DeclState } from './decls/state';
import { Broken, type SkipEntry } from './broken';
import { sigOf, stepKey } from '../run/checkpoints';

/** The transaction an expectation checks (the latest one for a standalone `expect`). */
export interface TxnRef {
  step: number;
  smmu: string;
  sid: bigint;
  ssid?: bigint;
  iova: bigint;
  read: boolean;
  span: Span;
}

/** Where an incremental compile (reuse.ts) starts: the earlier compile's context, whose
 *  declaration-side state (layout, declarations, names) is shared and not changed, and the
 *  outputs of the statements before the first one lowered again. */
export interface ResumeFrom {
  ctx: LowerCtx;
  steps: StepDef[];
  diagnostics: WireDiagnostic[];
  watchLog: number[];
  skips: SkipEntry[];
  /** In place of `ctx`'s (compile/declEdit.ts: declarations lowered again over a copy). */
  decls?: DeclState;
  alloc?: Allocator;
  broken?: Broken;
}

export class LowerCtx {
  readonly diagnostics: WireDiagnostic[];
  readonly steps: StepDef[];
  readonly setup: Program['setup'];
  /** What `setup` depends on (Program.setupKey). */
  readonly setupSig: unknown[];
  readonly alloc: Allocator;
  readonly decls: DeclState;
  /** Transaction steps an expectation looks at, in the order expectations named them (`watch`). */
  readonly watchLog: number[];
  /** Index of the statement being lowered (in the expanded statement list). */
  ordinal = 0;
  /** The latest transaction (a standalone `expect` applies to it). */
  lastTxn?: TxnRef;
  /** The latest iommufd call or guest action on a vSMMU/vIOMMU (`expect rejected` applies to it). */
  lastCall?: number;
  /** Why the latest transaction did not run (a standalone `expect` after it is skipped, not applied to an earlier one). */
  lastTxnSkipped?: WireDiagnostic;
  /** Unresolved references and what they make the run skip (broken.ts). */
  readonly broken: Broken;
  file!: SourceFile;
  /** Make each step's key as it is added (a compile the next edit reuses: a key made later would
   *  keep this version's whole text alive through the steps the next versions share). */
  keysNow = false;

  readonly options: EngineOptions;

  constructor(readonly uri: string, readonly symbols: Symbols, options: EngineOptions, from?: ResumeFrom) {
    // Closures made while lowering keep the context: not the tree or an earlier session.
    const { parsed: _parsed, previous: _previous, ...kept } = options;
    this.options = kept;
    const c = from?.ctx;
    this.diagnostics = from ? from.diagnostics : [];
    this.steps = from ? from.steps : [];
    this.watchLog = from ? from.watchLog : [];
    this.setup = c ? c.setup : [];
    this.setupSig = c ? c.setupSig : [];
    this.alloc = from?.alloc ?? (c ? c.alloc : new AllocLog(() => this.ordinal));
    this.decls = from?.decls ?? (c ? c.decls : new DeclState());
    this.broken = from?.broken ?? new Broken(c?.broken, from?.skips);
  }

  /** An expectation looks at transaction step `step` (its result is kept). */
  watch(step: number): void {
    this.watchLog.push(step);
  }

  range(span: Span): WireRange {
    if (this.file.via) return this.file.via;
    const ls = this.file.tree.lineStarts;
    const a = lineIndexIn(ls, span.start);
    const b = lineIndexIn(ls, span.end);
    return { line: a + 1, col: span.start - ls[a] + 1, endLine: b + 1, endCol: span.end - ls[b] + 1 };
  }

  /** Where a span is, for messages about included files. */
  where(span: Span): string {
    const p = positionIn(this.file.tree.lineStarts, span.start);
    return `${this.file.uri}:${p.line + 1}:${p.character + 1}`;
  }

  report(span: Span, code: string, message: string, severity: WireDiagnostic['severity'] = 'error'): WireDiagnostic {
    const msg = this.file.via ? `${this.where(span)}: ${message}` : message;
    const d = diag(this.range(span), severity, code, msg);
    this.diagnostics.push(d);
    return d;
  }

  /**
   * Adds a step. `sig`: the data its `run` uses that neither its statement's text nor its label
   * shows (writes laid out from declarations, encoded dwords, the steps it refers to): with them
   * they make the step's key (run/checkpoints.ts).
   */
  addStep(s: Omit<StepDef, 'range' | 'key'> & { span: Span; sig?: unknown }): number {
    // The signature is read now (its objects may change later); the rest of the key when asked
    // (or now, for a compile the next edit reuses).
    const step = new LoweredStep(this.range(s.span), s.kind, s.label, s.smmu, s.run, this.file.text, s.span.start, s.span.end, s.sig === undefined ? '' : sigOf(s.sig), s.writes);
    if (this.keysNow) step.settle();
    this.steps.push(step);
    return this.steps.length - 1;
  }

  /** Adds a declaration's step: it writes `writes` to memory and does nothing else (StepDef.writes). */
  addWrites(s: { span: Span; kind: string; label: string; smmu?: string; writes: readonly MemWrite[] }): number {
    const w = s.writes;
    return this.addStep({ ...s, sig: writesSig(w), run: (rt) => rt.writeMany(w) });
  }
}

/** A step as lowered. Its key is made when first read (an edit's resume compares keys, a one-off
 *  run never does): the same string stepKey gives, without a 200-byte string per step kept by
 *  every run (a fifth of a 20,000-DMA program's memory) nor the time to build it. */
class LoweredStep implements StepDef {
  private k?: string;

  constructor(
    readonly range: WireRange,
    readonly kind: string,
    readonly label: string,
    readonly smmu: string | undefined,
    readonly run: StepDef['run'],
    private text: string,
    private readonly start: number,
    private readonly end: number,
    private readonly sig: string,
    readonly writes?: readonly MemWrite[],
  ) {}

  get key(): string {
    return (this.k ??= stepKey(this.kind, this.label, this.smmu, this.text.slice(this.start, this.end), this.sig));
  }

  /** Makes the key now and lets go of the file's text (a flat string: join() in stepKey). */
  settle(): void {
    void this.key;
    this.text = '';
  }

  /** The same step at `range` (an edit moved its statement by whole lines: compile/edit.ts). */
  at(range: WireRange): LoweredStep {
    const s = new LoweredStep(range, this.kind, this.label, this.smmu, this.run, this.text, this.start, this.end, this.sig, this.writes);
    s.k = this.k;
    return s;
  }
}

/** Step `s` moved to `range` (its key unchanged). */
export function movedStep(s: StepDef, range: WireRange): StepDef {
  return s instanceof LoweredStep ? s.at(range) : { ...s, range };
}
