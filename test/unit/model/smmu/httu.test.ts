// HTTU (IHI 0070 §3.13; DDI 0487 D8.4.2 AF, D8.4.6 DBM): with CD.HA/HD the SMMU sets the Access flag
// and the dirty state (AP[2] cleared on a DBM page) in memory, and the transaction lists the update.
// Descriptor words are written by hand (DDI 0487 D8.3: AF [10], AP[2] [7], DBM [51]).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bringUp, CDADDR, CD_DW0, RD, WR, SID, VA_RW, VA_RO, L3_RW_ADDR, L3_RO_ADDR } from './fixture';

/** CD.HA is CD[43], CD.HD is CD[42] (dword0, IHI 0070 §5.4). */
const HA = 1n << 43n;
const HD = 1n << 42n;
/** PTE_RW (0x9000_0f43) with AF [10] clear. */
const PTE_NO_AF = 0x9000_0b43n;
/** Page at 0x9000_1000: DBM [51], nG, AF, SH=0b11, AP[2:1]=0b11 (read-only: writable-clean), page. */
const PTE_DBM_CLEAN = 0x0008_0000_9000_1fc3n;

test('CD.HA: a read of a page with AF == 0 sets AF in memory (no F_ACCESS)', () => {
  const { sys, s } = bringUp();
  sys.mem.write64(CDADDR, CD_DW0 | HA | HD);
  sys.mem.write64(L3_RW_ADDR, PTE_NO_AF);
  const r = s.translate({ sid: SID, iova: VA_RW, access: RD });
  assert.equal(r.outcome, 'ok', r.reason);
  assert.equal(sys.mem.read64(L3_RW_ADDR), 0x9000_0f43n);
  assert.equal(r.httu?.length, 1);
  assert.equal(r.httu?.[0].descPa, L3_RW_ADDR);
  assert.equal(r.httu?.[0].oldValue, PTE_NO_AF);
  assert.equal(r.httu?.[0].newValue, 0x9000_0f43n);
});

test('CD.HD: a write to a writable-clean DBM page clears AP[2] in memory; a read does not', () => {
  const { sys, s } = bringUp();
  sys.mem.write64(CDADDR, CD_DW0 | HA | HD);
  sys.mem.write64(L3_RO_ADDR, PTE_DBM_CLEAN);
  const rd = s.translate({ sid: SID, iova: VA_RO, access: RD });
  assert.equal(rd.outcome, 'ok');
  assert.equal(sys.mem.read64(L3_RO_ADDR), PTE_DBM_CLEAN);
  assert.equal(rd.httu, undefined);
  // The write: TLB holds a read-only entry, the SMMU re-walks and marks the page dirty.
  const wr = s.translate({ sid: SID, iova: VA_RO + 8n, access: WR });
  assert.equal(wr.outcome, 'ok', wr.reason);
  assert.equal(wr.pa, 0x9000_1008n);
  assert.equal(sys.mem.read64(L3_RO_ADDR), 0x0008_0000_9000_1f43n);
  assert.equal(wr.httu?.[0].what, 'DBM');
});

test('without CD.HD a write to the DBM page is a permission fault; HA/HD beyond SMMU_IDR0.HTTU are C_BAD_CD', () => {
  const a = bringUp();
  a.sys.mem.write64(CDADDR, CD_DW0 | HA);
  a.sys.mem.write64(L3_RO_ADDR, PTE_DBM_CLEAN);
  const w = a.s.translate({ sid: SID, iova: VA_RO, access: WR });
  assert.equal(w.outcome, 'fault');
  assert.equal(w.events[0].type, 'F_PERMISSION');
  assert.equal(a.sys.mem.read64(L3_RO_ADDR), PTE_DBM_CLEAN);
  // SMMU_IDR0.HTTU == 0b00: a CD with HA set is ILLEGAL (IHI 0070 §5.4.2): C_BAD_CD; without HA, AF == 0 faults.
  const b = bringUp({ httu: 'none' });
  b.sys.mem.write64(CDADDR, CD_DW0 | HA);
  b.sys.mem.write64(L3_RW_ADDR, PTE_NO_AF);
  assert.equal(b.s.translate({ sid: SID, iova: VA_RW, access: RD }).events[0]?.type, 'C_BAD_CD');
  b.sys.mem.write64(CDADDR, CD_DW0);
  const r = b.s.translate({ sid: SID, iova: VA_RW, access: RD });
  assert.equal(r.events[0]?.type, 'F_ACCESS');
  assert.equal(b.sys.mem.read64(L3_RW_ADDR), PTE_NO_AF);
  // SMMU_IDR0.HTTU == 0b01 (AF only): CD.HD is ILLEGAL.
  const c = bringUp({ httu: 'ha' });
  c.sys.mem.write64(CDADDR, CD_DW0 | HA | HD);
  assert.equal(c.s.translate({ sid: SID, iova: VA_RW, access: RD }).events[0]?.type, 'C_BAD_CD');
});

test('CD.S == 1 under STE.S1STALLD == 1 is C_BAD_CD (IHI 0070 §5.4.2)', () => {
  const { sys, s } = bringUp();
  // STE.S1STALLD is STE[91] = dword1 bit 27; CD.S is CD[44] (dword0).
  sys.mem.write64(0x8000_0000n + BigInt(SID) * 64n + 8n, 1n << 27n);
  sys.mem.write64(CDADDR, CD_DW0 | (1n << 44n));
  const r = s.translate({ sid: SID, iova: VA_RW, access: RD });
  assert.equal(r.events[0]?.type, 'C_BAD_CD');
  // With CD.S == 0 the stream translates.
  sys.mem.write64(CDADDR, CD_DW0);
  assert.equal(s.translate({ sid: SID, iova: VA_RW, access: RD }).outcome, 'ok');
});
