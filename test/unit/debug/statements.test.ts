// The debugger moves by statements: every step one source line produced (an `smmu` declaration
// programs a dozen registers; `dma … expect …` is a transaction and its expectations).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileScenario } from '../../../language-server/src/engine/index';
import { ScenarioDebugger } from '../../../language-server/src/debug/debugger';

const TEXT = [
  'smmu smmu0', // 1
  'pagetable pt s1 4K { map 0x1000_0000 +8K -> 0x8000_0000 rw }', // 2
  'cd c { pagetable pt; asid 5 }', // 3
  'ste smmu0 0x10 { cd c }', // 4
  'dma smmu0 read sid 0x10 iova 0x1000_0040 expect pa 0x8000_0040 expect tlb miss', // 5
  'dma smmu0 read sid 0x10 iova 0x1000_1040 expect pa 0x8000_1040', // 6
  'dma smmu0 read sid 0x10 iova 0x1000_0080 expect tlb hit', // 7
].join('\n');

function runtime(): ScenarioDebugger {
  const s = compileScenario(TEXT, 'file:///statements.smmu');
  assert.equal(s.diagnostics.filter((d) => d.severity === 'error').length, 0);
  return new ScenarioDebugger(s);
}

test('the scenario has statements made of several steps (test premise)', () => {
  const rt = runtime();
  assert.ok(rt.steps.filter((s) => s.line === 1).length > 1, 'smmu declares several register steps');
  assert.ok(rt.steps.filter((s) => s.line === 5).length > 1, 'dma with two inline expectations');
});

test('step over moves one source line at a time', () => {
  const rt = runtime();
  rt.start(true);
  const lines = [rt.focus!.line];
  for (let i = 0; i < 6; i++) {
    rt.next();
    lines.push(rt.focus!.line);
  }
  assert.deepEqual(lines, [1, 2, 3, 4, 5, 6, 7]);
});

test('step back returns to the start of the previous line, not into its middle', () => {
  const rt = runtime();
  rt.start(true);
  for (let i = 0; i < 5; i++) rt.next(); // before line 6
  assert.equal(rt.focus!.line, 6);
  rt.stepBack();
  assert.equal(rt.focus!.line, 5);
  assert.equal(rt.session.steps[rt.session.position].line, 5);
  assert.equal(rt.session.steps[rt.session.position - 1].line, 4, 'nothing of line 5 has run');
});

test('a breakpoint stops once per line, at its first step', () => {
  const rt = runtime();
  rt.setBreakpoints([1, 5]);
  assert.equal(rt.start(false).reason, 'breakpoint');
  assert.equal(rt.focus!.line, 1);
  assert.equal(rt.continue().reason, 'breakpoint');
  assert.equal(rt.focus!.line, 5);
  assert.equal(rt.continue().reason, 'end', 'no second stop inside line 5');
});

test('step into a dma line walks its translation, then finishes the line', () => {
  const rt = runtime();
  rt.setBreakpoints([5]);
  rt.start(false);
  rt.stepIn();
  assert.ok(rt.walkItem, 'in the walk');
  let guard = 0;
  while (rt.walkItem && guard++ < 10) rt.stepIn();
  assert.equal(rt.focus!.line, 6, 'the expectations of line 5 ran with it');
  assert.deepEqual(rt.session.results().filter((r) => r.line === 5).map((r) => r.expectation?.passed ?? null).filter((x) => x !== null), [true, true]);
});

test('after a fault stop at the end of a line, step over moves to the next line without running it', () => {
  const text = TEXT + '\ndma smmu0 read sid 0x10 iova 0x2000_0000\ndma smmu0 read sid 0x10 iova 0x1000_0000 expect pa 0x8000_0000';
  const rt = new ScenarioDebugger(compileScenario(text, 'file:///fault.smmu'));
  rt.setExceptionFilters(['fault']);
  const stop = rt.start(false);
  assert.equal(stop.reason, 'exception');
  assert.equal(stop.text, 'F_TRANSLATION');
  assert.equal(rt.focus!.line, 8);
  const ran = rt.session.position;
  rt.next();
  assert.equal(rt.focus!.line, 9);
  assert.equal(rt.session.position, ran, 'line 9 has not run yet');
  // Line 9 hits the TLB (line 5 cached the page): no walk to step into, so the line just runs.
  rt.stepIn();
  assert.equal(rt.walkItem, undefined);
  assert.equal(rt.session.position, rt.steps.length);
  assert.equal(rt.session.results().at(-1)?.expectation?.passed, true);
});
