import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmmuSystem } from '../../../../language-server/src/model/smmu/system';
import { makeFeatures } from '../../../../language-server/src/model/smmu/features';
import { idrValues } from '../../../../language-server/src/model/smmu/idr';

test('IDR0/1/3/5 and AIDR of the full SMMUv3.2 feature set (IHI 0070 §6.3.1-6.3.8)', () => {
  const s = new SmmuSystem().getOrCreate('smmu0');
  // IDR0: S2P[0] S1P[1] TTF=0b10[3:2] COHACC[4] BTM[5] HTTU=0b10[7:6] HYP[9] ATS[10] ASID16[12] MSI[13]
  // PRI[16] VMID16[18] CD2L[19] TTENDIAN=0b10[22:21] STALL_MODEL=0[25:24] TERM_MODEL[26] ST_LEVEL=0b01[28:27].
  assert.equal(s.readReg('SMMU_IDR0').value, 0x0c4d_36bbn);
  // IDR1: SIDSIZE=32[5:0] SSIDSIZE=20[10:6] PRIQS=EVENTQS=CMDQS=19 at [15:11],[20:16],[25:21].
  assert.equal(s.readReg('IDR1').value, 0x0273_9d20n);
  // RIL[10]; BBML=0b10 [12:11]: an SMMUv3.2 implements break-before-make level 1 or 2 (IHI 0070 §3.21.1.1).
  assert.equal(s.readReg('IDR3').value, 0x1400n);
  // IDR5: OAS=0b101 (48 bits)[2:0], GRAN4K/16K/64K [4],[5],[6], STALL_MAX=256 [31:16].
  assert.equal(s.readReg(0x14).value, 0x0100_0075n);
  assert.equal(s.readReg('AIDR').value, 0x2n); // SMMUv3.2
});

test('a QEMU-like feature set gives QEMU 7.2\'s IDR0 value 0xd40101a', () => {
  const f = makeFeatures({ stage2: false, btm: false, httu: 'none', hyp: false, ats: false, pri: false, msi: false, vmidBits: 8, cd2l: false, stall: 'none' });
  // S1P, TTF=AArch64, COHACC, ASID16, TTENDIAN=LE, STALL_MODEL=0b01, TERM_MODEL, ST_LEVEL=2-level.
  assert.equal(idrValues(f).SMMU_IDR0, 0xd40101an);
  assert.equal(f.nested, false);
});

test('IDR3.BBML: level 2 by default on v3.2, 0 before v3.2, as declared otherwise (IHI 0070 §3.21.1)', () => {
  const bbml = (v: bigint) => (v >> 11n) & 3n;
  assert.equal(bbml(idrValues(makeFeatures()).SMMU_IDR3), 2n);
  assert.equal(bbml(idrValues(makeFeatures({ version: '3.1' })).SMMU_IDR3), 0n);
  assert.equal(bbml(idrValues(makeFeatures({ bbml: 1 })).SMMU_IDR3), 1n);
});

test('register access by name (with or without SMMU_, any case) and by offset', () => {
  const s = new SmmuSystem().getOrCreate('a');
  s.writeReg('smmu_cr2', 0x2n);
  assert.equal(s.readReg('CR2').value, 0x2n);
  assert.equal(s.readReg(0x2c).value, 0x2n);
  assert.equal(s.readReg('SMMU_CR2').name, 'SMMU_CR2');
  const none = s.readReg('SMMU_NOPE');
  assert.equal(none.value, 0n);
  assert.equal(none.warnings.length, 1);
});

test('CR0ACK follows CR0 and IRQ_CTRLACK follows IRQ_CTRL at once', () => {
  const s = new SmmuSystem().getOrCreate('a');
  s.writeReg('CR0', 0b1100n);
  assert.equal(s.readReg('CR0ACK').value, 0b1100n);
  s.writeReg('IRQ_CTRL', 0b101n);
  assert.equal(s.readReg('IRQ_CTRLACK').value, 0b101n);
});

test('writes to read-only registers are ignored and reported', () => {
  const s = new SmmuSystem().getOrCreate('a');
  const before = s.readReg('IDR0').value;
  const r = s.writeReg('IDR0', 0n);
  assert.equal(r.ignored, true);
  assert.match(r.warnings[0], /read-only/);
  assert.equal(s.readReg('IDR0').value, before);
  assert.equal(s.writeReg('GERROR', 1n).ignored, true);
  assert.equal(s.writeReg('CR0ACK', 1n).ignored, true);
});

test('64-bit registers: whole or as two 32-bit halves', () => {
  const s = new SmmuSystem().getOrCreate('a');
  s.writeReg('STRTAB_BASE', 0x0000_1234_5678_9ac0n);
  assert.equal(s.readReg(0x80).value, 0x0000_1234_5678_9ac0n);
  assert.equal(s.readReg(0x84).value, 0x1234n);
  assert.equal(s.readReg(0x80, 32).value, 0x5678_9ac0n);
  s.writeReg(0x84, 0xabcdn);
  assert.equal(s.readReg('STRTAB_BASE').value, 0x0000_abcd_5678_9ac0n);
  s.writeReg(0x80, 0x40n, 32);
  assert.equal(s.readReg('STRTAB_BASE').value, 0x0000_abcd_0000_0040n);
});

test('guarded registers: a write while the enable is set is CONSTRAINED UNPREDICTABLE, reported and ignored', () => {
  const s = new SmmuSystem().getOrCreate('a');
  s.writeReg('STRTAB_BASE', 0x1000n);
  s.writeReg('CR0', 1n); // SMMUEN
  const r = s.writeReg('STRTAB_BASE', 0x2000n);
  assert.equal(r.ignored, true);
  assert.match(r.warnings[0], /CONSTRAINED UNPREDICTABLE/);
  assert.equal(s.readReg('STRTAB_BASE').value, 0x1000n);
  // CMDQ_BASE is guarded by CMDQEN, not SMMUEN.
  assert.equal(s.writeReg('CMDQ_BASE', 0x4000_0004n).ignored, undefined);
  s.writeReg('CR0', 0b1001n);
  assert.equal(s.writeReg('CMDQ_BASE', 0x5000_0004n).ignored, true);
});

test('the event queue PROD/CONS registers live in page 1 (0x100a8 / 0x100ac)', () => {
  const s = new SmmuSystem().getOrCreate('a');
  assert.equal(s.readReg(0x100a8).name, 'SMMU_EVENTQ_PROD');
  assert.equal(s.readReg(0x100ac).name, 'SMMU_EVENTQ_CONS');
});

test('instances of one system have separate registers and share memory', () => {
  const sys = new SmmuSystem();
  const a = sys.getOrCreate('a');
  const b = sys.getOrCreate('b');
  assert.equal(sys.getOrCreate('a'), a);
  a.writeReg('CR2', 2n);
  assert.equal(b.readReg('CR2').value, 0n);
  assert.equal(a.mem, b.mem);
  assert.deepEqual(sys.names(), ['a', 'b']);
  // After reset: disabled.
  assert.equal(b.readReg('CR0').value, 0n);
  assert.equal(b.snapshot().enabled, false);
});
