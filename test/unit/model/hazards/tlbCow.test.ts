// The TLB shadow's records (hazards/tlb.ts `Cached`) are copy-on-write: a checkpoint copies the
// maps and shares the records; a record the run changes after the checkpoint (made stale by a
// descriptor write, reported, moved by a TLBI) is copied first, so the checkpoint keeps what it held.
// Checked through the engine: every example with hazards is run with a checkpoint after every
// step, then each checkpoint is resumed (fork) and must give the same steps as the first run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileScenario } from '../../../../language-server/src/engine';
import type { Session } from '../../../../language-server/src/engine/run/session';
import { snapshot } from '../../../../language-server/src/model/snapshot';

const EXAMPLES = path.join(__dirname, '../../../../../examples');
const json = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
const noInclude = () => ({ error: 'includes are not read here' });

/** The hazard tracker's TLB shadow of a run's model (its private records map, for the sharing check). */
function tlbShadow(model: { hookState: unknown }): { users: Map<number, object> } | undefined {
  const shadows = (model.hookState as { shadows?: object[] } | undefined)?.shadows;
  return shadows?.find((s) => s.constructor.name === 'TlbShadow') as { users: Map<number, object> } | undefined;
}

test('a TLB shadow record changed after a checkpoint does not leak into it: resuming every checkpoint gives the same steps', () => {
  const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.smmu') && /H_STALE_TLB|H_TLBI_NO_SYNC|H_BBM|H_ATC_STALE|H_TLBI_NOT_BROADCAST/.test(fs.readFileSync(path.join(EXAMPLES, f), 'utf8')));
  assert.ok(files.length >= 4, 'examples with TLB hazards');
  let forks = 0;
  for (const f of files) {
    const text = fs.readFileSync(path.join(EXAMPLES, f), 'utf8');
    const s = compileScenario(text, 'file:///' + f, { readInclude: noInclude, checkpoints: { every: 1, cost: 0, max: 10_000 } }) as Session;
    s.runToEnd();
    const all = s.results().map(json);
    for (let p = 0; p < all.length; p++) {
      const k = s.fork(p) as Session;
      k.runToEnd();
      assert.deepEqual(k.results().map(json).slice(p), all.slice(p), `${f}: resumed at step ${p}`);
      forks++;
    }
  }
  assert.ok(forks > 50);
});

test('a snapshot of the TLB shadow shares its records (copy-on-write) and copies one only when the run changes it', () => {
  const text = fs.readFileSync(path.join(EXAMPLES, 'stale-tlb-after-unmap.smmu'), 'utf8');
  const s = compileScenario(text, 'file:///s.smmu', { readInclude: noInclude, checkpoints: { every: 1, cost: 0 } }) as Session;
  // Run up to the first step after which the shadow holds a record, then copy the model.
  const rt = () => (s as unknown as { rt: { model(): { hookState: unknown } } }).rt;
  let live = tlbShadow(rt().model());
  while (!live?.users.size && s.step()) live = tlbShadow(rt().model());
  assert.ok(live && live.users.size > 0);
  const copy = tlbShadow(snapshot(rt().model())!.copy)!;
  assert.notEqual(copy, live);
  for (const [uid, r] of live.users) assert.equal(copy.users.get(uid), r, 'shared record');
  const before = new Map([...copy.users].map(([u, r]) => [u, json(r)]));
  s.runToEnd();
  // The run went on (the unmap made the record stale): the copy's records are as they were.
  assert.ok([...live.users.values()].some((r) => !before.has((r as { uid: number }).uid) || before.get((r as { uid: number }).uid) !== json(r)) || live.users.size !== before.size, 'the run changed the shadow');
  for (const [u, r] of copy.users) assert.equal(json(r), before.get(u));
});
