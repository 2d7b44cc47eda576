// The VA ranges of a guest CD as a shadowing VMM re-walks them (model/iommufd/guestTables.ts):
// TTB0 covers [0, 2^(64-T0SZ)), TTB1 [2^64 - 2^(64-T1SZ), 2^64) (DDI 0487 D8.2.2 "TTBR1_EL1 ...
// upper VA range"; IHI 0070 §5.4 CD.T0SZ/T1SZ, CD.EPD0/EPD1: a disabled range has no leaves).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhysicalMemory } from '../../../../language-server/src/model/memory';
import { guestRanges, scanLeaves } from '../../../../language-server/src/model/iommufd/guestTables';

const tt = (ttb: bigint, tsz: number, epd = false) => ({ ttb, tsz, granule: 4 as const, epd });

test('guestRanges: TTB1 starts at 2^64 - 2^(64 - T1SZ)', () => {
  assert.deepEqual(guestRanges(tt(0x1000n, 25)).map((r) => [r.index, r.base]), [[0, 0n]]);
  // T1SZ 16: 48-bit upper range, 0xFFFF_0000_0000_0000..; T1SZ 25: 39-bit, 0xFFFF_FF80_0000_0000...
  assert.equal(guestRanges(tt(0x1000n, 25), tt(0x2000n, 16))[1].base, 0xffff_0000_0000_0000n);
  assert.equal(guestRanges(tt(0x1000n, 25), tt(0x2000n, 25))[1].base, 0xffff_ff80_0000_0000n);
  assert.equal(guestRanges(tt(0x1000n, 25), tt(0x2000n, 39))[1].base, 0xffff_ffff_fe00_0000n);
});

test('scanLeaves over TTB1: leaves at upper VAs, the range clipped to [lo, hi); EPD1 has none', () => {
  // 39-bit TTB1 (T1SZ 25, 4K granule, start level 1: DDI 0487 D8.2.6): L1[0] -> L2, L2[1] -> L3, L3[1] and L3[3] pages.
  const m = new PhysicalMemory();
  m.write64(0x1_0000n, 0x1_1000n | 3n);
  m.write64(0x1_1000n + 8n, 0x1_2000n | 3n);
  m.write64(0x1_2000n + 8n, 0x9_0000n | 0xf47n);
  m.write64(0x1_2000n + 24n, 0x9_1000n | 0xf47n);
  const [, r1] = guestRanges(tt(0x4000n, 25), tt(0x1_0000n, 25));
  const all = scanLeaves(m, r1, 0n, 1n << 64n);
  assert.deepEqual(all.leaves.map((l) => [l.va, l.shift, l.addr]), [[0xffff_ff80_0020_1000n, 12, 0x1_2008n], [0xffff_ff80_0020_3000n, 12, 0x1_2018n]]);
  assert.deepEqual(all.tables, [0x1_0000n, 0x1_1000n, 0x1_2000n]);
  // Only [0xffff_ff80_0020_2000, +0x2000): the second page.
  assert.deepEqual(scanLeaves(m, r1, 0xffff_ff80_0020_2000n, 0xffff_ff80_0020_4000n).leaves.map((l) => l.va), [0xffff_ff80_0020_3000n]);
  // A low range never reaches TTB1's leaves (the same table read as TTB0 maps low VAs).
  assert.deepEqual(scanLeaves(m, r1, 0n, 0x1_0000_0000n).leaves, []);
  assert.deepEqual(scanLeaves(m, guestRanges(tt(0x4000n, 25), tt(0x1_0000n, 25, true))[1], 0n, 1n << 64n).leaves, []);
});
