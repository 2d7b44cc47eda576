// `iommu-lens plan`, called in-process through main().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../../language-server/src/cli/main';

function plan(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = main(['plan', ...args], (s) => out.push(s), (s) => err.push(s));
  return { code, out: out.join('\n'), err: err.join('\n') };
}

// Abort STE: V = 1, Config = 0b000 -> dword 0 = 0x1. Bypass STE: Config = 0b100 -> 0x9, with
// SHCFG = INCOMING (STE[109:108] = 0b01 -> dword 1 bit 44) as Linux writes it.
const ABORT = ['0x1', '0', '0', '0', '0', '0', '0', '0'];
const BYPASS = ['0x9', '0x1000_0000_0000'];

test('plan ste abort -- bypass: dword 1 first, then dword 0, two syncs (KUnit abort_to_bypass)', () => {
  const r = plan('ste', ...ABORT, '--', ...BYPASS);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, [
    '# 1. bits the current STE does not read take their new values',
    'write dword 1 = 0x100000000000',
    'CMD_CFGI_STE + CMD_SYNC',
    '# 2. dword 0 switches the STE to the new configuration in one 64-bit write',
    'write dword 0 = 0x9',
    'CMD_CFGI_STE + CMD_SYNC',
    '2 syncs, hitless',
  ].join('\n'));
});

test('plan cd --json: an ASID change is one write of dword 0 and one sync', () => {
  // CD: T0SZ 25, EPD1, V, IPS 0b101, AA64, R, A, ASID 5 / 6; TTB0 0x4020_0000; MAIR0
  const base = 0x0000_6205_c000_3519n;
  const w = (asid: bigint) => '0x' + (base | (asid << 48n)).toString(16);
  const r = plan('cd', w(5n), '0x40200000', '0', '0x4ff', '--', w(6n), '0x40200000', '0', '0x4ff', '--json');
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.syncs, 1);
  assert.equal(j.hitless, true);
  assert.deepEqual(j.phases.map((p: { writes: Array<{ dword: number }> }) => p.writes.map((x) => x.dword)), [[0]]);
  assert.equal(j.phases[0].writes[0].value, w(6n));
});

test('bad input: usage, non-hex words, too many words, an ILLEGAL target: exit 2 with a clear message', () => {
  assert.equal(plan('ste', '0x1').code, 2);
  assert.match(plan('pte', '0x1', '--', '0x9').err, /usage: iommu-lens plan ste\|cd/);
  const nothex = plan('ste', '0x1', '--', 'zz');
  assert.equal(nothex.code, 2);
  assert.match(nothex.err, /'zz' is not a 64-bit hexadecimal dword \(target\)/);
  assert.match(plan('ste', ...ABORT, '0', '--', '0x1').err, /9 current dwords given/);
  assert.match(plan('ste', '0x1', '--', '0x1_0000_0000_0000_0000').err, /not a 64-bit hexadecimal dword/);
  // STE.Config = 0b001 is a Reserved encoding: not an STE
  assert.match(plan('ste', '0x1', '--', '0x3').err, /target words are not an STE: STE.Config = 0x1 is a Reserved/);
  // STE.EATS = 0b11 with stage 1 is ILLEGAL (C_BAD_STE) on any SMMU
  const r = plan('ste', '0x1', '--', '0xb', '0x30000000');
  assert.equal(r.code, 2);
  assert.match(r.err, /target STE is ILLEGAL \(C_BAD_STE: STE.EATS == 0b11 is Reserved/);
});
