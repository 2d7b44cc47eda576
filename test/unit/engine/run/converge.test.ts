// Rejoining the previous run (engine/run/converge.ts): after an edit, a resumed run whose model
// state equals the previous run's at one of its checkpoints takes the previous results for the
// remaining steps. Every result is compared with a run from the start of the same text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { compileScenario, type ScenarioSession } from '../../../../language-server/src/engine';
import { sameModel } from '../../../../language-server/src/engine/run/converge';
import { RunRecords } from '../../../../language-server/src/engine/run/records';
import type { ModelState } from '../../../../language-server/src/engine/run/modelState';
import { snapshot } from '../../../../language-server/src/model/snapshot';
import { dmaPairs } from './dmaPairs';
import { json, noInclude, runsOf } from './sessions';

const EXAMPLES = path.join(__dirname, '../../../../../examples');
const URI = 'file:///edit.smmu';
const SEED = Number(process.env.FUZZ_SEED ?? 7);
const { scratch, run } = runsOf(URI);

const scenario = (n: number) => dmaPairs(n, true);

/** The text with the last hex digit of line `i` changed to `d` (a DMA's address in the same page). */
const digit = (text: string, i: number, d: number) => text.split('\n').map((l, k) => (k === i ? l.replace(/[0-9a-f]$/, d.toString(16)) : l)).join('\n');

test('an edit to a DMA address rejoins the previous run at a later checkpoint; results equal a run from the start', () => {
  let text = scenario(300);
  let prev = run(text).s;
  const dmaLines = text.split('\n').flatMap((l, i) => (l.startsWith('dma') ? [i] : []));
  let rejoined = 0;
  for (let k = 0; k < 12; k++) {
    const line = dmaLines[(k * 97) % dmaLines.length];
    text = digit(text, line, (k % 15) + 1);
    const { s, r } = run(text, prev);
    assert.equal(json(r), json(scratch(text)), `edit ${k} at line ${line + 1}`);
    const at = s.steps.findIndex((x) => x.line === line + 1);
    if (s.reused > at + 1) rejoined++;
    prev = s;
  }
  assert.ok(rejoined >= 6, `runs that rejoined: ${rejoined} of 12`);
});

test('an edit read by an expectation steps later: the run rejoins after it; results equal a run from the start', () => {
  const text = scenario(40);
  const prev = run(text, undefined, 8).s;
  // A DMA whose standalone `expect pa` comes three steps later: its address, in the same page
  // (the model state is the same after it), now ends in 9, so that expectation passes.
  const lines = text.split('\n');
  const i = lines.findIndex((l, k) => l.startsWith('dma') && lines[k + 2]?.startsWith('write64'));
  assert.ok(i > 0);
  const edited = digit(text, i, 9);
  const before = scratch(text).expectations.failed;
  const { s, r } = run(edited, prev, 8);
  assert.equal(json(r), json(scratch(edited)));
  assert.equal(r.expectations.failed, before, 'the DMA\'s own expectation fails, the standalone one passes');
  const at = s.steps.findIndex((x) => x.line === i + 1);
  assert.ok(s.reused > at + 4, `rejoined after the standalone expect (reused ${s.reused}, edit at step ${at})`);
});

test('random digit edits to the examples: rejoined results equal a run from the start', () => {
  const examples = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.smmu')).sort();
  fc.assert(
    fc.property(fc.constantFrom(...examples), fc.array(fc.record({ at: fc.nat(1000), d: fc.nat(15) }), { minLength: 1, maxLength: 5 }), (file, edits) => {
      let text = fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
      let prev = run(text, undefined, 2).s;
      const numbered = text.split('\n').flatMap((l, i) => (/0x[0-9a-f]+$/i.test(l) && !l.trimStart().startsWith('#') ? [i] : []));
      for (const e of edits) {
        if (!numbered.length) return;
        text = digit(text, numbered[e.at % numbered.length], e.d);
        const { s, r } = run(text, prev, 2);
        assert.equal(json(r), json(scratch(text)), `${file} after ${json(e)}`);
        prev = s;
      }
    }),
    { numRuns: Number(process.env.FUZZ_PROPERTY_RUNS ?? 40), seed: SEED },
  );
});

test('an edit to the last DMA, writes after it: the run rejoins, and the SMMU\'s latest transaction is this run\'s', () => {
  const lines = scenario(30).split('\n');
  const writes = Array.from({ length: 60 }, (_, i) => `write64 0x${(0x9100_0000 + i * 8).toString(16)} 0x${i.toString(16)}`);
  let text = [...lines.slice(0, -1), ...writes, ''].join('\n');
  const last = text.split('\n').map((l) => l.startsWith('dma')).lastIndexOf(true);
  let prev = run(text, undefined, 8).s;
  type Inst = { lastTransaction?: { iova: bigint }; lastTransactionStep: number };
  const latest = (x: ScenarioSession) => (x as unknown as { rt: { smmus: Map<string, Inst> } }).rt.smmus.get('smmu0')!;
  for (const d of [1, 2, 3]) {
    text = digit(text, last, d);
    const { s, r } = run(text, prev, 8);
    const fresh = compileScenario(text, URI, { readInclude: noInclude });
    assert.equal(json(r), json(fresh.runToEnd()));
    const at = s.steps.findIndex((x) => x.line === last + 1);
    assert.ok(s.reused > at + 8, `rejoined after the edit (reused ${s.reused}, edit at step ${at})`);
    assert.equal(latest(s).lastTransaction?.iova, latest(fresh).lastTransaction?.iova);
    assert.equal(latest(s).lastTransactionStep, latest(fresh).lastTransactionStep);
    assert.equal((latest(s).lastTransaction?.iova ?? 0n) & 0xfn, BigInt(d));
    prev = s;
  }
});

test('sameModel: equal copies are equal, one changed memory word or TLB entry is not', () => {
  const text = scenario(20);
  const { s } = run(text, undefined, 4);
  const model = (s as unknown as { rt: { model(): ModelState } }).rt.model();
  const a = snapshot(model)!.copy;
  const b = snapshot(model)!.copy;
  assert.ok(sameModel(a, b));
  b.mem.write64(0x9000_0010n, 1n);
  assert.ok(!sameModel(a, b));
  const c = snapshot(model)!.copy;
  assert.ok(c.smmus.get('smmu0')!.tlb.clear().length > 0);
  assert.ok(!sameModel(a, c));
});

test('RunRecords.canRejoin: not across a read of a redone transaction record, a fault marked intended across, or other hazards', () => {
  const wire = { index: 10, line: 11, col: 1, endLine: 11, endCol: 9, kind: 'dma', label: 'dma', events: [], hazards: [] };
  const diag = { line: 11, col: 1, endLine: 11, endCol: 9, severity: 'error' as const, code: 'F_TRANSLATION', message: 'fault' };
  const prev = new RunRecords();
  prev.setTxn(10, { outcome: 'ok', recorded: [], wire, reason: '' });
  prev.txn(10, 13);
  const cur = new RunRecords();
  assert.equal(cur.canRejoin(prev, 8, 12), false, 'step 13 read the record of step 10, run again');
  assert.equal(cur.canRejoin(prev, 8, 14), true);
  assert.equal(cur.canRejoin(prev, 11, 12), true, 'step 10 was not run again');
  const marked = new RunRecords();
  marked.setTxn(10, { outcome: 'fault', recorded: [true], wire, reason: '', faultDiag: { ...diag } });
  marked.markIntended(10, 11);
  assert.equal(cur.canRejoin(marked, 0, 12), true);
  marked.markIntended(10, 13);
  assert.equal(cur.canRejoin(marked, 0, 12), false, 'step 13 marked the fault of step 10 intended');
  const hz = { code: 'H_STALE_TLB', severity: 'warning' as const, line: 10, message: 'm', fix: 'f', related: [] };
  prev.setHazards(9, [hz]);
  assert.equal(cur.canRejoin(prev, 8, 14), false, 'prev found a hazard this run did not');
  cur.setHazards(9, [{ ...hz }]);
  assert.equal(cur.canRejoin(prev, 8, 14), true);
});

/** The text with an empty line inserted before line `i` (Enter at its start). */
const enter = (text: string, i: number) => {
  const ls = text.split('\n');
  ls.splice(i, 0, '');
  return ls.join('\n');
};

test('Enter in the middle: the run rejoins the previous run, its results moved to the new lines; equal to a run from the start', () => {
  let text = scenario(300);
  let prev = run(text).s;
  const n = prev.steps.length;
  for (let k = 0; k < 6; k++) {
    const dmaLines = text.split('\n').flatMap((l, i) => (l.startsWith('dma') ? [i] : []));
    const line = dmaLines[Math.floor(dmaLines.length * (0.3 + 0.07 * k))];
    text = enter(text, line);
    const { s, r } = run(text, prev);
    assert.equal(json(r), json(scratch(text)), `Enter ${k} before line ${line + 1}`);
    assert.equal(s.steps.length, n);
    const at = s.steps.findIndex((x) => x.line === line + 2);
    // The steps after the edit up to the previous run's next checkpoints (8 apart) run again, not the rest.
    assert.ok(n - s.reused < 40, `Enter ${k}: ${n - s.reused} of ${n} steps run again (edit at step ${at})`);
    prev = s;
  }
});

test('lines added and removed (Enter, comment and blank lines, pasted and deleted lines) in the examples: results equal a run from the start', () => {
  const examples = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.smmu')).sort();
  const edit = fc.record({ at: fc.nat(1000), kind: fc.constantFrom('enter', 'comment', 'delete', 'paste', 'join'), n: fc.integer({ min: 1, max: 3 }) });
  fc.assert(
    fc.property(fc.constantFrom(...examples), fc.array(edit, { minLength: 1, maxLength: 5 }), (file, edits) => {
      let text = fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
      let prev = run(text, undefined, 2).s;
      for (const e of edits) {
        const ls = text.split('\n');
        const i = e.at % ls.length;
        if (e.kind === 'enter') ls.splice(i, 0, ...Array<string>(e.n).fill(''));
        else if (e.kind === 'comment') ls.splice(i, 0, '# note');
        else if (e.kind === 'delete') ls.splice(i, e.n);
        else if (e.kind === 'paste') ls.splice(i, 0, ...ls.slice(i, i + e.n));
        else if (i + 1 < ls.length) ls.splice(i, 2, ls[i] + ls[i + 1]);
        text = ls.join('\n');
        const { s, r } = run(text, prev, 2);
        assert.equal(json(r), json(scratch(text)), `${file} after ${json(e)}`);
        prev = s;
      }
    }),
    { numRuns: Number(process.env.FUZZ_PROPERTY_RUNS ?? 40), seed: SEED },
  );
});

test('an edit before the first checkpoint after the start resumes from the start\'s and rejoins the previous run', () => {
  const text = scenario(300);
  const prev = run(text, undefined, 64).s;
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.startsWith('dma'));
  const edited = digit(text, first, 3);
  const { s, r } = run(edited, prev, 64);
  assert.equal(json(r), json(scratch(edited)));
  const at = s.steps.findIndex((x) => x.line === first + 1);
  // (the first checkpoint after the start is 64 steps in: the DMA is before it)
  assert.ok(at < 64, `the DMA is step ${at}`);
  assert.ok(s.reused > s.steps.length - 128, `rejoined (reused ${s.reused} of ${s.steps.length} steps, edit at step ${at})`);
  // The next edit there resumes at the edit's checkpoint and rejoins where this run rejoined (its
  // checkpoint there is this run's state too), not at the one after.
  const again = digit(edited, first, 5);
  const next = run(again, s, 64);
  assert.equal(json(next.r), json(scratch(again)));
  assert.ok(next.s.steps.length - next.s.reused < 64, `${next.s.steps.length - next.s.reused} steps run again`);
});
