import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Tlb, cacheS1, nestedEntry, tlbiRangeBytes, type TlbInsert, type TlbEntry } from '../../../../language-server/src/model/tlb';
import type { Attrs, Perms, StageResult } from '../../../../language-server/src/model/types';

const RW: Perms = { ur: true, uw: true, ux: false, pr: true, pw: true, px: false };
const RO: Perms = { ur: true, uw: false, ux: false, pr: true, pw: false, px: false };
const ATTRS: Attrs = { attrIndx: 0, sh: 3, nG: true, af: true, contiguous: false, dbm: false };

function ent(over: Partial<TlbInsert>): TlbInsert {
  return {
    kind: 's1', regime: 'nsel1', vmid: 1, asid: 1, global: false, granule: 4, blockShift: 12, level: 3,
    inputBase: 0x1000n, outputBase: 0x8000_1000n, perms: RW, attrs: ATTRS, ...over,
  };
}

const ids = (es: TlbEntry[]) => es.map((e) => e.id);

test('lookup matches regime, VMID, ASID; global entries match every ASID', () => {
  const t = new Tlb({ capacity: 64, policy: 'lru' });
  const a = t.insert(ent({}), 1).entry;
  const g = t.insert(ent({ inputBase: 0x20_0000n, blockShift: 21, level: 2, global: true }), 2).entry;
  assert.equal(t.lookup('nsel1', 1, 1, 0x1fffn), a);
  assert.equal(t.lookup('nsel1', 1, 2, 0x1fffn), undefined, 'other ASID');
  assert.equal(t.lookup('nsel1', 2, 1, 0x1fffn), undefined, 'other VMID');
  assert.equal(t.lookup('el2-e2h', 0, 1, 0x1fffn), undefined, 'other regime');
  assert.equal(t.lookup('nsel1', 1, 1, 0x2000n), undefined, 'next page');
  assert.equal(t.lookup('nsel1', 1, 7, 0x3f_ffffn), g);
  assert.equal(t.lookup('nsel1', 1, 7, 0x40_0000n), undefined);
  assert.equal(a.hits, 1);
  assert.equal(g.hits, 1);
  assert.equal(a.insertedAt, 1);
  assert.equal(t.lookupS2(1, 0x1000n), undefined, 'stage-1 entries are not IPA entries');
});

test('mixed block sizes: the smallest covering entry wins; lookupAll shows the overlap', () => {
  const t = new Tlb({ capacity: 64, policy: 'lru' });
  const big = t.insert(ent({ inputBase: 0x4000_0000n, blockShift: 30, level: 1 }), 0).entry;
  const page = t.insert(ent({ inputBase: 0x4000_5000n }), 0).entry;
  assert.equal(t.lookup('nsel1', 1, 1, 0x4000_5abcn), page);
  assert.equal(t.lookup('nsel1', 1, 1, 0x4000_6000n), big);
  assert.deepEqual(ids(t.lookupAll('nsel1', 1, 1, 0x4000_5abcn)).sort(), [big.id, page.id].sort());
});

test('addresses above 2^53 and TTB1 VAs', () => {
  const t = new Tlb({ capacity: 8, policy: 'fifo' });
  const e = t.insert(ent({ inputBase: 0xffff_ffff_ffff_f000n }), 0).entry;
  const b = t.insert(ent({ inputBase: 0xffff_8000_0000_0000n, blockShift: 21, level: 2 }), 0).entry;
  assert.equal(t.lookup('nsel1', 1, 1, 0xffff_ffff_ffff_ffffn), e);
  assert.equal(t.lookup('nsel1', 1, 1, 0xffff_8000_001f_ffffn), b);
  assert.equal(t.lookup('nsel1', 1, 1, 0xffff_8000_0020_0000n), undefined);
  assert.equal(t.lookup('nsel1', 1, 1, 0x7fff_ffff_ffff_f000n), undefined);
});

test('low-30-bit key collisions are told apart', () => {
  const t = new Tlb({ capacity: 8, policy: 'lru' });
  // Page numbers 2^30 apart share their low 30 bits.
  const a = t.insert(ent({ inputBase: 0x1000n }), 0).entry;
  const b = t.insert(ent({ inputBase: 0x1000n + (1n << 42n) }), 0).entry;
  assert.equal(t.lookup('nsel1', 1, 1, 0x1000n), a);
  assert.equal(t.lookup('nsel1', 1, 1, 0x1000n + (1n << 42n)), b);
  assert.deepEqual(ids(t.nhVa(1, 1, 0x1000n)), [a.id]);
  assert.equal(t.lookup('nsel1', 1, 1, 0x1000n + (1n << 42n)), b);
});

/** A TLB with one entry of each kind/tag, named. */
function populated() {
  const t = new Tlb({ capacity: 64, policy: 'unbounded' });
  const e = {
    v1a1: t.insert(ent({}), 0).entry,
    v1a2: t.insert(ent({ asid: 2, inputBase: 0x2000n }), 0).entry,
    v1g: t.insert(ent({ global: true, inputBase: 0x1000n, blockShift: 21, level: 2 }), 0).entry,
    v2a1: t.insert(ent({ vmid: 2 }), 0).entry,
    v1s2: t.insert(ent({ kind: 's2', global: true, asid: 0 }), 0).entry,
    v1nest: t.insert(ent({ kind: 'nested', inputBase: 0x5000n }), 0).entry,
    el2: t.insert(ent({ regime: 'el2', vmid: 0, inputBase: 0x1000n }), 0).entry,
    e2h: t.insert(ent({ regime: 'el2-e2h', vmid: 0, asid: 1, inputBase: 0x1000n }), 0).entry,
    e2hg: t.insert(ent({ regime: 'el2-e2h', vmid: 0, global: true, inputBase: 0x8000n }), 0).entry,
  };
  return { t, e };
}

test('CMD_TLBI_NH_ALL: stage-1 and nested entries of one VMID; stage-2 and other VMIDs stay', () => {
  const { t, e } = populated();
  assert.deepEqual(ids(t.nhAll(1)), ids([e.v1a1, e.v1a2, e.v1g, e.v1nest]));
  assert.equal(t.size, 5);
});

test('CMD_TLBI_NSNH_ALL, CMD_TLBI_EL2_ALL, CMD_TLBI_S12_VMALL', () => {
  let { t, e } = populated();
  assert.deepEqual(ids(t.nsnhAll()), ids([e.v1a1, e.v1a2, e.v1g, e.v2a1, e.v1s2, e.v1nest]));
  ({ t, e } = populated());
  assert.deepEqual(ids(t.el2All()), ids([e.el2, e.e2h, e.e2hg]));
  ({ t, e } = populated());
  assert.deepEqual(ids(t.s12VmAll(1)), ids([e.v1a1, e.v1a2, e.v1g, e.v1s2, e.v1nest]));
});

test('CMD_TLBI_NH_ASID and CMD_TLBI_EL2_ASID leave global entries', () => {
  let { t, e } = populated();
  assert.deepEqual(ids(t.nhAsid(1, 1)), ids([e.v1a1, e.v1nest]));
  ({ t, e } = populated());
  assert.deepEqual(ids(t.el2Asid(1)), ids([e.e2h]));
});

test('CMD_TLBI_NH_VA: that ASID and global entries covering the address; NH_VAA: every ASID', () => {
  let { t, e } = populated();
  // 0x1000 is covered by v1a1 (page), v1g (2 MB global); v1a2 is ASID 2 at 0x2000.
  assert.deepEqual(ids(t.nhVa(1, 1, 0x1000n)), ids([e.v1a1, e.v1g]));
  assert.equal(t.get(e.v1a2.id), e.v1a2);
  ({ t, e } = populated());
  assert.deepEqual(ids(t.nhVa(1, 2, 0x2000n)), ids([e.v1a2, e.v1g]));
  ({ t, e } = populated());
  assert.deepEqual(ids(t.nhVaa(1, 0x2000n)), ids([e.v1a2, e.v1g]));
  ({ t, e } = populated());
  assert.deepEqual(ids(t.nhVa(1, 1, 0x40_0000n)), [], 'outside every entry');
});

test('CMD_TLBI_EL2_VA / EL2_VAA', () => {
  let { t, e } = populated();
  assert.deepEqual(ids(t.el2Va(1, 0x1000n)), ids([e.el2, e.e2h]));
  ({ t, e } = populated());
  assert.deepEqual(ids(t.el2Va(5, 0x1000n)), ids([e.el2]), 'EL2 (no E2H) entries have no ASID');
  ({ t, e } = populated());
  assert.deepEqual(ids(t.el2Vaa(0x8000n)), ids([e.e2hg]));
});

test('CMD_TLBI_S2_IPA removes stage-2 entries only (combined nested entries need NH_ALL/S12_VMALL)', () => {
  const { t, e } = populated();
  assert.deepEqual(ids(t.s2Ipa(1, 0x1000n)), ids([e.v1s2]));
  assert.deepEqual(ids(t.s2Ipa(1, 0x5000n)), []);
  assert.equal(t.get(e.v1nest.id), e.v1nest);
});

test('range invalidation: (NUM+1) * 2^SCALE * granule bytes from Address; TTL restricts the level', () => {
  const t = new Tlb({ capacity: 64, policy: 'unbounded' });
  const base = 0x10_0000n;
  const pages = [-1n, 0n, 7n, 8n].map((i) => t.insert(ent({ inputBase: base + (i << 12n) }), 0).entry);
  const block = t.insert(ent({ inputBase: 0n, blockShift: 21, level: 2, global: true }), 0).entry; // [0, 2 MB)
  // TG=1 (4K), NUM=3, SCALE=1: 4 * 2 * 4 KB = 32 KB: pages 0..7 from base.
  const range = { tg: 1, ttl: 0, num: 3, scale: 1 };
  assert.equal(tlbiRangeBytes(range), 0x8000n);
  assert.deepEqual(ids(t.nhVa(1, 1, base, { ...range, ttl: 3 })), ids([pages[1], pages[2]]), 'TTL=3: level-3 entries only');
  assert.deepEqual(ids(t.nhVa(1, 1, base, range)), ids([block]));
  assert.deepEqual(ids(t.snapshot()), ids([pages[0], pages[3]]));
  // TG=2 (16K): NUM=0, SCALE=0 is 16 KB.
  assert.equal(tlbiRangeBytes({ tg: 2, ttl: 0, num: 0, scale: 0 }), 0x4000n);
  assert.equal(tlbiRangeBytes({ tg: 3, ttl: 0, num: 31, scale: 3 }), 32n * 8n * 0x1_0000n);
});

test('capacity: LRU evicts the least recently used, FIFO the oldest', () => {
  const lru = new Tlb({ capacity: 2, policy: 'lru' });
  const a = lru.insert(ent({ inputBase: 0x1000n }), 0).entry;
  const b = lru.insert(ent({ inputBase: 0x2000n }), 1).entry;
  lru.lookup('nsel1', 1, 1, 0x1000n);
  const r = lru.insert(ent({ inputBase: 0x3000n }), 2);
  assert.deepEqual(ids(r.evicted), [b.id]);
  assert.equal(lru.get(a.id), a);
  const fifo = new Tlb({ capacity: 2, policy: 'fifo' });
  const fa = fifo.insert(ent({ inputBase: 0x1000n }), 0).entry;
  fifo.insert(ent({ inputBase: 0x2000n }), 1);
  fifo.lookup('nsel1', 1, 1, 0x1000n);
  assert.deepEqual(ids(fifo.insert(ent({ inputBase: 0x3000n }), 2).evicted), [fa.id]);
  assert.equal(fifo.size, 2);
});

test('capacity: random is seeded (same seed, same victims); unbounded never evicts', () => {
  const run = (seed: number) => {
    const t = new Tlb({ capacity: 4, policy: 'random', seed });
    const out: number[] = [];
    for (let i = 0; i < 20; i++) {
      const r = t.insert(ent({ inputBase: BigInt(i) << 12n }), i);
      assert.ok(r.evicted.length === (i < 4 ? 0 : 1));
      out.push(...r.evicted.map((e) => Number(e.inputBase >> 12n)));
    }
    assert.equal(t.size, 4);
    return out;
  };
  assert.deepEqual(run(7), run(7));
  assert.notDeepEqual(run(7), run(8));
  const u = new Tlb({ capacity: 1, policy: 'unbounded' });
  for (let i = 0; i < 100; i++) assert.deepEqual(u.insert(ent({ inputBase: BigInt(i) << 12n }), i).evicted, []);
  assert.equal(u.size, 100);
});

test('re-inserting the same tag and region replaces the entry', () => {
  const t = new Tlb({ capacity: 8, policy: 'lru' });
  const a = t.insert(ent({}), 0).entry;
  const r = t.insert(ent({ outputBase: 0x9000_0000n }), 1);
  assert.deepEqual(ids(r.evicted), [a.id]);
  assert.equal(t.lookup('nsel1', 1, 1, 0x1000n)!.outputBase, 0x9000_0000n);
  assert.equal(t.size, 1);
});

test('faulting walks are not cached', () => {
  const t = new Tlb({ capacity: 8, policy: 'lru' });
  const fault = { ok: false as const, fault: { kind: 'F_TRANSLATION' as const, stage: 1 as const, level: 3, class: 'IN' as const, inputAddr: 0x1000n, reason: 'x' } };
  assert.equal(cacheS1(t, fault, { regime: 'nsel1', vmid: 1, asid: 1 }, 4, 0), undefined);
  assert.equal(t.size, 0);
});

test('nested combined entry: smaller region of the two stages, permissions intersected', () => {
  const s1: StageResult = { stage: 1, outputAddr: 0x4020_1234n, blockShift: 21, inputBase: 0x1_0020_0000n, outputBase: 0x4020_0000n,
    perms: RW, attrs: ATTRS, level: 2 };
  const s2: StageResult = { stage: 2, outputAddr: 0x9_0000_1234n, blockShift: 12, inputBase: 0x4020_1000n, outputBase: 0x9_0000_1000n,
    perms: RO, attrs: { ...ATTRS, nG: false, memAttr: 0xf }, level: 3 };
  const e = nestedEntry(s1, s2, { regime: 'nsel1', vmid: 3, asid: 4 }, 4);
  assert.equal(e.blockShift, 12);
  assert.equal(e.inputBase, 0x1_0020_1000n); // VA of the access 0x1_0020_1234, 4K aligned
  assert.equal(e.ipaBase, 0x4020_1000n);
  assert.equal(e.outputBase, 0x9_0000_1000n);
  assert.deepEqual(e.perms, RO);
  assert.equal(e.global, false);
  assert.equal(e.level, 3);
});

test('snapshot: plain copies in insertion order', () => {
  const t = new Tlb({ capacity: 8, policy: 'random', seed: 3 });
  const a = t.insert(ent({ inputBase: 0x1000n }), 0).entry;
  const b = t.insert(ent({ inputBase: 0x2000n }), 0).entry;
  t.remove(a.id);
  const c = t.insert(ent({ inputBase: 0x3000n }), 0).entry;
  const snap = t.snapshot();
  assert.deepEqual(ids(snap), [b.id, c.id]);
  snap[0].hits = 99;
  assert.equal(b.hits, 0);
});

test('peek and peekS2 find entries without counting hits or touching LRU order', () => {
  const t = new Tlb({ capacity: 2, policy: 'lru' });
  const a = t.insert(ent({ inputBase: 0x1000n }), 0).entry;
  const b = t.insert(ent({ kind: 's2', inputBase: 0x2000n, global: true }), 0).entry;
  assert.equal(t.peek('nsel1', 1, 1, 0x1234n), a);
  assert.equal(t.peekS2(1, 0x2fffn), b);
  assert.equal(a.hits + b.hits, 0);
  assert.equal(t.lookups, 0);
  // a is still the least recently used: it is evicted next.
  assert.deepEqual(ids(t.insert(ent({ inputBase: 0x3000n }), 1).evicted), [a.id]);
});
