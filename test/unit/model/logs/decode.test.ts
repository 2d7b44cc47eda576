// The log decoder on real log formats (fixtures in test/fixtures/logs/), one test per format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeLog, type LogRecord } from '../../../../language-server/src/model/logs/index';

const FIX = path.join(__dirname, '../../../../../test/fixtures/logs');
const load = (f: string) => decodeLog(fs.readFileSync(path.join(FIX, f), 'utf8'));
const field = (r: LogRecord, name: string) => r.fields.find((f) => f.name === name);
const fact = (r: LogRecord, k: string) => r.facts.find(([key]) => key === k)?.[1];

test('Linux "event 0x%02x received:" + 4 dwords: decoded by field with line numbers; a truncated record is not recognised', () => {
  const r = load('linux-event.log');
  assert.equal(r.records.length, 2);
  const [tf, bad] = r.records;
  assert.deepEqual([tf.line, tf.endLine, tf.kind, tf.name, tf.device], [2, 6, 'event', 'F_TRANSLATION', 'arm-smmu-v3.0.auto']);
  assert.equal(field(tf, 'StreamID')?.value, 0x8n);
  assert.equal(field(tf, 'RnW')?.value, 1n);
  assert.equal(field(tf, 'CLASS')?.valueName, 'IN');
  assert.equal(field(tf, 'InputAddr')?.value, 0xfffff000n);
  assert.match(tf.meaning, /Translation fault/);
  assert.match(tf.cause ?? '', /unprivileged data read of 0xfffff000.*not mapped/);
  assert.deepEqual([bad.line, bad.name, field(bad, 'StreamID')?.value], [7, 'C_BAD_STE', 0x10n]);
  assert.match(bad.cause ?? '', /STE\.V == 0/);
  // The probe message and the record cut after 2 of its 4 dwords are listed, not guessed.
  assert.deepEqual(r.unrecognised.map((u) => u.line), [1, 12, 13, 14]);
  assert.match(r.unrecognised[1].reason, /truncated event record: 2 of 4 dwords/);
});

test('Linux decoded event lines ("event: %s client: %s sid: ..." and the access line) join their raw record', () => {
  const r = load('linux-event-decoded.log');
  assert.deepEqual(r.unrecognised, []);
  const [perm, s2, fetch] = r.records;
  assert.deepEqual([perm.name, perm.line, perm.endLine], ['F_PERMISSION', 1, 7]);
  assert.equal(fact(perm, 'client'), '0000:00:03.0');
  assert.equal(fact(perm, 'access'), 'unpriv data write');
  assert.match(perm.cause ?? '', /write to a read-only mapping at stage 1/);
  assert.deepEqual([s2.name, field(s2, 'S2')?.value, field(s2, 'CLASS')?.valueName, field(s2, 'IPA')?.value, field(s2, 'SubstreamID')?.value], ['F_TRANSLATION', 1n, 'TT', 0x80000000n, 1n]);
  assert.equal(fact(s2, 'ttd'), 'ttd_read');
  assert.match(s2.cause ?? '', /stage 2 has no mapping for a stage-1 table \(IPA 0x80000000\)/);
  assert.deepEqual([fetch.name, field(fetch, 'FetchAddr')?.value, fact(fetch, 'fetch_addr')], ['F_CD_FETCH', 0x8000040n, '0x8000040']);
  assert.equal(fetch.issues.length, 0);
});

test('a decoded event line without its raw record is an event known by name only', () => {
  const r = decodeLog('[ 5.0] arm-smmu-v3 arm-smmu-v3.0.auto: event: C_BAD_CD client: 0000:00:04.0 sid: 0x20 ssid: 0x3\n');
  assert.equal(r.records.length, 1);
  assert.deepEqual([r.records[0].name, r.records[0].sid, r.records[0].ssid, r.records[0].dwords], ['C_BAD_CD', 0x20, 3, undefined]);
  assert.match(r.records[0].cause ?? '', /CD\.V == 0/);
});

test('Linux CMDQ errors: the command with SMMU_CMDQ_CONS.ERR and the model\'s CERROR_ILL reason; GERROR bits by name', () => {
  const r = load('linux-cmdq.log');
  const cmds = r.records.filter((x) => x.kind === 'command');
  const [pri, abt, atc] = cmds;
  assert.deepEqual([pri.name, pri.line, pri.endLine], ['CMD_PRI_RESP', 2, 5]);
  assert.equal(field(pri, 'Resp')?.valueName, 'RSVD');
  assert.match(pri.error ?? '', /CERROR_ILL.*Resp == 0b11 is Reserved/);
  assert.match(abt.error ?? '', /^CERROR_ABT/);
  assert.equal(fact(abt, 'kernel'), 'Abort on command fetch');
  assert.match(atc.error ?? '', /^CERROR_ATC_INV_SYNC/);
  const g = r.records.filter((x) => x.kind === 'gerror');
  assert.equal(field(g[0], 'CMDQ_ERR')?.value, 1n);
  assert.deepEqual([field(g[2], 'SFM_ERR')?.value, field(g[2], 'EVENTQ_ABT_ERR')?.value, g[2].endLine], [1n, 1n, 12]);
  // The last CMDQ error lost its second dword.
  assert.deepEqual(r.unrecognised.map((u) => u.line), [13, 14, 15]);
  assert.match(r.unrecognised[0].reason, /1 of 2 command dwords/);
});

test('a legal command reported as illegal says the model accepts it', () => {
  const p = 'arm-smmu-v3 arm-smmu-v3.0.auto:';
  const r = decodeLog(`${p} CMDQ error (cons 0x01000000): Illegal command\n${p} skipping command in error state:\n${p} \t0x0000000000000046\n${p} \t0x0000000000000000\n`);
  assert.equal(r.records[0].name, 'CMD_SYNC');
  assert.match(r.records[0].error ?? '', /CERROR_ILL.*the model accepts this command/);
});

test('QEMU -trace smmu* lines: events, commands, command errors, GERROR and translations; unknown points and cut lines not recognised', () => {
  const r = load('qemu-trace.log');
  const ev = r.records.filter((x) => x.kind === 'event');
  assert.deepEqual(ev.map((e) => [e.line, e.name, e.sid]), [[10, 'F_TRANSLATION', 8], [16, 'C_BAD_STE', 0x10]]);
  const cmd = r.records.filter((x) => x.kind === 'command');
  assert.deepEqual(cmd.map((c) => c.name), ['CMD_CFGI_STE', 'CMD_SYNC', 'CMD_TLBI_EL3_ALL', 'opcode 0x18', 'CMD_TLBI_EL3_ALL']);
  assert.match(cmd[4].error ?? '', /^CERROR_ILL/);
  const g = r.records.find((x) => x.kind === 'gerror');
  assert.equal(g && field(g, 'CMDQ_ERR')?.value, 1n);
  const ok = r.records.find((x) => x.name === 'smmuv3_translate_success');
  assert.equal(ok && fact(ok, 'translated'), '0x80001000');
  const cd = r.records.find((x) => x.name === 'smmuv3_get_cd');
  assert.equal(cd && fact(cd, 'addr'), '0x40030000');
  const ptw = r.records.find((x) => x.name === 'smmu_ptw_invalid_pte');
  assert.deepEqual(ptw?.facts.slice(0, 2), [['stage', '1'], ['level', '3']]);
  assert.deepEqual(r.unrecognised.map((u) => u.line), [18, 19]);
  assert.match(r.unrecognised[0].reason, /do not match QEMU's format/);
  assert.match(r.unrecognised[1].reason, /not an smmu trace point/);
});

test('STE/CD dumps (debugfs-style, crash p, drgn, bare 16-digit words): configuration and illegal fields', () => {
  const r = load('ste-cd-dump.txt');
  const [ste, cd, crash, drgn, bare] = r.records;
  assert.deepEqual([ste.kind, ste.sid, ste.address, ste.line, ste.endLine], ['ste', 8, 0x40000100n, 1, 3]);
  assert.match(ste.config ?? '', /^S1_TRANS; stage 1 through one CD at 0x40030000/);
  assert.deepEqual(ste.issues, []);
  assert.deepEqual([cd.kind, cd.sid, cd.ssid, cd.address], ['cd', 8, 0, 0x40030000n]);
  assert.match(cd.config ?? '', /ASID 0xab7a; TTB0 0x40100000, 4KB granule, 28-bit VA/);
  // TG1 == 0 is Reserved, but EPD1 makes the SMMU ignore it: not an issue.
  assert.deepEqual(cd.issues, []);
  assert.deepEqual([crash.kind, crash.address, crash.line, crash.endLine], ['ste', 0xffff0000c1230200n, 7, 10]);
  assert.match(crash.issues[0], /S2AA64 == 0.*C_BAD_STE/);
  assert.equal(drgn.kind, 'cd');
  assert.match(drgn.issues[0], /CD\.V == 0.*C_BAD_CD/);
  assert.deepEqual([bare.sid, bare.line, bare.endLine], [16, 12, 13]);
  assert.deepEqual(r.unrecognised.map((u) => u.line), [14, 15]);
  assert.match(r.unrecognised[0].reason, /STE header with 1 of 8 dwords/);
});

test('words without a header, other text and hostile input are not recognised, never guessed or thrown on', () => {
  const r = decodeLog('0x000000004003000b 0xd4 0 0 0 0 0 0\nhello\n\n' + 'x'.repeat(10_000) + '\nCD-ROM drive found\n');
  assert.equal(r.records.length, 0);
  assert.deepEqual(r.unrecognised.map((u) => u.line), [1, 2, 4, 5]);
  for (const s of ['\u0000\ud800', 'STE', 'STE 0x1: 0xffffffffffffffffffff', 'smmuv3_record_event', 'arm-smmu-v3 x: event 0x10 received:']) {
    assert.doesNotThrow(() => decodeLog(s));
  }
});
