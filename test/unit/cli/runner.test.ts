// The runner in CI: --help, --fail-on, the text report (codes, related locations, hazard count,
// total), each expectation's result in --json, and --junit checked against the JUnit schema's
// structure (needs `npm run build`; `npm test` builds first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '../../../..');
const BIN = path.join(ROOT, 'bin/iommu-lens.js');

const BASE = `smmu smmu0
pagetable pt s1 4K { map 0x1000_0000 +8K -> 0x8000_0000 rw }
cd c { pagetable pt; asid 5 }
ste smmu0 0x10 { cd c }
dma read sid 0x10 iova 0x1000_0004 expect pa 0x8000_0004
unmap pt 0x1000_0000 +4K
`;
/** A stale-TLB hazard on line 7 that no expectation asked for. */
const HAZARD = BASE + 'dma read sid 0x10 iova 0x1000_0004\n';
/** The same hazard, asked for. */
const EXPECTED = BASE + 'dma read sid 0x10 iova 0x1000_0004 expect hazard H_STALE_TLB\n';
const FAILING = BASE + 'dma read sid 0x10 iova 0x1000_1000 expect pa 0x9000_0000\n';
const SYNTAX = 'smmu smmu0\nste smmu0 0x10 { config <bypass> }\n';

function dir(files: Record<string, string>): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'iommu-lens-runner-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(d, name), text);
  return d;
}

function run(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('--help and -h print the usage on stdout and exit 0; no command prints it on stderr and exits 2', () => {
  for (const args of [['--help'], ['-h'], ['help'], ['run', '--help']]) {
    const r = run(ROOT, ...args);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.out, /^usage: iommu-lens run FILE\.\.\. \[--json\] \[--junit FILE\] \[--fail-on fault\|hazard\|warning\]/);
    assert.match(r.out, /fault +\(default\)/);
  }
  const none = run(ROOT);
  assert.equal(none.code, 2);
  assert.equal(none.out, '');
  assert.match(none.err, /^usage:/);
  const bad = run(ROOT, 'run', 'x.smmu', '--fail-on', 'everything');
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--fail-on takes fault, hazard, warning, not 'everything'/);
});

test('--fail-on: an unexpected hazard passes by default and fails under hazard and warning; an expected one passes', () => {
  const d = dir({ 'hz.smmu': HAZARD, 'ok.smmu': EXPECTED });
  assert.equal(run(d, 'run', 'hz.smmu').code, 0);
  assert.equal(run(d, 'run', 'hz.smmu', '--fail-on', 'fault').code, 0);
  assert.equal(run(d, 'run', 'hz.smmu', '--fail-on', 'hazard').code, 1);
  assert.equal(run(d, 'run', 'hz.smmu', '--fail-on=warning').code, 1);
  assert.equal(run(d, 'run', 'ok.smmu', '--fail-on', 'hazard').code, 0);
  assert.equal(run(d, 'run', 'ok.smmu', '--fail-on', 'warning').code, 1, 'the hazard is still a warning');
});

test('--fail-on and --junit see the same steps with --json as without (the steps stream by and are not kept)', () => {
  const d = dir({ 'hz.smmu': HAZARD, 'ok.smmu': EXPECTED });
  for (const failOn of ['fault', 'hazard', 'warning']) {
    for (const f of ['hz.smmu', 'ok.smmu']) assert.equal(run(d, 'run', f, '--json', '--fail-on', failOn).code, run(d, 'run', f, '--fail-on', failOn).code, `${f} --fail-on ${failOn}`);
  }
  assert.equal(run(d, 'run', 'hz.smmu', '--json', '--fail-on', 'hazard').code, 1);
  run(d, 'run', 'hz.smmu', '--json', '--fail-on', 'hazard', '--junit', 'j.xml');
  const hz = parseXml(fs.readFileSync(path.join(d, 'j.xml'), 'utf8')).children[0];
  assert.equal(hz.children.find((c) => c.attrs.name === 'runs cleanly (--fail-on hazard)')!.children[0].attrs.type, 'H_STALE_TLB');
});

test('text output: codes, related locations as notes, a hazard count per file and a total across files', () => {
  const d = dir({ 'hz.smmu': HAZARD, 'bad.smmu': FAILING });
  const r = run(d, 'run', 'hz.smmu', 'bad.smmu');
  assert.equal(r.code, 1);
  assert.match(r.out, /^hz\.smmu:7:1: warning: smmu0: stale translation possible: .* \[H_STALE_TLB\]$/m);
  assert.match(r.out, /^hz\.smmu:6:1: note: write that changed the descriptor at 0x[0-9a-f]+: /m);
  assert.match(r.out, /^hz\.smmu:5:1: note: walk whose result may still be cached$/m);
  assert.match(r.out, /^hz\.smmu: \d+ steps, 1 expectation passed, 0 failed, 0 faults, 1 hazard \(1 not expected\)$/m);
  assert.match(r.out, /^bad\.smmu:7:\d+: error: expected pa 0x90000000, got ok pa 0x80001000 \[EXPECT_FAILED\]$/m);
  assert.match(r.out, /^total: 2 files, \d+ steps, 2 expectations passed, 1 failed, 0 faults, 1 hazard \(1 not expected\), 0 errors; --fail-on fault: FAIL \(exit 1\)$/m);
});

test('--json lists each expectation with its result and marks the hazards an expectation asked for', () => {
  const d = dir({ 'ok.smmu': EXPECTED, 'bad.smmu': FAILING });
  const [ok, bad] = run(d, 'run', 'ok.smmu', 'bad.smmu', '--json').out.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(ok.expectationResults.map((e: { line: number; text: string; passed: boolean }) => [e.line, e.text, e.passed]),
    [[5, 'expect pa 0x8000_0004', true], [7, 'expect hazard H_STALE_TLB', true]]);
  const hz = ok.steps.find((s: { expectation?: { hazards?: unknown } }) => s.expectation?.hazards);
  assert.deepEqual(hz.expectation.hazards, [{ code: 'H_STALE_TLB', line: 7 }]);
  assert.equal(bad.expectations.failed, 1);
  const failed = bad.expectationResults.find((e: { passed: boolean }) => !e.passed);
  assert.equal(failed.line, 7);
  assert.equal(failed.message, 'expected pa 0x90000000, got ok pa 0x80001000');
});

// A small XML reader, enough for the report: elements, attributes, text, the five entities.
interface El { name: string; attrs: Record<string, string>; children: El[]; text: string }
function parseXml(xml: string): El {
  const unesc = (s: string) => s.replace(/&(lt|gt|quot|apos|amp);/g, (_m, e: string) => ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' })[e]!);
  assert.match(xml, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n/);
  const root: El = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  const re = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w.-]+="[^"<]*")*)\s*(\/?)>|([^<]+)|(<\?[^>]*\?>)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(xml))) {
    at = re.lastIndex;
    if (m[6]) continue;
    const top = stack[stack.length - 1];
    if (m[5] !== undefined) { top.text += unesc(m[5]); continue; }
    if (m[1]) { assert.equal(top.name, m[2], `</${m[2]}> closes <${top.name}>`); stack.pop(); continue; }
    const attrs: Record<string, string> = {};
    for (const a of m[3].matchAll(/([\w.-]+)="([^"]*)"/g)) { assert.ok(!(a[1] in attrs), `duplicate ${a[1]}`); attrs[a[1]] = unesc(a[2]); }
    const el: El = { name: m[2], attrs, children: [], text: '' };
    top.children.push(el);
    if (!m[4]) stack.push(el);
  }
  assert.equal(at, xml.length, `well-formed up to ${at}`);
  assert.equal(stack.length, 1, 'every element closed');
  const roots = root.children;
  assert.equal(roots.length, 1);
  return roots[0];
}

const INT = /^\d+$/;
const DECIMAL = /^\d+(\.\d+)?$/;
/** The JUnit schema (Ant's junit.xsd, what Jenkins/GitLab read): required elements, attributes and types. */
function checkJUnit(root: El): void {
  assert.equal(root.name, 'testsuites');
  for (const k of ['tests', 'failures', 'errors']) assert.match(root.attrs[k], INT, `testsuites@${k}`);
  assert.match(root.attrs.time, DECIMAL);
  let tests = 0;
  for (const s of root.children) {
    assert.equal(s.name, 'testsuite');
    for (const k of ['name', 'timestamp', 'hostname', 'package']) assert.ok(s.attrs[k], `testsuite@${k}`);
    for (const k of ['tests', 'failures', 'errors', 'id']) assert.match(s.attrs[k], INT, `testsuite@${k}`);
    assert.match(s.attrs.time, DECIMAL);
    assert.match(s.attrs.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/, 'xs:dateTime without a time zone');
    const names = s.children.map((c) => c.name);
    assert.equal(names[0], 'properties');
    assert.deepEqual(names.slice(-2), ['system-out', 'system-err']);
    const cases = s.children.filter((c) => c.name === 'testcase');
    assert.equal(cases.length, names.length - 3, 'only testcases between properties and system-out');
    assert.equal(Number(s.attrs.tests), cases.length);
    let failures = 0;
    let errors = 0;
    for (const c of cases) {
      assert.ok(c.attrs.name && c.attrs.classname, 'testcase@name, @classname');
      assert.match(c.attrs.time, DECIMAL);
      assert.ok(c.children.length <= 1);
      for (const f of c.children) {
        assert.ok(f.name === 'failure' || f.name === 'error', f.name);
        assert.ok(f.attrs.type, `${f.name}@type`);
        assert.ok(f.attrs.message, `${f.name}@message`);
        if (f.name === 'failure') failures++; else errors++;
      }
    }
    assert.equal(Number(s.attrs.failures), failures);
    assert.equal(Number(s.attrs.errors), errors);
    tests += cases.length;
  }
  assert.equal(Number(root.attrs.tests), tests);
}

test('--junit writes a JUnit report: one testcase per expectation, errors and --fail-on findings in their own case', () => {
  const d = dir({ 'ok.smmu': EXPECTED, 'bad.smmu': FAILING, 'hz.smmu': HAZARD, 'syntax.smmu': SYNTAX, 'x&<y>.smmu': EXPECTED });
  const r = run(d, 'run', 'ok.smmu', 'bad.smmu', 'hz.smmu', 'syntax.smmu', 'x&<y>.smmu', 'missing.smmu', '--fail-on', 'hazard', '--junit', 'report.xml');
  assert.equal(r.code, 2);
  const root = parseXml(fs.readFileSync(path.join(d, 'report.xml'), 'utf8'));
  checkJUnit(root);
  const suite = (n: string) => root.children.find((s) => s.attrs.name === n)!;
  const ok = suite('ok.smmu');
  assert.deepEqual(ok.children.filter((c) => c.name === 'testcase').map((c) => c.attrs.name),
    ['line 5: expect pa 0x8000_0004', 'line 7: expect hazard H_STALE_TLB', 'runs cleanly (--fail-on hazard)']);
  assert.equal(ok.attrs.failures, '0');
  const bad = suite('bad.smmu').children.find((c) => c.attrs.line === '7')!;
  assert.equal(bad.children[0].name, 'failure');
  assert.equal(bad.children[0].attrs.type, 'EXPECT_FAILED');
  assert.equal(bad.children[0].attrs.message, 'expected pa 0x90000000, got ok pa 0x80001000');
  const hz = suite('hz.smmu').children.find((c) => c.attrs.name === 'runs cleanly (--fail-on hazard)')!;
  assert.equal(hz.children[0].attrs.type, 'H_STALE_TLB');
  const syn = suite('syntax.smmu').children.find((c) => c.name === 'testcase')!;
  assert.equal(syn.children[0].name, 'error');
  assert.match(syn.children[0].attrs.type, /^E_SYNTAX_/);
  assert.equal(suite('missing.smmu').children.find((c) => c.name === 'testcase')!.children[0].attrs.type, 'E_FILE');
  assert.ok(suite('x&<y>.smmu'), 'names escaped and read back');
  assert.equal(root.attrs.failures, '2');
  assert.equal(root.attrs.errors, '2');
});
