// Range invalidation (IHI 0070 §4.4.1: SMMU_IDR3.RIL, TG/TTL/NUM/SCALE: (NUM+1) * 2^SCALE granules from
// Address), a 52-bit output address with the 64KB granule (DDI 0487 D8.3 FEAT_LPA: OA[51:48] in
// descriptor bits [15:12]) and EL2 TLB entries (STE.STRW == 0b10) under CMD_TLBI_EL2_* (IHI 0070 §4.4).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../../../language-server/src/engine';
import { SmmuSystem } from '../../../../language-server/src/model/smmu/system';
import * as fx from './fixture';

const PAGES = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => `dma smmu0 read sid 0x10 iova 0x1000_${i}000`).join('\n');

test('CMD_TLBI_NH_VA with TG 4K, NUM 1, SCALE 1 removes exactly 4 pages from Address', () => {
  const r = runScenario(`smmu smmu0
pagetable t s1 4K { map 0x1000_0000 +32K -> 0x8000_0000 rw }
cd c { pagetable t; asid 7 }
ste smmu0 0x10 { cd c }
${PAGES}
cmd smmu0 CMD_TLBI_NH_VA asid 7 addr 0x1000_2000 tg 1 num 1 scale 1
cmd smmu0 CMD_SYNC
dma smmu0 read sid 0x10 iova 0x1000_1000 expect tlb hit
dma smmu0 read sid 0x10 iova 0x1000_2000 expect tlb miss
dma smmu0 read sid 0x10 iova 0x1000_5000 expect tlb miss
dma smmu0 read sid 0x10 iova 0x1000_6000 expect tlb hit
`, 'file:///r.smmu');
  assert.deepEqual(r.expectations, { passed: 4, failed: 0 });
  // (1 + 1) * 2^1 = 4 pages: 0x1000_2000 .. 0x1000_5fff.
  const tlbi = r.steps.find((s) => s.label.includes('CMD_TLBI_NH_VA'))!;
  assert.equal(tlbi.removed?.tlb.length, 4);
});

test('52-bit OA with the 64KB granule (OAS 52): PA above 2^48, OA[51:48] in descriptor bits [15:12]', () => {
  const r = runScenario(`smmu smmu0 { oas 52 }
pagetable t s1 64K { map 0x1000_0000 +64K -> 0xf_0000_0000_0000 rw }
cd c { pagetable t; asid 7 }
ste smmu0 0x10 { cd c }
dma smmu0 read sid 0x10 iova 0x1000_0040 expect pa 0xf_0000_0000_0040
`, 'file:///r.smmu');
  assert.deepEqual(r.expectations, { passed: 1, failed: 0 });
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  const walk = r.steps.find((s) => s.kind === 'dma')!.walks![0];
  const leaf = BigInt(walk.steps.at(-1)!.desc);
  assert.equal((leaf >> 12n) & 0xfn, 0xfn); // OA[51:48] = 0xf
  assert.equal(leaf & 0x0000_ffff_ffff_0000n, 0n); // OA[47:16] = 0
});

test('without 52-bit OAS the engine refuses to map above 2^48', () => {
  const r = runScenario(`smmu smmu0 { oas 48 }
pagetable t s1 64K { map 0x1000_0000 +64K -> 0xf_0000_0000_0000 rw }
`, 'file:///r.smmu');
  assert.ok(r.diagnostics.some((d) => d.severity === 'error' && /beyond the 48-bit output address size/.test(d.message)));
});

test('EL2 entries (STE.STRW == 0b10) survive CMD_TLBI_NH_ALL and go with CMD_TLBI_EL2_VA', () => {
  const r = runScenario(`smmu smmu0
pagetable t s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw }
cd c { pagetable t; asid 7 }
ste smmu0 0x10 { cd c; strw 2 }
dma smmu0 read sid 0x10 iova 0x1000_0000 expect pa 0x8000_0000
cmd smmu0 CMD_TLBI_NH_ALL
cmd smmu0 CMD_SYNC
dma smmu0 read sid 0x10 iova 0x1000_0000 expect tlb hit
cmd smmu0 CMD_TLBI_EL2_VA addr 0x1000_0000
cmd smmu0 CMD_SYNC
dma smmu0 read sid 0x10 iova 0x1000_0000 expect tlb miss
`, 'file:///r.smmu');
  assert.deepEqual(r.expectations, { passed: 3, failed: 0 });
  const el2 = r.steps.find((s) => s.label.includes('CMD_TLBI_EL2_VA'))!;
  assert.equal(el2.removed?.tlb.length, 1);
});

test('EL2-E2H entries (SMMU_CR2.E2H == 1, STE.STRW == 0b10) are ASID-tagged: CMD_TLBI_EL2_ASID removes them, CMD_TLBI_NH_ASID does not', async () => {
  const { SmmuSystem } = await import('../../../../language-server/src/model/smmu/system');
  const fx = await import('./fixture');
  const sys = new SmmuSystem();
  fx.writeStructs(sys);
  // STE.STRW is STE[95:94] = dword1 [31:30]: 0b10 EL2 (IHI 0070 §5.2).
  sys.mem.write64(fx.STRTAB + BigInt(fx.SID) * 64n + 8n, 2n << 30n);
  const s = sys.getOrCreate('smmu0');
  s.writeReg('SMMU_CR2', 1n); // E2H [0]
  fx.enable(s);
  const r = s.translate({ sid: fx.SID, iova: fx.VA_RW, access: fx.RD });
  assert.equal(r.outcome, 'ok', r.reason);
  assert.equal(r.tlbEntry?.regime, 'el2-e2h');
  // CMD_TLBI_NH_ASID (0x11) and CMD_TLBI_EL2_ASID (0x21): ASID [63:48] = 0x42 (the CD's).
  const nh = s.submitCommand([0x11n | (0x42n << 48n), 0n]);
  assert.equal(nh.commands[0].removed.tlb.length, 0);
  const el2 = s.submitCommand([0x21n | (0x42n << 48n), 0n]);
  assert.equal(el2.commands[0].removed.tlb.length, 1);
});
