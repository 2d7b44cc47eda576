// The step store: the worker sends only the steps that changed since its last store for the
// document; the server's thread rebuilds every run's steps from the deltas, exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileScenario } from '../../../language-server/src/engine';
import type { ScenarioSession, WireStep } from '../../../language-server/src/engine/api';
import { StepEncoder, StepStore } from '../../../language-server/src/server/stepStore';

function scenario(lastIova: string): string {
  const lines = ['smmu smmu0', 'pagetable pt s1 4K {'];
  for (let i = 0; i < 40; i++) lines.push(`  map 0x${(0x1000_0000 + i * 0x1000).toString(16)} +4K -> 0x${(0x8000_0000 + i * 0x1000).toString(16)} rw`);
  lines.push('}', 'cd c { pagetable pt; asid 5 }', 'ste smmu0 0x10 { cd c }');
  for (let i = 0; i < 300; i++) lines.push(`dma smmu0 read sid 0x10 iova 0x${(0x1000_0000 + (i % 40) * 0x1000).toString(16)}`, `expect pa 0x${(0x8000_0000 + (i % 40) * 0x1000).toString(16)}`);
  lines.push(`dma smmu0 read sid 0x10 iova ${lastIova}`);
  return lines.join('\n') + '\n';
}

/** The steps at each line, decoded from the store, as the whole result has them. */
function check(store: StepStore, steps: readonly WireStep[], what: string): void {
  assert.equal(store.count, steps.length, `${what}: count`);
  const lines = new Set(steps.map((s) => s.line));
  for (const line of lines) assert.deepStrictEqual(store.atLine(line - 1), JSON.parse(JSON.stringify(steps.filter((s) => s.line === line))), `${what}: line ${line}`);
  for (const i of [0, steps.length >> 1, steps.length - 1]) assert.deepStrictEqual(store.step(i), JSON.parse(JSON.stringify(steps[i])), `${what}: step ${i}`);
  assert.equal(store.step(steps.length), undefined);
}

test('runs resumed from a checkpoint send only their new steps; every store decodes as the whole result', () => {
  const enc = new StepEncoder();
  let store = StepStore.EMPTY;
  let prev: ScenarioSession | undefined;
  const sent: number[] = [];
  const reused: number[] = [];
  for (const [k, iova] of ['0x10000000', '0x10001000', '0x10002040', '0x10003000'].entries()) {
    const s = compileScenario(scenario(iova), 'file:///s.smmu', { checkpoints: {}, previous: prev });
    const r = s.runToEnd();
    const d = enc.delta('file:///s.smmu', r.steps);
    // Through a structured clone, as between the threads.
    store = store.next(structuredClone(d));
    sent.push(d.chunk.ends.length);
    // Exactly the steps the session did not run again are kept.
    reused.push((s as unknown as { reused: number }).reused);
    assert.equal(d.keep, reused[k], `run ${k}: kept`);
    check(store, r.steps, `run ${k}`);
    prev = s;
  }
  assert.equal(sent[0] > 600, true, `the first run sends every step (${sent[0]})`);
  assert.ok(reused.slice(1).every((n) => n > 0), `every edit at the end resumed from a checkpoint (${reused})`);
  for (const n of sent.slice(1)) assert.ok(n < sent[0], `an edit at the end sends fewer steps (${n} of ${sent[0]})`);
});

test('a fragmented store is sent whole; a forgotten document starts again', () => {
  const enc = new StepEncoder(3);
  let store = StepStore.EMPTY;
  let prev: ScenarioSession | undefined;
  for (let k = 0; k < 6; k++) {
    const s = compileScenario(scenario(`0x1000${k}000`), 'file:///f.smmu', { checkpoints: {}, previous: prev });
    const r = s.runToEnd();
    const d = enc.delta('file:///f.smmu', r.steps);
    store = store.next(d);
    assert.ok(store.chunkCount <= 3, `at most 3 chunks (${store.chunkCount})`);
    check(store, r.steps, `run ${k}`);
    prev = s;
  }
  enc.forget('file:///f.smmu');
  const r = compileScenario(scenario('0x10000000'), 'file:///f.smmu').runToEnd();
  const d = enc.delta('file:///f.smmu', r.steps);
  assert.equal(d.keep, 0);
  check(StepStore.EMPTY.next(d), r.steps, 'after forget');
  // A delta that does not fit the store it is applied to is refused, never misread.
  const loose = new StepEncoder(16, Infinity);
  loose.delta('file:///f.smmu', r.steps);
  const d2 = loose.delta('file:///f.smmu', [...r.steps.slice(0, 3), { ...r.steps[3] }]);
  assert.equal(d2.keep, 3);
  assert.throws(() => StepStore.EMPTY.next(d2), /starts at 3, expected 0/);
});
