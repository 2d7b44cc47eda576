// What the status-bar item says for one scenario result (pure: no vscode import, unit-tested).
import type { ScenarioResultParams } from '../../language-server/src/server/protocol';

export interface StatusView {
  text: string;
  /** "3 passed, 0 failed, 2 faults, 0 hazards" (expectations first; no final period). */
  summary: string;
  tooltip: string;
  /** True when something needs attention: a failed expectation, a hazard or an error. Faults
   *  alone do not warn: a scenario may show faults on purpose (and expect them). */
  warning: boolean;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Status-bar text for a result; codicons in `$(name)` form are rendered by VS Code. */
export function statusView(r: Pick<ScenarioResultParams, 'passed' | 'failed' | 'faults' | 'hazards'> & Partial<Pick<ScenarioResultParams, 'errors' | 'partial'>>): StatusView {
  const errors = r.errors ?? 0;
  const warning = r.failed > 0 || r.hazards > 0 || errors > 0;
  const icon = r.failed > 0 || errors > 0 ? '$(error)' : warning ? '$(warning)' : '$(pass)';
  const text = `${icon} SMMU ${r.passed}✓ ${r.failed}✗ ${r.faults}F ${r.hazards}H`;
  const parts = [`${r.passed} passed`, `${r.failed} failed`, plural(r.faults, 'fault'), plural(r.hazards, 'hazard')];
  if (errors > 0) parts.push(plural(errors, 'error'));
  if (r.partial) parts.push('file analysed in part (iommuLens.maxFileSize)');
  const summary = parts.join(', ');
  return { text, summary, tooltip: `IOMMU Lens: expectations ${summary}. Click to run the scenario.`, warning };
}

/** Checks an untrusted notification payload; undefined when it is not a ScenarioResultParams. */
export function parseScenarioResult(x: unknown): ScenarioResultParams | undefined {
  if (typeof x !== 'object' || x === null) return undefined;
  const o = x as Record<string, unknown>;
  const count = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  if (typeof o.uri !== 'string' || !count(o.passed) || !count(o.failed) || !count(o.faults) || !count(o.hazards)) return undefined;
  return {
    uri: o.uri,
    version: typeof o.version === 'number' ? o.version : 0,
    passed: o.passed as number,
    failed: o.failed as number,
    faults: o.faults as number,
    hazards: o.hazards as number,
    errors: count(o.errors) ? (o.errors as number) : 0,
    partial: o.partial === true,
  };
}
