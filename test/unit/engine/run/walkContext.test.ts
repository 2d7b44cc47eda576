// The state view's walk context (walk panel header) and the TLB entry a stale-translation hazard
// is about (`WireHazard.tlb`, the TLB panel's mark), through the engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileScenario, runScenario } from '../../../../language-server/src/engine';
import { NESTED_NAMED } from '../../../data/scenarios';

test('state: a nested walk carries the scenario table names and its context (STE.Config, CD.ASID, STE.S2VMID)', () => {
  const s = compileScenario(NESTED_NAMED, 'file:///nested.smmu');
  const r = s.runToEnd();
  assert.deepEqual(r.expectations, { passed: 1, failed: 0 });
  const dma = r.steps.find((x) => x.kind === 'dma')!;
  s.goto(dma.index + 1);
  const st = s.state();
  assert.deepEqual(st.walkContext, { smmu: 'smmuA', sid: '0x40', config: 'nested', asid: '0x2a', vmid: '0x7' });
  const s1 = st.walks.find((w) => w.stage === 1)!;
  assert.equal(s1.table, 'nic_s1');
  // Every stage-2 walk (of each stage-1 descriptor's IPA, the CD's, the output's) is vm_s2's.
  const s2 = [...st.walks.filter((w) => w.stage === 2), ...s1.steps.flatMap((x) => (x.s2Walk ? [x.s2Walk] : []))];
  assert.ok(s2.length >= 5);
  assert.deepEqual([...new Set(s2.map((w) => w.table))], ['vm_s2']);
  // The run's own step results stay lean: no names there.
  assert.equal(dma.walks?.some((w) => w.table !== undefined), false);
});

test('a step that walked nothing has no walk context', () => {
  const s = compileScenario(NESTED_NAMED, 'file:///nested.smmu');
  s.runToEnd();
  s.goto(1);
  assert.equal(s.state().walkContext, undefined);
});

test('H_STALE_TLB names the TLB entry it is about: the one the walk of the earlier DMA filled, for its address', () => {
  const text = `smmu smmu0
pagetable dma_pt s1 4K {
  map 0x1000_0000 +4K -> 0x8000_0000 rw
}
cd dev_cd { pagetable dma_pt; asid 5 }
ste smmu0 0x10 { cd dev_cd }
dma smmu0 write sid 0x10 iova 0x1000_0040
unmap dma_pt 0x1000_0000
dma smmu0 write sid 0x10 iova 0x1000_0080 expect hazard H_STALE_TLB
`;
  const r = runScenario(text, 'stale.smmu');
  const first = r.steps.find((x) => x.kind === 'dma')!;
  const hz = r.steps.flatMap((x) => x.hazards).find((h) => h.code === 'H_STALE_TLB')!;
  assert.deepEqual(hz.tlb, { smmu: 'smmu0', insertedAt: first.index, va: '0x10000080' });
  // Hazards that are not about a cached translation carry no entry.
  const cfg = runScenario(`smmu smmu0
pagetable pt s1 4K {
  map 0x1000_0000 +4K -> 0x8000_0000 rw
}
cd c { pagetable pt; asid 5 }
ste smmu0 0x10 { cd c }
dma smmu0 read sid 0x10 iova 0x1000_0000
ste smmu0 0x10 { config abort }
dma smmu0 read sid 0x10 iova 0x1000_0000 expect hazard H_STALE_STE
`, 'ste.smmu');
  const ste = cfg.steps.flatMap((x) => x.hazards).find((h) => h.code === 'H_STALE_STE');
  assert.ok(ste, JSON.stringify(cfg.diagnostics.map((d) => d.message)));
  assert.equal(ste.tlb, undefined);
});

test('a stale translation reported in the guest\'s terms (H_VIOMMU_WRONG_INSTANCE) names the host TLB entry on smmuB', async () => {
  const { readFileSync } = await import('node:fs');
  const { resolve } = await import('node:path');
  const text = readFileSync(resolve(__dirname, '../../../../../examples/vm-two-smmus-shared-parent.smmu'), 'utf8');
  const r = runScenario(text, 'vm.smmu');
  const hz = r.steps.flatMap((x) => x.hazards).find((h) => h.code === 'H_VIOMMU_WRONG_INSTANCE')!;
  assert.ok(hz, 'the example reports it');
  // smmuB's first DMA walked and filled the entry (the guest's IOVA 0x80201010).
  const fill = r.steps.find((x) => x.kind === 'dma' && x.smmu === 'smmuB')!;
  assert.deepEqual(hz.tlb, { smmu: 'smmuB', insertedAt: fill.index, va: '0x80201010' });
});
