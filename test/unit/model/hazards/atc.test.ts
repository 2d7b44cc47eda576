// CMD_ATC_INV in the hazard analysis is the model's own (Atc.invalidate, IHI 0070 §4.6.1): for each
// form of the command, the ATC entries the model removes are exactly those the analysis no longer
// reports as possibly stale, and the ones it keeps (e.g. the entry without a SubstreamID under
// SSV = 1, Global = 1) are reported when the device uses them again.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../../../language-server/src/engine';

// Three ATC entries of StreamID 0x10: without a SubstreamID, SubstreamID 3 and SubstreamID 5. Their
// translations are unmapped and invalidated in the SMMU's TLB (lines 11-15); line 16 is the ATC_INV.
const ATS = `smmu smmu0
pagetable p0 s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw }
pagetable p3 s1 4K { map 0x1000_0000 +4K -> 0x9000_0000 rw }
pagetable p5 s1 4K { map 0x1000_0000 +4K -> 0xa000_0000 rw }
cd c0 { pagetable p0; asid 1 }
cd c3 { pagetable p3; asid 3 }
cd c5 { pagetable p5; asid 5 }
cdtable t { ssid 0 c0; ssid 3 c3; ssid 5 c5 }
ste smmu0 0x10 { cdtable t; eats 1 }
ats smmu0 read sid 0x10 iova 0x1000_0000
ats smmu0 read sid 0x10 ssid 3 iova 0x1000_0000
ats smmu0 read sid 0x10 ssid 5 iova 0x1000_0000
unmap p0 0x1000_0000 +4K
unmap p3 0x1000_0000 +4K
unmap p5 0x1000_0000 +4K
cmd smmu0 CMD_TLBI_NH_ALL
cmd smmu0 CMD_SYNC
`;
const USES = ['', ' ssid 3', ' ssid 5'].map((s) => `dma smmu0 read sid 0x10${s} iova 0x1000_0000 translated`);
const INV_LINE = 18;

for (const [form, args] of [
  ['SSV = 1, Global = 1', 'ssid 3 global 1'],
  ['SSV = 1, Global = 0', 'ssid 3'],
  ['SSV = 0', ''],
] as const) {
  test(`CMD_ATC_INV ${form}: the hazard analysis keeps exactly the ATC entries the model keeps`, () => {
    const text = `${ATS}cmd smmu0 CMD_ATC_INV sid 0x10 ${args} size 52\ncmd smmu0 CMD_SYNC\n${USES.join('\n')}\n`;
    const r = runScenario(text, 'atc.smmu');
    const inv = r.steps.find((s) => s.line === INV_LINE)!;
    assert.match(inv.label, /CMD_ATC_INV/);
    const removed = new Set<string | number>((inv.atcRemoved ?? []).map((e) => (e.ssid === undefined ? '-' : Number(e.ssid))));
    assert.ok(removed.size > 0, 'the model removes something');
    (['-', 3, 5] as const).forEach((ssid, i) => {
      const line = INV_LINE + 2 + i;
      const use = r.steps.find((s) => s.line === line)!;
      const stale = use.hazards.some((h) => h.code === 'H_ATC_STALE');
      // Model: a removed entry misses in the ATC; a kept one hits. Analysis: stale iff kept.
      assert.equal(use.ats?.atc, removed.has(ssid) ? 'miss' : 'hit', `model, SubstreamID ${ssid}`);
      assert.equal(stale, !removed.has(ssid), `hazard analysis, SubstreamID ${ssid}`);
    });
  });
}

test('SSV = 1, Global = 1 removes every SubstreamID entry and keeps the one without (IHI 0070 §4.6.1)', () => {
  const text = `${ATS}cmd smmu0 CMD_ATC_INV sid 0x10 ssid 3 global 1 size 52\ncmd smmu0 CMD_SYNC\n${USES[0]} expect hazard H_ATC_STALE\n${USES[1]} expect no hazard\n${USES[2]} expect no hazard\n`;
  assert.deepEqual(runScenario(text, 'atc.smmu').expectations, { passed: 3, failed: 0 });
});
