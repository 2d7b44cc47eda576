// Stage 2 only, nested (with CD fetch through stage 2), stall, and several instances sharing memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bringUp, enable, eventAt, RD, WR, SID, STRTAB, CD_DW0 } from './fixture';
import { SmmuSystem } from '../../../../language-server/src/model/smmu/system';

const STE_ADDR = STRTAB + BigInt(SID) * 64n;
const S2TTB = 0xa000_0000n;

/**
 * STE dword2 for stage 2 (IHI 0070 §5.2): S2VMID [143:128], S2T0SZ=25 (39-bit IPA) [165:160],
 * S2SL0=1 (4K: start level 1) [167:166], S2TG=0 (4K) [175:174], S2PS=0b101 (48 bits) [178:176],
 * S2AA64 [179], S2R [186].
 */
function s2dw2(vmid: number): bigint {
  return 0x040d_0059_0000_0000n | BigInt(vmid);
}

/** Stage-2 tables: L1[1] -> L2 at 0xa000_1000; L2[0] -> L3 at 0xa000_2000; L3[1]: IPA 0x4000_1000 -> PA 0xb000_0000. */
function writeS2Tables(sys: SmmuSystem, l2: 'l3' | 'block'): void {
  sys.mem.write64(S2TTB + 8n, 0xa000_1003n);
  if (l2 === 'l3') {
    sys.mem.write64(0xa000_1000n, 0xa000_2003n);
    // Stage-2 page: OA 0xb000_0000, AF [10], SH=0b11 [9:8], S2AP=0b11 (RW) [7:6], MemAttr=0b1111 [5:2].
    sys.mem.write64(0xa000_2008n, 0xb000_07ffn);
  } else {
    // Level-2 block: IPA 0x4000_0000..0x401f_ffff -> PA 0xb000_0000 (bits [1:0] = 0b01).
    sys.mem.write64(0xa000_1000n, 0xb000_07fdn);
  }
}

test('stage 2 only (STE.Config=0b110): IPA -> PA, TLB entry tagged by VMID', () => {
  const { sys, s } = bringUp();
  writeS2Tables(sys, 'l3');
  sys.mem.write64(STE_ADDR, 0b1101n); // V, Config=0b110
  sys.mem.write64(STE_ADDR + 16n, s2dw2(5));
  sys.mem.write64(STE_ADDR + 24n, S2TTB); // S2TTB [247:196] = dword3 [55:4]
  const r = s.translate({ sid: SID, iova: 0x4000_1234n, access: WR });
  assert.equal(r.outcome, 'ok');
  assert.equal(r.pa, 0xb000_0234n);
  assert.equal(r.walks.stage2?.startLevel, 1);
  assert.equal(r.tlbEntry?.kind, 's2');
  assert.equal(r.tlbEntry?.vmid, 5);
  // Unmapped IPA: F_TRANSLATION at stage 2, S2=1, CLASS=IN, IPA in dword3.
  const f = s.translate({ sid: SID, iova: 0x4000_3abcn, access: RD });
  assert.equal(f.outcome, 'fault');
  const ev = eventAt(sys, 0);
  assert.equal(ev[0], 0x0000_0003_0000_0010n);
  assert.equal(ev[1], 0x0000_0288_0000_0000n); // RnW [35] | S2 [39] | CLASS=IN [41:40]
  assert.equal(ev[2], 0x4000_3abcn);
  assert.equal(ev[3], 0x4000_3000n); // IPA [51:12]
  // CMD_TLBI_S12_VMALL (0x28) VMID [47:32]: removes the VMID's entries only.
  assert.equal(s.submitCommand([(4n << 32n) | 0x28n, 0n]).commands[0].removed.tlb.length, 0);
  assert.equal(s.submitCommand([(5n << 32n) | 0x28n, 0n]).commands[0].removed.tlb.length, 1);
});

test('nested: stage-1 tables and CD at IPAs, combined TLB entry', () => {
  const { sys, s } = bringUp();
  writeS2Tables(sys, 'block'); // IPA 0x4000_0000+x -> PA 0xb000_0000+x
  // CD at IPA 0x4000_0000 (PA 0xb000_0000); TTB0 = IPA 0x4000_1000.
  sys.mem.write64(0xb000_0000n, CD_DW0);
  sys.mem.write64(0xb000_0008n, 0x4000_1000n);
  // Stage-1 tables at IPAs (written at their PAs): VA 0x5000 -> L0[0], L1[0], L2[0], L3[5].
  sys.mem.write64(0xb000_1000n, 0x4000_2003n);
  sys.mem.write64(0xb000_2000n, 0x4000_3003n);
  sys.mem.write64(0xb000_3000n, 0x4000_4003n);
  sys.mem.write64(0xb000_4000n + 5n * 8n, 0x4010_0743n); // page: output IPA 0x4010_0000, AP RW EL0
  sys.mem.write64(STE_ADDR, 0x4000_0000n | 0b1111n); // S1ContextPtr (IPA), V, Config=0b111
  sys.mem.write64(STE_ADDR + 16n, s2dw2(7));
  sys.mem.write64(STE_ADDR + 24n, S2TTB);
  const r = s.translate({ sid: SID, iova: 0x5123n, access: WR });
  assert.equal(r.outcome, 'ok', r.reason);
  assert.equal(r.pa, 0xb010_0123n);
  assert.equal(r.cd?.addr, 0xb000_0000n);
  assert.equal(r.walks.cdFetch?.length, 1);
  assert.equal(r.walks.stage1?.steps[0].descPa, 0xb000_1000n);
  assert.ok(r.walks.stage1?.steps[0].s2Walk);
  assert.equal(r.tlbEntry?.kind, 'nested');
  assert.equal(r.tlbEntry?.ipaBase, 0x4010_0000n);
  const hit = s.translate({ sid: SID, iova: 0x5456n, access: RD });
  assert.equal(hit.tlb, 'hit');
  assert.equal(hit.pa, 0xb010_0456n);
});

test('nested: a stage-2 fault on the CD fetch is reported with S2=1, CLASS=CD, IPA = CD address', () => {
  const { sys, s } = bringUp();
  writeS2Tables(sys, 'block');
  // S1ContextPtr = IPA 0x5000_0000: L2 index 0x80 of the stage-2 table is invalid.
  sys.mem.write64(STE_ADDR, 0x5000_0000n | 0b1111n);
  sys.mem.write64(STE_ADDR + 16n, s2dw2(7));
  sys.mem.write64(STE_ADDR + 24n, S2TTB);
  const r = s.translate({ sid: SID, iova: 0x5000n, access: RD });
  assert.equal(r.outcome, 'fault');
  assert.equal(r.events[0].type, 'F_TRANSLATION');
  const ev = eventAt(sys, 0);
  // RnW [35] | S2 [39] | CLASS=CD (0b00) [41:40].
  assert.equal(ev[1], 0x0000_0088_0000_0000n);
  assert.equal(ev[2], 0x5000n);
  assert.equal(ev[3], 0x5000_0000n);
});

test('stall (CD.S=1): the fault is recorded with Stall and STAG, the transaction waits for CMD_RESUME (IHI 0070 §3.12)', () => {
  const { sys, s } = bringUp();
  sys.mem.write64(0x8003_0000n, CD_DW0 | (1n << 44n)); // CD.S
  const r = s.translate({ sid: SID, iova: 0x1234_7010n, access: RD }); // unmapped
  assert.equal(r.outcome, 'stalled');
  assert.equal(s.stalled.length, 1);
  const ev = eventAt(sys, 0);
  assert.equal(ev[1] >> 31n & 1n, 1n); // Stall [95] = dword1 bit 31
  const stag = ev[1] & 0xffffn; // STAG [79:64]
  assert.equal(stag, BigInt(r.stag!));
  // Map the page, then CMD_RESUME (0x44): StreamID [63:32], Action=retry [12]; STAG in dword1 [15:0].
  sys.mem.write64(0x8004_3000n + 0x147n * 8n, 0x9000_2743n);
  const res = s.submitCommand([(BigInt(SID) << 32n) | (1n << 12n) | 0x44n, stag]);
  assert.equal(res.commands[0].resumed?.[0].outcome, 'ok');
  assert.equal(res.commands[0].resumed?.[0].pa, 0x9000_2010n);
  assert.equal(s.stalled.length, 0);
  // A second stall, terminated by CMD_STALL_TERM (0x45).
  s.translate({ sid: SID, iova: 0x1234_8000n, access: RD });
  assert.equal(s.stalled.length, 1);
  s.submitCommand([(BigInt(SID) << 32n) | 0x45n, 0n]);
  assert.equal(s.stalled.length, 0);
});

test('CMD_RESUME without stall support is CERROR_ILL', () => {
  const { s } = bringUp({ stall: 'none' });
  assert.equal(s.submitCommand([0x44n, 0n]).commands[0].error, 'CERROR_ILL');
});

test('two instances share a stage-2 table with different VMIDs; invalidation is per instance', () => {
  const sys = new SmmuSystem();
  writeS2Tables(sys, 'l3');
  const a = sys.getOrCreate('a');
  const b = sys.getOrCreate('b');
  // Each instance has its own stream table (and queues) in memory.
  for (const [inst, base, vmid] of [[a, STRTAB, 1], [b, 0x8100_0000n, 2]] as const) {
    sys.mem.write64(base + BigInt(SID) * 64n, 0b1101n);
    sys.mem.write64(base + BigInt(SID) * 64n + 16n, s2dw2(vmid));
    sys.mem.write64(base + BigInt(SID) * 64n + 24n, S2TTB);
    inst.writeReg('STRTAB_BASE', base);
    inst.writeReg('STRTAB_BASE_CFG', 4n);
    inst.writeReg('CMDQ_BASE', (base + 0x10000n) | 4n);
    inst.writeReg('EVENTQ_BASE', (base + 0x20000n) | 3n);
    inst.writeReg('CR0', 0b1101n);
  }
  assert.equal(a.translate({ sid: SID, iova: 0x4000_1000n, access: RD }).pa, 0xb000_0000n);
  assert.equal(b.translate({ sid: SID, iova: 0x4000_1000n, access: RD }).pa, 0xb000_0000n);
  assert.equal(a.tlb.snapshot()[0].vmid, 1);
  assert.equal(b.tlb.snapshot()[0].vmid, 2);
  const removed = a.submitCommand([0x30n, 0n]).commands[0].removed.tlb; // CMD_TLBI_NSNH_ALL on a
  assert.equal(removed.length, 1);
  assert.equal(a.tlb.size, 0);
  assert.equal(b.tlb.size, 1);
});

test('snapshot: registers decoded, caches, event queue contents, stalled list, last transaction', () => {
  const { s } = bringUp();
  s.translate({ sid: SID, iova: 0x1234_7000n, access: RD }); // F_TRANSLATION recorded
  const snap = s.snapshot();
  assert.equal(snap.enabled, true);
  assert.equal(snap.registers.find((r) => r.name === 'SMMU_CR0')?.fields.SMMUEN, 1n);
  assert.equal(snap.eventQueue.length, 1);
  assert.equal(snap.eventQueue[0].type, 'F_TRANSLATION');
  assert.equal(snap.eventQueue[0].fields.InputAddr, 0x1234_7000n);
  assert.equal(snap.configCache.length, 2);
  assert.equal(snap.lastTransaction?.outcome, 'fault');
  // Software consumes the record: the queue view empties.
  s.writeReg(0x100ac, s.readReg(0x100a8).value);
  assert.equal(s.snapshot().eventQueue.length, 0);
});

test('dry run: reports the translation without filling caches or writing events', () => {
  const { sys, s } = bringUp();
  const r = s.translate({ sid: SID, iova: 0x1234_5008n, access: RD }, { dryRun: true });
  assert.equal(r.pa, 0x9000_0008n);
  assert.equal(s.tlb.size, 0);
  assert.equal(s.configCache.size, 0);
  const f = s.translate({ sid: SID, iova: 0x1234_7000n, access: RD }, { dryRun: true });
  assert.equal(f.outcome, 'fault');
  assert.equal(s.readReg(0x100a8).value, 0n);
  assert.deepEqual(eventAt(sys, 0), [0n, 0n, 0n, 0n]);
});

test('enable() helper used by other tests is a driver bring-up: CMDQ consumed, SMMUEN set', () => {
  const sys = new SmmuSystem();
  const s = sys.getOrCreate('x');
  enable(s);
  assert.equal(s.readReg('CMDQ_CONS').value, 3n);
  assert.equal(s.readReg('CR0ACK').value, 0b1101n);
});
