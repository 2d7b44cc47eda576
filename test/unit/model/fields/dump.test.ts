import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  parseWords, decodeDump, formatDump, formatWords, encodeDump, STE, L1STD, commandByName,
} from '../../../../language-server/src/model/fields';

test('Linux event log: 16-digit words are taken, the "event 0x10 received" header is dropped', () => {
  const log = `[  42.000001] arm-smmu-v3 arm-smmu-v3.0.auto: event 0x10 received:
[  42.000002] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000800000010
[  42.000003] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000800000000
[  42.000004] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000000003000
[  42.000005] arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000000000000`;
  const p = parseWords(log);
  assert.deepEqual(p.dwords, [0x800000010n, 0x800000000n, 0x3000n, 0n]);
  assert.equal(p.warnings.length, 1);
  const r = decodeDump(log, { hint: 'event' });
  assert.equal(r.records.length, 1);
  const rec = r.records[0];
  assert.equal(rec.struct?.name, 'F_TRANSLATION');
  const f = Object.fromEntries(rec.fields.map((x) => [x.name, x]));
  assert.equal(f.StreamID.value, 8n);
  assert.equal(f.RnW.value, 1n);
  assert.equal(f.InputAddr.value, 0x3000n);
  assert.equal(f.CLASS.valueName, 'CD'); // QEMU 7.2 writes CLASS = CD where the spec says IN
});

test('32-bit words pair up low word first', () => {
  const p = parseWords('00000001 00000000, 0000000b 40030000');
  assert.equal(p.wordSize, 32);
  assert.deepEqual(p.dwords, [1n, 0x400300000000000bn]);
  assert.equal(formatWords(p.dwords, 32), '00000001 00000000 0000000b 40030000');
});

test('conformance command words identify themselves by opcode', () => {
  const r = decodeDump('0xab7a000000000012 0xba7c001\n0x46 0x0', { hint: 'cmd' });
  assert.deepEqual(r.records.map((x) => x.struct?.name), ['CMD_TLBI_NH_VA', 'CMD_SYNC']);
  const va = Object.fromEntries(r.records[0].fields.map((x) => [x.name, x.value]));
  assert.equal(va.ASID, 0xab7an);
  assert.equal(va.Address, 0xba7c000n);
  assert.equal(va.Leaf, 1n);
  // without a hint: two dwords with a known opcode are a command, flagged as guessed
  const g = decodeDump('0x46 0x0');
  assert.equal(g.records[0].struct?.name, 'CMD_SYNC');
  assert.equal(g.records[0].guessed, true);
});

test('unknown opcode is reported, not decoded', () => {
  const r = decodeDump('0x99 0x0', { hint: 'cmd' });
  assert.equal(r.records[0].struct, undefined);
  assert.match(r.records[0].issues[0].message, /unknown opcode 0x99.*CERROR_ILL/);
});

test('STE dump: fields, enum names, and RES0/Reserved problems listed', () => {
  const text = '0x4003000b 0xd4 0 0 0 0 0 0';
  const r = decodeDump(text.replace(/ 0/g, ' 0x0'), { hint: 'ste' });
  const rec = r.records[0];
  const cfg = rec.fields.find((f) => f.name === 'Config')!;
  assert.equal(cfg.valueName, 'S1_TRANS');
  assert.deepEqual(rec.issues, []);
  // Config = 0b001 is Reserved; bit 56 is RES0 (STE bits [58:56])
  const bad = decodeDump('0x0100000000000003 0x0 0x0 0x0 0x0 0x0 0x0 0x0', { hint: 'ste' });
  assert.deepEqual(bad.records[0].issues.map((i) => i.field).sort(), ['Config', 'RES0_58_56']);
  assert.match(formatDump(bad), /STE \(IHI 0070 §5\.2\)/);
});

test('encodeDump round-trips through decodeDump', () => {
  const text = encodeDump(STE, { V: 1n, Config: 6n, S2VMID: 7n, S2T0SZ: 24n, S2TG: 0n, S2SL0: 1n, S2PS: 5n, S2AA64: 1n, S2R: 1n, S2TTB: 0x8000_1000n });
  const rec = decodeDump(text, { hint: 'ste' }).records[0];
  const v = Object.fromEntries(rec.fields.map((f) => [f.name, f.value]));
  assert.deepEqual([v.V, v.Config, v.S2VMID, v.S2T0SZ, v.S2SL0, v.S2PS, v.S2AA64, v.S2R, v.S2TTB], [1n, 6n, 7n, 24n, 1n, 5n, 1n, 1n, 0x8000_1000n]);
  const cmd = commandByName('CMD_CFGI_STE')!;
  assert.equal(encodeDump(cmd, { Opcode: 3n, StreamID: 8n, Leaf: 1n }), '0x0000000800000003\n0x0000000000000001');
});

test('page-table descriptors at a given level, and L1STD Span range', () => {
  const r = decodeDump('0x40011003 0x40400705', { hint: 'pte-s1', level: 2 });
  assert.deepEqual(r.records.map((x) => x.struct?.name), ['S1_TABLE_4K', 'S1_BLOCK_L2_4K']);
  const inv = decodeDump('0x0', { hint: 'pte-s2', level: 3 });
  assert.match(inv.records[0].issues[0].message, /invalid descriptor/);
  const l1 = decodeDump('0x4000200c', { hint: 'l1std' }); // Span = 12: Reserved
  assert.equal(l1.records[0].struct, L1STD);
  assert.match(l1.records[0].issues[0].message, /Span = 12 is Reserved/);
});

test('no words, or unidentifiable words without a hint, give a warning and no records', () => {
  assert.deepEqual(decodeDump('nothing here').records, []);
  const r = decodeDump('0x1');
  assert.equal(r.records.length, 0);
  assert.match(r.warnings.join(' '), /give a hint/);
});

test('zero-padded 0x-prefixed 8-digit words are 32-bit; unpadded short words are 64-bit', () => {
  const p = parseWords('0x00000046 0x00000000 0x00000000 0x00000000');
  assert.equal(p.wordSize, 32);
  assert.deepEqual(p.dwords, [0x46n, 0n]);
  assert.equal(parseWords('0x4003000b 0xd4').wordSize, 64);
  assert.equal(parseWords('0x0000000b', 64).wordSize, 64); // forced
});

test('eight unhinted dwords: CD when CD.V and CD.AA64 are set, else STE (flagged as guessed)', () => {
  const cd = decodeDump('0xab7a6205c0003524 0x40100000 0x0 0x44ff04 0x0 0x0 0x0 0x0');
  assert.equal(cd.records[0].struct?.name, 'CD');
  assert.equal(cd.records[0].guessed, true);
  const ste = decodeDump('0x4003000b 0xd4 0x0 0x0 0x0 0x0 0x0 0x0');
  assert.equal(ste.records[0].struct?.name, 'STE');
});
