// The engine's public contract, used by the language server, the CLI, the debugger and the panels.
// The implementation lives beside this file (see index.ts); consumers import from './api' types
// (including every wire shape) and from './index' the functions.

import type { WireDiagnostic, WireScenarioResult, WireState, WireStep } from './output/wire';
import type { ParseResult } from '../dsl/ast';
import type { TrafficSink } from './output/traffic';

export type * from './output/wire';

export interface IncludeResolver {
  /**
   * Read the file an `include "path"` names, relative to the including document's URI.
   * Returns the resolved URI and text, or an error message (missing file, outside the workspace, …)
   * that the engine reports as a diagnostic on the include.
   */
  (fromUri: string, path: string): { uri: string; text: string } | { error: string };
}

/** How often a run copies its model state (run/checkpoints.ts). */
export interface CheckpointOptions {
  /** Fewest steps between two checkpoints (default 32). */
  every?: number;
  /** Most checkpoints kept (default 64). */
  max?: number;
  /** Run time between two checkpoints, in multiples of the last copy's time (default 3; 0: by steps only). */
  cost?: number;
  /** Most objects copied into checkpoints in all (default 4 million). */
  budget?: number;
}

export interface EngineOptions {
  readInclude?: IncludeResolver;
  /**
   * Polled while compiling (every few hundred statements) and between steps; when it returns true
   * compiling and the run stop early (stale edit): the result is incomplete, to be discarded.
   */
  isCancelled?: () => boolean;
  /**
   * The text already parsed by the caller (`parse(text, uri)` of exactly this text): compiling
   * uses it instead of parsing again. The engine does not modify it. Ignored when the text is cut
   * at `maxFileSize`.
   */
  parsed?: ParseResult;
  /** Files above this size (in characters) are analysed in part, with a notice. */
  maxFileSize?: number;
  /** Sees every memory, register, command and transaction write the run makes (`iommu-lens lower`). */
  traffic?: TrafficSink;
  /**
   * Take checkpoints of the model state while running (run/checkpoints.ts: spaced by steps and by
   * the copy's cost, bounded in number and objects; memory copy-on-write): `goto` back and a later session (`previous`) resume from them. Off by default
   * (a headless run goes forward only).
   */
  checkpoints?: CheckpointOptions;
  /**
   * A session of an earlier version of the same document, with checkpoints: the new session takes
   * over its results up to its latest checkpoint before the first step that changed and runs on
   * from there. Results are identical to a run from the start.
   */
  previous?: ScenarioSession;
}

/** Static information about a step, known after compiling (before running): WireStep's position,
 *  kind and label (1-based lines and columns). */
export type StepInfo = Pick<WireStep, 'index' | 'line' | 'col' | 'endLine' | 'endCol' | 'kind' | 'label'>;

/**
 * A compiled scenario with its own model instance. Steps run one at a time; `goto` replays from the
 * start (the model is deterministic), which gives the debugger step back and reverse continue.
 */
export interface ScenarioSession {
  readonly uri: string;
  /** Syntax and semantic diagnostics from compiling (run results are in WireStep / result()). */
  readonly diagnostics: readonly WireDiagnostic[];
  readonly steps: readonly StepInfo[];
  /** Number of steps executed so far (0 = nothing run, steps.length = finished). */
  readonly position: number;
  /** Run the next step; undefined at the end. */
  step(): WireStep | undefined;
  /** Reset the model and run up to `position` steps (from the latest checkpoint before it, if any). */
  goto(position: number): void;
  /** A new session at `position` (from this one's checkpoints), leaving this one where it is. */
  fork(position: number): ScenarioSession;
  /** Run all remaining steps and return the scenario's result (all steps, all diagnostics). */
  runToEnd(): WireScenarioResult;
  /** Run all remaining steps (stopping early when cancelled) without building the result: the
   *  caller reads `results()` and `allDiagnostics()` (an editor's run, where most steps did not
   *  change). False when it stopped before the end. */
  runOn(): boolean;
  /** Every diagnostic so far, compiling's and the run's, sorted by position (as in `runToEnd()`'s result). */
  allDiagnostics(): WireDiagnostic[];
  /**
   * Run all remaining steps, handing each step's result to `onStep` as it completes, without
   * keeping them (a long run stays small): the returned result has every diagnostic, the
   * expectation counts and no steps. The session is finished afterwards (no goto, no state).
   */
  runStreaming(onStep: (step: WireStep) => void): WireScenarioResult;
  /** Results of the steps executed so far. */
  results(): readonly WireStep[];
  /** The model's state after the last executed step. */
  state(): WireState;
  /**
   * Debug-console expressions, evaluated against the current state without changing it:
   * `translate smmu0 sid 0x100 [ssid N] 0x1000 [read|write|exec] [priv]`, `ste smmu0 0x100`,
   * `cd smmu0 0x100 [ssid]`, `tlb smmu0`, `reg smmu0.CR0`, `read64 0x…`, `decode ste 0x… 0x…`.
   * Returns text; an unknown expression returns a message saying what is accepted (never throws).
   */
  evaluate(expression: string): string;
}
