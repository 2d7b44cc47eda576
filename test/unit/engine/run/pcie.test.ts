// ATS, PRI and HTTU as a scenario shows them: the step results of `ats`, `dma ... translated`, `pri`,
// CMD_ATC_INV, CMD_PRI_RESP and an HTTU update. Expected words worked out by hand from the spec layouts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../../../language-server/src/engine';

const BASE = `smmu smmu0
pagetable dev s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw }
cd dev_cd { pagetable dev; asid 7 }
ste smmu0 0x700 { cd dev_cd; eats 1 }
`;

test('ats + translated dma + CMD_ATC_INV: completion, ATC hit, removed entry on the steps', () => {
  const r = runScenario(BASE + `ats smmu0 read sid 0x700 iova 0x1000_0010
dma smmu0 read sid 0x700 iova 0x1000_0020 translated
cmd smmu0 CMD_ATC_INV sid 0x700 addr 0x1000_0000 size 0
`, 'file:///t.smmu');
  const errs = r.diagnostics.filter((d) => d.severity === 'error');
  assert.deepEqual(errs, []);
  const ats = r.steps.find((s) => s.kind === 'ats')!;
  assert.equal(ats.pa, '0x80000010');
  assert.equal(ats.ats?.completion, 'ok');
  assert.equal(ats.ats?.entry?.base, '0x10000000');
  const tr = r.steps.find((s) => s.kind === 'dma' && s.ats)!;
  assert.equal(tr.ats?.atc, 'hit');
  assert.equal(tr.pa, '0x80000020');
  const inv = r.steps.filter((s) => s.kind === 'cmd').at(-1)!;
  assert.equal(inv.atcRemoved?.length, 1);
  assert.equal(inv.atcRemoved?.[0].output, '0x80000000');
});

test('pri: the page request record on the step; CMD_PRI_RESP answers its group', () => {
  const r = runScenario(BASE + `pri smmu0 write sid 0x700 iova 0x1000_0000 prgi 5 last
cmd smmu0 CMD_PRI_RESP sid 0x700 prgi 5 resp SUCC
`, 'file:///t.smmu');
  const p = r.steps.find((s) => s.kind === 'pri')!;
  assert.equal(p.pri?.record?.recorded, true);
  // IHI 0070 §8.1: dword0 StreamID [31:0] = 0x700, Write [61], L [62]; dword1 PRGI [8:0] = 5, page address [63:12].
  assert.deepEqual(p.pri?.record?.raw, ['0x6000000000000700', '0x10000005']);
  const resp = r.steps.filter((s) => s.kind === 'cmd').at(-1)!;
  assert.deepEqual(resp.pri?.responses, [{ sid: '0x700', prgi: '0x5', resp: 'SUCC', requests: 1 }]);
  assert.equal(r.diagnostics.filter((d) => d.code === 'W_PRI_RESP').length, 0);
});

test('HTTU: CD.HA sets AF of an af0 page; the step lists the descriptor before and after', () => {
  const r = runScenario(`smmu smmu0
pagetable t s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw af0 }
cd c { pagetable t; asid 7; HA 1 }
ste smmu0 0x10 { cd c }
dma smmu0 read sid 0x10 iova 0x1000_0000 expect pa 0x8000_0000
`, 'file:///t.smmu');
  assert.equal(r.expectations.failed, 0);
  const d = r.steps.find((s) => s.kind === 'dma')!;
  assert.equal(d.httu?.length, 1);
  const u = d.httu![0];
  assert.equal(u.what, 'AF');
  assert.equal(u.level, 3);
  // Only AF (bit 10, DDI 0487 D8.3) changed, from 0 to 1.
  assert.equal(BigInt(u.new) ^ BigInt(u.old), 1n << 10n);
  assert.equal(BigInt(u.old) & (1n << 10n), 0n);
});
