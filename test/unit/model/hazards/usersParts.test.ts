// Descriptors' users (hazards/users.ts) held in parts of 64 ids when added in increasing order (a
// table descriptor's thousands of TLB records): against a Set under random adds (mostly the next
// id, sometimes an old one), deletes, copies (each side goes on; the other keeps what it held) and
// deletes during iteration (a Set's iteration skips an id deleted before it is reached).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Users } from '../../../../language-server/src/model/hazards/users';

test('Users in parts behave as a Set: adds in increasing order, deletes, copies, deletes while iterating', () => {
  const op = fc.oneof(
    fc.record({ k: fc.constant('next' as const), skip: fc.nat(100) }),
    fc.record({ k: fc.constant('old' as const), u: fc.nat(400) }),
    fc.record({ k: fc.constant('delete' as const), u: fc.nat(400) }),
    fc.record({ k: fc.constant('copy' as const), swap: fc.boolean() }),
    fc.record({ k: fc.constant('iterate' as const), every: fc.integer({ min: 1, max: 5 }) }),
  );
  fc.assert(fc.property(fc.array(op, { maxLength: 80 }), fc.boolean(), (ops, withOld) => {
    let users = new Users();
    let set = new Set<number>();
    let next = 0;
    const copies: Array<{ u: Users; at: number[] }> = [];
    for (const o of ops) {
      if (o.k === 'next') {
        next += 1 + o.skip;
        users.add(next);
        set.add(next);
      } else if (o.k === 'old' && withOld) {
        users.add(o.u);
        set.add(o.u);
      } else if (o.k === 'delete') {
        users.delete(o.u);
        set.delete(o.u);
      } else if (o.k === 'copy') {
        const c = users.copy();
        assert.ok(c.same(users) && users.same(c));
        copies.push({ u: o.swap ? users : c, at: [...set] });
        if (o.swap) users = c;
        set = new Set(set);
      } else if (o.k === 'iterate') {
        // Deleting ids ahead while iterating: the same ids seen as a Set's iteration sees.
        const all = [...set];
        const gone = all.filter((_u, i) => i % o.every === 1);
        const seen: number[] = [];
        const seenSet: number[] = [];
        let n = 0;
        for (const u of users) {
          seen.push(u);
          if (n++ === 0) for (const g of gone) users.delete(g);
        }
        n = 0;
        for (const u of set) {
          seenSet.push(u);
          if (n++ === 0) for (const g of gone) set.delete(g);
        }
        assert.deepEqual(seen, seenSet);
      }
      assert.deepEqual([...users], [...set]);
      assert.equal(users.size, set.size);
      for (const u of [0, next, next + 1, 5, 64, 65, 128]) assert.equal(users.has(u), set.has(u));
      for (const c of copies) assert.deepEqual([...c.u], c.at, 'a copy keeps what it held');
    }
  }), { numRuns: 2000 });
});
