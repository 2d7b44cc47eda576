// `iommu-lens decode` as a subprocess on real log formats (needs `npm run build`; `npm test` builds first).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '../../../..');
const BIN = path.join(ROOT, 'bin/iommu-lens.js');
const FIX = path.join(ROOT, 'test/fixtures/logs');

function run(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [BIN, 'decode', ...args], { cwd: FIX, encoding: 'utf8', input });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('decode FILE: kernel event records by field with line numbers, likely cause, unrecognised lines', () => {
  const r = run(['linux-event.log']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^linux-event\.log:2-6: event F_TRANSLATION \(arm-smmu-v3\.0\.auto\)$/m);
  assert.match(r.out, /^ {2}likely cause: no valid stage-1 descriptor for unprivileged data read of 0xfffff000/m);
  assert.match(r.out, /^ {2}CLASS +1\[41:40\] +0x2 IN: Input address of the transaction$/m);
  assert.match(r.out, /^linux-event\.log:12: not recognised: truncated event record: 2 of 4 dwords/m);
  assert.match(r.out, /^linux-event\.log: 2 records decoded, 4 lines not recognised$/m);
});

test('decode FILE: CMDQ error with the command and its CERROR reason', () => {
  const r = run(['linux-cmdq.log']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^linux-cmdq\.log:2-5: command CMD_PRI_RESP/m);
  assert.match(r.out, /^ {2}error: SMMU_CMDQ_CONS\.ERR CERROR_ILL .*Resp == 0b11 is Reserved/m);
});

test('decode - reads stdin: a QEMU trace', () => {
  const r = run(['-'], fs.readFileSync(path.join(FIX, 'qemu-trace.log'), 'utf8'));
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^<stdin>:10: event F_TRANSLATION sid 0x8$/m);
  assert.match(r.out, /^<stdin>:19: not recognised: smmuv3_bogus_point is not an smmu trace point QEMU defines/m);
});

test('decode with no file reads stdin; --json prints one object in the documented shape', () => {
  const r = run(['--json'], fs.readFileSync(path.join(FIX, 'ste-cd-dump.txt'), 'utf8'));
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(Object.keys(j).sort(), ['lines', 'records', 'unrecognised']);
  const ste = j.records[0];
  assert.deepEqual([ste.line, ste.endLine, ste.source, ste.kind, ste.name, ste.sid, ste.address], [1, 3, 'dump', 'ste', 'STE', '0x8', '0x40000100']);
  assert.equal(ste.raw[0], '0x000000004003000b');
  assert.deepEqual(ste.fields.find((f: { name: string }) => f.name === 'Config'), { name: 'Config', bits: '0[3:1]', value: '0x5', valueName: 'S1_TRANS', meaning: 'Stage 1 translate, stage 2 bypass' });
  assert.match(ste.config, /^S1_TRANS/);
  assert.deepEqual(j.unrecognised[0], { line: 14, text: 'STE sid 0x20:', reason: 'STE header with 1 of 8 dwords (truncated dump)' });
});

test('decode: exit 1 when nothing is recognised, 2 for an unreadable file or a wrong command line', () => {
  assert.equal(run(['-'], 'hello\n').code, 1);
  const missing = run(['no-such.log']);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot read no-such\.log: ENOENT/);
  assert.equal(run(['a.log', 'b.log']).code, 2);
  assert.match(run(['--yaml']).err, /unknown option --yaml/);
});
