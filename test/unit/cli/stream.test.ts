// The runner's streaming compile (engine/compile/stream.ts): a plain trace (expectations included) run statement by
// statement gives exactly what compiling it whole and running it gives (steps, diagnostics,
// expectations), including faults, events, hazards, syntax and lowering errors; any other file is
// left to the whole compile.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runStreamed, streamable } from '../../../language-server/src/engine/compile/stream';
import { compileScenario } from '../../../language-server/src/engine/index';
import { parse } from '../../../language-server/src/dsl/parser';
import type { WireStep } from '../../../language-server/src/engine/output/wire';
import { lowLevelDmaScenario } from '../../../bench/dmaScenario';

const EXAMPLES = path.join(__dirname, '../../../../examples');

function whole(text: string): string {
  const steps: WireStep[] = [];
  const r = compileScenario(text, 'f.smmu', { parsed: parse(text, 'f.smmu', { lean: true }) }).runStreaming((s) => steps.push(s));
  return JSON.stringify({ ...r, steps });
}

function streamed(text: string): string | undefined {
  const steps: WireStep[] = [];
  const r = runStreamed(text, 'f.smmu', {}, (s) => steps.push(s));
  return r && JSON.stringify({ ...r, steps });
}

function same(text: string, what: string): void {
  const s = streamed(text);
  assert.ok(s !== undefined, `${what}: a plain trace`);
  assert.equal(s, whole(text), what);
}

/** An example without its expectations and comments: the low-level lines only. */
function plainLines(file: string): string {
  return fs.readFileSync(path.join(EXAMPLES, file), 'utf8').split('\n')
    .filter((l) => !/^\s*expect\b/.test(l))
    .map((l) => l.replace(/\s+expect\b.*$/, '').replace(/#.*$/, ''))
    .join('\n');
}

test('the generated DMA trace: the same steps, byte for byte', () => {
  same(lowLevelDmaScenario(64, 600), 'dma trace');
});

test('the low-level examples without their expectations: translations, faults, events and run diagnostics as a whole compile', () => {
  for (const f of ['quickstart.smmu', 'bringup-lowlevel.smmu']) {
    const text = plainLines(f);
    same(text, f);
    const r = JSON.parse(streamed(text)!);
    assert.ok(r.steps.some((s: WireStep) => s.kind === 'dma' && s.outcome === 'ok'), `${f}: a DMA translates`);
    assert.ok(r.steps.some((s: WireStep) => s.outcome === 'fault'), `${f}: a DMA faults`);
  }
});

test('syntax and lowering errors, odd spacing, CRLF and upper case: the same diagnostics in the same order', () => {
  const base = plainLines('quickstart.smmu');
  const texts = [
    base + '\ndma smmu0 read sid 8\ndma smmu0 read iova 0x1000\ndma smmu0 read sid 8 iova 0x80201000 len 0\n',
    base + '\nwrite64 0x40000201 0x1\nwrite32 0x40000204 0x1_0000_0000\nwrite8 0x40000000\nwrite16 0x40000002 0xffff\n',
    base + '\nreg smmu0.SMMU_NOPE 0x1\nreg smmu0.SMMU_CR0\ncmd smmu0 raw 0xff 0x0\ncmd smmu0 CMD_SYNC\ncmd smmu0 bogus 1\n',
    base + '\ndma smmu0 read sid 8 iova 0xffff_ffff_ffff_fff0 len 0x40\ndma smmu0 read sid 8 iova 0x80201000 len 0x8000000\n',
    base + '\ndma smmu1 read sid 8 iova 0x80201000\ndma read sid 8 iova 0x80201000 bogus 3\ndma smmu0 read sid 8 iova 0x80201000 read 1 write\n',
    base.replace(/\n/g, '\r\n'),
    base.replace(/^(write64|reg|cmd|dma)/gm, (k) => '\t ' + k.toUpperCase()),
    '// a trace with no STE written\nreg smmu0.SMMU_CR0 0x1\ndma smmu0 read sid 3 iova 0x0\n',
    '',
    '# only a comment',
  ];
  texts.forEach((t, i) => same(t, `text ${i}`));
  const r = JSON.parse(streamed(texts[0])!);
  assert.ok(r.diagnostics.some((d: { severity: string }) => d.severity === 'error'), 'the errors are reported');
});

test('a hazard found later than the step that caused it names the earlier step (its place is kept once run)', () => {
  // STE[8] changed while the SMMU may cache it, without CMD_CFGI_STE: the next DMA's hazard.
  const text = plainLines('quickstart.smmu') + '\nwrite64 0x40000200 0x4003000d\ndma smmu0 read sid 8 iova 0x80201000\n';
  same(text, 'hazard');
  const r = JSON.parse(streamed(text)!);
  assert.ok(r.steps.some((s: WireStep) => s.hazards.length > 0), 'a hazard is reported');
});

test('expectations, attached and standalone: the transaction they read keeps its result (the same results and counts)', () => {
  for (const f of ['quickstart.smmu', 'bringup-lowlevel.smmu']) {
    // (without the comments: one has a `;`)
    const text = fs.readFileSync(path.join(EXAMPLES, f), 'utf8').replace(/#.*$/gm, '');
    same(text, f);
    const r = JSON.parse(streamed(text)!);
    assert.ok(r.expectations.passed > 0 && r.expectations.failed === 0, `${f}: its expectations pass`);
  }
  // A standalone expectation several statements after its transaction, a failing one, one with no
  // transaction before it, one after a transaction that did not run.
  const base = plainLines('quickstart.smmu');
  const text = 'expect pa 0x1\n' + base + '\ndma smmu0 read sid 8 iova 0x80201010\nwrite64 0x40200000 0x1\nreg smmu0.SMMU_CR2 0x2\nexpect pa 0x48000010\n' +
    'expect pa 0x48000014\nexpect fault F_TRANSLATION\ndma smmu0 read sid 8 iova 0x80203000 expect fault F_TRANSLATION\ndma smmu0 read sid 8\nexpect pa 0x0\n';
  same(text, 'standalone');
  const r = JSON.parse(streamed(text)!);
  assert.ok(r.expectations.passed >= 2 && r.expectations.failed >= 2, JSON.stringify(r.expectations));
});

test('any other file is compiled whole: declarations, includes, blocks, joined statements, other words', () => {
  const plain = 'write64 0x40000200 0x4003000b\n';
  for (const extra of [
    'smmu smmu0', 'include "x.smmu"', 'pagetable pt s1 4K { map 0x1000 +4K -> 0x2000 rw }', 'expect mem 0x1000 { 0x1 }',
    'dma smmu0 read sid 8 iova 0x1000; dma smmu0 read sid 8 iova 0x2000',
    'write64.x 0x1 0x2', 'writ64 0x1 0x2', '  map pt 0x1000 +4K -> 0x2000 rw', 'ats smmu0 sid 8 iova 0x1000', 'cpu tlbi vmalle1is',
    '\fste smmu0 8 { bypass }', 'dma smmu0 read sid 8 iova 0x1000 }',
  ]) {
    assert.equal(streamable(plain + extra + '\n'), false, extra);
    assert.equal(runStreamed(plain + extra + '\n', 'f.smmu', {}, () => undefined), undefined, extra);
  }
  assert.equal(streamable(plain + '# a comment: STE[8] (IHI 0070 §5.2)\n\n   \n// another\n'), true);
  for (const f of fs.readdirSync(EXAMPLES).filter((x) => x.endsWith('.smmu'))) {
    const text = fs.readFileSync(path.join(EXAMPLES, f), 'utf8');
    if (streamable(text)) same(text, f);
  }
});
