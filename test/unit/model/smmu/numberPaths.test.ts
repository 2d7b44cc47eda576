// The hot path's number forms of 64-bit arithmetic (pipeline/record.ts blockAddr and inOneBlock,
// walk/levels.ts join64, walk/leaf.ts leafAttrs) against the plain BigInt rule, over the whole 64-bit
// range and at the 2^53 boundary where the number path must hand over to BigInts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { blockAddr, inOneBlock } from '../../../../language-server/src/model/smmu/pipeline/record';
import { join64 } from '../../../../language-server/src/model/walk/levels';
import { leafAttrs } from '../../../../language-server/src/model/walk/leaf';
import { PTE_HI, PTE_LO } from '../../../../language-server/src/model/fields/pte';

const { AF, nG, nT } = PTE_LO;
const { Contiguous, DBM } = PTE_HI;

const M64 = (1n << 64n) - 1n;
const mask = (n: number) => (1n << BigInt(n)) - 1n;
/** 64-bit values, dense around 2^52, 2^53 and 2^64 (where exact doubles end). */
const u64 = fc.oneof(
  fc.bigInt({ min: 0n, max: M64 }),
  fc.bigInt({ min: 0n, max: (1n << 53n) + 4096n }),
  fc.bigInt({ min: -4096n, max: 4096n }).map((d) => (1n << 53n) + d),
  fc.bigInt({ min: -4096n, max: 4096n }).map((d) => (1n << 52n) + d),
  fc.bigInt({ min: 0n, max: 4096n }).map((d) => M64 - d),
).filter((v) => v >= 0n && v <= M64);
const shift = fc.integer({ min: 12, max: 64 });

test('blockAddr is outputBase + (addr mod 2^shift) for every 64-bit value', () => {
  fc.assert(fc.property(u64, u64, shift, (ob, addr, s) => {
    const base = ob & ~mask(s) & M64;
    assert.equal(blockAddr(base, addr, s), base + (addr & mask(s)));
  }), { numRuns: 20_000 });
  // At the edges: the last exact sum, the first that is not, an address above 2^53 with a small PA.
  assert.equal(blockAddr((1n << 53n) - 4096n, 0xfffn, 12), (1n << 53n) - 1n);
  assert.equal(blockAddr(1n << 53n, 0x1n, 12), (1n << 53n) + 1n);
  assert.equal(blockAddr(0x4000_0000n, (1n << 60n) + 0x123n, 12), 0x4000_0123n);
  assert.equal(blockAddr(0x4000_0000n, (1n << 53n) + 0x7n, 30), 0x4000_0007n);
});

test('inOneBlock says whether [addr, addr + len) stays in the block of addr', () => {
  const len = fc.oneof(fc.bigInt({ min: 1n, max: 1n << 16n }), fc.bigInt({ min: 1n, max: 1n << 64n }));
  fc.assert(fc.property(u64, len, shift, (addr, l, s) => {
    const end = addr + l > 1n << 64n ? 1n << 64n : addr + l;
    const regionEnd = (addr | mask(s)) + 1n;
    // An early exit only: true implies the translation's first region covers the whole DMA.
    if (inOneBlock(addr, l, s)) assert.ok(regionEnd >= end);
    else if (addr + l <= 1n << 64n) assert.ok(regionEnd < end);
  }), { numRuns: 20_000 });
  assert.equal(inOneBlock(0x1ff8n, 8n, 12), true);
  assert.equal(inOneBlock(0x1ff8n, 9n, 12), false);
  assert.equal(inOneBlock((1n << 53n) - 8n, 8n, 12), true);
  assert.equal(inOneBlock((1n << 53n) - 8n, 9n, 12), false);
});

test('join64 is hi * 2^32 + lo for every pair of 32-bit halves', () => {
  const word = fc.oneof(fc.integer({ min: 0, max: 0xffff_ffff }), fc.constantFrom(0, 1, 0x1f_ffff, 0x20_0000, 0x20_0001, 0xffff_ffff));
  fc.assert(fc.property(word, word, (hi, lo) => {
    assert.equal(join64(hi, lo), (BigInt(hi) << 32n) | BigInt(lo));
    assert.equal(join64(hi | 0, lo | 0), (BigInt(hi) << 32n) | BigInt(lo)); // signed int32 halves too
  }), { numRuns: 20_000 });
});

test('leafAttrs: one frozen record per attribute set, equal to the fields it decodes (DDI 0487 D8.5)', () => {
  const lo = 0x0000_0f47; // AttrIndx 1, AP 0b01, SH 0b11, AF, nG, page
  const a = leafAttrs(1, lo, 0, lo, 3, true);
  assert.deepEqual({ ...a }, { attrIndx: 1, sh: 3, nG: true, af: true, contiguous: false, dbm: false, nT: false });
  assert.ok(Object.isFrozen(a));
  assert.equal(leafAttrs(1, lo, 0x1234, lo, 3, true), a); // bits outside the attributes: the same record
  assert.equal(leafAttrs(1, lo, 0, lo, 3, false).nG, false); // EL2: no nG tagging
  assert.equal(leafAttrs(1, lo & ~AF, 0, lo & ~AF, 3, true).af, false);
  assert.equal(leafAttrs(1, lo, 0, lo & ~AF, 3, true).af, false); // AF after the HTTU update
  assert.equal(leafAttrs(1, lo, Contiguous, lo, 3, true).contiguous, true);
  assert.equal(leafAttrs(1, lo, DBM, lo, 3, true).dbm, true);
  assert.equal(leafAttrs(1, lo | nT, 0, lo | nT, 2, true).nT, true); // blocks only
  assert.equal(leafAttrs(1, lo | nT, 0, lo | nT, 3, true).nT, false);
  const s2 = leafAttrs(2, 0x4ff, 0, 0x4ff, 3, true); // MemAttr 0b1111, S2AP RW, SH 0b00 ... AF
  assert.deepEqual({ ...s2 }, { memAttr: 0xf, sh: 0, nG: false, af: true, contiguous: false, dbm: false, nT: false });
  // Every combination decodes to its own fields.
  for (let m = 0; m < 16; m++) for (let sh = 0; sh < 4; sh++) for (const af of [0, AF]) for (const ng of [0, nG]) {
    const l = (m << 2) | (sh << 8) | af | ng | 3;
    const x = leafAttrs(1, l, 0, l, 3, true);
    assert.deepEqual([x.attrIndx, x.sh, x.af, x.nG], [m & 7, sh, af !== 0, ng !== 0]);
    const y = leafAttrs(2, l, 0, l, 3, true);
    assert.deepEqual([y.memAttr, y.sh, y.af, y.nG], [m, sh, af !== 0, false]);
  }
});
