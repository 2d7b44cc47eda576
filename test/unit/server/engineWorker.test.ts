// The engine worker in process (engineWorkerMain with a port of our own): what the server's thread
// rebuilds from its messages (diagnostics sent only when they change, step deltas) equals a run
// from scratch after every edit; a cancelled run is answered `cancelled` whatever it threw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../../language-server/src/engine';
import type { WireDiagnostic } from '../../../language-server/src/engine/api';
import { engineWorkerMain, type FromWorker, type ToWorker } from '../../../language-server/src/server/engineWorker';
import type { RunRequest } from '../../../language-server/src/server/runner';
import { StepStore } from '../../../language-server/src/server/stepStore';

const URI = 'file:///w.smmu';

function worker(): { send: (m: ToWorker) => FromWorker[] } {
  let handler: ((m: ToWorker) => void) | undefined;
  let out: FromWorker[] = [];
  engineWorkerMain({ on: (_ev, fn) => (handler = fn), postMessage: (m) => out.push(structuredClone(m)) });
  return {
    send: (m) => {
      out = [];
      handler!(m);
      return out;
    },
  };
}

const request = (text: string, version: number): RunRequest => ({ uri: URI, version, text, maxFileSize: 1_000_000, roots: [], openDocs: {} });

test('random edits: the diagnostics and steps rebuilt from the worker\'s messages equal a run from scratch', () => {
  let seed = 11;
  const rnd = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const lines = ['smmu smmu0', 'pagetable pt s1 4K {'];
  for (let i = 0; i < 16; i++) lines.push(`  map 0x${(0x1000_0000 + i * 0x1000).toString(16)} +4K -> 0x${(0x8000_0000 + i * 0x1000).toString(16)} rw`);
  lines.push('}', 'cd c { pagetable pt; asid 5 }', 'ste smmu0 0x10 { cd c }');
  const head = lines.length;
  for (let i = 0; i < 80; i++) lines.push(`dma smmu0 read sid 0x10 iova 0x${(0x1000_0000 + (i % 16) * 0x1000).toString(16)}`, `expect pa 0x${(0x8000_0000 + (i % 16) * 0x1000).toString(16)}`);
  const w = worker();
  let diagnostics: WireDiagnostic[] | undefined;
  let store = StepStore.EMPTY;
  let sentNull = 0;
  for (let v = 1; v <= 40; v++) {
    if (v > 1) {
      const at = head + rnd(lines.length - head);
      const what = rnd(5);
      // A transaction's address (an expectation fails or passes again), a syntax error, a line
      // inserted or removed, or nothing the run sees (a comment).
      if (what === 0) lines[at] = lines[at].replace(/0x1000([0-9a-f])000/, (_m, d: string) => `0x1000${d}0${rnd(10)}0`);
      else if (what === 1) lines.splice(at, 0, rnd(2) ? 'dma smmu0 read sid' : 'expect fault');
      else if (what === 2) lines.splice(at, 1);
      else if (what === 3) lines.splice(at, 0, `dma smmu0 write sid 0x10 iova 0x${(0x1000_0000 + rnd(20) * 0x1000).toString(16)}`);
      else lines.splice(at, 0, `# comment ${v}`);
    }
    const text = lines.join('\n') + '\n';
    const out = w.send({ type: 'run', id: v, req: request(text, v), flag: new SharedArrayBuffer(4) });
    assert.deepStrictEqual(out.map((m) => m.type), ['done', 'steps'], `edit ${v}`);
    const done = out[0] as Extract<FromWorker, { type: 'done' }>;
    const steps = out[1] as Extract<FromWorker, { type: 'steps' }>;
    if (done.diagnostics === null) sentNull++;
    else diagnostics = JSON.parse(done.diagnostics) as WireDiagnostic[];
    store = store.next(steps.delta!);
    const scratch = runScenario(text, URI);
    assert.deepStrictEqual(diagnostics, JSON.parse(JSON.stringify(scratch.diagnostics)), `edit ${v}: diagnostics`);
    assert.deepStrictEqual(store.all(), JSON.parse(JSON.stringify(scratch.steps)), `edit ${v}: steps`);
    assert.equal(done.summary.steps, scratch.steps.length);
    assert.deepStrictEqual(done.summary.expectations, scratch.expectations);
  }
  assert.ok(sentNull > 0, 'unchanged diagnostics are not sent again');
});

test('a run cancelled part-way answers `cancelled`, whatever exception it threw', () => {
  const w = worker();
  const flag = new SharedArrayBuffer(4);
  const req = request('smmu smmu0\n', 1);
  // The edit that makes it stale arrives while the run reads the request, which then throws.
  Object.defineProperty(req, 'text', {
    get: () => {
      Atomics.store(new Int32Array(flag), 0, 1);
      throw new TypeError('cannot read properties of a half-built state');
    },
  });
  assert.deepStrictEqual(w.send({ type: 'run', id: 1, req, flag }), [{ type: 'cancelled', id: 1 }]);
  // Not cancelled: the exception is a failure.
  const bad = request('smmu smmu0\n', 2);
  Object.defineProperty(bad, 'text', {
    get: () => {
      throw new TypeError('broken');
    },
  });
  const [m] = w.send({ type: 'run', id: 2, req: bad, flag: new SharedArrayBuffer(4) });
  assert.equal(m.type, 'failed');
});

test('the whole result is answered for the last run\'s version only', () => {
  const w = worker();
  const text = 'smmu smmu0\npagetable pt s1 4K {\n  map 0x1000 +4K -> 0x2000 rw\n}\ncd c { pagetable pt; asid 1 }\nste smmu0 0x10 { cd c }\ndma smmu0 read sid 0x10 iova 0x1000\n';
  w.send({ type: 'run', id: 1, req: request(text, 3), flag: new SharedArrayBuffer(4) });
  const [full] = w.send({ type: 'full', id: 2, uri: URI, version: 3 });
  assert.deepStrictEqual(JSON.parse((full as Extract<FromWorker, { type: 'full' }>).json!), JSON.parse(JSON.stringify(runScenario(text, URI))));
  assert.deepStrictEqual(w.send({ type: 'full', id: 3, uri: URI, version: 2 }), [{ type: 'full', id: 3, json: null }]);
});

test('a large run\'s steps are encoded between messages: the next run is not queued behind them, and they are finished first', async () => {
  let handler: ((m: ToWorker) => void) | undefined;
  const out: FromWorker[] = [];
  engineWorkerMain({ on: (_ev, fn) => (handler = fn), postMessage: (m) => out.push(structuredClone(m)) });
  const text = (last: string) => {
    const lines = ['smmu smmu0', 'pagetable pt s1 4K {', '  map 0x10000000 +4K -> 0x80000000 rw', '}', 'cd c { pagetable pt; asid 5 }', 'ste smmu0 0x10 { cd c }'];
    for (let i = 0; i < 5000; i++) lines.push(`dma smmu0 read sid 0x10 iova 0x${(0x1000_0000 + (i % 64) * 8).toString(16)}`);
    return [...lines, `dma smmu0 read sid 0x10 iova ${last}`].join('\n') + '\n';
  };
  const settle = async (until: () => boolean) => {
    for (let i = 0; i < 10_000 && !until(); i++) await new Promise((r) => setImmediate(r));
  };
  const of = (id: number, type: FromWorker['type']) => out.find((m) => m.id === id && m.type === type) as Extract<FromWorker, { type: 'steps' }> | undefined;
  handler!({ type: 'run', id: 1, req: request(text('0x10000000'), 1), flag: new SharedArrayBuffer(4) });
  assert.ok(of(1, 'done'), 'run 1 is answered at once');
  assert.equal(of(1, 'steps'), undefined, 'its 5,000 steps are still being encoded');
  // Two edits arrive: each runs now; run 2's encoding (queued behind run 1's) is superseded by run 3's.
  handler!({ type: 'run', id: 2, req: request(text('0x10000008'), 2), flag: new SharedArrayBuffer(4) });
  assert.ok(of(2, 'done'), 'run 2 is answered at once');
  assert.equal(of(1, 'steps'), undefined, 'run 1\'s encoding goes on');
  handler!({ type: 'run', id: 3, req: request(text('0x10000010'), 3), flag: new SharedArrayBuffer(4) });
  assert.ok(of(3, 'done'), 'run 3 is answered at once');
  const superseded = of(2, 'steps');
  assert.ok(superseded, 'run 2 has its steps message');
  assert.equal(superseded.delta, null);
  assert.equal(superseded.superseded, true, 'superseded, not failed: the server\'s thread keeps its store');
  await settle(() => of(3, 'steps') !== undefined);
  const whole = of(1, 'steps')!.delta!;
  assert.equal(whole.base, 0, 'run 1\'s steps: whole');
  const store = StepStore.EMPTY.next(structuredClone(whole));
  assert.deepStrictEqual(store.all(), JSON.parse(JSON.stringify(runScenario(text('0x10000000'), URI).steps)));
  const d3 = of(3, 'steps')!.delta!;
  assert.equal(d3.base, whole.id, 'run 3\'s steps: a delta on run 1\'s');
  assert.ok(d3.chunk.index.length < 10, `only the changed steps (${d3.chunk.index.length})`);
  assert.deepStrictEqual(store.next(structuredClone(d3)).all(), JSON.parse(JSON.stringify(runScenario(text('0x10000010'), URI).steps)));
});
