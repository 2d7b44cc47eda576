// Page-table layout: block choice, table allocation, concatenation, bounds, overlap, unmap.
// Expected descriptors are worked out from DDI 0487 D8.3 (formats) and D8.4 (AP/S2AP), by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Allocator } from '../../../../language-server/src/model/layout/alloc';
import { PageTableLayout, startTables } from '../../../../language-server/src/model/layout/pagetable';
import { makeCodec, type LeafAttrs } from '../../../../language-server/src/engine/compile/layout/descriptors';
import type { Granule, Stage } from '../../../../language-server/src/model/types';

const RW: LeafAttrs = { r: true, w: true, x: false, user: true, attrIndx: 0, memAttr: 15, sh: 3, nG: true, af: true, dbm: false, contiguous: false, extra: {} };

function layout(stage: Stage, granule: Granule, inputSize: number, startLevel: number, attrs = RW) {
  const alloc = new Allocator(0x4000_0000n);
  return new PageTableLayout({ stage, granule, inputSize, startLevel, outputSize: 48 }, makeCodec(stage, granule, attrs), alloc);
}

test('4K stage 1: a 2M-aligned 2M range becomes one level-2 block', () => {
  const l = layout(1, 4, 48, 0);
  const r = l.map(0x4020_0000n, 0x20_0000n, 0x8020_0000n);
  assert.ok(r.ok);
  // Root (L0) at 0x4000_0000, L1 at 0x4000_1000, L2 at 0x4000_2000: two table descriptors + 1 block.
  assert.equal(r.writes.length, 3);
  assert.deepEqual(r.writes[0], { addr: 0x4000_0000n, value: 0x4000_1003n }); // L0[0] -> table
  // L1 index = VA[38:30] = 1.
  assert.deepEqual(r.writes[1], { addr: 0x4000_1000n + 8n, value: 0x4000_2003n });
  // L2 index = VA[29:21] = 1; block: Valid=1, Type=0, AttrIndx 0, AP=0b01 (EL0 rw) bit 6, SH=0b11 bits 9:8,
  // AF bit 10, nG bit 11, OA, PXN bit 53 (user-writable), UXN bit 54 (no x).
  const block = 0x8020_0000n | 1n | (1n << 6n) | (3n << 8n) | (1n << 10n) | (1n << 11n) | (1n << 53n) | (1n << 54n);
  assert.deepEqual(r.writes[2], { addr: 0x4000_2000n + 8n, value: block });
});

test('4K stage 1: misaligned PA forces pages, and the table is shared by later mappings', () => {
  const l = layout(1, 4, 39, 1);
  const r = l.map(0x20_0000n, 0x20_0000n, 0x8000_1000n);
  assert.ok(r.ok);
  // L1 -> L2 -> L3 table descriptors, then 512 pages.
  assert.equal(r.writes.length, 2 + 512);
  const page0 = r.writes[2];
  assert.equal(page0.value & 3n, 3n, 'page descriptor: Valid and Type set at level 3');
  assert.equal(page0.value & 0xffff_ffff_f000n, 0x8000_1000n);
  const r2 = l.map(0x40_0000n, 0x1000n, 0x9000_0000n);
  assert.ok(r2.ok);
  assert.equal(r2.writes.length, 2, 'only a new L3 table (L2 table reused) and the page');
});

test('overlap and bounds are refused without touching the tree', () => {
  const l = layout(1, 4, 39, 1);
  assert.ok(l.map(0x1000n, 0x2000n, 0x8000_0000n).ok);
  const o = l.map(0x2000n, 0x1000n, 0x9000_0000n);
  assert.ok(!o.ok && /overlaps/.test(o.message));
  // 39-bit input: [2^39 - 4K, 2^39 + 4K) crosses the end.
  const b = l.map((1n << 39n) - 0x1000n, 0x2000n, 0x9000_0000n);
  assert.ok(!b.ok && /39-bit input/.test(b.message));
  const a = l.map(0x10_0800n, 0x1000n, 0x9000_0000n);
  assert.ok(!a.ok && /multiples of the 4K granule/.test(a.message));
});

test('stage 2: 40-bit IPA starting at level 1 uses two concatenated tables (DDI 0487 D8.2)', () => {
  const geo = { stage: 2 as const, granule: 4 as const, inputSize: 40, startLevel: 1, outputSize: 48 };
  assert.equal(startTables(geo), 2);
  const l = layout(2, 4, 40, 1);
  assert.equal(l.rootSize, 0x2000n);
  const r = l.map((1n << 40n) - 0x4000_0000n, 0x4000_0000n, 0x1_0000_0000n); // last 1G of the 40-bit IPA space
  assert.ok(r.ok);
  assert.equal(r.writes.length, 1, 'a level-1 1G block');
  // IPA[39:30] = 0x3ff: bit 39 selects the second concatenated table, entry 511 of it = entry 1023 overall.
  assert.equal(r.writes[0].addr, l.root + 1023n * 8n);
  // S2 block: Valid, MemAttr 0b1111 bits 5:2, S2AP 0b11 bits 7:6, SH 0b11, AF, XN 0b10 (bits 54:53).
  assert.equal(r.writes[0].value, 0x1_0000_0000n | 1n | (0xfn << 2n) | (3n << 6n) | (3n << 8n) | (1n << 10n) | (2n << 53n));
});

test('unmap zeroes leaves and unlinks empty tables', () => {
  const l = layout(1, 4, 39, 1);
  assert.ok(l.map(0x20_0000n, 0x20_0000n, 0x8000_0000n).ok);
  const u = l.unmap(0x20_0000n, 0x20_0000n);
  assert.ok(u.ok && u.split === undefined);
  // Block zeroed, then the now-empty L2 table unlinked from L1.
  assert.deepEqual(u.writes.map((w) => w.value), [0n, 0n]);
  assert.equal(l.mappings().length, 0);
  assert.ok(!l.unmap(0x20_0000n, 0x1000n).ok, 'nothing mapped any more');
  const odd = l.unmap(0x20_0800n, 0x1000n);
  assert.ok(!odd.ok && /multiples of the 4K granule/.test(odd.message));
});

const OA_4K = 0xf_ffff_ffff_f000n; // OA[47:12] of a 4K page (DDI 0487 D8.3)

test('unmap of part of a 2M block splits it into a level-3 table keeping the other 511 pages (arm_lpae_split_blk_unmap)', () => {
  const l = layout(1, 4, 39, 1);
  const m = l.map(0x20_0000n, 0x20_0000n, 0x8000_0000n);
  assert.ok(m.ok);
  const block = m.writes[m.writes.length - 1];
  const u = l.unmap(0x20_1000n, 0x1000n);
  assert.ok(u.ok);
  assert.deepEqual(u.split, [{ iova: 0x20_0000n, size: 0x20_0000n, level: 2 }]);
  // 511 pages into the new table, then the table descriptor replaces the block (same slot).
  assert.equal(u.writes.length, 512);
  const tableDesc = u.writes[511];
  assert.equal(tableDesc.addr, block.addr);
  assert.equal(tableDesc.value & 3n, 3n, 'table descriptor');
  const l3 = tableDesc.value & OA_4K;
  assert.ok(!u.writes.some((w) => w.addr === l3 + 8n), 'the unmapped page (entry 1) is not written');
  const p2 = u.writes.find((w) => w.addr === l3 + 16n)!;
  // Same attributes as the block, Type 1 (page), OA 0x8000_2000.
  assert.equal(p2.value, (block.value & ~OA_4K) | 2n | 0x8000_2000n);
  assert.equal(u.writes.find((w) => w.addr === l3)!.value & OA_4K, 0x8000_0000n);
  assert.deepEqual(l.mappings().map((r) => [r.iova, r.size, r.pa]), [[0x20_0000n, 0x1000n, 0x8000_0000n], [0x20_2000n, 0x1f_e000n, 0x8000_2000n]]);
  // The rest of the former block is now pages: unmapping it all unlinks the level-3 table too.
  const rest = l.unmap(0x20_0000n, 0x20_0000n);
  assert.ok(rest.ok && rest.split === undefined);
  assert.equal(rest.writes.length, 511 + 2, '511 pages zeroed, the L3 and L2 tables unlinked');
  assert.equal(l.mappings().length, 0);
});

test('a 4K hole in a 1G block splits twice: 511 2M blocks and 511 pages', () => {
  const l = layout(2, 4, 40, 1);
  assert.ok(l.map(0x4000_0000n, 0x4000_0000n, 0x1_0000_0000n).ok);
  const u = l.unmap(0x4000_0000n + 0x20_3000n, 0x1000n);
  assert.ok(u.ok);
  assert.equal(u.writes.length, 511 + 511 + 2);
  const kinds = u.writes.map((w) => w.value & 3n);
  assert.equal(kinds.filter((k) => k === 1n).length, 511, 'level-2 blocks (Type 0)');
  assert.equal(u.split!.length, 1);
});

test('pgsize forces the leaf size: pages for a 2M-aligned range, a block size must be aligned, other sizes are refused', () => {
  const l = layout(1, 4, 39, 1);
  const r = l.map(0x20_0000n, 0x20_0000n, 0x8000_0000n, undefined, 0x1000n);
  assert.ok(r.ok);
  assert.equal(r.writes.length, 2 + 512, 'L1 and L2 table descriptors, 512 pages');
  assert.ok(r.writes.slice(2).every((w) => (w.value & 3n) === 3n));
  const mis = l.map(0x60_0000n, 0x20_0000n, 0x8010_0000n, undefined, 0x20_0000n);
  assert.ok(!mis.ok && /multiples of pgsize 2M/.test(mis.message));
  const bad = l.map(0x60_0000n, 0x20_0000n, 0x8020_0000n, undefined, 0x2000n);
  assert.ok(!bad.ok && /pgsize 8K is not a page or block size of this 4K stage-1 table \(4K, 2M, 1G\)/.test(bad.message), !bad.ok ? bad.message : '');
  assert.deepEqual(layout(1, 64, 48, 1).leafSizes().map((x) => x.size), [0x1_0000n, 0x2000_0000n]);
});

test('64K granule: 512M blocks at level 2, 48-bit input starts at level 1', () => {
  const l = layout(1, 64, 48, 1);
  const r = l.map(0x4_0000_0000n, 0x2000_0000n, 0x2000_0000n);
  assert.ok(r.ok);
  assert.equal(r.writes.length, 2, 'L1 table descriptor + one 512M block');
  assert.equal(r.writes[1].value & 3n, 1n, 'block: Valid, Type 0');
});

test('a copy of a layout with one mapping remapped writes what laying the mappings out anew writes', () => {
  const maps = (pa1: bigint) => [[0x1000_0000n, 0x1000n, 0x8000_0000n], [0x1000_1000n, 0x2000n, pa1], [0x4000_0000n, 0x20_0000n, 0x9000_0000n]] as const;
  const a = layout(1, 4, 48, 0);
  for (const [iova, size, pa] of maps(0x8000_1000n)) assert.ok(a.map(iova, size, pa).ok);
  const ro = makeCodec(1, 4, { ...RW, w: false });
  const c = a.copy(new Allocator(0x4000_0000n));
  const leaves = c.remap(1, 0x8800_0000n, ro, false);
  const fresh = layout(1, 4, 48, 0);
  const want = maps(0x8800_0000n).map(([iova, size, pa], i) => fresh.map(iova, size, pa, i === 1 ? ro : undefined));
  assert.ok(want[1].ok && leaves);
  assert.deepEqual(leaves, want[1].writes, 'the same leaves at the same places');
  assert.deepEqual(c.mappings(), fresh.mappings());
  assert.equal(c.translate(0x1000_1040n), 0x8800_0040n);
  // The original is unchanged.
  assert.equal(a.translate(0x1000_1040n), 0x8000_1040n);
  // A 2M block whose new output address is only 4K-aligned would be pages: refused, nothing changed.
  assert.equal(c.remap(2, 0x9000_1000n, ro, false), undefined);
  assert.equal(c.translate(0x4000_0040n), 0x9000_0040n);
});
