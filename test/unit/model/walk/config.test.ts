import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkS1Config, checkS2Config, s1StartLevel, s2StartLevel, s2ConcatTables, ipsBits, tg0Granule, tg1Granule, levelShift,
} from '../../../../language-server/src/model/walk';
import { s1, s2 } from './helpers';

test('stage-1 start level from the input size (DDI 0487 D8.2)', () => {
  assert.equal(s1StartLevel(4, 48), 0);
  assert.equal(s1StartLevel(4, 39), 1);
  assert.equal(s1StartLevel(4, 30), 2);
  assert.equal(s1StartLevel(4, 25), 2);
  assert.equal(s1StartLevel(16, 48), 0);
  assert.equal(s1StartLevel(16, 47), 1);
  assert.equal(s1StartLevel(64, 52), 1);
  assert.equal(s1StartLevel(64, 42), 2);
  assert.equal(levelShift(4, 1), 30);
  assert.equal(levelShift(16, 2), 25);
  assert.equal(levelShift(64, 1), 42);
});

test('S2SL0 decoding per granule (IHI 0070 STE.S2SL0)', () => {
  assert.deepEqual([0, 1, 2, 3].map((v) => s2StartLevel(4, v)), [2, 1, 0, undefined]);
  assert.equal(s2StartLevel(4, 3, true), 3);
  assert.deepEqual([0, 1, 2, 3].map((v) => s2StartLevel(16, v)), [3, 2, 1, undefined]);
  assert.deepEqual([0, 1, 2, 3].map((v) => s2StartLevel(64, v)), [3, 2, 1, undefined]);
  assert.equal(s2ConcatTables(4, 40, 1), 2);
  assert.equal(s2ConcatTables(4, 43, 1), 16);
  assert.equal(s2ConcatTables(4, 39, 1), 1);
});

test('field decoders', () => {
  assert.equal(ipsBits(2), 40);
  assert.equal(ipsBits(5), 48);
  assert.equal(ipsBits(6), 52);
  assert.equal(ipsBits(7), undefined);
  assert.equal(tg0Granule(0), 4);
  assert.equal(tg0Granule(1), 64);
  assert.equal(tg0Granule(2), 16);
  assert.equal(tg1Granule(2), 4);
  assert.equal(tg1Granule(1), 16);
  assert.equal(tg1Granule(3), 64);
  assert.equal(tg1Granule(0), undefined);
});

test('checkS1Config: TxSZ limits per granule and feature', () => {
  assert.deepEqual(checkS1Config(s1()), []);
  assert.deepEqual(checkS1Config(s1({ tsz: 39 })), []);
  assert.equal(checkS1Config(s1({ tsz: 40 }))[0].field, 'CD.T0SZ');
  assert.deepEqual(checkS1Config(s1({ tsz: 48, stt: true })), []);
  assert.equal(checkS1Config(s1({ tsz: 48, granule: 64, stt: true })).length, 1, '64K max with STT is 47');
  assert.equal(checkS1Config(s1({ tsz: 15 })).length, 1);
  assert.equal(checkS1Config(s1({ tsz: 12, granule: 4, va52: true })).length, 1, '52-bit VA needs 64K here');
  assert.deepEqual(checkS1Config(s1({ tsz: 12, granule: 64, va52: true, ips: 52, lpa: true })), []);
  const bad = s1();
  bad.tt1 = { ttb: 0n, tsz: 50, granule: 4 };
  assert.equal(checkS1Config(bad)[0].field, 'CD.T1SZ');
  bad.tt1.epd = true;
  assert.deepEqual(checkS1Config(bad), [], 'a disabled range is not checked');
  assert.equal(checkS1Config(s1({ ips: 47 }))[0].field, 'CD.IPS');
});

test('checkS2Config: SL0 consistency and concatenation limit', () => {
  assert.deepEqual(checkS2Config(s2()), []);
  // 4K, 40-bit IPA at level 2 would need 2^(40-21-9) = 1024 concatenated tables.
  assert.match(checkS2Config(s2({ sl0: 0 }))[0].message, /1024 concatenated/);
  // 4K, 43-bit IPA at level 1: 16 tables, the maximum.
  assert.deepEqual(checkS2Config(s2({ tsz: 21 })), []);
  assert.equal(checkS2Config(s2({ tsz: 20 })).length, 1);
  // 4K, 32-bit IPA starting at level 0 resolves no bits at level 0.
  assert.equal(checkS2Config(s2({ tsz: 32, sl0: 2 }))[0].field, 'STE.S2SL0');
  assert.equal(checkS2Config(s2({ sl0: 3 }))[0].field, 'STE.S2SL0');
  assert.equal(checkS2Config(s2({ tsz: 16, sl0: 2, ias: 40 }))[0].field, 'STE.S2T0SZ');
  assert.equal(checkS2Config(s2({ ps: 41 }))[0].field, 'STE.S2PS');
});
