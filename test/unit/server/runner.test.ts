// The runner's summary: what the server publishes from a run. Every diagnostic comes from the engine
// (a hazard is one diagnostic, with its fix, made by the engine); the summary adds none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../../language-server/src/engine';
import { summarize } from '../../../language-server/src/server/runner';

const HAZARD = `
smmu smmu0
pagetable pt s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw }
cd c { pagetable pt; asid 5 }
ste smmu0 0x10 { cd c }
dma smmu0 read sid 0x10 iova 0x1000_0000 expect pa 0x8000_0000
unmap pt 0x1000_0000
dma smmu0 read sid 0x10 iova 0x1000_0000
`;

test('a hazard is published once: the engine reports it, the summary counts it and adds nothing', () => {
  const r = runScenario(HAZARD, 'h.smmu');
  const hz = r.steps.flatMap((s) => s.hazards);
  assert.ok(hz.length > 0, 'the scenario has a hazard');
  const s = summarize(r);
  assert.equal(s.hazards, hz.length);
  assert.deepEqual(s.diagnostics, r.diagnostics);
  for (const h of hz) {
    const same = s.diagnostics.filter((d) => d.code === h.code && d.line === h.line);
    assert.equal(same.length, 1, `${h.code}@${h.line}: ${JSON.stringify(s.diagnostics)}`);
    assert.equal(same[0].message, `${h.message} Fix: ${h.fix}`);
  }
});
