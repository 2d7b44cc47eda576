// Descriptors' users (hazards/descriptors.ts Users): a single user held without a Set, a Set from the
// second one; it must behave as a Set (size, membership, iteration order) under any sequence of changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Users } from '../../../../language-server/src/model/hazards/descriptors';

test('Users behaves as a Set under random adds and deletes', () => {
  const op = fc.record({ add: fc.boolean(), u: fc.integer({ min: 0, max: 5 }) });
  fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
    const objs = [0, 1, 2, 3, 4, 5].map((i) => ({ i }));
    const users = new Users<{ i: number }>();
    const set = new Set<{ i: number }>();
    for (const { add, u } of ops) {
      if (add) {
        users.add(objs[u]);
        set.add(objs[u]);
      } else {
        users.delete(objs[u]);
        set.delete(objs[u]);
      }
      assert.equal(users.size, set.size);
      assert.deepEqual([...users], [...set]);
      assert.equal(users.values().next().value, set.values().next().value);
    }
  }), { numRuns: 2000 });
});
