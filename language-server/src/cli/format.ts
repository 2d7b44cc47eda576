// Text form of a scenario result: `file:line:col: severity: message [CODE]`, each related location
// as a `note:` line under it, a summary line per file and a total across files.

import type { FailOn } from './policy';
import type { FileRun } from './tally';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatText({ result: r, tally }: FileRun): string {
  const lines: string[] = [];
  for (const d of r.diagnostics) {
    if (d.severity === 'hint') continue;
    lines.push(`${r.file}:${d.line}:${d.col}: ${d.severity}: ${d.message.replace(/\n/g, ' ')} [${d.code}]`);
    for (const rel of d.related ?? []) lines.push(`${r.file}:${rel.line}:${rel.col}: note: ${rel.message.replace(/\n/g, ' ')}`);
  }
  const { passed, failed } = r.expectations;
  const hz = tally.hazards.length;
  const unexpected = tally.unexpectedHazards().length;
  lines.push(`${r.file}: ${tally.steps} steps, ${plural(passed, 'expectation')} passed, ${failed} failed` +
    `, ${plural(tally.faults, 'fault')}, ${plural(hz, 'hazard')}${hz ? ` (${unexpected} not expected)` : ''}` +
    `${r.partial ? ' (partial: file too large)' : ''}`);
  return lines.join('\n');
}

export interface Totals {
  files: number;
  steps: number;
  passed: number;
  failed: number;
  faults: number;
  hazards: number;
  unexpectedHazards: number;
  errors: number;
}

export function addTotals(t: Totals, { result: r, tally }: FileRun): void {
  t.files++;
  t.steps += tally.steps;
  t.passed += r.expectations.passed;
  t.failed += r.expectations.failed;
  t.faults += tally.faults;
  t.hazards += tally.hazards.length;
  t.unexpectedHazards += tally.unexpectedHazards().length;
  t.errors += r.diagnostics.filter((d) => d.severity === 'error' && d.code !== 'EXPECT_FAILED').length;
}

export const emptyTotals = (): Totals => ({ files: 0, steps: 0, passed: 0, failed: 0, faults: 0, hazards: 0, unexpectedHazards: 0, errors: 0 });

export function formatTotals(t: Totals, failOn: FailOn, status: number): string {
  return `total: ${plural(t.files, 'file')}, ${t.steps} steps, ${plural(t.passed, 'expectation')} passed, ${t.failed} failed, ` +
    `${plural(t.faults, 'fault')}, ${plural(t.hazards, 'hazard')} (${t.unexpectedHazards} not expected), ${plural(t.errors, 'error')}; ` +
    `--fail-on ${failOn}: ${status === 0 ? 'pass' : 'FAIL'} (exit ${status})`;
}
