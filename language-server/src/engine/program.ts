// A compiled scenario: the ordered steps and the diagnostics found while compiling.
// A step is data about its place in the text plus a `run` closure over a fresh Runtime, so the
// same Program can be replayed any number of times (goto = new Runtime + run N steps).

import type { WireDiagnostic, WireRange, WireStep } from './wire';
import type { Runtime } from './runtime';

export interface StepDef {
  range: WireRange;
  kind: string;
  label: string;
  smmu?: string;
  /** Executes the step: changes the model in `rt`, fills the results into `out`. May throw (caught by the session). */
  run(rt: Runtime, out: WireStep): void;
}

export interface Program {
  uri: string;
  steps: StepDef[];
  diagnostics: WireDiagnostic[];
  /** SMMU instances the scenario declares, created in this order on every run. */
  setup: Array<(rt: Runtime) => void>;
  partial?: boolean;
  /** StreamIDs the scenario names per SMMU (the state view lists their STEs first). */
  sids?: Map<string, number[]>;
  /** Page-table roots by address -> scenario name (for the memory map). */
  tableNames?: Map<bigint, string>;
  /** Transaction steps an expectation looks at (their results are kept). */
  watched?: Set<number>;
}

export function diag(range: WireRange, severity: WireDiagnostic['severity'], code: string, message: string): WireDiagnostic {
  return { line: range.line, col: range.col, endLine: range.endLine, endCol: range.endCol, severity, code, message };
}
