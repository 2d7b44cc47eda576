// A compile that keeps a memo for the next edit (compileFull with keep) and is cancelled part-way
// (the editor typed again) stops cleanly: no exception, no memo, a program of what it reached.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFull } from '../../../../language-server/src/engine/compile/compile';

const HEAD = 'smmu smmu0\npagetable pt s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw }\ncd c { pagetable pt; asid 5 }\nste smmu0 0x10 { cd c }\n';

test('a kept compile cancelled after several memo chunks stops without an exception and keeps no memo', () => {
  // 2,000 statements: the memo's chunks (512 entries) are passed before the cancel poll at 1,024.
  const text = HEAD + Array.from({ length: 2000 }, (_, i) => `dma smmu0 read sid 0x10 iova 0x${(0x1000_0000 + (i % 64) * 8).toString(16)}`).join('\n') + '\n';
  let polls = 0;
  const r = compileFull(text, 'file:///cancel.smmu', { isCancelled: () => ++polls > 4 }, true);
  assert.ok(polls > 4, 'the compile polled the cancel flag past the first chunks');
  assert.equal(r.memo, undefined);
  assert.ok(r.program.steps.length < 2000, `stopped early: ${r.program.steps.length} steps`);
  // Not cancelled: the same compile keeps its memo.
  const full = compileFull(text, 'file:///cancel.smmu', {}, true);
  assert.ok(full.memo);
  assert.ok(full.program.steps.length >= 2000);
});
