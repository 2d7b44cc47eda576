// A completed analysis of one version as the features see it (Executed), and its construction
// from a run's outcome: diagnostics converted once per array the runner sends.
import type { Diagnostic } from 'vscode-languageserver';
import { parse } from '../dsl';
import type { WireDiagnostic, WireScenarioResult, WireState, WireStep } from '../engine/api';
import { wireDiagnostic } from './convert';
import type { RunCounts, RunOutcome, TxSummary } from './runner';
import type { Source } from './sources';

export interface Executed {
  source: Source;
  version: number;
  /** Counts and diagnostics of the run (small; the transactions are `tx()`, the steps
   *  `stepsAtLine()`, the full result `full()`). */
  summary: RunCounts;
  /** Everything published for this version (syntax, semantic, run results, partial notice).
   *  Shared with other versions whose diagnostics are the same: never modified once published. */
  diagnostics: Diagnostic[];
  /** Milliseconds spent compiling and running. */
  elapsedMs: number;
  /** The whole result: every step with its walks and events. */
  full(): Promise<WireScenarioResult>;
  /** Every transaction's outcome (inlay hints, code lenses). */
  tx(): Promise<TxSummary[]>;
  /** Steps that start on a 0-based line. */
  stepsAtLine(line: number): Promise<WireStep[]>;
  /** True once `stepsAtLine` answers without waiting for the worker. */
  stepsReady(): boolean;
  /** Model state after step `stepIndex` (replays the session), null when out of range. */
  state(stepIndex: number): Promise<WireState | null>;
}

/** LSP diagnostics by the engine's array they were converted from (the runner reuses an array
 *  while the diagnostics stay the same). */
const converted = new WeakMap<readonly WireDiagnostic[], Diagnostic[]>();

/** The analysis of `src` from a run's outcome (undefined: the engine failed; the syntax diagnostics). */
export function buildExecuted(src: Source, out: Extract<RunOutcome, { kind: 'done' }> | undefined, elapsedMs: number): Executed {
  let diagnostics: Diagnostic[];
  if (out) {
    // The runner keeps the array while the diagnostics stay the same: converted once.
    const ran = out.summary.diagnostics;
    diagnostics = converted.get(ran) ?? ran.map((d) => wireDiagnostic(d, src.uri));
    converted.set(ran, diagnostics);
  } else {
    diagnostics = parse(src.text, src.uri).diagnostics.map((d) => ({ range: d.range, severity: d.severity, code: d.code, source: 'iommu-lens', message: d.message }));
  }
  const empty: WireScenarioResult = { file: src.uri, diagnostics: [], steps: [], expectations: { passed: 0, failed: 0 } };
  return {
    source: src,
    version: src.version,
    summary: out?.summary ?? { diagnostics: [], expectations: { passed: 0, failed: 0 }, faults: 0, hazards: 0, steps: 0 },
    diagnostics,
    elapsedMs,
    full: out?.full ?? (async () => empty),
    tx: out?.tx ?? (async () => []),
    stepsAtLine: out?.stepsAtLine ?? (async () => []),
    stepsReady: out?.stepsReady ?? (() => true),
    state: out?.state ?? (async () => null),
  };
}
