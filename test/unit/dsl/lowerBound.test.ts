// lowerBound, the one binary search over sorted spans and line starts, against a linear scan; and
// the searches built on it (lineIndexIn, nodeAt's statement, commentAt).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byEnd, byValue, lowerBound } from '../../../language-server/src/dsl/lowerBound';
import { lineIndexIn } from '../../../language-server/src/dsl/diagnostics';
import { commentAt, nodeAt, parse } from '../../../language-server/src/dsl';
import { Rng } from '../../fuzz/lib';

test('property: lowerBound is the first index whose key is >= the target (within [lo, hi))', () => {
  const rng = new Rng(11);
  for (let i = 0; i < 2000; i++) {
    const xs = Array.from({ length: rng.int(12) }, () => rng.int(8)).sort((a, b) => a - b);
    const t = rng.int(10) - 1;
    const lo = rng.int(xs.length + 1);
    const hi = lo + rng.int(xs.length - lo + 1);
    let want = lo;
    while (want < hi && xs[want] < t) want++;
    assert.equal(lowerBound(xs, t, byValue, lo, hi), want, `${JSON.stringify(xs)} ${t} [${lo}, ${hi})`);
  }
  assert.equal(lowerBound([{ end: 3 }, { end: 9 }], 4, byEnd), 1);
  assert.equal(lowerBound([], 4, byValue), 0);
});

test('lineIndexIn: the last line starting at or before the offset, 0 before the first', () => {
  const starts = [0, 5, 5, 9];
  const linear = (o: number) => {
    let k = 0;
    for (let i = 0; i < starts.length; i++) if (starts[i] <= o) k = i;
    return k;
  };
  for (let o = -2; o < 14; o++) assert.equal(lineIndexIn(starts, o), linear(o), `offset ${o}`);
  assert.equal(lineIndexIn([], 3), 0);
});

test('nodeAt and commentAt find the statement and comment under the cursor by binary search', () => {
  const text = 'smmu a # one\n\nsmmu b\nsmmu c // two\n';
  const tree = parse(text).tree;
  const at = (needle: string, k = 0) => text.indexOf(needle) + k;
  assert.equal((nodeAt(tree, at('b'))[1] as { start: number }).start, at('smmu b'));
  assert.equal(nodeAt(tree, at('\n\n') + 1).length, 1, 'a blank line: the script only');
  assert.equal(commentAt(tree, at('one')), tree.comments[0]);
  assert.equal(commentAt(tree, at('// two') + 3), tree.comments[1]);
  assert.equal(commentAt(tree, at('# one')), undefined, 'the cursor before `#` is not inside the comment');
  assert.equal(commentAt(tree, at('smmu c')), undefined);
});
