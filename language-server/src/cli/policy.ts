// What makes a run fail (`--fail-on fault|hazard|warning`) and the exit status.
// Default `fault`: an error or a fault no expectation asked for fails the run; a hazard is a
// sequence whose outcome the architecture leaves open (the model shows one legal outcome), so it
// warns unless CI asks for clean driver sequences with `--fail-on hazard`.

import type { WireDiagnostic, WireHazard, WireScenarioResult } from '../engine/output/wire';

export const FAIL_ON = ['fault', 'hazard', 'warning'] as const;
export type FailOn = (typeof FAIL_ON)[number];

/** Hazards no passing `expect hazard` asked for (matched by code and line). */
export function unexpectedHazards(r: WireScenarioResult): WireHazard[] {
  const expected = new Set<string>();
  for (const s of r.steps) for (const h of s.expectation?.hazards ?? []) expected.add(`${h.code}@${h.line}`);
  return r.steps.flatMap((s) => s.hazards).filter((h) => !expected.has(`${h.code}@${h.line}`));
}

export function hazardCount(r: WireScenarioResult): number {
  return r.steps.reduce((n, s) => n + s.hazards.length, 0);
}

export function faultCount(r: WireScenarioResult): number {
  return r.steps.filter((s) => s.outcome === 'fault').length;
}

/** Errors other than failed expectations: syntax, semantic, unexpected faults, unreadable file. */
export function errorDiagnostics(r: WireScenarioResult): WireDiagnostic[] {
  return r.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'EXPECT_FAILED');
}

/** Diagnostics the policy turns into a failure on top of errors and failed expectations. */
export function policyViolations(r: WireScenarioResult, failOn: FailOn): WireDiagnostic[] {
  if (failOn === 'fault') return [];
  if (failOn === 'warning') return r.diagnostics.filter((d) => d.severity === 'warning');
  const lines = new Set(unexpectedHazards(r).map((h) => `${h.code}@${h.line}`));
  return r.diagnostics.filter((d) => d.severity !== 'error' && lines.has(`${d.code}@${d.line}`));
}

/** 2: errors (or unexpected faults); 1: a failed expectation or a policy violation; 0: all good. */
export function exitCode(r: WireScenarioResult, failOn: FailOn = 'fault'): number {
  if (errorDiagnostics(r).length) return 2;
  if (r.expectations.failed > 0 || policyViolations(r, failOn).length) return 1;
  return 0;
}
