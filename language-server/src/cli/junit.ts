// JUnit XML (the Ant/Jenkins schema CI servers read): one <testsuite> per scenario file, one
// <testcase> per expectation plus one "runs cleanly" case that carries the errors (as <error>) and
// what `--fail-on` counts (as <failure>).

import type { WireDiagnostic } from '../engine/output/wire';
import { type FailOn, errorDiagnostics, policyViolations } from './policy';
import type { FileRun } from './tally';

export interface JUnitFile extends FileRun {
  /** Seconds the file took. */
  seconds: number;
  /** When the run of the file started. */
  started: Date;
}

/** Attribute and text escaping; characters XML 1.0 cannot carry become U+FFFD. */
export function xmlEscape(s: string): string {
  return s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '\ufffd')
    .replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const attrs = (a: Record<string, string | number>) => Object.entries(a).map(([k, v]) => ` ${k}="${xmlEscape(String(v))}"`).join('');
const diagText = (file: string, ds: WireDiagnostic[]) => ds.map((d) => `${file}:${d.line}:${d.col}: ${d.severity}: ${d.message} [${d.code}]`).join('\n');

function suite(f: JUnitFile, id: number, failOn: FailOn, hostname: string): { xml: string; tests: number; failures: number; errors: number } {
  const r = f.result;
  const cases: string[] = [];
  let failures = 0;
  for (const e of r.expectationResults ?? []) {
    const head = `<testcase${attrs({ name: `line ${e.line}: ${e.text}`, classname: r.file, time: 0, file: r.file, line: e.line })}`;
    if (e.passed) cases.push(`${head}/>`);
    else {
      failures++;
      cases.push(`${head}><failure${attrs({ message: e.message, type: 'EXPECT_FAILED' })}>${xmlEscape(`${r.file}:${e.line}:${e.col}: ${e.message}`)}</failure></testcase>`);
    }
  }
  const errors = errorDiagnostics(r);
  const violations = policyViolations(f, failOn);
  let body = '';
  if (errors.length) body = `<error${attrs({ message: errors[0].message, type: errors[0].code })}>${xmlEscape(diagText(r.file, errors))}</error>`;
  else if (violations.length) {
    failures++;
    body = `<failure${attrs({ message: `${violations.length} ${failOn === 'warning' ? 'warning' : 'hazard'}(s) under --fail-on ${failOn}: ${violations[0].message}`, type: violations[0].code })}>${xmlEscape(diagText(r.file, violations))}</failure>`;
  }
  const clean = `<testcase${attrs({ name: `runs cleanly (--fail-on ${failOn})`, classname: r.file, time: f.seconds.toFixed(3), file: r.file })}`;
  cases.push(body ? `${clean}>${body}</testcase>` : `${clean}/>`);
  const n = cases.length;
  const e = errors.length ? 1 : 0;
  const head = attrs({
    name: r.file, tests: n, failures, errors: e, skipped: 0, time: f.seconds.toFixed(3),
    timestamp: f.started.toISOString().slice(0, 19), hostname, id, package: 'iommu-lens',
  });
  return { xml: `  <testsuite${head}>\n    <properties/>\n${cases.map((c) => `    ${c}\n`).join('')}    <system-out/>\n    <system-err/>\n  </testsuite>\n`, tests: n, failures, errors: e };
}

export function junitXml(files: readonly JUnitFile[], failOn: FailOn, hostname: string): string {
  const suites = files.map((f, i) => suite(f, i, failOn, hostname));
  const sum = (k: 'tests' | 'failures' | 'errors') => suites.reduce((n, s) => n + s[k], 0);
  const time = files.reduce((t, f) => t + f.seconds, 0).toFixed(3);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attrs({ name: 'iommu-lens', tests: sum('tests'), failures: sum('failures'), errors: sum('errors'), time })}>\n` +
    suites.map((s) => s.xml).join('') + '</testsuites>\n';
}
