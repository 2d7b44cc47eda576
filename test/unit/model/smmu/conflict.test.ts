// TLB and configuration cache conflicts (IHI 0070 §3.20, §3.21.1 break-before-make levels, §5.2
// STE.CONT, §7.3.17 F_TLB_CONFLICT, §7.3.18 F_CFG_CONFLICT), on the fixture's driver-style bring-up.
// Expected record words are worked out from the layouts: Type dword0[7:0], StreamID dword0[63:32],
// Reason dword1[31:0], RnW dword1[35], InputAddr dword2.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SmmuFeatures } from '../../../../language-server/src/model/smmu/features';
import { bringUp, eventAt, RD, SID, STRTAB, STE_S1_DW0, VA_RW, VA_RO } from './fixture';

/** L2[0x91] (the table descriptor over VA_RW and VA_RO) in the fixture's tables. */
const L2_ADDR = 0x8004_2000n + 0x91n * 8n;
/** A 2 MB block at OA 0x9000_0000: nG [11], AF [10], SH=0b11 [9:8], AP[2:1]=0b01 [7:6], block [1:0]=0b01. */
const BLOCK = 0x9000_0f41n;
/** nT, bit 16 of a Block descriptor (IHI 0070 §3.21.1). */
const NT = 1n << 16n;

/** A 4K page cached, then its table descriptor replaced by a block without break-before-make, then
 * another page of the block walked: the TLB holds a 4K and a 2M entry for VA_RW. */
function collapseWithoutBbm(features: Partial<SmmuFeatures>, block = BLOCK) {
  const fx = bringUp(features);
  const { s, sys } = fx;
  assert.equal(s.translate({ sid: SID, iova: VA_RW, access: RD }).pa, 0x9000_0000n);
  sys.mem.write64(L2_ADDR, block);
  const other = s.translate({ sid: SID, iova: VA_RO, access: RD });
  assert.equal(other.outcome, 'ok');
  assert.equal(other.pa, 0x9014_6000n, 'VA_RO is walked through the new block');
  return { ...fx, other };
}

test('BBML 0, conflicts detected: a lookup matching a 4K and a 2M entry aborts with F_TLB_CONFLICT (IHI 0070 §3.20.1)', () => {
  const { s, sys } = collapseWithoutBbm({ version: '3.1' });
  assert.equal(s.features.bbml, 0);
  const r = s.translate({ sid: SID, iova: VA_RW, access: RD });
  assert.equal(r.outcome, 'fault');
  assert.equal(r.pa, undefined);
  assert.deepEqual(r.events.map((e) => e.type), ['F_TLB_CONFLICT']);
  assert.equal(r.used.tlbEntries.length, 2, 'both matching entries are reported');
  // Not a translation fault: recorded although nothing asks for it (no CD.R / stall for this event).
  const ev = eventAt(sys, 0);
  assert.equal(ev[0] & 0xffn, 0x20n);
  assert.equal(ev[0] >> 32n, BigInt(SID));
  assert.equal(ev[1] & 0xffff_ffffn, 2n, 'Reason: the number of matching entries (this model\'s IMPLEMENTATION DEFINED value)');
  assert.equal((ev[1] >> 35n) & 1n, 1n, 'RnW: read');
  assert.equal((ev[1] >> 39n) & 1n, 0n, 'S2: stage-1 entries');
  assert.equal(ev[2], VA_RW);
});

test('a TLBI by VA removes every matching entry: after it and CMD_SYNC the block translates (IHI 0070 §3.21.1.3)', () => {
  const { s } = collapseWithoutBbm({ version: '3.1' });
  // CMD_TLBI_NH_VA (0x12): ASID [63:48], VMID [47:32] of dword0; Address [63:12] of dword1.
  const c = s.submitCommand([0x12n | (0x42n << 48n), VA_RW]);
  assert.equal(c.commands[0].removed.tlb.length, 2);
  s.submitCommand([0x46n, 0n]);
  const r = s.translate({ sid: SID, iova: VA_RW, access: RD });
  assert.equal(r.outcome, 'ok');
  assert.equal(r.pa, 0x9014_5000n);
});

test('tlbconflict undetected: one of the matches is used (the 4K page), no event', () => {
  const { s } = collapseWithoutBbm({ version: '3.1', tlbConflict: 'undetected' });
  const r = s.translate({ sid: SID, iova: VA_RW, access: RD });
  assert.equal(r.outcome, 'ok');
  assert.equal(r.pa, 0x9000_0000n);
  assert.deepEqual(r.events, []);
});

test('BBML 2 (SMMUv3.2 default) resolves the multi-match itself and never raises F_TLB_CONFLICT (IHI 0070 §3.21.1.3)', () => {
  const { s } = collapseWithoutBbm({});
  assert.equal(s.features.bbml, 2);
  const r = s.translate({ sid: SID, iova: VA_RW, access: RD });
  assert.equal(r.outcome, 'ok');
  assert.deepEqual(r.events, []);
});

test('BBML 1: a Block descriptor with nT == 1 is not cached, so it cannot conflict (IHI 0070 §3.21.1.2)', () => {
  const { s, other } = collapseWithoutBbm({ bbml: 1 }, BLOCK | NT);
  assert.equal(other.tlbEntry, undefined);
  assert.match(other.reason ?? '', /nT == 1/);
  assert.equal(s.tlb.size, 1, 'only the old 4K entry');
  const r = s.translate({ sid: SID, iova: VA_RO, access: RD });
  assert.equal(r.tlb, 'miss', 'walked again: never cached');
  // VA_RW still hits its one (stale) 4K entry: no conflict.
  assert.equal(s.translate({ sid: SID, iova: VA_RW, access: RD }).pa, 0x9000_0000n);
});

test('BBML 1 without nT: the block is cached and the lookup conflicts', () => {
  const { s } = collapseWithoutBbm({ bbml: 1 });
  assert.deepEqual(s.translate({ sid: SID, iova: VA_RW, access: RD }).events.map((e) => e.type), ['F_TLB_CONFLICT']);
});

test('a dry run reports the conflict without recording it', () => {
  const { s, sys } = collapseWithoutBbm({ version: '3.0' });
  const r = s.translate({ sid: SID, iova: VA_RW, access: RD }, { dryRun: true });
  assert.equal(r.events[0]?.type, 'F_TLB_CONFLICT');
  assert.equal(r.events[0].recorded, false);
  assert.equal(eventAt(sys, 0)[0], 0n);
});

// ---- STE.CONT and F_CFG_CONFLICT ----

/** The fixture's STE with CONT (bits [80:77] = dword1 [16:13]). */
const cont = (n: bigint) => n << 13n;
const SID2 = SID - 1; // 2: with SID 3, the aligned span of CONT == 1
/** A second STE for StreamID 2 that differs from the fixture's (stage-1 bypass, Config 0b100). */
const STE_BYPASS = 0b1001n;

function spanSetup(features: Partial<SmmuFeatures>) {
  const fx = bringUp({ steCont: 'honour', ...features });
  const { s, sys } = fx;
  sys.mem.write64(STRTAB + BigInt(SID2) * 64n, STE_BYPASS);
  // StreamID 2 is cached with its own STE (CONT 0).
  assert.equal(s.translate({ sid: SID2, iova: 0x5000n, access: RD }).outcome, 'bypass');
  // StreamID 3's STE is marked as a span of 2 (StreamIDs 2-3), wrongly: STE 2 differs. CFGI + SYNC done right.
  sys.mem.write64(STRTAB + BigInt(SID) * 64n + 8n, cont(1n));
  s.submitCommand([0x3n | (BigInt(SID) << 32n), 0n]); // CMD_CFGI_STE
  s.submitCommand([0x46n, 0n]);
  assert.equal(s.translate({ sid: SID, iova: VA_RW, access: RD }).pa, 0x9000_0000n);
  return fx;
}

test('STE.CONT honoured: a StreamID matching its own STE and a differing span entry aborts with F_CFG_CONFLICT (IHI 0070 §3.20.2)', () => {
  const { s, sys } = spanSetup({});
  const r = s.translate({ sid: SID2, iova: 0x5000n, access: RD });
  assert.equal(r.outcome, 'fault');
  assert.deepEqual(r.events.map((e) => e.type), ['F_CFG_CONFLICT']);
  assert.equal(r.used.configEntries.length, 2);
  const ev = eventAt(sys, 0);
  assert.equal(ev[0] & 0xffn, 0x21n);
  assert.equal(ev[0] >> 32n, BigInt(SID2));
  assert.equal(ev[1] & 0xffff_ffffn, 2n);
});

test('cfgconflict undetected: the StreamID uses its own STE', () => {
  const { s } = spanSetup({ cfgConflict: 'undetected' });
  assert.equal(s.translate({ sid: SID2, iova: 0x5000n, access: RD }).outcome, 'bypass');
});

test('a StreamID of the span with no entry of its own uses the span entry: the neighbouring STE (IHI 0070 §5.2 STE.CONT)', () => {
  const { s, sys } = bringUp({ steCont: 'honour' });
  sys.mem.write64(STRTAB + BigInt(SID2) * 64n, STE_BYPASS);
  sys.mem.write64(STRTAB + BigInt(SID) * 64n + 8n, cont(1n));
  assert.equal(s.translate({ sid: SID, iova: VA_RW, access: RD }).outcome, 'ok');
  const span = s.configCache.entries().find((e) => e.kind === 'STE')!;
  const r = s.translate({ sid: SID2, iova: VA_RW, access: RD });
  assert.equal(r.ste?.cacheId, span.id, 'the STE came from the span entry, not a fetch');
  assert.equal(r.ste?.addr, STRTAB + BigInt(SID) * 64n, "StreamID 3's STE, not StreamID 2's bypass");
  assert.equal(r.pa, 0x9000_0000n);
  // CMD_CFGI_STE of any StreamID of the span removes the span entry.
  assert.equal(s.submitCommand([0x3n | (BigInt(SID2) << 32n), 0n]).commands[0].removed.config.filter((e) => e.kind === 'STE').length, 1);
});

test('STE.CONT ignored (the default): every StreamID uses its own STE', () => {
  const { s, sys } = bringUp({});
  sys.mem.write64(STRTAB + BigInt(SID2) * 64n, STE_BYPASS);
  sys.mem.write64(STRTAB + BigInt(SID) * 64n + 8n, cont(1n));
  s.translate({ sid: SID, iova: VA_RW, access: RD });
  assert.equal(s.translate({ sid: SID2, iova: VA_RW, access: RD }).outcome, 'bypass');
});

test('identical STEs (but for CONT) in a span never conflict', () => {
  const { s, sys } = bringUp({ steCont: 'honour' });
  sys.mem.write64(STRTAB + BigInt(SID2) * 64n, STE_S1_DW0);
  s.translate({ sid: SID2, iova: VA_RW, access: RD }); // own entry, CONT 0
  sys.mem.write64(STRTAB + BigInt(SID) * 64n + 8n, cont(1n));
  s.translate({ sid: SID, iova: VA_RW, access: RD }); // span entry, CONT 1
  const r = s.translate({ sid: SID2, iova: VA_RW, access: RD });
  assert.equal(r.outcome, 'ok');
  assert.equal(r.pa, 0x9000_0000n);
});

test('a span is capped by the Stream table size (IHI 0070 §5.2 STE.CONT)', () => {
  const { s, sys } = bringUp({ steCont: 'honour' });
  sys.mem.write64(STRTAB + BigInt(SID) * 64n + 8n, cont(15n)); // 2^15 StreamIDs; the table has 2^4
  s.translate({ sid: SID, iova: VA_RW, access: RD });
  const e = s.configCache.entries().find((x) => x.kind === 'STE')!;
  assert.equal(e.span, 4);
  assert.equal(e.spanBase, 0);
});
