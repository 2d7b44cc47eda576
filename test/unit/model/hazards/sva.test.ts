// Shared virtual addressing through the engine: a process's table shared with a device through
// PASID 5 (its CD carries the process's ASID 42), a CPU-side unmap, then only the CPU's broadcast
// TLBI. Whether the SMMU's copy goes depends on IHI 0070 §3.17.6 (SMMU_IDR0.BTM, SMMU_CR2.PTM),
// §5.4 CD.ASET (TLBIs by ASID or VA), the VMID and the regime; when it stays, the next use is
// H_TLBI_NOT_BROADCAST and the fix is the driver's CMD_TLBI_NH_VA + CMD_SYNC.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../../../language-server/src/engine';

const sva = (smmu: string, cd = '', ste = '') => `smmu smmu0 { ${smmu} }
pagetable proc s1 4K { map 0x4000_0000 +8K -> 0x8800_0000 rw }
cd kernel { pagetable proc; asid 1 }
cd proc_cd { pagetable proc; asid 42${cd} }
cdtable pasids { cdmax 4; ssid 0 kernel; ssid 5 proc_cd }
ste smmu0 0x100 { cdtable pasids${ste} }
dma smmu0 read sid 0x100 ssid 5 iova 0x4000_0040 expect pa 0x8800_0040
unmap proc 0x4000_0000 +4K
`; // lines 1-8; the CPU's TLBI is line 9, the DMA line 10

const run = (text: string) => runScenario(text, 'sva.smmu');
const hazards = (text: string) => run(text).diagnostics.filter((d) => d.code.startsWith('H_'));
const codes = (text: string) => hazards(text).map((d) => `${d.code}@${d.line}`);
const DMA = 'dma smmu0 read sid 0x100 ssid 5 iova 0x4000_0040\n';

test('BTM SMMU (SMMU_IDR0.BTM == 1, SMMU_CR2.PTM == 0, CD.ASET == 0): the CPU TLBI removes the entry, the DMA walks and faults', () => {
  const text = sva('btm 1') + 'cpu tlbi vae1is asid 42 va 0x4000_0000\n' + DMA;
  const r = run(text);
  assert.deepEqual(codes(text), []);
  const dma = r.steps.filter((s) => s.kind === 'dma').at(-1)!;
  assert.equal(dma.tlb, 'miss');
  assert.equal(dma.outcome, 'fault');
  const cpu = r.steps.find((s) => s.kind === 'cpu')!;
  assert.equal(cpu.broadcast?.length, 1);
  assert.equal(cpu.broadcast?.[0].taken, true);
  assert.equal(cpu.broadcast?.[0].removed.length, 1);
  assert.deepEqual(cpu.removed?.tlb, cpu.broadcast?.[0].removed);
});

for (const [name, smmu, cd, why] of [
  ['SMMU_IDR0.BTM == 0', 'btm 0', '', 'SMMU_IDR0.BTM == 0'],
  ['SMMU_CR2.PTM == 1', 'btm 1; ptm 1', '', 'SMMU_CR2.PTM == 1'],
  ['CD.ASET == 1', 'btm 1', '; aset 1', 'CD.ASET == 1'],
] as const) {
  test(`${name}: the SMMU keeps the old translation: H_TLBI_NOT_BROADCAST, fixed by CMD_TLBI_NH_VA + CMD_SYNC`, () => {
    const text = sva(smmu, cd) + 'cpu tlbi vae1is asid 42 va 0x4000_0000\n' + DMA;
    const r = run(text);
    const dma = r.steps.filter((s) => s.kind === 'dma').at(-1)!;
    assert.equal(dma.pa, '0x88000040', 'the model\'s TLB still holds it');
    assert.deepEqual(codes(text), ['H_TLBI_NOT_BROADCAST@10']);
    const h = hazards(text)[0];
    assert.match(h.message, new RegExp(`TLBI VAE1IS ASID 0x2a VA 0x40000000 \\(EL1&0, VMID 0\\) at line 9 does not reach this SMMU's TLB \\(${why.replace(/\./g, '\\.')}\\)`));
    // The fix is the driver's own invalidation of that ASID and page, after the CPU's TLBI.
    assert.match(h.message, /Fix: insert `cmd smmu0 CMD_TLBI_NH_VA asid 42 addr 0x40000000 leaf` then `cmd smmu0 CMD_SYNC` after line 9\./);
    assert.deepEqual(h.related?.map((x) => x.line), [9, 8, 7, 9]);
    const cpu = r.steps.find((s) => s.kind === 'cpu')!;
    assert.deepEqual(cpu.broadcast?.[0].kept.map((k) => k.why), [why]);
    const fixed = sva(smmu, cd) + 'cpu tlbi vae1is asid 42 va 0x4000_0000\ncmd smmu0 CMD_TLBI_NH_VA asid 42 addr 0x4000_0000 leaf\ncmd smmu0 CMD_SYNC\n' + DMA;
    assert.deepEqual(codes(fixed), []);
  });
}

test('CD.ASET == 1 is left by TLBIs by ASID or VA only: VMALLE1IS and VAAE1IS still reach it', () => {
  assert.deepEqual(codes(sva('btm 1', '; aset 1') + 'cpu tlbi aside1is asid 42\n' + DMA), ['H_TLBI_NOT_BROADCAST@10']);
  assert.deepEqual(codes(sva('btm 1', '; aset 1') + 'cpu tlbi vmalle1is\n' + DMA), []);
  assert.deepEqual(codes(sva('btm 1', '; aset 1') + 'cpu tlbi vaae1is va 0x4000_0000\n' + DMA), []);
});

test('a CPU TLBI that does not match the entry (other ASID, VA, VMID) is no invalidation: plain H_STALE_TLB', () => {
  assert.deepEqual(codes(sva('btm 1') + 'cpu tlbi vae1is asid 43 va 0x4000_0000\n' + DMA), ['H_STALE_TLB@10']);
  assert.deepEqual(codes(sva('btm 1') + 'cpu tlbi vae1is asid 42 va 0x4000_1000\n' + DMA), ['H_STALE_TLB@10']);
  assert.deepEqual(codes(sva('btm 0') + 'cpu tlbi vae1is asid 42 va 0x4000_1000\n' + DMA), ['H_STALE_TLB@10'], 'not matched, so not "not broadcast"');
  // A stage-1 stream is tagged with STE.S2VMID: the EL1 forms act on the CPU's current VMID.
  assert.deepEqual(codes(sva('btm 1', '', '; s2vmid 3') + 'cpu tlbi vae1is asid 42 va 0x4000_0000\n' + DMA), ['H_STALE_TLB@10']);
  assert.deepEqual(codes(sva('btm 1', '', '; s2vmid 3') + 'cpu tlbi vae1is asid 42 va 0x4000_0000 vmid 3\n' + DMA), []);
});

test('a CPU TLBI before the change is not for it; a second change after it voids it', () => {
  const before = sva('btm 0').replace('unmap proc 0x4000_0000 +4K\n', 'cpu tlbi vae1is asid 42 va 0x4000_0000\nunmap proc 0x4000_0000 +4K\n') + DMA;
  assert.deepEqual(codes(before), ['H_STALE_TLB@10']);
  // The remap comes while this SMMU may still hold the old entry (the TLBI did not reach it): H_BBM
  // at the map (DDI 0487 D8.16.1), then the DMA is stale because of the map, after the TLBI.
  const again = sva('btm 0') + 'cpu tlbi vae1is asid 42 va 0x4000_0000\nmap proc 0x4000_0000 +4K -> 0x8900_0000 rw\n' + DMA;
  assert.deepEqual(codes(again), ['H_BBM@10', 'H_STALE_TLB@11']);
  // With BTM the TLBI completed the invalidation: the remap is a clean break-before-make.
  assert.deepEqual(codes(again.replace('btm 0', 'btm 1')), []);
});

test('the regime: a VHE host\'s TLBI (EL2&0) reaches EL2-E2H streams only', () => {
  // STE.STRW == 0b10 with SMMU_CR2.E2H == 1: the stream's entries are EL2-E2H, tagged by ASID.
  const el2 = sva('btm 1; e2h 1', '', '; strw 2');
  assert.deepEqual(codes(el2 + 'cpu tlbi vae1is asid 42 va 0x4000_0000 vhe\n' + DMA), []);
  assert.deepEqual(codes(el2 + 'cpu tlbi vae1is asid 42 va 0x4000_0000\n' + DMA), ['H_STALE_TLB@10'], 'an EL1&0 TLBI does not reach EL2-E2H entries');
  assert.deepEqual(codes(el2 + 'cpu tlbi vae2is asid 42 va 0x4000_0000 vhe\n' + DMA), []);
  // Linux's warning: a VHE CPU with an SMMU whose streams are NS-EL1 never reaches them.
  assert.deepEqual(codes(sva('btm 1') + 'cpu tlbi vae1is asid 42 va 0x4000_0000 vhe\n' + DMA), ['H_STALE_TLB@10']);
  const fix = hazards(el2 + 'cpu tlbi vae1is asid 42 va 0x4000_0000\n' + DMA)[0].message;
  assert.match(fix, /CMD_TLBI_EL2_VA asid 42 addr 0x40000000 leaf/);
});

test('every SMMU sees the broadcast and decides for itself', () => {
  const text = `smmu a { btm 1 }
smmu b { btm 0 }
pagetable proc s1 4K { map 0x4000_0000 +4K -> 0x8800_0000 rw }
cd proc_cd { pagetable proc; asid 42 }
ste a 0x1 { cd proc_cd }
ste b 0x2 { cd proc_cd }
dma a read sid 0x1 iova 0x4000_0000
dma b read sid 0x2 iova 0x4000_0000
unmap proc 0x4000_0000 +4K
cpu tlbi vale1is asid 42 va 0x4000_0000
dma a read sid 0x1 iova 0x4000_0000 expect fault F_TRANSLATION
dma b read sid 0x2 iova 0x4000_0000 expect hazard H_TLBI_NOT_BROADCAST
`;
  const r = run(text);
  assert.deepEqual(r.expectations, { passed: 2, failed: 0 });
  assert.deepEqual(codes(text), ['H_TLBI_NOT_BROADCAST@12']);
  const cpu = r.steps.find((s) => s.kind === 'cpu')!;
  assert.deepEqual(cpu.broadcast?.map((b) => [b.smmu, b.taken, b.why, b.removed.length, b.kept.length]), [['a', true, undefined, 1, 0], ['b', false, 'SMMU_IDR0.BTM == 0', 0, 1]]);
});

test('PASIDs as the SVA API uses them: no SSID is CD 0, SSID 0 is reserved (STE.S1DSS == 0b10), SSIDs beyond S1CDMax are C_BAD_SUBSTREAMID', () => {
  const text = sva('btm 1') + 'dma smmu0 read sid 0x100 iova 0x4000_1040 expect pa 0x8800_1040\n' +
    'dma smmu0 read sid 0x100 ssid 0 iova 0x4000_1040 expect fault F_STREAM_DISABLED\n' +
    'dma smmu0 read sid 0x100 ssid 16 iova 0x4000_1040 expect fault C_BAD_SUBSTREAMID\n' +
    'dma smmu0 read sid 0x100 ssid 15 iova 0x4000_1040 expect fault C_BAD_CD\n';
  assert.deepEqual(run(text).expectations, { passed: 5, failed: 0 });
});

test('`cpu tlbi` lines are checked against the instruction\'s operands', () => {
  const errs = (line: string) => run(`smmu smmu0\n${line}\n`).diagnostics.filter((d) => d.severity !== 'information').map((d) => `${d.code}: ${d.message}`);
  assert.match(errs('cpu tlbi vae1si asid 1 va 0')[0], /^E_UNKNOWN_TLBI: unknown TLBI instruction 'vae1si'.*VAE1IS/);
  assert.match(errs('cpu tlbi vae1is asid 1')[0], /^E_TLBI_OPERAND: TLBI VAE1IS needs the address/);
  assert.match(errs('cpu tlbi vaae1is asid 1 va 0x1000')[0], /matches every ASID: it takes no `asid`/);
  assert.match(errs('cpu tlbi vae2is asid 1 va 0x1000')[0], /has no ASID when HCR_EL2.E2H == 0/);
  assert.match(errs('cpu tlbi vae2is va 0x1000 vmid 1')[0], /acts on the EL2 regime, which has no VMID/);
  assert.match(errs('cpu tlbi vmalle1is va 0x1000')[0], /takes no address or ASID/);
  assert.match(errs('cpu tlbi vae1is xt 1 asid 1')[0], /either as `xt` or as `asid`\/`va`/);
  assert.match(errs('cpu tlbi vae1is asid 0x10000 va 0')[0], /^E_VALUE_RANGE/);
  assert.match(errs('cpu tlbi vae1is asid 1 va 0x1234')[0], /^W_TLBI_VA: .*low 12 bits/);
  assert.match(errs('cpu tlbi aside1is xt 0x1')[0], /^W_TLBI_XT: .*RES0/);
  assert.match(errs('cpu tlbi vae1is asid 1 va 0 pasid 3')[0], /^E_UNKNOWN_OPTION/);
  assert.deepEqual(errs('cpu tlbi vae1is xt 0x2a000000040000 vmid 2'), []);
});

test('ASID reuse: a CPU ASIDE1IS the SMMU takes ends the ASID\'s binding (no H_ASID_REUSE); refused, it does not', () => {
  const reuse = (smmu: string, aset = '') => `smmu smmu0 { ${smmu} }
pagetable p1 s1 4K { map 0x4000_0000 +4K -> 0x8800_0000 rw }
pagetable p2 s1 4K { map 0x4000_0000 +4K -> 0x8900_0000 rw }
cd a { pagetable p1; asid 42${aset} }
cd b { pagetable p2; asid 42${aset} }
cdtable pasids { cdmax 4; ssid 5 a; ssid 6 b }
ste smmu0 0x100 { cdtable pasids }
dma smmu0 read sid 0x100 ssid 5 iova 0x4000_0000
cpu tlbi aside1is asid 42
dma smmu0 read sid 0x100 ssid 6 iova 0x4000_0000
`;
  assert.deepEqual(codes(reuse('btm 1')), []);
  assert.deepEqual(codes(reuse('btm 0')), ['H_ASID_REUSE@10']);
  assert.deepEqual(codes(reuse('btm 1', '; aset 1')), ['H_ASID_REUSE@10'], 'ASIDE1IS does not reach CD.ASET == 1');
  assert.deepEqual(codes(reuse('btm 1', '; aset 1').replace('aside1is asid 42', 'vmalle1is')), []);
});
