// ATS Translation Requests, the function's ATC, translated transactions, CMD_ATC_INV (IHI 0070 §3.9,
// §4.6.1) and PRI page requests / CMD_PRI_RESP (IHI 0070 §8, §4.7.1). Record and command words are
// written by hand from the spec layouts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bringUp, RD, WR, SID, STRTAB, VA_RW, L3_RW_ADDR, EVENTQ } from './fixture';
import type { SmmuInstance } from '../../../../language-server/src/model/smmu/instance';

const PRIQ = 0x8005_0000n;
const STE_DW1 = STRTAB + BigInt(SID) * 64n + 8n;
/** STE.EATS is STE[93:92] = dword1 [29:28] (IHI 0070 §5.2). */
const EATS1 = 1n << 28n;

/** CMD_CFGI_STE (0x03): StreamID [63:32], Leaf dword1 [0]. */
function cfgiSte(s: SmmuInstance, sid: number): void {
  s.submitCommand([0x03n | (BigInt(sid) << 32n), 1n]);
  s.submitCommand([0x46n, 0n]);
}

function eventProd(s: SmmuInstance): bigint {
  return s.readReg(0x100a8).value & 0xffn;
}

test('ATS request -> ATC entry; translated DMA uses the ATC (stale after unmap) until CMD_ATC_INV removes it', () => {
  const { sys, s } = bringUp();
  sys.mem.write64(STE_DW1, EATS1);
  const q = s.atsRequest(SID, undefined, VA_RW + 0x123n, WR);
  assert.equal(q.outcome, 'ok', q.reason);
  // PTE_RW maps VA_RW to 0x9000_0000, 4K page, writable (AP[2:1] = 0b01).
  assert.equal(q.output, 0x9000_0123n);
  assert.equal(q.sizeLog2, 12);
  assert.equal(q.perms?.uw, true);
  assert.equal(s.atc.snapshot().length, 1);

  const t1 = s.translated({ sid: SID, iova: VA_RW + 0x10n, access: WR });
  assert.equal(t1.outcome, 'ok', t1.reason);
  assert.equal(t1.pa, 0x9000_0010n);
  assert.equal(t1.ats.atc, 'hit');

  // Unmap the page: the SMMU's tables no longer map it but the ATC still does (that is ATS).
  sys.mem.write64(L3_RW_ADDR, 0n);
  assert.equal(s.translated({ sid: SID, iova: VA_RW, access: RD }).pa, 0x9000_0000n);

  // CMD_ATC_INV (0x40): StreamID [63:32], SSV [11] = 0; dword1 Size [5:0] = 0 (one 4K page), Address [63:12].
  const inv = s.submitCommand([0x40n | (BigInt(SID) << 32n), VA_RW]);
  assert.equal(inv.commands.length, 1);
  assert.equal(inv.commands[0].error, undefined, inv.commands[0].message);
  assert.equal(inv.commands[0].atc?.length, 1);
  assert.equal(inv.commands[0].atc?.[0].base, VA_RW);
  assert.equal(s.atc.snapshot().length, 0);

  // Software also invalidates the SMMU's TLB (CMD_TLBI_NSNH_ALL 0x30 + CMD_SYNC), as it would first.
  s.submitCommand([0x30n, 0n]);
  s.submitCommand([0x46n, 0n]);
  // Now the function must ask again: the walk faults, the completion has R = W = 0, nothing is recorded.
  const before = eventProd(s);
  const t2 = s.translated({ sid: SID, iova: VA_RW, access: RD });
  assert.equal(t2.outcome, 'fault');
  assert.equal(t2.ats.atc, 'miss');
  assert.equal(t2.ats.request?.outcome, 'fault');
  assert.equal(eventProd(s), before);
});

test('CMD_ATC_INV removes exactly its range (Size = log2 of 4K pages)', () => {
  const { sys, s } = bringUp();
  sys.mem.write64(STE_DW1, EATS1);
  // Bypass-like entries are enough to exercise ranges: put four entries straight into the ATC.
  for (let i = 0n; i < 4n; i++) s.atc.insert({ sid: SID, base: 0x10_0000n + i * 0x1000n, sizeLog2: 12, output: 0x20_0000n + i * 0x1000n, split: false, perms: { ur: true, uw: true, ux: false, pr: true, pw: true, px: false }, step: 0 });
  // Size = 1: two pages, 0x10_2000 aligned down to 8K = 0x10_2000 -> removes 0x10_2000 and 0x10_3000.
  const r = s.submitCommand([0x40n | (BigInt(SID) << 32n), 0x10_2000n | 1n]);
  assert.deepEqual(r.commands[0].atc?.map((e) => e.base), [0x10_2000n, 0x10_3000n]);
  assert.deepEqual(s.atc.snapshot().map((e) => e.base), [0x10_0000n, 0x10_1000n]);
  // Another StreamID is not touched.
  const r2 = s.submitCommand([0x40n | (4n << 32n), 52n]);
  assert.equal(r2.commands[0].atc?.length, 0);
});

test('ATS request on a stream with STE.EATS == 0b00: F_BAD_ATS_TREQ recorded; translated DMA: F_TRANSL_FORBIDDEN', () => {
  const { sys, s } = bringUp();
  const q = s.atsRequest(SID, undefined, VA_RW, RD);
  assert.equal(q.outcome, 'ur');
  // Event queue slot 0: Type [7:0] = 0x05 F_BAD_ATS_TREQ, StreamID [63:32] (IHI 0070 §7.3).
  const d0 = sys.mem.read64(EVENTQ);
  assert.equal(d0 & 0xffn, 0x05n);
  assert.equal(d0 >> 32n, BigInt(SID));
  // An ATC entry left over from when EATS was 1: the SMMU now forbids the translated transaction.
  sys.mem.write64(STE_DW1, EATS1);
  assert.equal(s.atsRequest(SID, undefined, VA_RW, RD).outcome, 'ok');
  sys.mem.write64(STE_DW1, 0n);
  cfgiSte(s, SID);
  // SMMU_CR0.ATSCHK == 0: translated transactions bypass the SMMU unchecked (IHI 0070 §3.9.1.3).
  assert.equal(s.translated({ sid: SID, iova: VA_RW, access: RD }).pa, 0x9000_0000n);
  // ATSCHK [4] = 1 (with SMMUEN [0], EVENTQEN [2], CMDQEN [3]): the SMMU checks STE.EATS.
  s.writeReg('SMMU_CR0', 0b1_1101n);
  const t = s.translated({ sid: SID, iova: VA_RW, access: RD });
  assert.equal(t.outcome, 'fault');
  // F_TRANSL_FORBIDDEN is event 0x07 (IHI 0070 §7.3).
  assert.equal(t.events[0].code, 0x07);
  assert.equal(sys.mem.read64(EVENTQ + 32n) & 0xffn, 0x07n);
});

function enablePriq(s: SmmuInstance, log2 = 1n): void {
  s.writeReg('SMMU_PRIQ_BASE', PRIQ | log2);
  s.writeReg(0x100c8, 0n); // SMMU_PRIQ_PROD
  s.writeReg(0x100cc, 0n); // SMMU_PRIQ_CONS
  s.writeReg('SMMU_CR0', 0b1111n); // SMMUEN | PRIQEN | EVENTQEN | CMDQEN
}

test('PRI page request written to the PRI queue, answered by CMD_PRI_RESP', () => {
  const { sys, s } = bringUp();
  enablePriq(s);
  const r = s.pageRequest({ sid: SID, ssid: 5, addr: 0x1234_5678n, read: true, write: true, prgi: 0x1a5, last: true });
  assert.equal(r.recorded, true, r.message);
  // PRI queue entry (IHI 0070 §8.1): dword0 StreamID [31:0] = 3, SubstreamID [51:32] = 5, Read [60], Write [61],
  // L [62], SSV [63]; dword1 PRGI [8:0] = 0x1a5, Page address [63:12] = 0x12345.
  assert.equal(sys.mem.read64(PRIQ), 0xf000_0005_0000_0003n);
  assert.equal(sys.mem.read64(PRIQ + 8n), 0x1234_51a5n);
  assert.equal(s.readReg(0x100c8).value, 1n); // PRIQ_PROD advanced
  assert.equal(s.pri.pending.size, 1);
  // CMD_PRI_RESP (0x41): SSV [11], SubstreamID [31:12], StreamID [63:32]; dword1 PRGI [8:0], Resp [13:12] = 0b10 Success.
  const c = s.submitCommand([0x41n | (1n << 11n) | (5n << 12n) | (BigInt(SID) << 32n), 0x1a5n | (2n << 12n)]);
  const cmd = c.commands[0];
  assert.equal(cmd.error, undefined, cmd.message);
  assert.equal(cmd.pri?.resp, 'SUCC');
  assert.equal(cmd.pri?.group?.requests.length, 1);
  assert.equal(s.pri.pending.size, 0);
});

test('PRI queue overflow: the request is lost, PRIQ_PROD.OVFLG toggles, a last request is answered automatically', () => {
  const { s } = bringUp();
  enablePriq(s, 1n); // 2 entries
  const req = { sid: SID, addr: 0x1000n, read: true, write: false, prgi: 1, last: false };
  assert.equal(s.pageRequest(req).recorded, true);
  assert.equal(s.pageRequest({ ...req, addr: 0x2000n }).recorded, true);
  // Full: PROD index 0 with wrap 1 (wrap is bit [LOG2SIZE] = bit 1: 0b10), CONS 0.
  const r = s.pageRequest({ ...req, addr: 0x3000n, last: true });
  assert.equal(r.recorded, false);
  assert.equal(r.autoResponse, 'SUCC');
  // PRIQ_PROD: OVFLG [31] set, index+wrap unchanged (0b10).
  assert.equal(s.readReg(0x100c8).value, (1n << 31n) | 0b10n);
  // Software consumes one entry but does not acknowledge: the overflow condition still inhibits writes.
  s.writeReg(0x100cc, 1n); // SMMU_PRIQ_CONS: RD 1, OVACKFLG [31] = 0
  const r2 = s.pageRequest({ ...req, addr: 0x4000n });
  assert.equal(r2.recorded, false);
  assert.match(r2.notRecordedBecause ?? '', /overflow condition active/);
  // Acknowledged (OVACKFLG = OVFLG): the next request is written at slot 0 (PROD 0b10 -> index 0).
  s.writeReg(0x100cc, (1n << 31n) | 1n);
  const r3 = s.pageRequest({ ...req, addr: 0x5000n });
  assert.equal(r3.recorded, true);
  assert.equal(r3.queueIndex, 0);
});

test('PRI disabled (SMMU_CR0.PRIQEN == 0): discarded', () => {
  const { s } = bringUp();
  const r = s.pageRequest({ sid: SID, addr: 0x1000n, read: true, write: false, prgi: 1, last: false });
  assert.equal(r.recorded, false);
  assert.match(r.notRecordedBecause ?? '', /PRIQEN/);
});
