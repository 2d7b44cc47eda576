// `iommu-lens lower`: every example and its lowered form (the interchange lines) give the same
// results for every transaction: outcome, PA, TLB, events (raw records), ATS and PRI results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { recordTraffic, runScenario, trafficLines, type WireStep } from '../../../language-server/src/engine/index';
import { featuresText } from '../../../language-server/src/engine/index';
import { makeFeatures } from '../../../language-server/src/model/smmu/features';
import { main } from '../../../language-server/src/cli/main';

const ROOT = path.join(__dirname, '../../../..');
const DIR = path.join(ROOT, 'examples');
const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.smmu')).sort();

/** What a replay must reproduce of a transaction (or page request) step. */
function observed(s: WireStep): unknown {
  return {
    kind: s.kind, smmu: s.smmu, sid: s.sid, ssid: s.ssid, iova: s.iova, outcome: s.outcome, pa: s.pa, tlb: s.tlb,
    events: s.events.map((e) => [e.smmu, ...e.raw]), ats: s.ats, httu: s.httu, pri: s.pri?.record?.raw,
  };
}
const transactions = (steps: readonly WireStep[]) => steps.filter((s) => s.kind === 'dma' || s.kind === 'ats' || s.kind === 'pri').map(observed);

for (const f of files) {
  const text = fs.readFileSync(path.join(DIR, f), 'utf8');
  test(`lowering round trip: ${f}`, () => {
    const { result, traffic, errors } = recordTraffic(text, f);
    assert.deepEqual(errors, []);
    const lowered = trafficLines(traffic.ops, traffic.smmus);
    assert.doesNotMatch(lowered, /\b(pagetable|cd|ste|map|unmap|expect)\b/, 'only interchange lines');
    const again = runScenario(lowered, `${f}.lowered`);
    // Refusals the original expects (`expect rejected`, shown there as information) are errors once the expectation is gone.
    const intended = new Set(result.diagnostics.filter((d) => d.severity !== 'error' && /^E_/.test(d.code)).map((d) => d.code));
    assert.deepEqual(again.diagnostics.filter((d) => d.severity === 'error' && !/^[FCE]_|^F_ABORT$/.test(d.code) && !intended.has(d.code)).map((d) => d.message), []);
    const want = transactions(result.steps);
    assert.ok(want.length > 0);
    assert.deepEqual(transactions(again.steps), want);
    // Lowering the lowered form gives the same lines (the traffic is a fixed point).
    const twice = recordTraffic(lowered, 'x');
    assert.equal(trafficLines(twice.traffic.ops, twice.traffic.smmus), lowered);
  });
}

test('lower: a table change is the descriptor writes, a named command its raw dwords', () => {
  const { traffic } = recordTraffic([
    'smmu smmu0 { stages s1; oas 40 }',
    'pagetable pt s1 4k { map 0x1000 +4K -> 0x8000_0000 rw }',
    'cd c { pagetable pt; asid 3 }',
    'ste smmu0 0x10 { cd c }',
    'unmap pt 0x1000 +4K',
    'cmd smmu0 CMD_TLBI_NH_VA asid 3 addr 0x1000',
    'dma smmu0 write sid 0x10 iova 0x1004 len 8 priv',
  ].join('\n'), 'a.smmu');
  const text = trafficLines(traffic.ops, traffic.smmus);
  assert.match(text, /^smmu smmu0 \{ setup none; stages s1; oas 40 \}$/m);
  assert.match(text, /^reg smmu0\.SMMU_STRTAB_BASE 0x/m);
  assert.match(text, /^cmd smmu0 raw 0x3000000000012 0x1000$/m, 'CMD_TLBI_NH_VA: opcode 0x12, ASID 3 in dword0[63:48]');
  assert.match(text, /^dma smmu0 write sid 0x10 iova 0x1004 len 8 priv$/m);
  const writes = traffic.ops.filter((o) => o.op === 'write');
  const leaf = writes.find((o) => o.value === 0x60000080000f43n);
  assert.ok(leaf, 'map writes the page descriptor (PA 0x8000_0000, AF, rw)');
  const unmap = writes.filter((o) => o.step === writes[writes.length - 1].step);
  assert.equal(unmap[0].addr, leaf.addr, 'unmap first writes that descriptor');
  assert.equal(unmap[0].op === 'write' && unmap[0].value, 0n, 'invalid');
});

test('lower: VM-layer lines stand as written; what the kernel and the VMM do for them is not traffic', () => {
  const { traffic } = recordTraffic([
    'reg smmuA.SMMU_STRTAB_BASE 0x80000000',
    'reg smmuA.SMMU_STRTAB_BASE_CFG 0x6',
    'reg smmuA.SMMU_CMDQ_BASE 0x80010008',
    'reg smmuA.SMMU_CR0 0xd',
    'iommufd ioas ioas0',
    'iommufd ioas_map ioas0 0x4000_0000 0x20_0000 0x1_0000_0000',
    'iommufd hwpt_parent s2 ioas0 smmuA',
    'iommufd viommu vA smmuA s2',
    'iommufd vdevice vA 0x10 0x5',
    'write64 0x100100400 0x4000100b',
    'vsmmu vs0 vA',
    'reg vs0.SMMU_STRTAB_BASE 0x40100000',
    'cmd vs0 CMD_CFGI_STE sid 0x10 leaf',
    'dma vs0 read sid 0x10 iova 0x80201010',
  ].join('\n'), 'vm.smmu');
  const text = trafficLines(traffic.ops, traffic.smmus);
  assert.match(text, /^iommufd ioas_map ioas0 0x4000_0000 0x20_0000 0x1_0000_0000$/m);
  assert.match(text, /^iommufd hwpt_parent s2 ioas0 smmuA$/m);
  assert.match(text, /^vsmmu vs0 vA$/m);
  assert.match(text, /^reg vs0\.SMMU_STRTAB_BASE 0x40100000$/m);
  assert.match(text, /^cmd vs0 raw 0x1000000003 0x1$/m, "the guest's CMD_CFGI_STE (opcode 0x3, SID 0x10 in dword0[63:32], Leaf)");
  assert.match(text, /^dma vs0 read sid 0x10 iova 0x80201010 len 4$/m, 'the guest DMA by virtual StreamID');
  assert.doesNotMatch(text, /^dma smmuA /m, 'not the physical transaction it became');
  assert.deepEqual(traffic.ops.filter((o) => o.op === 'write').map((o) => o.op === 'write' && o.addr), [0x100100400n], "only the scenario's own write: not the parent's stage-2 table, not host STEs");
  assert.deepEqual(traffic.ops.filter((o) => o.op === 'cmd').map((o) => o.op === 'cmd' && o.smmu), ['vs0'], 'no host command (attach, CFGI, SYNC)');
});

test('featuresText lists only what differs from the defaults', () => {
  assert.equal(featuresText(makeFeatures()), 'stages s1 s2 nested');
  assert.equal(featuresText(makeFeatures({ stage2: false, ats: false, tlb: { capacity: 4, policy: 'fifo' } })), 'stages s1; ats 0; tlb 4 fifo');
});

test('iommu-lens lower: --smmu keeps one instance, bad input exits 2', () => {
  let out = '';
  let err = '';
  const file = path.join(DIR, 'two-smmus-shared-s2.smmu');
  assert.equal(main(['lower', file, '--smmu', 'smmu1'], (s) => { out += s; }, (s) => { err += s; }), 0);
  assert.doesNotMatch(out, /smmu0/);
  assert.match(out, /^dma smmu1 /m);
  assert.equal(main(['lower', file, '--smmu', 'nope'], () => undefined, (s) => { err += s; }), 2);
  assert.match(err, /no SMMU named 'nope'/);
  assert.equal(main(['lower', path.join(DIR, 'missing.smmu')], () => undefined, () => undefined), 2);
  assert.equal(main(['lower'], () => undefined, () => undefined), 2);
});
