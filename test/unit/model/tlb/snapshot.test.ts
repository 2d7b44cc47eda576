// A TLB's copy for a snapshot (model/tlb/copy.ts: by shape, permissions and attributes shared) is a
// TLB of its own: it finds what the original held, and neither sees the other's inserts, hits,
// evictions or invalidations afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tlb, type TlbInsert } from '../../../../language-server/src/model/tlb';
import { snapshot } from '../../../../language-server/src/model/snapshot';
import type { Attrs, Perms } from '../../../../language-server/src/model/types';

const RW: Perms = { ur: true, uw: true, ux: false, pr: true, pw: true, px: false };
const ATTRS: Attrs = { attrIndx: 0, sh: 3, nG: true, af: true, contiguous: false, dbm: false };

function page(va: bigint, asid = 1): TlbInsert {
  return { kind: 's1', regime: 'nsel1', vmid: 1, asid, global: false, granule: 4, blockShift: 12, level: 3, inputBase: va, outputBase: 0x8000_0000n + va, perms: RW, attrs: ATTRS };
}

const ids = (t: Tlb) => t.snapshot().map((e) => `${e.id}:${e.inputBase.toString(16)}:${e.hits}`);

for (const policy of ['lru', 'fifo', 'random'] as const) {
  test(`a copied ${policy} TLB is independent of the original and evicts as the original would`, () => {
    const t = new Tlb({ capacity: 8, policy, seed: 7 });
    for (let i = 0; i < 8; i++) t.insert(page(BigInt(i) * 0x1000n, 1 + (i % 2)), i);
    t.lookup('nsel1', 1, 1, 0x2000n);
    t.remove(4);
    const before = ids(t);
    const c = snapshot(t)!.copy;
    assert.deepEqual(ids(c), before);
    // The same operations on both give the same entries (the victims too: LRU order, FIFO order, seed).
    for (const x of [t, c]) {
      x.lookup('nsel1', 1, 1, 0x0n);
      for (let i = 8; i < 14; i++) x.insert(page(BigInt(i) * 0x1000n), i);
      x.nhAsid(1, 2);
    }
    assert.deepEqual(ids(c), ids(t));
    // Changes to the copy are not seen by the original, nor the reverse.
    const cut = ids(t);
    c.clear();
    c.insert(page(0x40_0000n), 20);
    assert.deepEqual(ids(t), cut);
    assert.equal(t.lookup('nsel1', 1, 1, 0x40_0000n), undefined);
    t.lookup('nsel1', 1, 1, 0xd000n);
    assert.equal(c.lookup('nsel1', 1, 1, 0xd000n), undefined);
    assert.equal(c.lookup('nsel1', 1, 1, 0x40_0123n)?.outputBase, 0x8040_0000n);
  });
}
