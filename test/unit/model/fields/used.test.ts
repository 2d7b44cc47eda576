import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STE, CD, encode, fieldByName, usedFields, changedUsedFields, usedMask, updateSafeMask } from '../../../../language-server/src/model/fields';

const STE_S1 = [0x4003000bn, 0xd4n, 0n, 0n, 0n, 0n, 0n, 0n]; // conformance: V, Config = 0b101, S1CDMax = 0
const CD_CONF = [0xab7a6205c0003524n, 0x40100000n, 0n, 0x44ff04n, 0n, 0n, 0n, 0n]; // EPD1 = 1

test('every field named by the use rules exists in its table', () => {
  // union over configurations that enable every rule
  const ste = new Set<string>();
  for (const Config of [4n, 5n, 6n, 7n]) {
    for (const n of usedFields(STE, encode(STE, { V: 1n, Config, S1CDMax: 1n, EATS: 3n }))) ste.add(n);
  }
  const cd = usedFields(CD, encode(CD, { V: 1n }));
  for (const n of ste) assert.ok(fieldByName(STE, n), `STE.${n}`);
  for (const n of cd) assert.ok(fieldByName(CD, n), `CD.${n}`);
  assert.ok(ste.has('STRW') && ste.has('S2PTW') && ste.has('DPT_VMATCH') && ste.has('S1Fmt'));
  // every non-RES0 STE field except SW_RESERVED is read in some configuration
  const unread = STE.fields.filter((f) => !f.reserved && !ste.has(f.name)).map((f) => f.name);
  assert.deepEqual(unread, ['SW_RESERVED']);
  assert.deepEqual(CD.fields.filter((f) => !f.reserved && !cd.has(f.name)).map((f) => f.name), []);
});

test('an invalid STE uses only V (IHI 0070 §5.2: other fields IGNORED)', () => {
  assert.deepEqual([...usedFields(STE, [0x4003000an])], ['V']);
});

test('stage-1-only STE with one CD: S1 fields used, S1Fmt/S1DSS and S2 fields ignored (IHI 0070 §5.2)', () => {
  const u = usedFields(STE, STE_S1);
  for (const f of ['Config', 'S1ContextPtr', 'S1CDMax', 'S1CIR', 'S1COR', 'S1CSH', 'STRW', 'S2VMID', 'EATS', 'MEV', 'PRIVCFG']) assert.ok(u.has(f), f);
  for (const f of ['S1Fmt', 'S1DSS', 'S2TTB', 'S2T0SZ', 'S2PTW', 'SW_RESERVED', 'SHCFG', 'MTCFG', 'ALLOCCFG']) assert.ok(!u.has(f), f);
});

test('SHCFG/MTCFG/ALLOCCFG (IHI 0070 §13.5, as Linux reads it): bypass and stage-2 STEs read them, a stage-1 STE only when S1DSS selects bypass', () => {
  const has = (w: bigint[], f: string) => usedFields(STE, w).has(f);
  const s1 = (S1DSS: bigint) => encode(STE, { V: 1n, Config: 5n, S1CDMax: 4n, S1DSS });
  assert.ok(has(encode(STE, { V: 1n, Config: 4n }), 'SHCFG'));
  assert.ok(has(encode(STE, { V: 1n, Config: 6n }), 'SHCFG'));
  assert.ok(has(encode(STE, { V: 1n, Config: 7n }), 'MTCFG'));
  assert.ok(has(s1(1n), 'SHCFG') && has(s1(1n), 'ALLOCCFG'));
  assert.ok(!has(s1(0n), 'SHCFG') && !has(s1(2n), 'SHCFG'));
  // abort (Config 0b000) reads none of them; MEV is read by translating STEs only
  assert.ok(!has(encode(STE, { V: 1n, Config: 0n }), 'SHCFG'));
  assert.ok(!has(encode(STE, { V: 1n, Config: 4n }), 'MEV'));
  // H_STALE_STE counts the same way: SHCFG changed under a stage-1 STE with SSID0 does not matter
  assert.deepEqual(changedUsedFields(STE, s1(2n), encode(STE, { SHCFG: 1n }, s1(2n))), []);
  assert.deepEqual(changedUsedFields(STE, s1(1n), encode(STE, { SHCFG: 2n }, s1(1n))), ['SHCFG']);
});

test('update-safe bits (Linux arm_smmu_get_ste_update_safe): MEV always, EATS 0b00<->0b01 without S2S', () => {
  const s2 = (o: Record<string, bigint>) => encode(STE, { V: 1n, Config: 6n, ...o });
  const eats = fieldByName(STE, 'EATS')!;
  const mev = fieldByName(STE, 'MEV')!;
  const safe = updateSafeMask(STE, s2({ EATS: 1n }), s2({}));
  assert.equal(safe[1], (1n << BigInt(eats.lo)) | (1n << BigInt(mev.lo)));
  assert.equal(updateSafeMask(STE, s2({ EATS: 1n, S2S: 1n }), s2({}))[1], 1n << BigInt(mev.lo));
  assert.equal(updateSafeMask(STE, s2({ EATS: 2n }), s2({}))[1], 1n << BigInt(mev.lo));
  assert.deepEqual(updateSafeMask(CD, [0n], [0n]).filter((x) => x !== 0n), []);
  // usedMask covers exactly the used fields' bits
  const m = usedMask(STE, encode(STE, { V: 1n, Config: 0n }));
  assert.deepEqual(m.slice(2), [0n, 0n, 0n, 0n, 0n, 0n]);
  assert.equal(m[0], 0xfn); // V[0], Config[3:1]
  assert.equal(m[1], 0xfn << 13n); // CONT, STE[80:77] (may be obeyed even for Config 0b000)
});

test('changes that matter: ignored fields do not count, used ones do', () => {
  assert.deepEqual(changedUsedFields(STE, STE_S1, encode(STE, { S2TTB: 0x8000_0000n }, STE_S1)), []);
  assert.deepEqual(changedUsedFields(STE, STE_S1, encode(STE, { SW_RESERVED: 5n }, STE_S1)), []);
  assert.deepEqual(changedUsedFields(STE, STE_S1, encode(STE, { S1ContextPtr: 0x40031000n }, STE_S1)), ['S1ContextPtr']);
  // Config 0b101 -> 0b110: S2 fields become used; the zero S2TTB is unchanged, so only Config differs
  assert.deepEqual(changedUsedFields(STE, STE_S1, encode(STE, { Config: 6n }, STE_S1)), ['Config']);
  // CD with EPD1 = 1: TTB1 is IGNORED, TTB0 is not
  assert.deepEqual(changedUsedFields(CD, CD_CONF, encode(CD, { TTB1: 0x5000_0000n }, CD_CONF)), []);
  assert.deepEqual(changedUsedFields(CD, CD_CONF, encode(CD, { TTB0: 0x5000_0000n }, CD_CONF)), ['TTB0']);
  // making TTB1 live (EPD1 0) counts EPD1 and, once used, the TTB1 that changed with it
  assert.deepEqual(changedUsedFields(CD, CD_CONF, encode(CD, { EPD1: 0n, TTB1: 0x5000_0000n }, CD_CONF)), ['EPD1', 'TTB1']);
});
