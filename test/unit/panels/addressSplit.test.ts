// Index fields of an input address per granule and level. Expected bit ranges from DDI 0487 D8.2
// (4K: 9 bits per level, L3 at [20:12]; 16K: 11 bits, L3 at [24:14]; 64K: 13 bits, L3 at [28:16]).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultStartLevel, splitAddress } from '../../../media/src/lib/addressSplit';

const ranges = (f: ReturnType<typeof splitAddress>) => f.map((x) => [x.kind === 'index' ? x.level : 'off', x.hi, x.lo]);

test('4K, 48-bit, start level 0: [47:39] [38:30] [29:21] [20:12] [11:0]', () => {
  const f = splitAddress(0x7f12_3456_7abcn, 4, 48, 0);
  assert.deepEqual(ranges(f), [[0, 47, 39], [1, 38, 30], [2, 29, 21], [3, 20, 12], ['off', 11, 0]]);
  // 0x7f12_3456_7abc = 0b0111_1111_0001_0010_0011_0100_0101_0110_0111_1010_1011_1100
  assert.deepEqual(f.map((x) => x.value), [0xfen, 0x48n, 0x1a2n, 0x167n, 0xabcn]);
});

test('16K, 48-bit: level 0 takes the single bit [47]', () => {
  assert.deepEqual(ranges(splitAddress(0n, 16, 48, 0)), [[0, 47, 47], [1, 46, 36], [2, 35, 25], [3, 24, 14], ['off', 13, 0]]);
});

test('64K, 48-bit, start level 1: [47:42] [41:29] [28:16] [15:0]', () => {
  const f = splitAddress(0xffff_ffff_ffffn, 64, 48, 1);
  assert.deepEqual(ranges(f), [[1, 47, 42], [2, 41, 29], [3, 28, 16], ['off', 15, 0]]);
  assert.deepEqual(f.map((x) => x.value), [0x3fn, 0x1fffn, 0x1fffn, 0xffffn]);
});

test('4K, 52-bit (FEAT_LPA2): five levels starting at level -1 with [51:48]', () => {
  assert.deepEqual(ranges(splitAddress(0n, 4, 52, -1)), [[-1, 51, 48], [0, 47, 39], [1, 38, 30], [2, 29, 21], [3, 20, 12], ['off', 11, 0]]);
});

test('stage 2, 4K, 40-bit IPA from level 1: concatenated start tables index [39:30]', () => {
  const f = splitAddress(1n << 39n, 4, 40, 1);
  assert.deepEqual(ranges(f)[0], [1, 39, 30]);
  assert.equal(f[0].value, 0x200n);
});

test('a single-level walk (64K, 29-bit input from level 3)', () => {
  assert.deepEqual(ranges(splitAddress(0n, 64, 29, 3)), [[3, 28, 16], ['off', 15, 0]]);
});

test('a 2M block at level 2 (4K) leaves a 21-bit offset', () => {
  const f = splitAddress(0x4012_3456n, 4, 39, 1, 2);
  assert.deepEqual(ranges(f), [[1, 38, 30], [2, 29, 21], ['off', 20, 0]]);
  assert.equal(f[2].value, 0x12_3456n);
});

test('default start level from granule and input size (DDI 0487 D8.2)', () => {
  assert.equal(defaultStartLevel(4, 48), 0);
  assert.equal(defaultStartLevel(4, 39), 1);
  assert.equal(defaultStartLevel(4, 52), -1);
  assert.equal(defaultStartLevel(16, 48), 0);
  assert.equal(defaultStartLevel(16, 47), 1);
  assert.equal(defaultStartLevel(64, 48), 1);
  assert.equal(defaultStartLevel(64, 42), 2);
});
