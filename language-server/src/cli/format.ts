// Text form of a scenario result (`file:line:col: severity: message`) and the exit status.

import type { WireScenarioResult } from '../engine/api';

/** 2: a file has errors other than failed expectations; 1: an expectation failed; 0: all good. */
export function exitCode(r: WireScenarioResult): number {
  if (r.diagnostics.some((d) => d.severity === 'error' && d.code !== 'EXPECT_FAILED')) return 2;
  if (r.expectations.failed > 0) return 1;
  return 0;
}

export function formatText(r: WireScenarioResult): string {
  const lines: string[] = [];
  for (const d of r.diagnostics) {
    if (d.severity === 'hint') continue;
    lines.push(`${r.file}:${d.line}:${d.col}: ${d.severity}: ${d.message.replace(/\n/g, ' ')}`);
  }
  const { passed, failed } = r.expectations;
  const faults = r.steps.filter((s) => s.outcome === 'fault').length;
  lines.push(`${r.file}: ${r.steps.length} steps, ${passed} expectation${passed === 1 ? '' : 's'} passed, ${failed} failed` +
    `, ${faults} fault${faults === 1 ? '' : 's'}${r.partial ? ' (partial: file too large)' : ''}`);
  return lines.join('\n');
}
