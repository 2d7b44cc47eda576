// CowMap (model/cowMap.ts): a snapshot shares the parts until either side writes one; random
// sets, deletes, clears and snapshots against plain Maps copied at each snapshot (keys spread over
// several parts, several keys a part); iteration and SAME are part by part, each in insertion order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { CowMap, numberPart } from '../../../language-server/src/model/cowMap';
import { SAME, snapshot } from '../../../language-server/src/model/snapshot';

/** A plain map's entries as a CowMap lists them: part by part (a stable sort), each in insertion order. */
const inParts = (m: Map<number, number>) => [...m].sort((x, y) => numberPart(x[0]) - numberPart(y[0]));
/** Keys 0..7 and 256..263: two in each of 8 parts. */
const KEY = fc.nat(15).map((k) => (k & 7) + (k >> 3) * 256);

test('CowMap: copies keep their entries, the live one changes, SAME agrees with an in-order comparison', () => {
  const op = fc.oneof(
    fc.record({ k: fc.constant('set' as const), key: KEY, v: fc.nat(3) }),
    fc.record({ k: fc.constant('delete' as const), key: KEY }),
    fc.record({ k: fc.constant('clear' as const) }),
    fc.record({ k: fc.constant('snapshot' as const), back: fc.boolean() }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 50 }), (ops) => {
    let live = new CowMap<number, number>(numberPart);
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
        assert.ok(c[SAME](live, isDeepStrictEqual));
        copies.push({ m: c, at: new Map(model) });
        if (o.back) {
          live = snapshot(c)!.copy;
          model = new Map(model);
        }
      }
      assert.deepEqual([...live], inParts(model));
      assert.equal(live.size, model.size);
      for (const c of copies) {
        assert.deepEqual([...c.m], inParts(c.at), 'a copy keeps its entries');
        assert.equal(c.m[SAME](live, isDeepStrictEqual), isDeepStrictEqual(inParts(c.at), inParts(model)));
      }
    }
  }), { numRuns: 1000 });
});
