// EngineOptions: a pre-parsed tree (`parsed`) and cancellation polled while compiling.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileScenario, cutToSize, runScenario } from '../../../../language-server/src/engine/index';
import { parse } from '../../../../language-server/src/dsl';

const TEXT = `
smmu smmu0
pagetable pt s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw }
cd c { pagetable pt; asid 5 }
ste smmu0 0x10 { cd c }
dma smmu0 read sid 0x10 iova 0x1000_0123 expect pa 0x8000_0123
bogus statement here
`;

test("compiling with the caller's parse gives the same result as parsing again", () => {
  const plain = runScenario(TEXT, 'a.smmu');
  const reused = runScenario(TEXT, 'a.smmu', { parsed: parse(TEXT, 'a.smmu') });
  assert.deepEqual(reused, plain);
  // The scenario has a syntax error: the parse diagnostics are carried over too.
  assert.ok(plain.diagnostics.some((d) => d.code.startsWith('E_SYNTAX')));
  assert.deepEqual(plain.expectations, { passed: 1, failed: 0 });
});

test('the given parse is what gets compiled (the text is not parsed again)', () => {
  // The parse of a different text: its steps, not the text's, are compiled.
  const other = TEXT.replace('expect pa 0x8000_0123', 'expect pa 0x8000_0124');
  const r = runScenario(TEXT, 'a.smmu', { parsed: parse(other, 'a.smmu') });
  assert.deepEqual(r.expectations, { passed: 0, failed: 1 });
});

test('a parse is ignored when the text is cut at maxFileSize', () => {
  const cutAt = TEXT.indexOf('dma') - 1;
  const r = runScenario(TEXT, 'a.smmu', { maxFileSize: cutAt, parsed: parse(TEXT, 'a.smmu') });
  assert.ok(r.partial);
  assert.equal(r.steps.filter((s) => s.kind === 'dma').length, 0);
});

test('compiling stops when isCancelled says so', () => {
  let polls = 0;
  const never = compileScenario(TEXT, 'a.smmu', { isCancelled: () => (polls++, false) });
  assert.ok(polls > 0, 'polled while compiling');
  assert.ok(never.steps.length > 0);
  const s = compileScenario(TEXT, 'a.smmu', { isCancelled: () => true });
  assert.equal(s.steps.length, 0);
});

test('a file above maxFileSize is cut after its last whole line within the limit, with one I_PARTIAL notice', () => {
  const lines = TEXT.split('\n');
  const max = TEXT.indexOf('dma') + 3; // inside the dma line: that line is not analysed
  const r = runScenario(TEXT, 'a.smmu', { maxFileSize: max });
  assert.ok(r.partial);
  assert.equal(r.steps.filter((s) => s.kind === 'dma').length, 0);
  const notices = r.diagnostics.filter((d) => d.code === 'I_PARTIAL');
  assert.equal(notices.length, 1);
  assert.equal(notices[0].severity, 'information');
  const whole = lines.findIndex((l) => l.startsWith('dma'));
  assert.equal(notices[0].message, `This file (${TEXT.length} characters) is larger than iommuLens.maxFileSize (${max}): only lines 1-${whole} were analysed.`);
  assert.equal(cutToSize(TEXT, max), lines.slice(0, whole).join('\n') + '\n');
  assert.equal(cutToSize(TEXT, TEXT.length), TEXT, 'a file at the limit is whole');
  assert.equal(cutToSize('no line end here', 4), '', 'no line end within the limit: nothing');
  assert.match(runScenario('write64 0x1000 0x1', 'b.smmu', { maxFileSize: 4 }).diagnostics[0].message, /nothing was analysed/);
});
