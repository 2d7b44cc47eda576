// The PE's TLBI instructions (DDI 0487 C5.5): the Xt operand (ASID in Xt[63:48], TTL in Xt[47:44],
// VA[55:12] in Xt[43:0]) and the regime each form acts on. Expected values are worked out by hand
// from those bit positions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CPU_TLBIS, asidSpecific, canonicalVa, cpuTlbiByName, cpuTlbiText, fromXt, targetRegime, xtOf } from '../../../../language-server/src/model/cpu/tlbi';

const D = (n: string) => cpuTlbiByName(n)!;

test('TLBI VAE1IS Xt: ASID 42 at [63:48], VA 0x4000_0000 as VA[55:12] = 0x40000 in [43:0]', () => {
  const op = fromXt(D('VAE1IS'), 0x002a_0000_0004_0000n, 0, false);
  assert.equal(op.asid, 42);
  assert.equal(op.va, 0x4000_0000n);
  assert.equal(xtOf(op), 0x002a_0000_0004_0000n, 'encoding it back gives the same register');
  // The TTL hint (Xt[47:44]) is not part of the address or the ASID.
  const ttl = fromXt(D('VAE1IS'), 0x002a_3000_0004_0000n, 0, false);
  assert.equal(ttl.asid, 42);
  assert.equal(ttl.va, 0x4000_0000n);
});

test('VA[55] set: bits [63:56] of the VA follow it (a TTBR1 address); VA[55] clear: they are 0', () => {
  // VA 0xffff_8000_0000_1000: VA[55:12] = 0xff8_0000_0001 (44 bits).
  const hi = fromXt(D('VAAE1IS'), 0xff8_0000_0001n, 0, false);
  assert.equal(hi.va, 0xffff_8000_0000_1000n);
  assert.equal(xtOf(hi), 0xff8_0000_0001n);
  assert.equal(canonicalVa(0x00ff_ffff_ffff_f123n), 0xffff_ffff_ffff_f000n);
  assert.equal(canonicalVa(0xab00_0000_1234_5678n), 0x1234_5000n, 'a tagged address with VA[55] == 0');
});

test('VAAE1IS ignores Xt[63:48] (RES0); ASIDE1IS takes only the ASID; VMALLE1IS no operand', () => {
  assert.equal(fromXt(D('VAAE1IS'), 0x002a_0000_0004_0000n, 0, false).asid, 0);
  const a = fromXt(D('ASIDE1IS'), 0x0007_0000_0000_0000n, 0, false);
  assert.equal(a.asid, 7);
  assert.equal(a.va, 0n);
  assert.equal(xtOf(a), 0x0007_0000_0000_0000n);
  assert.equal(D('VMALLE1IS').operand, undefined);
  assert.equal(xtOf(fromXt(D('VMALLE1IS'), 0x1234n, 3, false)), 0n);
});

test('VAE2IS: the ASID counts only with HCR_EL2.E2H == 1 (vhe)', () => {
  assert.equal(fromXt(D('VAE2IS'), 0x0005_0000_0004_0000n, 0, false).asid, 0);
  assert.equal(fromXt(D('VAE2IS'), 0x0005_0000_0004_0000n, 0, true).asid, 5);
});

test('target regime: EL1 forms act on EL1&0, or EL2&0 under VHE; EL2 forms on EL2, or EL2&0 with E2H', () => {
  const r = (n: string, vhe: boolean) => targetRegime({ def: D(n), vhe });
  assert.equal(r('VAE1IS', false), 'nsel1');
  assert.equal(r('VAE1IS', true), 'el2-e2h');
  assert.equal(r('VMALLS12E1IS', true), 'nsel1', 'stage 1 and 2 of the current VMID');
  assert.equal(r('VAE2IS', false), 'el2');
  assert.equal(r('ALLE2IS', true), 'el2-e2h');
  // By ASID (and so filtered on CD.ASET): VA+ASID and ASID forms in a regime with ASIDs.
  assert.equal(asidSpecific({ def: D('VAE1IS'), vhe: false }), true);
  assert.equal(asidSpecific({ def: D('ASIDE1IS'), vhe: true }), true);
  assert.equal(asidSpecific({ def: D('VAAE1IS'), vhe: false }), false);
  assert.equal(asidSpecific({ def: D('VMALLE1IS'), vhe: false }), false);
  assert.equal(asidSpecific({ def: D('VAE2IS'), vhe: false }), false, 'EL2 has no ASIDs');
  assert.equal(asidSpecific({ def: D('VAE2IS'), vhe: true }), true);
});

test('names are case-insensitive; the table holds the Inner Shareable forms only', () => {
  assert.equal(cpuTlbiByName('vale1is')?.name, 'VALE1IS');
  assert.equal(cpuTlbiByName('VAE1'), undefined, 'the non-shareable form is not broadcast');
  assert.ok(CPU_TLBIS.every((d) => d.name.endsWith('IS')));
  assert.equal(cpuTlbiText(fromXt(D('VAE1IS'), 0x002a_0000_0004_0000n, 3, false)), 'TLBI VAE1IS ASID 0x2a VA 0x40000000 (EL1&0, VMID 3)');
  assert.equal(cpuTlbiText(fromXt(D('ALLE2IS'), 0n, 0, false)), 'TLBI ALLE2IS (EL2)');
});
