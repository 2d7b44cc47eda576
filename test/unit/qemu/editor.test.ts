// "Compare with QEMU" in the editor without QEMU: the rows the server sends (severity per status,
// the scenario line), the trusted-workspace rule (nothing runs untrusted), the code lens, and the
// Events panel message carrying the comparison.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { summarizeQemu } from '../../../language-server/src/qemu/summary';
import type { QemuReport } from '../../../language-server/src/qemu/report';
import { compareQemuRequest } from '../../../language-server/src/server/qemu';
import { parseHostMessage } from '../../../extension/src/panels/protocol';

const HERE = path.join(__dirname, '../../../../test/unit/qemu');
const ROOT = path.join(__dirname, '../../../..');
const recorded = (name: string) => fs.readFileSync(path.join(HERE, 'recorded', name), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as QemuReport & { file: string });

test('rows: a known departure and a step QEMU cannot run are information, an unexplained difference a warning', () => {
  const s2 = recorded('qemu-10.0.2.jsonl').find((r) => r.file.endsWith('s2-vm.smmu'))!;
  const lineOf = new Map((s2.dmas as unknown as Array<{ step: number; line: number }>).map((d) => [d.step, d.line]));
  const s = summarizeQemu(s2, (i) => ({ line: lineOf.get(i) ?? 0, col: 1, endLine: lineOf.get(i) ?? 0, endCol: 5 }));
  assert.match(s.title, /^QEMU 10\.0\.2 \(-M virt, arm-smmuv3\.stage=nested\)$/);
  assert.equal(s.counts.known, 1);
  assert.equal(s.rows.length, 1);
  assert.equal(s.rows[0].severity, 'information');
  assert.equal(s.rows[0].code, 'QEMU_KNOWN_DEPARTURE');
  assert.equal(s.rows[0].line, 19);
  assert.match(s.rows[0].message, /known QEMU departure .*s2-ro-hit-unrecorded \(IHI 0070 §7\.3\.13 F_PERMISSION\)/);
  const ats = recorded('qemu-10.0.2.jsonl').find((r) => r.file.endsWith('ats-pri.smmu'))!;
  const t = summarizeQemu(ats, () => ({ line: 1, col: 1, endLine: 1, endCol: 1 }));
  assert.ok(t.rows.length > 0 && t.rows.every((r) => r.status === 'not comparable' && r.severity === 'information' && /not comparable: (ATS|PRI)/.test(r.message)));
  const unexplained: QemuReport = { ...s2, dmas: s2.dmas.map((d) => (d.status === 'known' ? { ...d, status: 'unexplained', departures: undefined } : d)) };
  const u = summarizeQemu(unexplained, () => ({ line: 1, col: 1, endLine: 1, endCol: 1 }));
  assert.equal(u.rows[0].severity, 'warning');
  assert.match(u.rows[0].message, /UNEXPLAINED difference/);
});

test('the server runs no QEMU in an untrusted workspace', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fake-qemu-'));
  const marker = path.join(dir, 'ran');
  const fake = path.join(dir, 'qemu');
  fs.writeFileSync(fake, `#!/bin/sh\ntouch ${marker}\necho "QEMU emulator version 10.0.2"\n`, { mode: 0o755 });
  const text = fs.readFileSync(path.join(ROOT, 'examples/quickstart.smmu'), 'utf8');
  const r = await compareQemuRequest({ uri: 'file:///q.smmu', trusted: false, qemuPath: fake }, text, () => ({ error: 'no includes' }));
  assert.match(r?.cannotRun ?? '', /not trusted/);
  assert.equal(fs.existsSync(marker), false, 'the executable was not started');
  assert.equal(await compareQemuRequest({ uri: 'file:///x.smmu', trusted: true }, undefined, () => ({ error: '' })), null);
  const bad = await compareQemuRequest({ uri: 'file:///b.smmu', trusted: true, qemuPath: fake }, 'dma smmu0 read sid', () => ({ error: '' }));
  assert.match(bad?.cannotRun ?? '', /errors/);
  assert.equal(fs.existsSync(marker), false);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('package.json: the command, and iommuLens.qemu.path restricted in untrusted workspaces', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  assert.ok(pkg.contributes.commands.some((c: { command: string; title: string }) => c.command === 'iommuLens.compareQemu' && c.title === 'Compare with QEMU'));
  assert.ok(pkg.contributes.configuration.properties['iommuLens.qemu.path']);
  assert.deepEqual(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations, ['iommuLens.qemu.path']);
});

test('the panel message carries the comparison; a malformed one is dropped', () => {
  const qemu = { title: 'QEMU 10.0.2', counts: { same: 1, known: 0, unexplained: 0, notComparable: 0 }, rows: [] };
  const m = parseHostMessage({ type: 'state', uri: 'u', state: null, result: null, qemu });
  assert.deepEqual(m && m.type === 'state' ? m.qemu : undefined, qemu);
  const n = parseHostMessage({ type: 'state', uri: 'u', state: null, result: null, qemu: { title: 3 } });
  assert.equal(n && n.type === 'state' ? n.qemu : 'x', undefined);
});
