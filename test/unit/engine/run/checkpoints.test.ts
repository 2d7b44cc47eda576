// Incremental runs (engine/run/checkpoints.ts): a session of an edited text resumes from a
// checkpoint of the previous version's session; its result must equal a run from the start.
// Property: random edits (line deletes, copies, number changes, comment lines, line joins) to the
// examples, compared with a from-scratch run after each; `goto` back lands on the state of a fresh
// run to that step. Plus the cases the issue names: a comment-only edit, an edit near the end, an
// edit to a declaration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { compileScenario, type ScenarioSession } from '../../../../language-server/src/engine';
import type { Session } from '../../../../language-server/src/engine/run/session';
import { Checkpoints } from '../../../../language-server/src/engine/run/checkpoints';
import type { Runtime } from '../../../../language-server/src/engine/run/runtime';
import { snapshot } from '../../../../language-server/src/model/snapshot';
import { PhysicalMemory } from '../../../../language-server/src/model/memory';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { dmaPairs } from './dmaPairs';

const EXAMPLES = path.join(__dirname, '../../../../../examples');
const URI = 'file:///edit.smmu';
const noInclude = () => ({ error: 'includes are not read here' });
const SEED = Number(process.env.FUZZ_SEED ?? 42);

const json = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
const scratch = (text: string) => compileScenario(text, URI, { readInclude: noInclude });
const incremental = (text: string, previous?: ScenarioSession, every = 4) =>
  compileScenario(text, URI, { readInclude: noInclude, checkpoints: { every, cost: 0 }, previous }) as Session;

type Edit = { kind: 'delete' | 'copy' | 'number' | 'comment' | 'join' | 'char'; at: number; from: number; digit: number };

function apply(text: string, e: Edit): string {
  const lines = text.split('\n');
  const i = e.at % lines.length;
  const j = e.from % lines.length;
  if (e.kind === 'delete') lines.splice(i, 1);
  else if (e.kind === 'copy') lines.splice(i, 0, lines[j]);
  else if (e.kind === 'number') lines[i] = lines[i].replace(/0x[0-9a-f]+/i, (m) => m.slice(0, -1) + e.digit.toString(16));
  else if (e.kind === 'comment') lines.splice(i, 0, '# note');
  // In a line (the compile reuses the other statements' steps: compile/reuse.ts).
  else if (e.kind === 'char') lines[i] = lines[i].slice(0, e.from % (lines[i].length + 1)) + 'x0 #'[e.digit % 4] + lines[i].slice(e.from % (lines[i].length + 1));
  else if (i + 1 < lines.length) lines.splice(i, 2, lines[i] + ' ' + lines[i + 1]);
  return lines.join('\n');
}

const edit = fc.record({
  kind: fc.constantFrom<Edit['kind']>('delete', 'copy', 'number', 'comment', 'join', 'char'),
  at: fc.nat(400), from: fc.nat(400), digit: fc.nat(15),
});

const examples = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.smmu')).sort();

test('incremental results equal a run from the start after every random edit; goto back equals a fresh run', () => {
  let reused = 0;
  fc.assert(
    fc.property(fc.constantFrom(...examples), fc.array(edit, { minLength: 1, maxLength: 6 }), fc.nat(1000), (file, edits, back) => {
      let text = fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
      let prev: ScenarioSession = incremental(text);
      prev.runToEnd();
      for (const e of edits) {
        text = apply(text, e);
        const s = incremental(text, prev);
        const got = s.runToEnd();
        reused += s.reused;
        const fresh0 = scratch(text);
        assert.equal(json(s.steps), json(fresh0.steps), `${file}: steps after ${json(e)}`);
        assert.equal(json(got), json(fresh0.runToEnd()), `${file} after ${json(e)}`);
        const k = back % (s.steps.length + 1);
        s.goto(k);
        const fresh = scratch(text);
        fresh.goto(k);
        assert.equal(json(s.state()), json(fresh.state()), `${file}: state after goto(${k})`);
        assert.equal(json(s.results()), json(fresh.results()));
        s.goto(s.steps.length);
        prev = s;
      }
    }),
    { numRuns: Number(process.env.FUZZ_PROPERTY_RUNS ?? 40), seed: SEED },
  );
  assert.ok(reused > 0, 'some runs resumed from a checkpoint');
});

const scenario = (n: number) => dmaPairs(n);

test('a comment-only edit re-runs nothing; an edit near the end re-runs only the steps after the checkpoint before it', () => {
  const text = scenario(400);
  const s0 = incremental(text, undefined, 16);
  const r0 = s0.runToEnd();
  const n = s0.steps.length;
  // A comment at the end of the last line: every step keeps its key.
  const s1 = incremental(text.replace(/\n$/, ' # checked\n'), s0, 16);
  assert.equal(s1.reused, n);
  assert.equal(json(s1.runToEnd()), json(r0));
  // The last transaction's address: the run resumes within one checkpoint interval of it.
  const lines = text.split('\n');
  const last = lines.length - 3;
  lines[last] = lines[last].replace(/0$/, '8');
  const edited = lines.join('\n');
  const s2 = incremental(edited, s1, 16);
  const lastStep = s2.steps.findIndex((st) => st.line === last + 1);
  assert.ok(s2.reused <= lastStep && s2.reused > lastStep - 16, `resumed at ${s2.reused}, edit at step ${lastStep}`);
  assert.equal(json(s2.runToEnd()), json(scratch(edited).runToEnd()));
});

test('a second edit at the same place resumes exactly at its first changed step (the checkpoint the first edit took there)', () => {
  const text = scenario(400);
  const s0 = incremental(text, undefined, 64);
  s0.runToEnd();
  const lines = text.split('\n');
  const at = Math.floor(lines.length * 0.7) | 1;
  const editTo = (digit: string) => lines.map((l, i) => (i === at ? l.replace(/.$/, digit) : l)).join('\n');
  const first = editTo('8');
  const s1 = incremental(first, s0, 64);
  const step = s1.steps.findIndex((st) => st.line === at + 1);
  assert.ok(s1.reused <= step && s1.reused < step - 8, `first edit resumed at ${s1.reused}, before step ${step}`);
  assert.equal(json(s1.runToEnd()), json(scratch(first).runToEnd()));
  // A burst of edits there, each from the checkpoint at the edited step (kept when others are thinned).
  let prev = s1;
  for (const d of ['c', '4', '0']) {
    const s = incremental(editTo(d), prev, 64);
    assert.equal(s.reused, step, `edit '${d}' resumed at ${s.reused}`);
    assert.equal(json(s.runToEnd()), json(scratch(editTo(d)).runToEnd()));
    prev = s;
  }
});

test('an edit to a declaration re-runs from the first step it changes', () => {
  const text = scenario(200);
  const s0 = incremental(text, undefined, 8);
  s0.runToEnd();
  // The CD's ASID: the CD step changes (its writes), nothing before it.
  const edited = text.replace('asid 5', 'asid 6');
  const s1 = incremental(edited, s0, 8);
  const cdStep = s1.steps.findIndex((st) => st.kind === 'cd');
  assert.ok(cdStep > 0 && s1.reused <= cdStep && s1.reused > cdStep - 8, `resumed at ${s1.reused}, cd at ${cdStep}`);
  assert.equal(json(s1.runToEnd()), json(scratch(edited).runToEnd()));
  // Adding an expectation after a transaction makes it watched: the run resumes before it.
  const lines = edited.split('\n');
  lines.splice(lines.length - 1, 0, 'expect no hazard');
  const s2 = incremental(lines.join('\n'), s1, 8);
  assert.equal(json(s2.runToEnd()), json(scratch(lines.join('\n')).runToEnd()));
});

test('an expectation that marked a fault intended is undone when the run resumes before it', () => {
  const text = 'smmu smmu0 { stages s1 }\nste smmu0 0x1 { config abort }\ndma read sid 0x1 iova 0x1000\nexpect fault\n' + '# pad\n'.repeat(3) + 'write64 0x9000_0000 1\n'.repeat(20);
  const s0 = incremental(text, undefined, 2);
  s0.runToEnd();
  const edited = text.replace('expect fault', 'expect pa 0x1000');
  const s1 = incremental(edited, s0, 2);
  assert.ok(s1.reused > 0);
  assert.equal(json(s1.runToEnd()), json(scratch(edited).runToEnd()));
});

test('snapshot: memory is copied on write; a closure it cannot see into makes it fail', () => {
  const m = new PhysicalMemory();
  m.write64(0x1000n, 1n);
  const c = snapshot(m)!.copy;
  c.write64(0x1000n, 2n);
  m.write64(0x1008n, 3n);
  assert.equal(m.read64(0x1000n), 1n);
  assert.equal(c.read64(0x1000n), 2n);
  assert.equal(c.read64(0x1008n), 0n);
  const cyc: { self?: unknown; f?: () => void } = {};
  cyc.self = cyc;
  const k = snapshot(cyc)!.copy;
  assert.equal(k.self, k);
  cyc.f = () => undefined;
  assert.equal(snapshot(cyc), undefined);
  // A Map subclass keeps its prototype and fields (SmmuInstance's register file counts versions).
  class Versioned extends Map<number, bigint> {
    version = 0;
    override set(k: number, v: bigint): this {
      this.version++;
      return super.set(k, v);
    }
  }
  const r = new Versioned();
  r.set(1, 2n);
  const rc = snapshot(r)!.copy;
  assert.ok(rc instanceof Versioned);
  assert.equal(rc.version, 1);
  rc.set(3, 4n);
  assert.equal(rc.version, 2);
  assert.equal(r.size, 1);
});

test('a session resumed from a previous one does not keep it (nor, through it, every earlier version)', async () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const text = scenario(50);
  let prev: Session | undefined = incremental(text);
  prev.runToEnd();
  const first = new WeakRef(prev);
  let cur = text;
  for (const d of ['1', '2', '3']) {
    cur = cur.replace(/0$/m, d);
    const s = incremental(cur, prev);
    s.runToEnd();
    prev = s;
  }
  assert.ok(prev.reused > 0);
  // (a WeakRef's target stays alive until the end of the job that made or read it)
  await new Promise((r) => setImmediate(r));
  gc();
  assert.equal(first.deref(), undefined, 'the first session is still reachable from the last');
});

test('one slow copy (a collection in the middle of it) does not hold the next checkpoints back', () => {
  // A clock of our own: each step 0.01 ms, each copy 0.2 ms, the tenth 50 ms.
  const realNow = performance.now;
  let now = 0;
  let copies = 0;
  performance.now = () => now;
  try {
    const cps = new Checkpoints({ every: 32, max: 10_000, budget: Infinity });
    const rt = { snapshot: () => ((now += ++copies === 10 ? 50 : 0.2), { objects: 1 }) } as unknown as Runtime;
    for (let p = 1; p <= 20_000; p++) {
      now += 0.01;
      cps.note(p, rt);
    }
    const at = cps.positions(0, 20_001);
    let gap = 0;
    for (let i = 1; i < at.length; i++) gap = Math.max(gap, at[i] - at[i - 1]);
    // Copies stay about a quarter of the run (cost 3) without the slow one's 150 ms of steps (15,000).
    assert.ok(at.length > 100 && gap < 1000, `checkpoints ${at.length}, largest gap ${gap} steps`);
  } finally {
    performance.now = realNow;
  }
});

test('thinning keeps the start\'s checkpoint (an edit near the start resumes from it)', () => {
  const cps = new Checkpoints({ every: 4, max: 8, cost: 0 });
  const rt = { snapshot: () => ({ objects: 1 }) } as unknown as Runtime;
  cps.take(0, rt);
  for (let p = 1; p <= 1000; p++) cps.note(p, rt);
  assert.ok(cps.interval > 4, 'thinned');
  assert.equal(cps.atOrBefore(3)?.position, 0);
});
