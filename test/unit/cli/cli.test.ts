// The built command-line runner, run as a subprocess (needs `npm run build`; `npm test` builds first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '../../../..');
const BIN = path.join(ROOT, 'bin/iommu-lens.js');

const SCENARIO = `smmu smmu0
pagetable pt s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw }
cd c { pagetable pt; asid 5 }
ste smmu0 0x10 { cd c }
`;

function dir(files: Record<string, string>): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'iommu-lens-cli-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, name)), { recursive: true });
    fs.writeFileSync(path.join(d, name), text);
  }
  return d;
}

function run(cwd: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('exit 0 when every expectation holds; text output names the file', () => {
  const d = dir({ 'ok.smmu': SCENARIO + 'dma smmu0 read sid 0x10 iova 0x1000_0004 expect pa 0x8000_0004\n' });
  const r = run(d, 'run', 'ok.smmu');
  assert.equal(r.code, 0, r.out + r.err);
  assert.match(r.out, /ok\.smmu: \d+ steps, 1 expectation passed, 0 failed/);
});

test('exit 1 when an expectation fails, with file:line:col: severity: message', () => {
  const d = dir({ 'bad.smmu': SCENARIO + 'dma smmu0 read sid 0x10 iova 0x1000_0004 expect pa 0x9000_0004\n' });
  const r = run(d, 'run', 'bad.smmu');
  assert.equal(r.code, 1);
  assert.match(r.out, /^bad\.smmu:5:\d+: error: expected pa 0x90000004, got ok pa 0x80000004 \[EXPECT_FAILED\]$/m);
});

test('exit 2 when a file has errors (unknown name, unexpected fault, missing file)', () => {
  const d = dir({ 'err.smmu': SCENARIO + 'cd x { pagetable nope }\n', 'fault.smmu': SCENARIO + 'dma smmu0 read sid 0x10 iova 0x5000_0000\n' });
  assert.equal(run(d, 'run', 'err.smmu').code, 2);
  const f = run(d, 'run', 'fault.smmu');
  assert.equal(f.code, 2);
  assert.match(f.out, /fault\.smmu:5:1: error: F_TRANSLATION: StreamID 0x10, InputAddr 0x50000000/);
  assert.equal(run(d, 'run', 'nothere.smmu').code, 2);
  assert.equal(run(d, 'frobnicate').code, 2);
});

test('--json prints one WireScenarioResult per file', () => {
  const d = dir({
    'a.smmu': SCENARIO + 'dma smmu0 write sid 0x10 iova 0x1000_0008 expect pa 0x8000_0008\n',
    'b.smmu': SCENARIO + 'dma smmu0 read sid 0x10 iova 0x2000_0000 expect fault F_TRANSLATION\n',
  });
  const r = run(d, 'run', 'a.smmu', 'b.smmu', '--json');
  assert.equal(r.code, 0, r.out);
  const lines = r.out.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  const [a, b] = lines;
  assert.equal(a.file, 'a.smmu');
  assert.deepEqual(a.expectations, { passed: 1, failed: 0 });
  const dma = a.steps.find((s: { kind: string }) => s.kind === 'dma');
  assert.equal(dma.outcome, 'ok');
  assert.equal(dma.pa, '0x80000008');
  assert.equal(dma.sid, '0x10');
  assert.equal(dma.tlb, 'miss');
  assert.deepEqual(dma.hazards, []);
  const fault = b.steps.find((s: { kind: string }) => s.kind === 'dma');
  assert.equal(fault.outcome, 'fault');
  const ev = fault.events[0];
  assert.equal(ev.type, 'F_TRANSLATION');
  assert.equal(ev.code, '0x10');
  assert.equal(ev.inputAddr, '0x20000000');
  assert.equal(ev.rnw, true);
  assert.equal(ev.s2, false);
  assert.equal(ev.class, 'IN');
  assert.ok('STAG' in ev.fields || 'InD' in ev.fields || Object.keys(ev.fields).length > 0, 'other record fields by spec name');
  for (const d2 of b.diagnostics) for (const k of ['line', 'col', 'severity', 'code', 'message']) assert.ok(k in d2, k);
});

test('includes resolve relative to the file and may not leave the working directory', () => {
  const outside = dir({ 'secret.smmu': SCENARIO });
  const d = dir({
    'sub/base.smmu': SCENARIO,
    'sub/main.smmu': 'include "base.smmu"\ndma smmu0 read sid 0x10 iova 0x1000_0000 expect pa 0x8000_0000\n',
    'escape.smmu': `include "${path.join(outside, 'secret.smmu').replace(/\\/g, '/')}"\n`,
  });
  assert.equal(run(d, 'run', 'sub/main.smmu').code, 0);
  const e = run(d, 'run', 'escape.smmu');
  assert.equal(e.code, 2);
  assert.match(e.out, /outside the working directory/);
  // Naming the file on the command line allows it.
  const allowed = run(d, 'run', 'escape.smmu', path.join(outside, 'secret.smmu'));
  assert.doesNotMatch(allowed.out, /outside the working directory/);
});
