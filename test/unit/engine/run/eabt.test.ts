// `abort ADDR [SIZE]`: SMMU reads of the range get an external abort. The S2/CLASS of F_WALK_EABT
// follow IHI 0070 §7.3.12: a stage-1 descriptor (also under nesting, after stage 2) is S2 == 0,
// CLASS == TT; a stage-2 descriptor is S2 == 1 with the class of what stage 2 was translating.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../../../language-server/src/engine';

const run = (text: string) => runScenario(text, 'eabt.smmu');
const eabt = (text: string) => {
  const r = run(text);
  const ev = r.steps.filter((s) => s.kind === 'dma').pop()!.events[0];
  return { r, ev, brief: ev && `${ev.type} s2=${ev.s2} class=${ev.class} fetch=${ev.fields.FetchAddr}` };
};

const NESTED = (abort: string) => `smmu smmu0
pagetable host s2 4K at 0x4f00_0000 {
  map 0x4000_0000 +16M -> 0x1_0000_0000 rw
  map 0x5000_0000 +4K -> 0x5000_0000 rw
  map 0x8000_0000 +2M -> 0x1_2000_0000 rw
}
pagetable guest s1 4K at 0x5000_0000 { map 0x1000_0000 +4K -> 0x8000_0000 rw }
cd guest_cd { pagetable guest; asid 1 }
ste smmu0 0x40 { cd guest_cd; s2 host; vmid 3 }
${abort}
dma smmu0 read sid 0x40 iova 0x1000_0100
`;

test('stage 1 only: the table is in an abort range -> F_WALK_EABT S2=0 CLASS=TT', () => {
  const { r, brief } = eabt(`smmu smmu0
pagetable pt s1 4K at 0x4800_0000 { map 0x1000_0000 +4K -> 0x8000_0000 rw }
cd c { pagetable pt; asid 5 }
ste smmu0 0x10 { cd c }
abort 0x4800_0000
dma smmu0 read sid 0x10 iova 0x1000_0000 expect fault F_WALK_EABT stage 1 class TT
`);
  assert.equal(brief, 'F_WALK_EABT s2=false class=TT fetch=0x48000000');
  assert.deepEqual(r.expectations, { passed: 1, failed: 0 });
  // The walk shows the aborted fetch as such, at its PA.
  const step = r.steps.filter((s) => s.kind === 'dma').pop()!.walks![0].steps[0];
  assert.deepEqual([step.kind, step.descPa], ['abort', '0x48000000']);
});

test('nested: a guest stage-1 descriptor whose PA aborts is S2=0 CLASS=TT; the host stage-2 table aborting is S2=1 CLASS=CD (the CD fetch is first)', () => {
  assert.equal(eabt(NESTED('')).ev, undefined, 'without an abort range the DMA translates');
  assert.equal(eabt(NESTED('abort 0x5000_0000 +4K')).brief, 'F_WALK_EABT s2=false class=TT fetch=0x50000000');
  assert.equal(eabt(NESTED('abort 0x4f00_0000 +4K')).brief, 'F_WALK_EABT s2=true class=CD fetch=0x4f000000');
});

test('stage 2 only: the stage-2 table aborting is S2=1 CLASS=IN', () => {
  const { brief } = eabt(`smmu smmu0
pagetable vm s2 4K at 0x4f00_0000 { map 0x8000_0000 +4K -> 0x1_2000_0000 rw }
ste smmu0 0x20 { s2 vm; vmid 1 }
abort 0x4f00_0000 +0x1000
dma smmu0 read sid 0x20 iova 0x8000_0000
`);
  assert.equal(brief, 'F_WALK_EABT s2=true class=IN fetch=0x4f000000');
});

test('abort statement errors are diagnostics on the statement', () => {
  const errs = (t: string) => run(t).diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}@${d.line}`);
  assert.deepEqual(errs('abort\n'), ['E_SYNTAX_EXPECTED@1']);
  assert.deepEqual(errs('abort 0x1000 0\n'), ['E_VALUE@1']);
  assert.deepEqual(errs('abort 0xf_ffff_ffff_f000 +8K\n'), ['E_VALUE_RANGE@1']);
  assert.deepEqual(errs('abort 0x1000 +4K\nabort 0x3000\n'), []);
});
