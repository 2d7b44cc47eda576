// The TLB's lookup structure (chunks of consecutive pages, a last-chunk memo, id order) must not change
// what a lookup finds: an entry matches exactly the addresses of its own region under its own tag
// (IHI 0070 §3.17), whatever was inserted, removed or looked up before.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tlb, type TlbInsert } from '../../../../language-server/src/model/tlb';
import type { Attrs, Perms } from '../../../../language-server/src/model/types';

const RW: Perms = { ur: true, uw: true, ux: false, pr: true, pw: true, px: false };
const ATTRS: Attrs = { attrIndx: 0, sh: 3, nG: true, af: true, contiguous: false, dbm: false };

function page(va: bigint, blockShift = 12): TlbInsert {
  return { kind: 's1', regime: 'nsel1', vmid: 1, asid: 1, global: false, granule: 4, blockShift, level: blockShift === 12 ? 3 : 2, inputBase: va, outputBase: 0x8000_0000n + va, perms: RW, attrs: ATTRS };
}

test('pages 2^47 apart (same low bits of their page keys) stay distinct, through removal and re-insertion', () => {
  const t = new Tlb({ capacity: 64, policy: 'lru' });
  const lo = t.insert(page(0x1000n), 1).entry;
  const hi = t.insert(page((1n << 47n) + 0x1000n), 1).entry;
  assert.equal(t.lookup('nsel1', 1, 1, 0x1234n), lo);
  assert.equal(t.lookup('nsel1', 1, 1, (1n << 47n) + 0x1234n), hi);
  assert.equal(t.lookup('nsel1', 1, 1, (1n << 46n) + 0x1234n), undefined, 'neither covers 2^46 + 0x1234');
  assert.equal(t.remove(lo.id), lo);
  assert.equal(t.lookup('nsel1', 1, 1, 0x1234n), undefined, 'removed');
  assert.equal(t.lookup('nsel1', 1, 1, (1n << 47n) + 0x1234n), hi, 'the other one is untouched');
  assert.equal(t.get(lo.id), undefined);
  assert.equal(t.get(hi.id), hi);
  const again = t.insert(page(0x1000n), 2).entry;
  assert.equal(t.lookup('nsel1', 1, 1, 0x1fffn), again);
});

test('a lookup after its page was removed misses even when the previous lookup used the same chunk', () => {
  const t = new Tlb({ capacity: 64, policy: 'fifo' });
  const a = t.insert(page(0x4000n), 1).entry;
  const b = t.insert(page(0x5000n), 1).entry;
  assert.equal(t.lookup('nsel1', 1, 1, 0x4000n), a);
  t.remove(b.id);
  assert.equal(t.lookup('nsel1', 1, 1, 0x5000n), undefined);
  t.remove(a.id); // the chunk is now empty and dropped
  assert.equal(t.lookup('nsel1', 1, 1, 0x4000n), undefined);
  const c = t.insert(page(0x5000n), 2).entry;
  assert.equal(t.lookup('nsel1', 1, 1, 0x5abcn), c);
  assert.equal(t.lookup('nsel1', 1, 1, 0x4abcn), undefined);
});

test('many removals: every live id is found by get(), every removed id is not', () => {
  const t = new Tlb({ capacity: 1000, policy: 'unbounded' });
  const es = Array.from({ length: 600 }, (_, i) => t.insert(page(BigInt(i) << 12n), 1).entry);
  for (let i = 0; i < 600; i += 3) t.remove(es[i].id); // 200 removed: enough to compact the id order
  for (let i = 0; i < 600; i++) assert.equal(t.get(es[i].id), i % 3 === 0 ? undefined : es[i], `id ${es[i].id}`);
  assert.equal(t.size, 400);
  assert.equal(t.lookup('nsel1', 1, 1, 3n << 12n), undefined);
  assert.equal(t.lookup('nsel1', 1, 1, (4n << 12n) + 5n), es[4]);
});

test('a 2M block and a 4K page in it: the smallest block wins, the block covers the rest', () => {
  const t = new Tlb({ capacity: 64, policy: 'lru' });
  const blk = t.insert(page(0x20_0000n, 21), 1).entry;
  const pg = t.insert(page(0x20_3000n), 1).entry;
  assert.equal(t.lookup('nsel1', 1, 1, 0x20_3fffn), pg);
  assert.equal(t.lookup('nsel1', 1, 1, 0x20_4000n), blk);
  assert.equal(t.lookup('nsel1', 1, 1, 0x3f_ffffn), blk);
  assert.equal(t.lookup('nsel1', 1, 1, 0x40_0000n), undefined);
});
