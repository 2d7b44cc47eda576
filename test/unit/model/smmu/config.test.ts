// STE / CD legality (IHI 0070 §5.2, §5.4), substreams (S1CDMax, S1DSS, 2-level CD tables).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bringUp, eventAt, RD, SID, STRTAB, CDADDR, CD_DW0, TTB0, VA_RW, STE_S1_DW0 } from './fixture';
import type { SmmuFeatures } from '../../../../language-server/src/model/smmu/features';

const STE_ADDR = STRTAB + BigInt(SID) * 64n;

function withSte(dwords: bigint[], features?: Partial<SmmuFeatures>) {
  const { sys, s } = bringUp(features);
  dwords.forEach((d, i) => sys.mem.write64(STE_ADDR + BigInt(i * 8), d));
  return { sys, s, r: s.translate({ sid: SID, iova: VA_RW, access: RD }) };
}

test('STE.Config 0b0xx aborts with no event; V=0 is C_BAD_STE (IHI 0070 §5.2)', () => {
  const abort = withSte([0b0001n]); // V=1, Config=0b000
  assert.equal(abort.r.outcome, 'aborted');
  assert.equal(abort.r.events.length, 0);
  const inval = withSte([0b1010n]); // V=0, Config=0b101
  assert.equal(inval.r.outcome, 'fault');
  assert.equal(inval.r.events[0].type, 'C_BAD_STE');
  assert.equal(inval.r.events[0].rule?.field, 'STE.V');
  // Config errors are always recorded: type 0x04, StreamID 3.
  assert.deepEqual(eventAt(inval.sys, 0), [0x0000_0003_0000_0004n, 0n, 0n, 0n]);
  // An illegal STE is not cached.
  assert.equal(inval.s.configCache.size, 0);
});

test('C_BAD_STE names the rule that fired', () => {
  const cases: Array<[string, bigint[], Partial<SmmuFeatures> | undefined, string]> = [
    ['stage 2 on a stage-1-only SMMU', [0b1101n], { stage2: false }, 'STE.Config'],
    ['nesting not implemented', [0b1111n], { nested: false, stage2: false }, 'STE.Config'],
    // S1CDMax=1 [63:59] with SSIDSIZE=0.
    ['S1CDMax > SSIDSIZE', [STE_S1_DW0 | (1n << 59n)], { ssidBits: 0 }, 'STE.S1CDMax'],
    // S1STALLD [91] = dword1 bit 27, stall not supported.
    ['S1STALLD without stall support', [STE_S1_DW0, 1n << 27n], { stall: 'none' }, 'STE.S1STALLD'],
    // EATS [93:92] = dword1 bits [29:28].
    ['EATS without ATS', [STE_S1_DW0, 1n << 28n], { ats: false, pri: false }, 'STE.EATS'],
    // STRW=0b10 (EL2) [95:94] without HYP.
    ['STRW EL2 without HYP', [STE_S1_DW0, 2n << 30n], { hyp: false }, 'STE.STRW'],
    // Stage 2: S2AA64 [179] = dword2 bit 51 clear.
    ['S2AA64 == 0', [0b1101n, 0n, (25n << 32n) | (1n << 38n) | (5n << 48n), 0xa000_0000n], undefined, 'STE.S2AA64'],
    // S2VMID 0x100 with 8-bit VMIDs.
    ['VMID beyond VMID16', [0b1101n, 0n, 0x100n | (25n << 32n) | (1n << 38n) | (5n << 48n) | (1n << 51n), 0xa000_0000n], { vmidBits: 8 }, 'STE.S2VMID'],
    // S2T0SZ=25 (39-bit IPA) with S2SL0=0 (start level 2): 18 bits at level 2 -> 512 tables.
    ['S2SL0 inconsistent with S2T0SZ', [0b1101n, 0n, (25n << 32n) | (5n << 48n) | (1n << 51n), 0xa000_0000n], undefined, 'STE.S2SL0'],
    // S2TG=0b10 (16K) with only 4K implemented.
    ['S2TG not implemented', [0b1101n, 0n, (25n << 32n) | (1n << 38n) | (2n << 46n) | (5n << 48n) | (1n << 51n), 0xa000_0000n], { granules: [4] }, 'STE.S2TG'],
  ];
  for (const [what, dw, f, field] of cases) {
    const { r } = withSte(dw, f);
    assert.equal(r.events[0]?.type, 'C_BAD_STE', what);
    assert.equal(r.events[0].rule?.field, field, what);
    assert.equal(r.events[0].recorded, true, what);
  }
});

test('C_BAD_CD names the rule (IHI 0070 §5.4)', () => {
  const cases: Array<[string, bigint, string]> = [
    ['V=0', CD_DW0 & ~(1n << 31n), 'CD.V'],
    ['AA64=0', CD_DW0 & ~(1n << 41n), 'CD.AA64'],
    ['A=0', CD_DW0 & ~(1n << 46n), 'CD.A'],
    ['ENDI=1', CD_DW0 | (1n << 15n), 'CD.ENDI'],
    ['T0SZ=15 below the minimum 16', (CD_DW0 & ~0x3fn) | 15n, 'CD.T0SZ'],
    ['T0SZ=40 above the maximum 39', (CD_DW0 & ~0x3fn) | 40n, 'CD.T0SZ'],
    ['TG0=0b11 Reserved', CD_DW0 | (3n << 6n), 'CD.TG0'],
    ['EPD1=0 with T1SZ=0', CD_DW0 & ~(1n << 30n), 'CD.TG1'],
  ];
  for (const [what, dw0, field] of cases) {
    const { sys, s } = bringUp();
    sys.mem.write64(CDADDR, dw0);
    const r = s.translate({ sid: SID, iova: VA_RW, access: RD });
    assert.equal(r.events[0]?.type, 'C_BAD_CD', what);
    assert.equal(r.events[0].rule?.field, field, what);
  }
  // TTB0 beyond the 48-bit IPS.
  const { sys, s } = bringUp();
  sys.mem.write64(CDADDR + 8n, 1n << 48n);
  assert.equal(s.translate({ sid: SID, iova: VA_RW, access: RD }).events[0].rule?.field, 'CD.TTB0');
});

/** STE with S1CDMax=2 (4 CDs, linear) and the given S1DSS. */
function substreams(dss: bigint) {
  const { sys, s } = bringUp();
  sys.mem.write64(STE_ADDR, STE_S1_DW0 | (2n << 59n));
  sys.mem.write64(STE_ADDR + 8n, dss); // S1DSS [65:64]
  return { sys, s };
}

test('SubstreamID selection: range, S1DSS (IHI 0070 §5.2)', () => {
  const { sys, s } = substreams(2n); // S1DSS=0b10: substream 0
  // No SSID: CD 0.
  assert.equal(s.translate({ sid: SID, iova: VA_RW, access: RD }).pa, 0x9000_0000n);
  // SSID 5 >= 2^S1CDMax: C_BAD_SUBSTREAMID (0x08), SubstreamID [31:12], StreamID [63:32].
  const bad = s.translate({ sid: SID, ssid: 5, iova: VA_RW, access: RD });
  assert.equal(bad.events[0].type, 'C_BAD_SUBSTREAMID');
  assert.equal(eventAt(sys, 0)[0] & ~0x800n, 0x0000_0003_0000_5008n);
  // SSID 0 with S1DSS=0b10 is reserved for non-substream traffic: terminated with F_STREAM_DISABLED (IHI 0070 §5.2 STE.S1DSS).
  assert.equal(s.translate({ sid: SID, ssid: 0, iova: VA_RW, access: RD }).events[0].type, 'F_STREAM_DISABLED');
  // SSID 1: CD 1 at S1ContextPtr + 64, all zero (V=0) -> C_BAD_CD.
  assert.equal(s.translate({ sid: SID, ssid: 1, iova: VA_RW, access: RD }).events[0].rule?.field, 'CD.V');
  sys.mem.write64(CDADDR + 64n, CD_DW0);
  sys.mem.write64(CDADDR + 72n, TTB0);
  const ok = s.translate({ sid: SID, ssid: 1, iova: VA_RW, access: RD });
  assert.equal(ok.outcome, 'ok');
  assert.equal(ok.cd?.addr, CDADDR + 64n);

  assert.equal(substreams(0n).s.translate({ sid: SID, iova: VA_RW, access: RD }).events[0].type, 'F_STREAM_DISABLED');
  const byp = substreams(1n).s.translate({ sid: SID, iova: VA_RW, access: RD });
  assert.equal(byp.outcome, 'bypass');
  assert.equal(byp.pa, VA_RW);
});

test('a SubstreamID with S1CDMax == 0 is C_BAD_SUBSTREAMID', () => {
  const { s } = bringUp();
  assert.equal(s.translate({ sid: SID, ssid: 1, iova: VA_RW, access: RD }).events[0].type, 'C_BAD_SUBSTREAMID');
});

test('2-level CD table, 4K leaves (S1Fmt=1: 64 CDs per L2 table); invalid L1CD is C_BAD_SUBSTREAMID', () => {
  const { sys, s } = bringUp();
  // S1CDMax=8 [63:59], S1Fmt=1 [5:4], S1ContextPtr -> L1 table at 0x8008_0000.
  sys.mem.write64(STE_ADDR, (8n << 59n) | 0x8008_0000n | 0x10n | 0xbn);
  sys.mem.write64(STE_ADDR + 8n, 1n); // S1DSS=0b01 (bypass for no-SSID traffic)
  // SSID 0x45: L1 index 1, L2 index 5. L1CD: V [0], L2Ptr [55:12].
  sys.mem.write64(0x8008_0008n, 0x8007_0001n);
  sys.mem.write64(0x8007_0000n + 5n * 64n, CD_DW0);
  sys.mem.write64(0x8007_0000n + 5n * 64n + 8n, TTB0);
  const r = s.translate({ sid: SID, ssid: 0x45, iova: VA_RW + 4n, access: RD });
  assert.equal(r.outcome, 'ok');
  assert.equal(r.cd?.addr, 0x8007_0140n);
  assert.equal(r.pa, 0x9000_0004n);
  // SSID 0x85: L1 index 2 is invalid.
  assert.equal(s.translate({ sid: SID, ssid: 0x85, iova: VA_RW, access: RD }).events[0].type, 'C_BAD_SUBSTREAMID');
});

test('CMD_CFGI_CD removes the cached CD only', () => {
  const { s } = bringUp();
  s.translate({ sid: SID, iova: VA_RW, access: RD });
  assert.equal(s.configCache.size, 2);
  const r = s.submitCommand([(BigInt(SID) << 32n) | 0x5n, 1n]);
  assert.equal(r.commands[0].removed.config.length, 1);
  assert.equal(r.commands[0].removed.config[0].kind, 'CD');
  const r2 = s.submitCommand([(BigInt(SID) << 32n) | 0x6n, 0n]); // CMD_CFGI_CD_ALL: nothing left
  assert.equal(r2.commands[0].removed.config.length, 0);
});

test('an STE fetch beyond the OAS is F_STE_FETCH with the fetch address (IHI 0070 §7.3)', () => {
  const { sys, s } = bringUp({ oas: 40 });
  s.writeReg('CR0', 0b1100n);
  s.writeReg('STRTAB_BASE', 1n << 44n);
  s.writeReg('CR0', 0b1101n);
  const r = s.translate({ sid: SID, iova: VA_RW, access: RD });
  assert.equal(r.events[0].type, 'F_STE_FETCH');
  const ev = eventAt(sys, 0);
  assert.equal(ev[0], 0x0000_0003_0000_0003n);
  assert.equal(ev[3], (1n << 44n) + BigInt(SID) * 64n); // FetchAddr [51:3] in dword3
});
