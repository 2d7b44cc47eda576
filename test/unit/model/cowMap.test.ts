// CowMap (model/cowMap.ts): a snapshot shares the entries until either side writes; random sets,
// deletes, clears and snapshots against plain Maps deep-copied at each snapshot; SAME agrees with
// an in-order comparison.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { CowMap } from '../../../language-server/src/model/cowMap';
import { SAME, snapshot } from '../../../language-server/src/model/snapshot';

test('CowMap: copies keep their entries, the live one changes, SAME agrees with an in-order comparison', () => {
  const op = fc.oneof(
    fc.record({ k: fc.constant('set' as const), key: fc.nat(5), v: fc.nat(3) }),
    fc.record({ k: fc.constant('delete' as const), key: fc.nat(5) }),
    fc.record({ k: fc.constant('clear' as const) }),
    fc.record({ k: fc.constant('snapshot' as const), back: fc.boolean() }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 50 }), (ops) => {
    let live = new CowMap<number, number>();
    let model = new Map<number, number>();
    const copies: Array<{ m: CowMap<number, number>; at: Map<number, number> }> = [];
    for (const o of ops) {
      if (o.k === 'set') {
        live.set(o.key, o.v);
        model.set(o.key, o.v);
      } else if (o.k === 'delete') assert.equal(live.delete(o.key), model.delete(o.key));
      else if (o.k === 'clear') {
        live.clear();
        model.clear();
      } else {
        const c = snapshot(live)!.copy;
        assert.ok(c.shares(live) && c[SAME](live, isDeepStrictEqual));
        copies.push({ m: c, at: new Map(model) });
        if (o.back) {
          live = snapshot(c)!.copy;
          model = new Map(model);
        }
      }
      assert.deepEqual([...live], [...model]);
      assert.equal(live.size, model.size);
      for (const c of copies) {
        assert.deepEqual([...c.m], [...c.at], 'a copy keeps its entries');
        assert.equal(c.m[SAME](live, isDeepStrictEqual), isDeepStrictEqual([...c.at], [...model]));
      }
    }
  }), { numRuns: 1000 });
});
