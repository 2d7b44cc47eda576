// The hazard shadows' descriptors (hazards/descriptors.ts) are copy-on-write: a snapshot copies the
// map and shares the descriptors until either side changes one. Random uses, releases, value
// changes and snapshots, checked against a plain model deep-copied at each snapshot: every copy
// keeps what it held when taken, the live one goes on, and SAME (converge.ts) finds two of them
// equal exactly when their models are (in the same order within each part of the map, CowMap).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { Descriptors } from '../../../../language-server/src/model/hazards/descriptors';
import { Watch } from '../../../../language-server/src/model/hazards/watch';
import { SAME, snapshot } from '../../../../language-server/src/model/snapshot';
import { addressPart } from '../../../../language-server/src/model/cowMap';

const ADDRS = [0x1000n, 0x1008n, 0x2000n, 0x3ff8n];
type Plain = Map<bigint, { value: bigint; broken?: bigint; users: number[] }>;

function read(d: Descriptors): Plain {
  const m: Plain = new Map();
  for (const a of ADDRS) {
    const x = d.get(a);
    if (x) m.set(a, { value: x.value, ...(x.broken !== undefined ? { broken: x.broken } : {}), users: [...x.users] });
  }
  return m;
}

/** Entries part by part, each part in insertion order (a stable sort). */
const inParts = (m: Plain) => [...m].sort((x, y) => addressPart(x[0]) - addressPart(y[0]));

const same = (a: Descriptors, b: Descriptors) => a[SAME](b, isDeepStrictEqual);

test('Descriptors copy-on-write: copies keep their state, the live one changes, SAME agrees with a deep comparison', () => {
  const op = fc.oneof(
    fc.record({ k: fc.constant('use' as const), a: fc.nat(3), u: fc.nat(4), v: fc.nat(3) }),
    fc.record({ k: fc.constant('release' as const), a: fc.nat(3), u: fc.nat(4) }),
    fc.record({ k: fc.constant('write' as const), a: fc.nat(3), v: fc.nat(3), broken: fc.boolean() }),
    fc.record({ k: fc.constant('snapshot' as const), back: fc.boolean() }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
    let live = new Descriptors(new Watch());
    let model: Plain = new Map();
    const copies: Array<{ d: Descriptors; at: Plain }> = [];
    for (const o of ops) {
      if (o.k === 'use') {
        live.use(ADDRS[o.a], BigInt(o.v), 1, 4, 3, o.u);
        const x = model.get(ADDRS[o.a]);
        if (!x) model.set(ADDRS[o.a], { value: BigInt(o.v), users: [o.u] });
        else if (!x.users.includes(o.u)) x.users.push(o.u);
      } else if (o.k === 'release') {
        live.release(ADDRS[o.a], o.u);
        const x = model.get(ADDRS[o.a]);
        if (x?.users.includes(o.u)) {
          x.users = x.users.filter((u) => u !== o.u);
          if (!x.users.length) model.delete(ADDRS[o.a]);
        }
      } else if (o.k === 'write') {
        const d = live.own(ADDRS[o.a]);
        const x = model.get(ADDRS[o.a]);
        assert.equal(d === undefined, x === undefined);
        if (d && x) {
          d.value = BigInt(o.v);
          x.value = BigInt(o.v);
          if (o.broken) d.broken = x.broken = BigInt(o.v) + 100n;
        }
      } else {
        const c = snapshot(live)!.copy;
        assert.ok(same(c, live) && same(live, c), 'a copy equals its original');
        copies.push({ d: c, at: structuredClone(model) });
        // Going on from the copy instead (a run restored from a checkpoint) must work the same.
        if (o.back) live = snapshot(c)!.copy;
      }
      assert.deepEqual(read(live), model);
      assert.equal(live.size, model.size);
      for (const c of copies) {
        assert.deepEqual(read(c.d), c.at, 'a copy keeps what it held');
        assert.equal(same(c.d, live), isDeepStrictEqual(inParts(c.at), inParts(model)), 'SAME as a deep comparison (in order within each part)');
      }
    }
  }), { numRuns: 1500 });
});
