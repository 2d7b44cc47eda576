// The step store: the worker sends only the steps whose JSON changed since its last store for the
// document; the server's thread rebuilds every run's steps from the deltas, exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileScenario } from '../../../language-server/src/engine';
import type { ScenarioSession, WireStep } from '../../../language-server/src/engine/api';
import { StepStore } from '../../../language-server/src/server/stepStore';
import { StepEncoder, sameJson, sameStep } from '../../../language-server/src/server/stepEncoder';
import { txSummary } from '../../../language-server/src/server/runner';

function scenario(lastIova: string, extra: string[] = []): string {
  const lines = ['smmu smmu0', 'pagetable pt s1 4K {'];
  for (let i = 0; i < 40; i++) lines.push(`  map 0x${(0x1000_0000 + i * 0x1000).toString(16)} +4K -> 0x${(0x8000_0000 + i * 0x1000).toString(16)} rw`);
  lines.push('}', 'cd c { pagetable pt; asid 5 }', 'ste smmu0 0x10 { cd c }');
  for (let i = 0; i < 300; i++) lines.push(`dma smmu0 read sid 0x10 iova 0x${(0x1000_0000 + (i % 40) * 0x1000).toString(16)}`, `expect pa 0x${(0x8000_0000 + (i % 40) * 0x1000).toString(16)}`);
  lines.push(...extra, `dma smmu0 read sid 0x10 iova ${lastIova}`);
  return lines.join('\n') + '\n';
}

const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

/** The store decodes as the whole result: every line, every step, all of them, the transactions. */
function check(store: StepStore, steps: readonly WireStep[], what: string): void {
  assert.equal(store.count, steps.length, `${what}: count`);
  const lines = new Set(steps.map((s) => s.line));
  for (const line of lines) assert.deepStrictEqual(store.atLine(line - 1), plain(steps.filter((s) => s.line === line)), `${what}: line ${line}`);
  for (let i = 0; i < steps.length; i += 7) assert.deepStrictEqual(store.step(i), plain(steps[i]), `${what}: step ${i}`);
  assert.equal(store.step(steps.length), undefined);
  assert.deepStrictEqual(store.all(), plain(steps), `${what}: all`);
  assert.deepStrictEqual(store.tx(), plain(steps.flatMap((s) => txSummary(s) ?? [])), `${what}: transactions`);
}

/** Steps of `b` whose JSON differs from the same step of `a` (or that `a` has not). */
function differing(a: readonly WireStep[], b: readonly WireStep[]): number[] {
  return b.flatMap((s, i) => (i < a.length && JSON.stringify(a[i]) === JSON.stringify(s) ? [] : [i]));
}

test('an edit sends only the steps whose JSON changed, whatever the run re-ran; every store decodes as the whole result', () => {
  const enc = new StepEncoder();
  let store = StepStore.EMPTY;
  let prev: ScenarioSession | undefined;
  let prevSteps: readonly WireStep[] = [];
  for (const [k, iova] of ['0x10000000', '0x10001000', '0x10002040', '0x10003000', '0x10003000'].entries()) {
    const s = compileScenario(scenario(iova), 'file:///s.smmu', { checkpoints: {}, previous: prev });
    const r = s.runToEnd();
    const d = enc.delta('file:///s.smmu', r.steps);
    // Through a structured clone, as between the threads.
    store = store.next(structuredClone(d));
    if (k === 0) assert.equal(d.chunk.index.length, r.steps.length, 'the first run sends every step');
    else assert.deepStrictEqual([...d.chunk.index], differing(prevSteps, r.steps), `run ${k}: exactly the steps that changed`);
    check(store, r.steps, `run ${k}`);
    prev = s;
    prevSteps = r.steps;
  }
  // The last run changed nothing: nothing is sent.
  assert.equal(store.count > 600, true);
});

test('random edits: each store decodes as its run; chunks stay few and mostly in use', () => {
  let seed = 7;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const enc = new StepEncoder(4);
  let store = StepStore.EMPTY;
  let prev: ScenarioSession | undefined;
  const extra: string[] = [];
  for (let k = 0; k < 24; k++) {
    // Inserts and removes steps (indices and lines shift after them) or changes one transaction.
    const what = rnd(3);
    if (what === 0) extra.splice(rnd(extra.length + 1), 0, `dma smmu0 write sid 0x10 iova 0x${(0x1000_0000 + rnd(48) * 0x1000).toString(16)}`);
    else if (what === 1 && extra.length) extra.splice(rnd(extra.length), 1);
    const s = compileScenario(scenario(`0x1000${rnd(10)}0${rnd(10)}0`, extra), 'file:///r.smmu', { checkpoints: {}, previous: rnd(4) === 0 ? undefined : prev });
    const r = s.runToEnd();
    store = store.next(structuredClone(enc.delta('file:///r.smmu', r.steps)));
    assert.ok(store.chunkCount <= 4, `run ${k}: at most 4 chunks (${store.chunkCount})`);
    assert.equal(store.chunkCount, enc.chunkCount('file:///r.smmu'), `run ${k}: the encoder knows the store's chunks`);
    check(store, r.steps, `run ${k}`);
    prev = s;
  }
});

test('a delta that does not fit the store it is applied to is refused, never misread; a forgotten document starts again', () => {
  const enc = new StepEncoder();
  const r = compileScenario(scenario('0x10000000'), 'file:///f.smmu').runToEnd();
  const d0 = enc.delta('file:///f.smmu', r.steps);
  const s0 = StepStore.EMPTY.next(d0);
  const changed = [...r.steps.slice(0, 3), { ...r.steps[3], label: 'changed' }, ...r.steps.slice(4)];
  const d1 = enc.delta('file:///f.smmu', changed);
  assert.deepStrictEqual([...d1.chunk.index], [3]);
  check(s0.next(d1), changed, 'one step changed');
  assert.throws(() => StepStore.EMPTY.next(d1), /for store 1, applied to store 0/);
  // More steps than the base holds, and the new ones not sent.
  assert.throws(() => StepStore.EMPTY.next({ ...d0, base: 0, count: r.steps.length + 1 }), /without their JSON/);
  enc.forget('file:///f.smmu');
  const d2 = enc.delta('file:///f.smmu', r.steps);
  assert.equal(d2.base, 0);
  check(StepStore.EMPTY.next(d2), r.steps, 'after forget');
});

test('sameJson: equal when the JSON values are, key order aside; never when they differ', () => {
  const cases: Array<[unknown, unknown, boolean]> = [
    [{ a: 1, b: [1, { c: '2' }] }, { b: [1, { c: '2' }], a: 1 }, true],
    [{ a: 1, b: [1, { c: '2' }] }, { a: 1, b: [1, { c: 2 }] }, false],
    [{ a: 1 }, { a: 1, b: 2 }, false],
    [{ a: 1, b: 2 }, { a: 1 }, false],
    [[1, 2], { 0: 1, 1: 2 }, false],
    [[1, 2], [1, 2, 3], false],
    [[], [], true],
    [null, {}, false],
    ['x', 'x', true],
    // JSON drops undefined members: telling these apart is only conservative (sent again).
    [{ a: undefined }, { b: undefined }, false],
  ];
  for (const [a, b, eq] of cases) assert.equal(sameJson(a, b), eq, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
});

/** Whether a step has lazy walks (engine/output/lazyWalks.ts) turned into wire objects. */
function walksBuilt(step: WireStep): boolean {
  const slot = Object.getOwnPropertySymbols(step).map((k) => (step as unknown as Record<symbol, { wire?: unknown }>)[k])[0];
  return slot?.wire !== undefined;
}

test('sameStep: the JSON comparison of two steps, without building their walks', () => {
  const runOf = (iova: string, extra: string[] = []) => compileScenario(scenario(iova, extra), 'file:///w.smmu').runToEnd().steps;
  const a = runOf('0x10000000');
  const b = runOf('0x10001000');
  // The same steps as `a` but one mapping's descriptor differs: the walks differ, nothing else.
  const c = compileScenario(scenario('0x10000000').replace('map 0x10000000 +4K -> 0x80000000 rw', 'map 0x10000000 +4K -> 0x80000000 ro'), 'file:///w.smmu').runToEnd().steps;
  assert.equal(a.length, c.length);
  assert.ok(a.filter((s) => Object.getOwnPropertySymbols(s).length).length >= 20, 'the walking transactions have lazy walks');
  const pairs = [[a, b], [a, c], [b, b]] as const;
  const same = pairs.map(([x, y]) => x.map((s, i) => sameStep(s, y[i])));
  assert.ok([a, b, c].every((run) => run.every((s) => !walksBuilt(s))), 'no walk was built to compare');
  pairs.forEach(([x, y], k) => assert.deepStrictEqual(same[k], x.map((s, i) => JSON.stringify(s) === JSON.stringify(y[i]))));
  assert.ok(a.some((s, i) => JSON.stringify(s) !== JSON.stringify(c[i]) && sameJson({ ...plain(s) as object, walks: 0 }, { ...plain(c[i]) as object, walks: 0 })), 'some steps differ only in their walks');
  // A step whose walks were assigned as wire objects is compared as JSON.
  const d = structuredClone(a[5]);
  assert.equal(sameStep(a[5], d), true);
  assert.equal(sameStep(d, { ...d, walks: [] }), JSON.stringify(d) === JSON.stringify({ ...d, walks: [] }));
});
