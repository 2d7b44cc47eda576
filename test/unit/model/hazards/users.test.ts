// Descriptors' users (hazards/descriptors.ts Users): a single user id held without a Set, a Set from
// the second one; it must behave as a Set (size, membership, iteration order) under any sequence of
// changes, and so must a copy of it (copy-on-write), apart from the original.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Users } from '../../../../language-server/src/model/hazards/descriptors';

test('Users behaves as a Set under random adds, deletes and copies', () => {
  const op = fc.record({ add: fc.boolean(), u: fc.integer({ min: 0, max: 5 }), copy: fc.boolean() });
  fc.assert(fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
    let users = new Users();
    let set = new Set<number>();
    for (const { add, u, copy } of ops) {
      if (copy) {
        // The copy goes on; the original must keep what it held.
        const before = [...users];
        const c = users.copy();
        assert.ok(c.same(users) && users.same(c));
        c.add(6);
        assert.deepEqual([...users], before);
        assert.ok(!c.same(users));
        c.delete(6);
        users = c;
        set = new Set(set);
      }
      if (add) {
        users.add(u);
        set.add(u);
      } else {
        users.delete(u);
        set.delete(u);
      }
      assert.equal(users.size, set.size);
      assert.equal(users.has(u), set.has(u));
      assert.deepEqual([...users], [...set]);
      assert.equal(users.values().next().value, set.values().next().value);
    }
  }), { numRuns: 2000 });
});
