// The parse in slices the server runs after opening a document (server/warmup.ts): whatever
// the slices, it equals a parse of the whole text, on the examples, mutated texts and texts
// whose statements end with errors at a slice's end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, type Diagnostic, type ParseResult } from '../../../language-server/src/dsl';
import { computeLineStarts } from '../../../language-server/src/dsl/diagnostics';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analyzer } from '../../../language-server/src/server/documents';
import type { EngineRunner } from '../../../language-server/src/server/runner';
import { DEFAULT_SETTINGS } from '../../../language-server/src/server/settings';
import { parseInSlices, Warmup } from '../../../language-server/src/server/warmup';
import { Rng, exampleTexts, mutate } from '../../fuzz/lib';

const SEED = Number(process.env.FUZZ_SEED ?? 11);
const key = (d: Diagnostic) => JSON.stringify([d.start, d.end, d.range, d.code, d.message, d.severity]);

/** The sliced parse, each slice ending as soon as it may (`due` true) or after `every` checks. */
function sliced(text: string, every: number): { r: ParseResult; slices: number } {
  let n = 0;
  const job = parseInSlices(text, 'file:///w.smmu', computeLineStarts(text), () => ++n % every === 0);
  let slices = 1;
  for (;;) {
    const x = job.next();
    if (x.done) return { r: x.value, slices };
    slices++;
  }
}

function same(text: string, every: number, what: string): number {
  const { r, slices } = sliced(text, every);
  const want = parse(text, 'file:///w.smmu');
  assert.deepStrictEqual(r.tree, want.tree, `${what}: tree`);
  assert.deepStrictEqual(r.diagnostics.map(key), want.diagnostics.map(key).sort((a, b) => {
    const x = JSON.parse(a) as number[];
    const y = JSON.parse(b) as number[];
    return x[0] - y[0] || x[1] - y[1];
  }), `${what}: diagnostics`);
  return slices;
}

test('property: a parse in slices equals a parse of the whole text', () => {
  const rng = new Rng(SEED);
  const examples = exampleTexts();
  let slices = 0;
  for (const [i, text] of examples.entries()) slices += same(text, 1, `example ${i}`);
  for (let i = 0; i < 400; i++) {
    const text = mutate(rng.pick(examples), rng);
    slices += same(text, 1 + rng.int(4), `mutated ${i}`);
  }
  assert.ok(slices > 500, `only ${slices} slices`);
});

test('statements with errors at the end of a slice are parsed again by the next', () => {
  const text = [
    'smmu smmu0 { stages s1; oas 48 }',
    'pagetable pt : s1 4k {',
    '  map 0x1000 +4K -> 0x2000 rw',
    'dma read sid 0x100 iova 0x1040',
    'dma read sid 0x100 iova',
    'dma read sid 0x100 iova 0x1040 # after an error',
    'ste smmu0 0x100 { config S1_TRANS',
    'expect',
    '}',
    'cd x { asid 5; ttb0 pt }',
    '',
  ].join('\n');
  for (let every = 1; every <= 4; every++) same(text, every, `every ${every}`);
});

function bigText(n = 20_000): string {
  const lines = ['smmu smmu0 { stages s1; oas 48 }', 'pagetable pt : s1 4k {'];
  for (let i = 0; i < n / 10; i++) lines.push(`  map 0x${(0x1000_0000 + i * 0x1000).toString(16)} +4K -> 0x${(0x8000_0000 + i * 0x1000).toString(16)} rw`);
  lines.push('}', 'cd c { asid 5; ttb0 pt }', 'ste smmu0 0x100 { config S1_TRANS; cd c }');
  for (let i = 0; i < (n * 9) / 10; i++) lines.push(i % 9 === 0 ? `# filler ${i}` : `dma read sid 0x100 iova 0x${(0x1000_0000 + (i % (n / 10)) * 0x1000).toString(16)}`);
  return lines.join('\n') + '\n';
}

test('a 20,000-line text parses in many slices, the same tree', () => {
  const slices = same(bigText(), 500, '20,000 lines');
  assert.ok(slices > 20, `${slices} slices`);
});

const turn = () => new Promise<void>((r) => setImmediate(r));

test('the warm-up parses between turns of the event loop; finish completes it at once', async () => {
  const text = bigText();
  const src = { uri: 'file:///w.smmu', version: 1, text, lineStarts: computeLineStarts(text) };
  let done = 0;
  let ended = false;
  const job = new Warmup(src, () => done++, () => undefined);
  job.ended = () => (ended = true);
  // Other work runs between its slices: a 20,000-line parse is not one block.
  await turn();
  await turn();
  assert.equal(done, 0, 'parsed in one slice');
  const r = job.finish();
  assert.equal(done, 1);
  assert.deepStrictEqual(r.tree, parse(text, src.uri).tree);
  assert.equal(job.finish(), r, 'finished once');
  while (!ended) await turn();
  assert.equal(done, 1);
});

test('an edit while the document is still being parsed after opening: the tree of the new version', async () => {
  const runner: EngineRunner = { run: () => new Promise(() => undefined), forget: () => undefined, dispose: () => undefined };
  const analyzer = new Analyzer({ settings: () => ({ ...DEFAULT_SETTINGS, maxFileSize: 1e8 }), runner, roots: () => [], openDocs: () => ({}), publish: () => undefined, log: () => undefined });
  const uri = 'file:///open.smmu';
  let doc = TextDocument.create(uri, 'smmu', 1, bigText());
  analyzer.update(doc);
  await turn();
  await turn();
  const line = doc.lineCount - 5;
  const edit = { range: { start: { line, character: 0 }, end: { line, character: 3 } }, text: 'ats' };
  const at = doc.offsetAt(edit.range.start);
  analyzer.edited(uri, 1, 2, [{ start: at, end: at + 3, text: 'ats' }]);
  doc = TextDocument.update(doc, [edit], 2);
  analyzer.update(doc);
  await turn();
  const p = analyzer.parsed(uri)!;
  assert.equal(p.version, 2);
  const want = parse(doc.getText(), uri);
  assert.deepStrictEqual(p.tree.statements, want.tree.statements);
  assert.deepStrictEqual(p.syntax.map(key), want.diagnostics.map(key));
  analyzer.close(uri);
});
