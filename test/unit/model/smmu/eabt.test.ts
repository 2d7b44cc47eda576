// External aborts on SMMU-originated reads (declared abort ranges of PhysicalMemory): F_STE_FETCH
// (IHI 0070 §7.3.4), F_CD_FETCH (§7.3.10) and F_WALK_EABT (§7.3.12), on the fixture's bring-up.
// Record words: Type dword0[7:0], StreamID dword0[63:32], S2 dword1[39], CLASS dword1[41:40],
// FetchAddr[51:3] in dword3 [51:3] (bits [243:195] of the record).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhysicalMemory } from '../../../../language-server/src/model/memory';
import { bringUp, eventAt, CDADDR, CD_DW0, RD, SID, STRTAB, TTB0, VA_RW } from './fixture';

test('abort ranges: merged, and an 8-byte access overlapping one aborts', () => {
  const m = new PhysicalMemory();
  assert.equal(m.hasAborts, false);
  m.addAbort(0x1000n, 0x1000n);
  m.addAbort(0x1800n, 0x1000n);
  assert.deepEqual(m.aborts(), [[0x1000n, 0x1800n]]);
  assert.equal(m.abortsAt(0xff8), false);
  assert.equal(m.abortsAt(0xffc), true, 'the last 4 bytes fall in the range');
  assert.equal(m.abortsAt(0x27f8), true);
  assert.equal(m.abortsAt(0x2800), false);
  m.write64(0x1000n, 5n);
  assert.equal(m.read64(0x1000n), 5n, "the scenario's own accesses are not aborted");
});

test('a stage-1 descriptor fetch that aborts: F_WALK_EABT, S2 == 0, CLASS == TT, FetchAddr, recorded even with CD.R == 0', () => {
  const { sys, s } = bringUp();
  sys.mem.write64(CDADDR, CD_DW0 & ~(1n << 45n)); // CD.R = 0
  sys.mem.addAbort(TTB0, 8n); // the level-0 table entry VA_RW uses (index 0)
  const r = s.translate({ sid: SID, iova: VA_RW, access: RD });
  assert.equal(r.outcome, 'fault');
  assert.deepEqual(r.events.map((e) => e.type), ['F_WALK_EABT']);
  assert.equal(r.events[0].recorded, true);
  const ev = eventAt(sys, 0);
  assert.equal(ev[0] & 0xffn, 0x0bn);
  assert.equal(ev[0] >> 32n, BigInt(SID));
  assert.equal((ev[1] >> 39n) & 1n, 0n, 'S2 == 0');
  assert.equal((ev[1] >> 40n) & 3n, 1n, 'CLASS == TT');
  assert.equal(ev[2], VA_RW, 'InputAddr');
  assert.equal(ev[3] & 0xf_ffff_ffff_fff8n, TTB0, 'FetchAddr');
  assert.equal(r.stag, undefined, 'never stalls');
});

test('an STE fetch that aborts is F_STE_FETCH with the STE address; a CD fetch, F_CD_FETCH', () => {
  const a = bringUp();
  a.sys.mem.addAbort(STRTAB + BigInt(SID) * 64n + 56n, 8n); // the last dword of the STE
  const r = a.s.translate({ sid: SID, iova: VA_RW, access: RD });
  assert.deepEqual(r.events.map((e) => e.type), ['F_STE_FETCH']);
  assert.equal(eventAt(a.sys, 0)[0] & 0xffn, 0x03n);
  assert.equal(eventAt(a.sys, 0)[3] & 0xf_ffff_ffff_fff8n, STRTAB + BigInt(SID) * 64n);
  const b = bringUp();
  b.sys.mem.addAbort(CDADDR, 64n);
  assert.deepEqual(b.s.translate({ sid: SID, iova: VA_RW, access: RD }).events.map((e) => e.type), ['F_CD_FETCH']);
  assert.equal(eventAt(b.sys, 0)[3] & 0xf_ffff_ffff_fff8n, CDADDR);
  // Nothing of a failed fetch is cached (IHI 0070 §3.21.3): once readable, the next transaction succeeds.
  assert.equal(b.s.configCache.entries().filter((e) => e.kind === 'CD').length, 0);
});
