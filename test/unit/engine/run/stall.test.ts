// Stall model as a scenario shows it (IHI 0070 §3.12.2, §4.7.2 CMD_RESUME, §4.7.3 CMD_STALL_TERM):
// the resume step carries the retried transaction's PA; CMD_STALL_TERM empties the stalled list.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileScenario } from '../../../../language-server/src/engine';

const BASE = `smmu smmu0
pagetable svm s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw }
cd c { pagetable svm; asid 12; S 1 }
ste smmu0 0x600 { cd c }
dma smmu0 write sid 0x600 iova 0x2000_0040 expect outcome stalled
`;

test('I/O page fault fixed by a map, then CMD_RESUME retry: the resume step has the PA', () => {
  const s = compileScenario(BASE + `map svm 0x2000_0000 +4K -> 0x8100_0000 rw
cmd smmu0 CMD_RESUME sid 0x600 stag 1 action RETRY
`, 'file:///s.smmu');
  const r = s.runToEnd();
  assert.deepEqual(r.expectations, { passed: 1, failed: 0 });
  const resume = r.steps.at(-1)!;
  assert.equal(resume.outcome, 'ok');
  assert.equal(resume.pa, '0x81000040');
  assert.deepEqual(s.state().smmus[0].stalled, []);
});

test('CMD_STALL_TERM terminates the stalled transactions of the StreamID', () => {
  const s = compileScenario(BASE + `dma smmu0 read sid 0x600 iova 0x3000_0000 expect outcome stalled
`, 'file:///s.smmu');
  s.runToEnd();
  assert.equal(s.state().smmus[0].stalled.length, 2);
  const s2 = compileScenario(BASE + `dma smmu0 read sid 0x600 iova 0x3000_0000
cmd smmu0 CMD_STALL_TERM sid 0x600
cmd smmu0 CMD_SYNC
`, 'file:///s.smmu');
  s2.runToEnd();
  assert.deepEqual(s2.state().smmus[0].stalled, []);
});
