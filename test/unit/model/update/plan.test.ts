// The planner against the cases of Linux's KUnit suite (arm-smmu-v3-test.c,
// arm_smmu_v3_write_{ste,cd}_test_<from>_to_<to>): the same number of syncs, the same hitless
// verdict, the target reached, and every state after every write equal to the old or the new
// entry in the bits its own configuration reads (the suite checks this at each sync).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { planUpdate, planStates, formatPlan, tornMix, type EntryKind } from '../../../../language-server/src/model/update';
import { linuxSyncs } from './linuxRef';
import { ABORT, BYPASS, SSID0, DSS_BYPASS, CDTAB, ZERO, cdtableSte, s2Ste, nestedSte, s1Cd, svaCd } from './entries';
import { STE, CD, encode } from '../../../../language-server/src/model/fields';

function expectTransition(kind: EntryKind, from: bigint[], to: bigint[], syncs: number, hitless = true): void {
  const r = planUpdate(kind, from, to);
  assert.ok(r.ok, r.ok ? '' : r.error);
  const { plan } = r;
  assert.equal(plan.syncs, syncs, formatPlan(plan));
  assert.ok(plan.syncs <= linuxSyncs(kind, from, to), "no more syncs than Linux's order over the same used bits");
  assert.equal(plan.phases.length, syncs);
  assert.equal(plan.hitless, hitless, formatPlan(plan));
  const states = planStates(plan);
  assert.deepEqual(states.at(-1) ?? from, to);
  for (const s of states) assert.equal(tornMix(kind, from, to, s), undefined, `torn state ${s.map((w) => w.toString(16))}`);
}

const cdtable = () => cdtableSte(SSID0);
const s1dssBypass = () => cdtableSte(DSS_BYPASS);

test('bypass_to_abort / abort_to_bypass: 2 syncs each (SHCFG lives in dword 1)', () => {
  expectTransition('STE', BYPASS, ABORT, 2);
  expectTransition('STE', ABORT, BYPASS, 2);
});

test('cdtable_to_abort / abort_to_cdtable: 2 syncs each', () => {
  expectTransition('STE', cdtable(), ABORT, 2);
  expectTransition('STE', ABORT, cdtable(), 2);
});

test('cdtable_to_bypass / bypass_to_cdtable: 3 syncs each, hitless because a stage-1 STE with S1DSS = SSID0 does not read SHCFG (IHI 0070 §13.5)', () => {
  expectTransition('STE', cdtable(), BYPASS, 3);
  expectTransition('STE', BYPASS, cdtable(), 3);
});

test('cdtable_s1dss_change: flipping S1DSS only touches dword 1, one sync each way', () => {
  expectTransition('STE', cdtable(), s1dssBypass(), 1);
  expectTransition('STE', s1dssBypass(), cdtable(), 1);
});

test('s1dssbypass_to_stebypass / stebypass_to_s1dssbypass: 2 syncs each', () => {
  expectTransition('STE', s1dssBypass(), BYPASS, 2);
  expectTransition('STE', BYPASS, s1dssBypass(), 2);
});

test('s2_to_abort, abort_to_s2, s2_to_bypass, bypass_to_s2: 2 syncs each', () => {
  expectTransition('STE', s2Ste(), ABORT, 2);
  expectTransition('STE', ABORT, s2Ste(), 2);
  expectTransition('STE', s2Ste(), BYPASS, 2);
  expectTransition('STE', BYPASS, s2Ste(), 2);
});

test('s1_to_s2 / s2_to_s1 (ATS on both, and with stall): 3 syncs each', () => {
  expectTransition('STE', cdtable(), s2Ste(), 3);
  expectTransition('STE', s2Ste(), cdtable(), 3);
  expectTransition('STE', cdtableSte(SSID0, CDTAB, { stall: true }), s2Ste({ stall: true }), 3);
  expectTransition('STE', s2Ste({ stall: true }), cdtableSte(SSID0, CDTAB, { stall: true }), 3);
});

test('non_hitless: a new CD table pointer and a new S1DSS in one update go through V = 0, 3 syncs', () => {
  expectTransition('STE', cdtable(), cdtableSte(DSS_BYPASS, 0x4b4b_4000n), 3, false);
});

test('nested_s1dssbypass_to_s1bypass (3 syncs) / nested_s1bypass_to_s1dssbypass (2): MEV and EATS are update-safe', () => {
  expectTransition('STE', nestedSte(DSS_BYPASS), s2Ste({ ats: false }), 3);
  expectTransition('STE', s2Ste({ ats: false }), nestedSte(DSS_BYPASS), 2);
});

test('EATS 0b01 <-> 0b00 and MEV alone change in one sync; EATS with S2S = 1 is not update-safe', () => {
  expectTransition('STE', s2Ste({ ats: true }), s2Ste({ ats: false }), 1);
  expectTransition('STE', s2Ste(), encode(STE, { MEV: 1n }, s2Ste()), 1);
  // stage 2 with ATS -> stage 1 stalling: EATS changes with S2S on one side, so EATS is ordered
  // like any used field; still hitless (EATS goes with dword 1 before the switch)
  expectTransition('STE', s2Ste({ ats: true }), cdtableSte(SSID0, CDTAB, { stall: true, ats: false }), 3);
});

test('cd s1_clear / sva_clear: 2 syncs each, not hitless (the entry is invalid at a sync)', () => {
  expectTransition('CD', ZERO, s1Cd(1997n), 2, false);
  expectTransition('CD', s1Cd(1997n), ZERO, 2, false);
  expectTransition('CD', ZERO, svaCd(1997n), 2, false);
  expectTransition('CD', svaCd(1997n), ZERO, 2, false);
});

test('cd s1_change_asid: one sync each way', () => {
  expectTransition('CD', s1Cd(778n), s1Cd(1997n), 1);
  expectTransition('CD', s1Cd(1997n), s1Cd(778n), 1);
});

test('cd sva_release: EPD0 = 1 and TTB0 cleared, 2 syncs each way, hitless', () => {
  expectTransition('CD', svaCd(1997n), svaCd(1997n, false), 2);
  expectTransition('CD', svaCd(1997n, false), svaCd(1997n), 2);
});

test('the plan writes the critical dword alone, after the unused bits', () => {
  const r = planUpdate('STE', ABORT, BYPASS);
  assert.ok(r.ok);
  assert.deepEqual(r.plan.phases.map((p) => p.writes.map((w) => w.dword)), [[1], [0]]);
  assert.equal(r.plan.critical, 0);
  const v0 = planUpdate('STE', cdtable(), cdtableSte(DSS_BYPASS, 0x4b4b_4000n));
  assert.ok(v0.ok);
  assert.deepEqual(v0.plan.phases.map((p) => p.writes.map((w) => w.dword)), [[0], [1], [0]]);
  assert.equal(v0.plan.phases[0].writes[0].value, 0n);
  assert.match(formatPlan(v0.plan), /3 syncs, not hitless/);
});

test('no change: nothing to write, no sync', () => {
  expectTransition('STE', s2Ste(), s2Ste(), 0);
});

test('bad input: wrong length, RES0 bits, reserved encodings and ILLEGAL targets are clear errors', () => {
  const err = (kind: EntryKind, from: bigint[], to: bigint[]) => {
    const r = planUpdate(kind, from, to);
    assert.ok(!r.ok);
    return r.error;
  };
  assert.match(err('STE', [1n], ABORT), /current STE must be 8 dwords \(64 bytes\), got 1/);
  assert.match(err('STE', ABORT, [...ABORT.slice(0, 7), 1n << 64n]), /dword 7 does not fit in 64 bits/);
  assert.match(err('STE', ABORT, encode(STE, { Config: 1n }, ABORT)), /target words are not an STE: .*Config/);
  // STE.EATS == 0b11 is Reserved; S1CDMax beyond SSIDSIZE is ILLEGAL (C_BAD_STE)
  assert.match(err('STE', ABORT, encode(STE, { S1CDMax: 21n }, cdtable())), /target STE is ILLEGAL \(C_BAD_STE: STE.S1CDMax=21 exceeds/);
  assert.match(err('CD', ZERO, encode(CD, { V: 1n, AA64: 1n, A: 0n, EPD1: 1n, TG1: 2n })), /target CD is ILLEGAL \(C_BAD_CD: CD.A == 0/);
  // a Reserved encoding in a field the entry does not read is no error (CD.TG1 with EPD1 == 1)
  assert.ok(planUpdate('CD', ZERO, s1Cd(1n)).ok);
});
