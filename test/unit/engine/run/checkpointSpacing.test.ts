// The checkpoints' spacing rule (engine/run/checkpoints.ts), on a stand-in run: a copy is taken
// no closer than the room left allows (none taken only to be dropped by thinning), and the
// copy-on-write a copy leaves to the steps after it (model/snapshot.ts cowCopied) is counted as
// part of its cost. Counted in copies taken, not timed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Checkpoints } from '../../../../language-server/src/engine/run/checkpoints';
import type { Runtime } from '../../../../language-server/src/engine/run/runtime';
import { cowCopied } from '../../../../language-server/src/model/snapshot';

/** A run of `steps` steps whose copies cost nothing but are counted; once one is taken, `cow`
 *  objects are copied on write per step. */
function run(steps: number, cps: Checkpoints, cow = 0): number {
  let taken = 0;
  const rt = { program: { steps: { length: steps } }, snapshot: () => (taken++, { objects: 100 }), finalState: () => ({ objects: 100 }) } as unknown as Runtime;
  for (let p = 1; p <= steps; p++) {
    if (taken) cowCopied.n += cow;
    cps.note(p, rt, p === steps);
  }
  return taken;
}

test('checkpoints are spread over the run: none is taken only to be dropped', () => {
  const cps = new Checkpoints({ cost: 0 });
  const taken = run(100_000, cps);
  // 64 at most, half the room: about 32 copies 3,125 steps apart (and the end's, not a copy).
  assert.ok(cps.interval >= 3125, `interval ${cps.interval}`);
  assert.ok(taken <= 33, `${taken} copies taken`);
  assert.equal(cps.count, taken + 1);
  // An explicit spacing is kept.
  const dense = new Checkpoints({ every: 4, cost: 0, max: 10_000 });
  assert.equal(run(400, dense), 99);
});

test('the copy-on-write after a copy counts as its cost: no copy while the steps pay for the last one', () => {
  // Every step copies 10 million objects of shared state (seconds of work by the estimate): the run
  // never spends 3 times that between two copies, so only the first one is taken.
  const costly = new Checkpoints({ every: 1, cost: 3 });
  assert.equal(run(200, costly, 10_000_000), 1);
  // Without copy-on-write, copies as cheap as these are taken again as the steps go.
  const cheap = new Checkpoints({ every: 1, cost: 3 });
  assert.ok(run(200, cheap) > 1);
});
