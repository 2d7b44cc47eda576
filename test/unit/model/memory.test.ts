import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhysicalMemory } from '../../../language-server/src/model/memory';
import { bits, setBits, MASK64 } from '../../../language-server/src/model/bits';

test('unwritten memory reads as zero and costs nothing', () => {
  const m = new PhysicalMemory();
  assert.equal(m.read64(0xffff_ffff_ffff_f000n), 0n);
  assert.equal(m.read8(0x1234n), 0);
  assert.equal(m.frameCount, 0);
});

test('64-bit little-endian round trip at addresses above 2^53', () => {
  const m = new PhysicalMemory();
  const a = (1n << 60n) + 0x1000n;
  m.write64(a, 0x0123_4567_89ab_cdefn);
  assert.equal(m.read64(a), 0x0123_4567_89ab_cdefn);
  assert.equal(m.read8(a), 0xef);
  assert.equal(m.read8(a + 7n), 0x01);
  assert.equal(m.read32(a), 0x89ab_cdefn);
  assert.equal(m.read32(a + 4n), 0x0123_4567n);
  assert.equal(m.frameCount, 1);
});

test('unaligned 64-bit access spanning two frames', () => {
  const m = new PhysicalMemory();
  m.write64(0xffcn, 0x1122_3344_5566_7788n);
  assert.equal(m.read64(0xffcn), 0x1122_3344_5566_7788n);
  assert.equal(m.read32(0x1000n), 0x1122_3344n);
  assert.equal(m.frameCount, 2);
});

test('write32 leaves the other half of the dword intact', () => {
  const m = new PhysicalMemory();
  m.write64(0x100n, MASK64);
  m.write32(0x104n, 0n);
  assert.equal(m.read64(0x100n), 0xffff_ffffn);
});

test('top of the 64-bit space does not wrap into a bigger key', () => {
  const m = new PhysicalMemory();
  m.write64(0xffff_ffff_ffff_fff8n, 5n);
  assert.equal(m.read64(0xffff_ffff_ffff_fff8n), 5n);
  assert.equal(m.read64(0n), 0n);
});

test('write observers see every write', () => {
  const m = new PhysicalMemory();
  const seen: Array<[bigint, number]> = [];
  m.onWrite({ memoryWritten: (a, s) => void seen.push([a, s]) });
  m.write64(0x10n, 1n);
  m.write32(0x20n, 1n);
  m.write8(0x30n, 1);
  assert.deepEqual(seen, [[0x10n, 8], [0x20n, 4], [0x30n, 1]]);
});

test('bits/setBits follow the spec [hi:lo] notation', () => {
  assert.equal(bits(0xabcdn, 11, 4), 0xbcn);
  assert.equal(setBits(0n, 63, 59, 0x1fn), 0xf800_0000_0000_0000n);
  assert.equal(setBits(MASK64, 3, 1, 0n), MASK64 - 0xen);
});
