// The `smmu` options for TLB / configuration-cache conflicts (bbml, tlbconflict, stecont, cfgconflict),
// through the DSL: what a scenario writes, the diagnostics it gets, and the faults it expects
// (IHI 0070 §3.20, §3.21.1, §5.2 STE.CONT).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../../../language-server/src/engine';

const run = (text: string) => runScenario(text, 'conflict.smmu');
const codes = (text: string, prefix: string) => run(text).diagnostics.filter((d) => d.code.startsWith(prefix)).map((d) => `${d.code}@${d.line}`);

/** A 4K page cached; its level-2 table descriptor replaced by a 2 MB block (no break-before-make);
 * the next page walked through the block; the first page looked up again (line 8). */
const collapse = (opts: string, block = '0x8000_0741', last = 'expect fault F_TLB_CONFLICT') => `smmu smmu0 { ${opts} }
pagetable pt s1 4K { map 0x1000_0000 +8K -> 0x8000_0000 rw }
cd c { pagetable pt; asid 5 }
ste smmu0 0x10 { cd c }
dma smmu0 read sid 0x10 iova 0x1000_0000 expect pa 0x8000_0000
pte pt 0x1000_0000 level 2 ${block}
dma smmu0 read sid 0x10 iova 0x1000_1000 expect pa 0x8000_1000
dma smmu0 read sid 0x10 iova 0x1000_0000 ${last}
`;

test('version 3.1 (BBML 0) detects the TLB conflict by default: F_TLB_CONFLICT, an information diagnostic when expected', () => {
  const r = run(collapse('version 3.1'));
  assert.deepEqual(r.expectations, { passed: 3, failed: 0 });
  const ev = r.steps.filter((s) => s.kind === 'dma')[2].events[0];
  assert.equal(ev.type, 'F_TLB_CONFLICT');
  assert.equal(ev.code, '0x20');
  assert.equal(ev.inputAddr, '0x10000000');
  assert.equal(ev.fields.Reason, '0x2');
  assert.equal(ev.s2, false);
  // The hazard analysis names the cause at the write.
  assert.ok(codes(collapse('version 3.1'), 'H_').includes('H_BBM@6'));
});

test('the options change the outcome: undetected, BBML 2 and BBML 1 with nT use one translation', () => {
  for (const [opts, block] of [['version 3.1; tlbconflict undetected', '0x8000_0741'], ['version 3.2', '0x8000_0741'], ['bbml 1', '0x8001_0741']]) {
    const r = run(collapse(opts, block, 'expect pa 0x8000_0000 expect no fault'));
    assert.deepEqual(r.expectations, { passed: 4, failed: 0 }, `${opts}: ${JSON.stringify(r.diagnostics.map((d) => d.message))}`);
  }
});

test('option errors are diagnostics on the option: bbml range, BBML and version, unknown choices', () => {
  assert.deepEqual(codes('smmu smmu0 { bbml 3 }\n', 'E_'), ['E_VALUE_RANGE@1']);
  assert.deepEqual(codes('smmu smmu0 { version 3.1; bbml 2 }\n', 'E_'), ['E_SMMU_FEATURE@1']);
  assert.deepEqual(codes('smmu smmu0 { bbml 0 }\n', 'E_'), ['E_SMMU_FEATURE@1'], 'an SMMUv3.2 implements level 1 or 2');
  const r = run('smmu smmu0 {\n  tlbconflict maybe\n  stecont always\n  cfgconflict\n}\n');
  assert.deepEqual(r.diagnostics.filter((d) => d.code === 'E_SMMU_FEATURE').map((d) => d.line), [2, 3, 4]);
  assert.match(r.diagnostics[0].message, /tlbconflict is one of detect, undetected/);
  assert.deepEqual(codes('smmu smmu0 { stecont honor; tlbconflict detect; cfgconflict undetected }\n', 'E_'), [], "'honor' is accepted");
  assert.match(run('smmu smmu0 { tlbconflit detect }\n').diagnostics[0].message, /did you mean 'tlbconflict'/);
});

/** StreamID 0x11 cached; STE 0x10 then marked as a span of 2 (0x10-0x11) although STE 0x11 differs. */
const span = (opts: string, last: string) => `smmu smmu0 { ${opts} }
pagetable pt s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw }
pagetable pt2 s1 4K { map 0x1000_0000 +4K -> 0x9000_0000 rw }
cd c { pagetable pt; asid 5 }
cd c2 { pagetable pt2; asid 6 }
ste smmu0 0x10 { cd c }
ste smmu0 0x11 { cd c2 }
dma smmu0 read sid 0x11 iova 0x1000_0000 expect pa 0x9000_0000
ste smmu0 0x10 { cd c; cont 1 }
cmd smmu0 CMD_CFGI_STE sid 0x10
cmd smmu0 CMD_SYNC
dma smmu0 read sid 0x10 iova 0x1000_0000 expect pa 0x8000_0000
dma smmu0 read sid 0x11 iova 0x1000_0000 ${last}
`;

test('stecont honour: F_CFG_CONFLICT for the StreamID matching two STEs; H_STE_CONT where the span is first used', () => {
  const r = run(span('stecont honour', 'expect fault F_CFG_CONFLICT'));
  assert.deepEqual(r.expectations, { passed: 3, failed: 0 });
  const ev = r.steps.filter((s) => s.kind === 'dma')[2].events[0];
  assert.equal(ev.code, '0x21');
  assert.equal(ev.sid, '0x11');
  const h = r.diagnostics.filter((d) => d.code === 'H_STE_CONT');
  assert.deepEqual(h.map((d) => d.line), [12]);
  assert.match(h[0].message, /STE\.CONT 1 \(StreamIDs 0x10-0x11\), but the STE of StreamID 0x11 \(S1ContextPtr\) differs/);
  // cfgconflict undetected: StreamID 0x11 keeps its own STE; the hazard does not depend on the options.
  const u = run(span('stecont honour; cfgconflict undetected', 'expect pa 0x9000_0000'));
  assert.deepEqual(u.expectations, { passed: 3, failed: 0 });
  assert.deepEqual(codes(span('', 'expect pa 0x9000_0000'), 'H_STE_CONT'), ['H_STE_CONT@12']);
});

test('identical STEs in a span: no conflict, no hazard', () => {
  const text = span('stecont honour', 'expect pa 0x8000_0000').replace('ste smmu0 0x11 { cd c2 }', 'ste smmu0 0x11 { cd c; cont 1 }')
    .replace('expect pa 0x9000_0000\nste', 'expect pa 0x8000_0000\nste');
  const r = run(text);
  assert.deepEqual(r.expectations, { passed: 3, failed: 0 }, JSON.stringify(r.diagnostics.map((d) => d.message)));
  assert.deepEqual(codes(text, 'H_'), []);
});
