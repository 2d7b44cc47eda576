// A TLB's snapshot is copy-on-write (model/tlb/copy.ts): the copy gets its own index and shares the
// chunks, slots and entries until either side changes one. Random inserts (pages 2^47 apart
// included: chained chunks), hits, invalidations, removals and snapshots on a TLB, against the
// same operations on a TLB never copied: the two hold the same slots in the same order, every copy
// keeps what it held when taken (compared with a plain deep copy of it then), going on from a copy
// works the same, and SAME finds a copy equal to the live TLB exactly when their plain states are.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { Tlb, type TlbInsert } from '../../../../language-server/src/model/tlb';
import type { TlbStore } from '../../../../language-server/src/model/tlb/copy';
import { SAME, snapshot } from '../../../../language-server/src/model/snapshot';
import type { Attrs, Perms } from '../../../../language-server/src/model/types';

const RW: Perms = { ur: true, uw: true, ux: false, pr: true, pw: true, px: false };
const ATTRS: Attrs = { attrIndx: 0, sh: 3, nG: true, af: true, contiguous: false, dbm: false };
const VAS = [0x0n, 0x1000n, 0x2000n, 0x21000n, 1n << 47n, (1n << 47n) + 0x1000n, 0x40000n];

function page(va: bigint, asid: number): TlbInsert {
  return { kind: 's1', regime: 'nsel1', vmid: 1, asid, global: false, granule: 4, blockShift: 12, level: 3, inputBase: va, outputBase: 0x8000_0000n + va, perms: RW, attrs: ATTRS };
}

/** Everything a TLB holds, as plain data (a deep copy). */
function plain(t: Tlb): unknown {
  const s = t as unknown as TlbStore;
  return structuredClone({
    all: s.all.map((x) => ({ key: x.key, tag: x.tag, pos: x.pos, lastUse: x.lastUse, seq: x.seq, e: { ...x.e } })),
    clock: s.clock, nextId: s.nextId, lookups: s.lookups, hitCount: s.hitCount, rand: { ...s.rand },
    found: VAS.flatMap((va) => [1, 2].map((asid) => t.peek('nsel1', 1, asid, va)?.id ?? 0)),
  });
}

const op = fc.oneof(
  fc.record({ k: fc.constant('insert' as const), va: fc.nat(VAS.length - 1), asid: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ k: fc.constant('hit' as const), va: fc.nat(VAS.length - 1), asid: fc.integer({ min: 1, max: 2 }) }),
  fc.record({ k: fc.constant('tlbi' as const), va: fc.nat(VAS.length - 1), asid: fc.integer({ min: 1, max: 2 }), all: fc.boolean() }),
  fc.record({ k: fc.constant('remove' as const), id: fc.nat(30) }),
  fc.record({ k: fc.constant('snapshot' as const), back: fc.boolean() }),
);

for (const policy of ['lru', 'random', 'unbounded'] as const) {
  test(`copy-on-write ${policy} TLB: same slots as a TLB never copied, copies unchanged, SAME as a deep comparison`, () => {
    fc.assert(fc.property(fc.array(op, { maxLength: 50 }), (ops) => {
      const opts = { capacity: 5, policy, seed: 3 };
      let t = new Tlb(opts);
      const ref = new Tlb(opts);
      const copies: Array<{ c: Tlb; at: unknown }> = [];
      let step = 0;
      for (const o of ops) {
        for (const x of o.k === 'snapshot' ? [] : [t, ref]) {
          if (o.k === 'insert') x.insert(page(VAS[o.va], o.asid), step);
          else if (o.k === 'hit') x.lookup('nsel1', 1, o.asid, VAS[o.va]);
          else if (o.k === 'tlbi') void (o.all ? x.nhAsid(1, o.asid) : x.nhVa(1, o.asid, VAS[o.va]));
          else if (o.k === 'remove') x.remove(o.id);
        }
        if (o.k === 'snapshot') {
          const c = snapshot(t)!.copy;
          assert.ok(c[SAME](t, isDeepStrictEqual) && t[SAME](c, isDeepStrictEqual), 'a copy equals its original');
          copies.push({ c, at: plain(t) });
          // Going on from the copy (a run restored from a checkpoint) must work the same.
          if (o.back) t = snapshot(c)!.copy;
        }
        step++;
        const now = plain(t);
        assert.deepEqual(now, plain(ref));
        for (const { c, at } of copies) {
          assert.deepEqual(plain(c), at, 'a copy keeps what it held');
          assert.equal(c[SAME](t, isDeepStrictEqual), isDeepStrictEqual(at, now), 'SAME as a deep comparison');
        }
      }
    }), { numRuns: 600 });
  });
}
