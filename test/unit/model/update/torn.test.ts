// Torn states: what an SMMU fetching the entry between two 64-bit writes could see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstTornWrite, tornMix, describeMix, type PlanWrite } from '../../../../language-server/src/model/update';
import { STE, encode } from '../../../../language-server/src/model/fields';
import { ABORT, BYPASS, SSID0, DSS_BYPASS, cdtableSte, s2Ste } from './entries';

/** The naive update: every changed dword, in order 0..7. */
function naive(from: bigint[], to: bigint[]): PlanWrite[] {
  return to.map((value, dword) => ({ dword, value })).filter((w) => w.value !== from[w.dword]);
}

test('abort -> bypass written in order: after dword 0 the SMMU could fetch a bypass STE with the old SHCFG', () => {
  const t = firstTornWrite('STE', ABORT, naive(ABORT, BYPASS));
  assert.ok(t);
  assert.equal(t.index, 0);
  assert.deepEqual(t.mix.fields, [{ field: 'Config', source: 'new' }, { field: 'SHCFG', source: 'old' }]);
  assert.equal(describeMix('STE', t.mix), 'STE.Config from the new value, STE.SHCFG from the old one: a configuration nobody wrote');
});

test('bypass -> abort written in order is not torn: an abort STE reads no dword 1 field that changed', () => {
  assert.equal(firstTornWrite('STE', BYPASS, naive(BYPASS, ABORT)), undefined);
});

test('new CD table and new S1DSS (Linux non_hitless case) in order: new S1ContextPtr with the old S1DSS', () => {
  const from = cdtableSte(SSID0);
  const to = cdtableSte(DSS_BYPASS, 0x4b4b_4000n);
  const t = firstTornWrite('STE', from, naive(from, to));
  assert.ok(t);
  assert.equal(t.index, 0);
  assert.deepEqual(t.mix.fields.map((f) => `${f.field}:${f.source}`), ['S1ContextPtr:new', 'S1DSS:old']);
});

test('stage 2 -> stage 1 in order: a stage-1 STE with no CD table pointer yet is a mix; an ILLEGAL mix names C_BAD_STE', () => {
  const from = s2Ste();
  const to = cdtableSte(SSID0);
  const t = firstTornWrite('STE', from, naive(from, to));
  assert.ok(t);
  assert.equal(t.index, 0);
  // Config 0b101 with S1CDMax = 8 but the old S1DSS/S1CIR... (dword 1 not written yet)
  assert.ok(t.mix.fields.some((f) => f.field === 'Config' && f.source === 'new'));
  assert.ok(t.mix.fields.some((f) => f.source === 'old'));
  // S1CDMax beyond SSIDSIZE in a mix is ILLEGAL
  const bad = encode(STE, { S1CDMax: 25n }, to);
  const mix = tornMix('STE', from, encode(STE, { S1CDMax: 25n, S1DSS: 1n }, to), bad);
  assert.ok(mix);
  assert.match(describeMix('STE', mix), /fetching it raises C_BAD_STE: STE.S1CDMax=25 exceeds/);
});

test('an invalid state (V = 0) is a deliberate break, not a torn mix', () => {
  assert.equal(tornMix('STE', cdtableSte(SSID0), ABORT, [0n, ...ABORT.slice(1)]), undefined);
});
