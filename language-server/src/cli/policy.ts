// What makes a run fail (`--fail-on fault|hazard|warning`) and the exit status.
// Default `fault`: an error or a fault no expectation asked for fails the run; a hazard is a
// sequence whose outcome the architecture leaves open (the model shows one legal outcome), so it
// warns unless CI asks for clean driver sequences with `--fail-on hazard`.

import type { WireDiagnostic, WireScenarioResult } from '../engine/output/wire';
import type { FileRun } from './tally';

export const FAIL_ON = ['fault', 'hazard', 'warning'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** Errors other than failed expectations: syntax, semantic, unexpected faults, unreadable file. */
export function errorDiagnostics(r: WireScenarioResult): WireDiagnostic[] {
  return r.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'EXPECT_FAILED');
}

/** Diagnostics the policy turns into a failure on top of errors and failed expectations. */
export function policyViolations({ result: r, tally }: FileRun, failOn: FailOn): WireDiagnostic[] {
  if (failOn === 'fault') return [];
  if (failOn === 'warning') return r.diagnostics.filter((d) => d.severity === 'warning');
  const lines = new Set(tally.unexpectedHazards());
  return r.diagnostics.filter((d) => d.severity !== 'error' && lines.has(`${d.code}@${d.line}`));
}

/** 2: errors (or unexpected faults); 1: a failed expectation or a policy violation; 0: all good. */
export function exitCode(run: FileRun, failOn: FailOn = 'fault'): number {
  if (errorDiagnostics(run.result).length) return 2;
  if (run.result.expectations.failed > 0 || policyViolations(run, failOn).length) return 1;
  return 0;
}
