// Command semantics (IHI 0070 §4.3 CFGI, §4.4 TLBI incl. range invalidation) and HTTU / EL2 through the pipeline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bringUp, RD, WR, SID, STRTAB, CDADDR, CD_DW0, VA_RW, VA_RO, L3_RW_ADDR } from './fixture';

const STE_ADDR = STRTAB + BigInt(SID) * 64n;

test('CMD_CFGI_STE_RANGE: 2^(Range+1) StreamIDs aligned to that size (IHI 0070 §4.3)', () => {
  const { s } = bringUp();
  s.translate({ sid: SID, iova: VA_RW, access: RD });
  // SID 4, Range 1: StreamIDs 4..7 -> nothing cached there.
  assert.equal(s.submitCommand([(4n << 32n) | 0x4n, 1n]).commands[0].removed.config.length, 0);
  // SID 1, Range 1: StreamIDs 0..3 -> the STE of SID 3 and its CD.
  const r = s.submitCommand([(1n << 32n) | 0x4n, 1n]).commands[0];
  assert.deepEqual(r.removed.config.map((e) => e.kind).sort(), ['CD', 'STE']);
});

test('range TLBI (TG/NUM/SCALE, SMMU_IDR3.RIL): (NUM+1) * 2^SCALE granules from Address (IHI 0070 §4.4)', () => {
  const { s } = bringUp();
  s.translate({ sid: SID, iova: VA_RW, access: RD });
  s.translate({ sid: SID, iova: VA_RO, access: RD });
  // CMD_TLBI_NH_VA: ASID 0x42 [63:48], NUM=1 [16:12], SCALE=0; dword1: TG=0b01 (4K) [11:10], Address.
  const r = s.submitCommand([0x0042_0000_0000_1012n, VA_RW | (1n << 10n)]).commands[0];
  assert.equal(r.removed.tlb.length, 2);
});

test('without SMMU_IDR3.RIL the range fields are ignored: a single address is invalidated', () => {
  const { s } = bringUp({ ril: false });
  s.translate({ sid: SID, iova: VA_RW, access: RD });
  s.translate({ sid: SID, iova: VA_RO, access: RD });
  const r = s.submitCommand([0x0042_0000_0000_1012n, VA_RW | (1n << 10n)]).commands[0];
  assert.equal(r.removed.tlb.length, 1);
});

test('illegal commands for missing features: CERROR_ILL', () => {
  assert.equal(bringUp({ stage2: false }).s.submitCommand([0x28n, 0n]).commands[0].error, 'CERROR_ILL'); // CMD_TLBI_S12_VMALL
  assert.equal(bringUp({ hyp: false }).s.submitCommand([0x20n, 0n]).commands[0].error, 'CERROR_ILL'); // CMD_TLBI_EL2_ALL
  assert.equal(bringUp({ pri: false }).s.submitCommand([0x41n, 0n]).commands[0].error, 'CERROR_ILL'); // CMD_PRI_RESP
  assert.equal(bringUp().s.submitCommand([0x3046n, 0n]).commands[0].error, 'CERROR_ILL'); // CMD_SYNC CS=0b11
  assert.equal(bringUp().s.submitCommand([0x1046n, 0n]).commands[0].error, undefined); // CMD_SYNC CS=SIG_IRQ
});

test('HTTU: with CD.HA the walk sets AF in memory; without it AF=0 is F_ACCESS (IHI 0070 §3.13)', () => {
  {
    const { sys, s } = bringUp();
    sys.mem.write64(L3_RW_ADDR, 0x9000_0b43n); // AF [10] clear
    const r = s.translate({ sid: SID, iova: VA_RW, access: RD });
    assert.equal(r.outcome, 'fault');
    assert.equal(r.events[0].type, 'F_ACCESS');
  }
  {
    const { sys, s } = bringUp();
    sys.mem.write64(L3_RW_ADDR, 0x9000_0b43n);
    sys.mem.write64(CDADDR, CD_DW0 | (1n << 43n)); // CD.HA
    const r = s.translate({ sid: SID, iova: VA_RW, access: WR });
    assert.equal(r.outcome, 'ok');
    assert.equal(sys.mem.read64(L3_RW_ADDR), 0x9000_0f43n);
  }
});

test('EL2 StreamWorld (STE.STRW=0b10): EL2 TLB entries, removed by CMD_TLBI_EL2_ALL, not by CMD_TLBI_NH_ALL', () => {
  const { sys, s } = bringUp();
  sys.mem.write64(STE_ADDR + 8n, 2n << 30n); // STRW [95:94]
  const r = s.translate({ sid: SID, iova: VA_RW, access: RD });
  assert.equal(r.outcome, 'ok', r.reason);
  assert.equal(r.tlbEntry?.regime, 'el2');
  assert.equal(s.submitCommand([0x10n, 0n]).commands[0].removed.tlb.length, 0); // NH_ALL VMID 0
  assert.equal(s.submitCommand([0x20n, 0n]).commands[0].removed.tlb.length, 1); // EL2_ALL
});

test('transactions report what they used: config entries, TLB entries, descriptor addresses', () => {
  const { s } = bringUp();
  const r = s.translate({ sid: SID, iova: VA_RW, access: RD });
  assert.equal(r.used.configEntries.length, 2);
  assert.deepEqual(r.used.tlbEntries, [r.tlbEntry!.id]);
  // STE, CD, then the four table descriptors.
  assert.deepEqual(r.used.descriptors, [STE_ADDR, CDADDR, 0x8004_0000n, 0x8004_1000n, 0x8004_2488n, L3_RW_ADDR]);
});

test('a dry run that hits the TLB does not count the hit', () => {
  const { s } = bringUp();
  const e = s.translate({ sid: SID, iova: VA_RW, access: RD }).tlbEntry!;
  const hitsBefore = s.tlb.snapshot()[0].hits;
  const r = s.translate({ sid: SID, iova: VA_RW + 8n, access: RD }, { dryRun: true });
  assert.equal(r.tlb, 'hit');
  assert.equal(r.tlbEntry?.id, e.id);
  assert.equal(s.tlb.snapshot()[0].hits, hitsBefore);
});
