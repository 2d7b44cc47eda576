import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bringUp, eventAt, RD, WR, SID, VA_RW, VA_RO, VA_UNMAPPED, L3_RW_ADDR, STRTAB, STE_BYPASS_DW0, EVENTQ,
} from './fixture';

test('stage-1 DMA after a driver bring-up translates to the page descriptor output', () => {
  const { s } = bringUp();
  const r = s.translate({ sid: SID, iova: VA_RW + 0x678n, access: WR });
  assert.equal(r.outcome, 'ok');
  assert.equal(r.pa, 0x9000_0678n);
  assert.equal(r.tlb, 'miss');
  assert.equal(r.configCache, 'miss');
  assert.equal(r.walks.stage1?.steps.length, 4); // levels 0..3
  const again = s.translate({ sid: SID, iova: VA_RW + 0x10n, access: RD });
  assert.equal(again.tlb, 'hit');
  assert.equal(again.configCache, 'hit');
  assert.equal(again.pa, 0x9000_0010n);
});

test('F_PERMISSION on a read-only page: event record in event queue memory (IHI 0070 §7.3)', () => {
  const { sys, s } = bringUp();
  const r = s.translate({ sid: SID, iova: VA_RO + 0x10n, access: WR });
  assert.equal(r.outcome, 'fault');
  assert.equal(r.events[0].type, 'F_PERMISSION');
  assert.equal(r.events[0].recorded, true);
  const ev = eventAt(sys, 0);
  // dword0: Type 0x13 [7:0], SSV=0, StreamID 3 [63:32].
  assert.equal(ev[0], 0x0000_0003_0000_0013n);
  // dword1: RnW=0 (write) [35], PnU=0, InD=0, S2=0 [39], CLASS=IN (0b10) [41:40].
  assert.equal(ev[1], 0x0000_0200_0000_0000n);
  assert.equal(ev[2], VA_RO + 0x10n); // InputAddr
  assert.equal(ev[3], 0n);
  // EVENTQ_PROD advanced to 1 (page 1 offset 0x100a8).
  assert.equal(s.readReg(0x100a8).value, 1n);
  assert.equal(s.readReg('EVENTQ_PROD').value, 1n);
});

test('F_TRANSLATION on an unmapped read, RnW=1', () => {
  const { sys, s } = bringUp();
  const r = s.translate({ sid: SID, iova: VA_UNMAPPED, access: RD });
  assert.equal(r.outcome, 'fault');
  const ev = eventAt(sys, 0);
  assert.equal(ev[0], 0x0000_0003_0000_0010n);
  assert.equal(ev[1], 0x0000_0208_0000_0000n); // RnW [35] | CLASS=IN [41:40]
  assert.equal(ev[2], VA_UNMAPPED);
  // A faulting walk is not cached.
  assert.equal(s.tlb.size, 0);
});

test('CD.R=0: the fault terminates the DMA but no event is recorded (IHI 0070 §5.5)', () => {
  const { sys, s } = bringUp();
  // Clear CD.R (bit 45) and invalidate the CD.
  sys.mem.write64(0x8003_0000n, 0x0042_4205_c000_0010n);
  s.submitCommand([(BigInt(SID) << 32n) | 0x5n, 1n]); // CMD_CFGI_CD SID 3 SSID 0 Leaf
  s.submitCommand([0x46n, 0n]);
  const r = s.translate({ sid: SID, iova: VA_UNMAPPED, access: RD });
  assert.equal(r.outcome, 'fault');
  assert.equal(r.events[0].recorded, false);
  assert.equal(s.readReg('EVENTQ_PROD').value, 0n);
});

test('a stale TLB entry survives a page-table change until CMD_TLBI_NH_VA + CMD_SYNC', () => {
  const { sys, s } = bringUp();
  assert.equal(s.translate({ sid: SID, iova: VA_RW + 0x8n, access: RD }).pa, 0x9000_0008n);
  sys.mem.write64(L3_RW_ADDR, 0x9100_0f43n); // remap to 0x9100_0000 without invalidation
  const stale = s.translate({ sid: SID, iova: VA_RW + 0x8n, access: RD });
  assert.equal(stale.tlb, 'hit');
  assert.equal(stale.pa, 0x9000_0008n);
  // CMD_TLBI_NH_VA (0x12): ASID [63:48] of dword0, VMID 0; dword1 Address [63:12], Leaf [0].
  const res = s.submitCommand([0x0042_0000_0000_0012n, VA_RW | 1n]);
  assert.equal(res.commands[0].name, 'CMD_TLBI_NH_VA');
  assert.equal(res.commands[0].removed.tlb.length, 1);
  assert.equal(res.commands[0].removed.tlb[0].inputBase, VA_RW);
  s.submitCommand([0x46n, 0n]);
  const fresh = s.translate({ sid: SID, iova: VA_RW + 0x8n, access: RD });
  assert.equal(fresh.tlb, 'miss');
  assert.equal(fresh.pa, 0x9100_0008n);
});

test('CMD_TLBI_NH_ASID removes non-global entries of its ASID only; global entries stay (IHI 0070 §4.4)', () => {
  const { s } = bringUp();
  s.translate({ sid: SID, iova: VA_RW, access: RD }); // nG=1: tagged with ASID 0x42
  s.translate({ sid: SID, iova: VA_RO, access: RD }); // nG=0: global
  const other = s.submitCommand([0x0043_0000_0000_0011n, 0n]);
  assert.equal(other.commands[0].removed.tlb.length, 0);
  const mine = s.submitCommand([0x0042_0000_0000_0011n, 0n]);
  assert.equal(mine.commands[0].removed.tlb.length, 1);
  assert.equal(mine.commands[0].removed.tlb[0].inputBase, VA_RW);
  assert.equal(s.tlb.size, 1);
  // CMD_TLBI_NH_VA removes global entries for the VA whatever the ASID.
  const va = s.submitCommand([0x0099_0000_0000_0012n, VA_RO]);
  assert.equal(va.commands[0].removed.tlb.length, 1);
});

test('an STE change is not seen until CMD_CFGI_STE (config cache)', () => {
  const { sys, s } = bringUp();
  s.translate({ sid: SID, iova: VA_RW, access: RD });
  sys.mem.write64(STRTAB + BigInt(SID) * 64n, STE_BYPASS_DW0);
  const cached = s.translate({ sid: SID, iova: VA_RW, access: RD });
  assert.equal(cached.configCache, 'hit');
  assert.equal(cached.outcome, 'ok');
  assert.equal(cached.pa, 0x9000_0000n);
  // CMD_CFGI_STE (0x03): StreamID [63:32]; dword1 Leaf [0].
  const r = s.submitCommand([(BigInt(SID) << 32n) | 0x3n, 1n]);
  assert.equal(r.commands[0].removed.config.length, 2); // the STE and the CD cached through it
  s.submitCommand([0x46n, 0n]);
  const now = s.translate({ sid: SID, iova: VA_RW, access: RD });
  assert.equal(now.configCache, 'miss');
  assert.equal(now.outcome, 'bypass');
  assert.equal(now.pa, VA_RW);
});

test('CERROR_ILL: unknown opcode stops the queue until GERRORN acknowledges and PROD is written (IHI 0070 §7.1)', () => {
  const { sys, s } = bringUp();
  const consBefore = s.readReg('CMDQ_CONS').value; // 3 commands consumed by bring-up
  assert.equal(consBefore, 3n);
  const bad = s.submitCommand([0x3fn, 0n]);
  assert.equal(bad.commands[0].error, 'CERROR_ILL');
  // CONS stays at the bad command (index 3) with ERR [30:24] = CERROR_ILL (1).
  assert.equal(s.readReg('CMDQ_CONS').value, (1n << 24n) | 3n);
  assert.equal(s.readReg('GERROR').value & 1n, 1n);
  // The queue is stopped: a further command is not consumed.
  s.translate({ sid: SID, iova: VA_RW, access: RD });
  const blocked = s.submitCommand([0x0042_0000_0000_0011n, 0n]);
  assert.equal(blocked.commands.length, 0);
  assert.equal(s.tlb.size, 1);
  // Software fixes the bad slot (overwrites it with CMD_SYNC), acknowledges, and rings PROD again.
  sys.mem.write64(0x8001_0000n + 3n * 16n, 0x46n);
  s.writeReg('GERRORN', 1n);
  const resumed = s.writeReg('CMDQ_PROD', s.readReg('CMDQ_PROD').value);
  assert.deepEqual(resumed.commands?.map((c) => c.name), ['CMD_SYNC', 'CMD_TLBI_NH_ASID']);
  assert.equal(s.tlb.size, 0);
  assert.equal(s.readReg('CMDQ_CONS').value & 0xfffffn, 5n);
});

test('C_BAD_STREAMID is recorded only when SMMU_CR2.RECINVSID == 1 (IHI 0070 §6.3.12)', () => {
  const { sys, s } = bringUp();
  const r = s.translate({ sid: 16, iova: 0x1000n, access: RD }); // LOG2SIZE=4: 16 is out of range
  assert.equal(r.outcome, 'fault');
  assert.equal(r.events[0].type, 'C_BAD_STREAMID');
  assert.equal(r.events[0].recorded, false);
  assert.equal(s.readReg('EVENTQ_PROD').value, 0n);
  // CR2 is guarded by SMMUEN: disable, set RECINVSID (bit 1), enable.
  s.writeReg('CR0', 0b1100n);
  s.writeReg('CR2', 0b10n);
  s.writeReg('CR0', 0b1101n);
  const r2 = s.translate({ sid: 16, iova: 0x1000n, access: RD });
  assert.equal(r2.events[0].recorded, true);
  assert.deepEqual(eventAt(sys, 0), [0x0000_0010_0000_0002n, 0n, 0n, 0n]);
});

test('2-level stream table: L1STD.Span and L2Ptr (IHI 0070 §3.3.2)', () => {
  const { sys, s } = bringUp();
  s.writeReg('CR0', 0b1100n);
  // FMT=2-level [17:16]=1, SPLIT=8 [10:6], LOG2SIZE=16 [5:0].
  s.writeReg('STRTAB_BASE_CFG', 0x10210n);
  s.writeReg('CR0', 0b1101n);
  // SID 0x1234: L1 index 0x12, L2 index 0x34. L1STD: L2Ptr 0x8005_0000 [55:6], Span=9 (256 STEs).
  sys.mem.write64(STRTAB + 0x12n * 8n, 0x8005_0009n);
  sys.mem.write64(0x8005_0000n + 0x34n * 64n, STE_BYPASS_DW0);
  const ok = s.translate({ sid: 0x1234, iova: 0xabc000n, access: RD });
  assert.equal(ok.outcome, 'bypass');
  assert.equal(ok.ste?.addr, 0x8005_0d00n);
  // L1STD[0x13] invalid (Span 0) -> C_BAD_STREAMID.
  assert.equal(s.translate({ sid: 0x1300, iova: 0n, access: RD }).events[0].type, 'C_BAD_STREAMID');
  // Span=2: 2^(2-1) = 2 STEs; L2 index 2 is out of range.
  sys.mem.write64(STRTAB + 0x14n * 8n, 0x8006_0002n);
  assert.equal(s.translate({ sid: 0x1402, iova: 0n, access: RD }).events[0].type, 'C_BAD_STREAMID');
  sys.mem.write64(0x8006_0040n, STE_BYPASS_DW0);
  assert.equal(s.translate({ sid: 0x1401, iova: 0n, access: RD }).outcome, 'bypass');
});

test('SMMUEN=0: GBPA decides bypass or abort; GBPA needs UPDATE=1 (IHI 0070 §6.3.14)', () => {
  const { s } = bringUp();
  s.writeReg('CR0', 0b1100n);
  assert.equal(s.translate({ sid: SID, iova: 0x5000n, access: RD }).outcome, 'bypass');
  const ignored = s.writeReg('GBPA', 1n << 20n); // ABORT without UPDATE
  assert.equal(ignored.ignored, true);
  assert.equal(s.translate({ sid: SID, iova: 0x5000n, access: RD }).outcome, 'bypass');
  s.writeReg('GBPA', (1n << 31n) | (1n << 20n));
  assert.equal(s.readReg('GBPA').value, 1n << 20n); // UPDATE reads 0: the update completed
  const r = s.translate({ sid: SID, iova: 0x5000n, access: RD });
  assert.equal(r.outcome, 'aborted');
  assert.equal(r.events.length, 0);
});

test('event queue overflow: full queue loses records and toggles EVENTQ_PROD.OVFLG (IHI 0070 §7.2)', () => {
  const { sys, s } = bringUp();
  // 8-entry queue: 8 records fill it (PROD index 0, wrap 1), the 9th overflows.
  for (let i = 0; i < 9; i++) s.translate({ sid: SID, iova: VA_UNMAPPED + BigInt(i) * 0x1000n, access: RD });
  const prod = s.readReg(0x100a8).value;
  assert.equal(prod & 0xfn, 0b1000n); // index 0 with the wrap bit [3]
  assert.equal(prod >> 31n, 1n); // OVFLG
  assert.equal(sys.mem.read64(EVENTQ + 7n * 32n + 16n), VA_UNMAPPED + 7n * 0x1000n);
  // Software consumes everything and acknowledges the overflow.
  s.writeReg(0x100ac, (1n << 31n) | 0b1000n);
  s.translate({ sid: SID, iova: VA_UNMAPPED, access: RD });
  assert.equal(s.readReg(0x100a8).value, (1n << 31n) | 0b1001n);
});

test('a DMA spanning pages is translated per page; the first fault ends it', () => {
  const { s } = bringUp();
  const r = s.translate({ sid: SID, iova: VA_RW + 0xff0n, access: RD, len: 0x20n });
  assert.equal(r.outcome, 'ok');
  assert.equal(r.pages?.length, 2);
  assert.equal(r.pages?.[1].pa, 0x9000_1000n); // VA_RO page, readable
  const w = s.translate({ sid: SID, iova: VA_RW + 0xff0n, access: WR, len: 0x2000n });
  assert.equal(w.outcome, 'fault');
  assert.equal(w.pages?.length, 2); // RW page ok, RO page F_PERMISSION, unmapped page never tried
  assert.equal(w.events[0].type, 'F_PERMISSION');
});
