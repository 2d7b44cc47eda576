// Editor features never wait for a whole parse (server/trees.ts): while a document's first parse
// runs in slices after opening, semantic tokens answer from the statements parsed so far (and the
// client is asked to refresh them once it is done), completion, hover and signature help parse on
// only up to the request's line, folding and the outline wait for the slices. The parse work is
// counted through Warmup.work (characters parsed), never timed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { CancellationToken } from 'vscode-languageserver';
import { Analyzer } from '../../../language-server/src/server/documents';
import type { ServerContext } from '../../../language-server/src/server/context';
import type { EngineRunner } from '../../../language-server/src/server/runner';
import { DEFAULT_SETTINGS } from '../../../language-server/src/server/settings';
import { semanticTokens, semanticTokensRange } from '../../../language-server/src/server/semanticTokens';
import { completion } from '../../../language-server/src/server/completion';
import { signatureHelp } from '../../../language-server/src/server/signatureHelp';
import { hover } from '../../../language-server/src/server/hover';
import { foldingRanges } from '../../../language-server/src/server/folding';
import { documentSymbols } from '../../../language-server/src/server/symbols';

const URI = 'file:///big.smmu';

/** A scenario of `n` lines: declarations first, then transactions (a 100,000-line file's shape). */
function bigText(n = 40_000): string {
  const lines = ['smmu smmu0 { stages s1; oas 48 }', 'pagetable pt : s1 4k {'];
  for (let i = 0; i < n / 10; i++) lines.push(`  map 0x${(0x1000_0000 + i * 0x1000).toString(16)} +4K -> 0x${(0x8000_0000 + i * 0x1000).toString(16)} rw`);
  lines.push('}', 'cd c { asid 5; ttb0 pt }', 'ste smmu0 0x100 {', '  config S1_TRANS', '  cd c', '}');
  for (let i = 0; lines.length < n; i++) {
    // A declaration a quarter into the text (line 9000): hovers that need no run.
    if (lines.length === 9000) lines.push('cd late { asid 6; ttb0 pt }');
    else lines.push(i % 9 === 0 ? `# filler ${i}` : `dma read sid 0x100 iova 0x${(0x1000_0000 + (i % (n / 10)) * 0x1000).toString(16)}`);
  }
  return lines.join('\n') + '\n';
}

const TEXT = bigText();

function context(): { ctx: ServerContext; late: string[] } {
  const runner: EngineRunner = { run: () => new Promise(() => undefined), forget: () => undefined, dispose: () => undefined };
  const late: string[] = [];
  const settings = () => ({ ...DEFAULT_SETTINGS, maxFileSize: 1e8 });
  const analyzer = new Analyzer({ settings, runner, roots: () => [], openDocs: () => ({}), publish: () => undefined, log: () => undefined, parsedLate: (u) => late.push(u) });
  return { ctx: { analyzer, settings, log: () => undefined }, late };
}

/** A document opened, its first parse under way (one slice done at most). */
function opened(text = TEXT): { ctx: ServerContext; late: string[]; doc: TextDocument } {
  const c = context();
  const doc = TextDocument.create(URI, 'smmu', 1, text);
  c.ctx.analyzer.update(doc);
  return { ...c, doc };
}

/** The same requests against a document parsed whole. */
function parsedWhole(text = TEXT): ServerContext {
  const { ctx } = opened(text);
  ctx.analyzer.parsed(URI);
  return ctx;
}

const turn = () => new Promise<void>((r) => setImmediate(r));
const none = CancellationToken.None;

test('semantic tokens while the first parse is under way: the statements parsed so far, no whole parse, then a refresh', async () => {
  const { ctx, late } = opened();
  await turn();
  const w = ctx.analyzer.warming(URI)!;
  assert.ok(w && !w.parsed, 'the warm-up is under way');
  const part = semanticTokens(ctx, { textDocument: { uri: URI } });
  assert.ok(w.work < TEXT.length / 2, `the request parsed ${w.work} of ${TEXT.length} characters`);
  assert.ok(!w.parsed, 'the request finished the parse');
  const whole = semanticTokens(parsedWhole(), { textDocument: { uri: URI } });
  assert.ok(part.data.length > 0 && part.data.length < whole.data.length, `${part.data.length} of ${whole.data.length}`);
  // Relative encoding: the tokens so far are the whole parse's first ones, exactly.
  assert.deepEqual(part.data, whole.data.slice(0, part.data.length));
  assert.deepEqual(late, []);
  while (!w.parsed) await turn();
  assert.deepEqual(late, [URI], 'the client is asked to refresh once');
  assert.deepEqual(semanticTokens(ctx, { textDocument: { uri: URI } }).data, whole.data);
  assert.ok(w.work < TEXT.length * 1.1, `the slices parsed ${w.work} characters, the text is ${TEXT.length}`);
});

test('a semantic tokens range during the first parse parses on only to the range', async () => {
  const { ctx, doc } = opened();
  const w = ctx.analyzer.warming(URI)!;
  const range = { start: { line: 5000, character: 0 }, end: { line: 5040, character: 0 } };
  const got = semanticTokensRange(ctx, { textDocument: { uri: URI }, range });
  const end = doc.offsetAt(range.end);
  assert.ok(w.work < end + 2000 && !w.parsed, `parsed ${w.work} characters for a range ending at ${end}`);
  assert.deepEqual(got.data, semanticTokensRange(parsedWhole(), { textDocument: { uri: URI }, range }).data);
});

test('completion, hover and signature help during the first parse parse up to their line only, same answers', async () => {
  const whole = parsedWhole();
  const line = 9001; // a transaction, a quarter into the text, after a declaration
  assert.match(TEXT.split('\n')[line], /^dma read/);
  assert.equal(TEXT.split('\n')[line - 1], 'cd late { asid 6; ttb0 pt }');
  const cases: Array<[string, (ctx: ServerContext) => Promise<unknown> | unknown]> = [
    ['completion', (ctx) => completion(ctx, { textDocument: { uri: URI }, position: { line, character: 4 } }, none)],
    ['completion of a name', (ctx) => completion(ctx, { textDocument: { uri: URI }, position: { line: line - 1, character: 24 } }, none)],
    ['signature help', (ctx) => signatureHelp(ctx, { textDocument: { uri: URI }, position: { line, character: 13 } })],
    ['hover of a field', (ctx) => hover(ctx, { textDocument: { uri: URI }, position: { line: line - 1, character: 12 } }, none)],
    ['hover of a name', (ctx) => hover(ctx, { textDocument: { uri: URI }, position: { line: line - 1, character: 25 } }, none)],
  ];
  for (const [what, ask] of cases) {
    const { ctx, doc } = opened();
    const w = ctx.analyzer.warming(URI)!;
    const got = await ask(ctx);
    const at = doc.offsetAt({ line: line + 1, character: 0 });
    assert.ok(!w.parsed && w.work < at + 2000, `${what}: parsed ${w.work} characters for line ${line} (offset ${at}) of ${TEXT.length}`);
    assert.deepEqual(got, await ask(whole), what);
    assert.ok(got !== null && (!Array.isArray(got) || got.length > 0), `${what}: an answer`);
  }
});

test('an edit during the first parse: above it the statements parsed so far answer, below it the tree of the new version', async () => {
  const { ctx } = opened();
  let doc = TextDocument.create(URI, 'smmu', 1, TEXT);
  const w = ctx.analyzer.warming(URI)!;
  const line = 20_000;
  const edit = { range: { start: { line, character: 0 }, end: { line, character: 3 } }, text: 'ats' };
  const at = doc.offsetAt(edit.range.start);
  ctx.analyzer.edited(URI, 1, 2, [{ start: at, end: at + 3, text: 'ats' }]);
  doc = TextDocument.update(doc, [edit], 2);
  ctx.analyzer.update(doc);
  const whole = parsedWhole(doc.getText());
  const above = { textDocument: { uri: URI }, position: { line: 9001, character: 4 } };
  assert.deepEqual(completion(ctx, above, none), completion(whole, above, none));
  assert.ok(!w.parsed, 'above the edit: no whole parse');
  const part = semanticTokens(ctx, { textDocument: { uri: URI } });
  const all = semanticTokens(whole, { textDocument: { uri: URI } });
  assert.deepEqual(part.data, all.data.slice(0, part.data.length), 'the tokens before the edit');
  const below = { textDocument: { uri: URI }, position: { line: line + 1, character: 4 } };
  assert.deepEqual(completion(ctx, below, none), completion(whole, below, none));
  assert.deepEqual(semanticTokens(ctx, { textDocument: { uri: URI } }).data, all.data, 'the tree of version 2');
});

test('folding and the outline wait for the slices (others run between them), then answer as a whole parse', async () => {
  const { ctx } = opened();
  const w = ctx.analyzer.warming(URI)!;
  let folded: unknown;
  let outline: unknown;
  void foldingRanges(ctx, { textDocument: { uri: URI } }).then((f) => (folded = f));
  void documentSymbols(ctx, { textDocument: { uri: URI } }).then((s) => (outline = s));
  await turn();
  assert.ok(!w.parsed && folded === undefined && outline === undefined, 'answered by finishing the parse at once');
  while (folded === undefined || outline === undefined) await turn();
  assert.ok(w.parsed);
  const whole = parsedWhole();
  assert.deepEqual(folded, await foldingRanges(whole, { textDocument: { uri: URI } }));
  assert.deepEqual(outline, await documentSymbols(whole, { textDocument: { uri: URI } }));
});
