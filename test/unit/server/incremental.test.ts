// Incremental edits over stdio against the bundled server: an edit in the middle of a statement,
// statements split and joined, a large paste undone, an included file changing under an open
// document, and malformed edit sequences (ranges outside the document, versions going
// backwards), which get an error and a from-scratch analysis. After each, the diagnostics
// published for the version equal those of the same text opened fresh, and completion and hover
// answer for the current version.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspClient, type Diag } from './helper';

const SCENARIO = `smmu smmu0
pagetable pt s1 4K {
  map 0x1000_0000 +4K -> 0x8000_0000 rw
  map 0x1000_1000 +4K -> 0x8000_1000 r
}
cd c { pagetable pt; asid 5 }
ste smmu0 0x10 { cd c }
dma smmu0 read sid 0x10 iova 0x1000_0004 expect pa 0x8000_0004
dma smmu0 write sid 0x10 iova 0x1000_1000 expect fault F_PERMISSION
# a comment
dma smmu0 read sid 0x10 iova 0x1000_1008 expect pa 0x8000_1008
`;

const ws = fs.mkdtempSync(path.join(fs.realpathSync(os.tmpdir()), 'lsp-incr-'));
let c: LspClient;
let fresh = 0;
after(async () => c && (await c.stop()));

const key = (ds: Diag[]) => ds.map((d) => JSON.stringify([d.range, d.severity, d.code, d.message])).sort();

/** Diagnostics of `text` opened as a new document. */
async function freshDiagnostics(text: string): Promise<string[]> {
  const r = await c.openAndWait(`fresh-${fresh++}.smmu`, text);
  await c.close(r.uri);
  return key(r.diagnostics);
}

/** A document on both sides: the client's text model follows every edit sent. */
async function openDoc(name: string, text: string) {
  const doc = TextDocument.create(c.uri(name), 'smmu', 1, text);
  await c.open(name, text);
  await c.diagnostics(doc.uri, 1, 60_000);
  const edit = async (changes: Array<{ range: Diag['range']; text: string }>) => {
    TextDocument.update(doc, changes, doc.version + 1);
    await c.change(doc.uri, doc.version, changes);
    return doc.version;
  };
  return { doc, edit };
}

const at = (doc: TextDocument, needle: string, delta = 0) => doc.positionAt(doc.getText().indexOf(needle) + delta);

test('setup', async () => {
  c = await LspClient.start({ workspace: ws });
});

test('an edit in the middle of a statement: diagnostics of that version, completion and hover at once', async () => {
  const { doc, edit } = await openDoc('middle.smmu', SCENARIO);
  const p = at(doc, 'iova 0x1000_0004', 'iova 0x1000_'.length);
  const v = await edit([{ range: { start: p, end: { line: p.line, character: p.character + 1 } }, text: '5' }]);
  // Right after the edit, before its diagnostics: hover and completion answer for this version.
  const hover = await c.hover(doc.uri, p.line, p.character + 2);
  assert.ok(hover && /0x1000_?5004|0x10005004/i.test(hover.contents.value), hover?.contents.value);
  const items = await c.request<Array<{ label: string }> | { items: Array<{ label: string }> }>('textDocument/completion', { textDocument: { uri: doc.uri }, position: { line: p.line, character: 4 } });
  assert.ok((Array.isArray(items) ? items : items.items).length > 0);
  const d = await c.diagnostics(doc.uri, v, 60_000);
  assert.ok(d.diagnostics.some((x) => x.code === 'F_TRANSLATION' && x.range.start.line === p.line), JSON.stringify(d.diagnostics));
  assert.deepEqual(key(d.diagnostics), await freshDiagnostics(doc.getText()));
});

test('statements split and joined', async () => {
  const { doc, edit } = await openDoc('split.smmu', SCENARIO);
  const p = at(doc, ' iova 0x1000_1008');
  const v1 = await edit([{ range: { start: p, end: p }, text: '\n' }]);
  const split = await c.diagnostics(doc.uri, v1, 60_000);
  assert.ok(split.diagnostics.some((x) => x.severity === 1), 'the split statement has errors');
  assert.deepEqual(key(split.diagnostics), await freshDiagnostics(doc.getText()));
  const v2 = await edit([{ range: { start: p, end: { line: p.line + 1, character: 0 } }, text: '' }]);
  assert.equal(doc.getText(), SCENARIO);
  const joined = await c.diagnostics(doc.uri, v2, 60_000);
  assert.deepEqual(key(joined.diagnostics), await freshDiagnostics(SCENARIO));
  // Two statements joined into one line.
  const nl = doc.positionAt(doc.getText().indexOf('\ndma smmu0 write'));
  const v3 = await edit([{ range: { start: nl, end: { line: nl.line + 1, character: 0 } }, text: ' ' }]);
  const one = await c.diagnostics(doc.uri, v3, 60_000);
  assert.deepEqual(key(one.diagnostics), await freshDiagnostics(doc.getText()));
});

test('a large paste undone', async () => {
  const { doc, edit } = await openDoc('paste.smmu', SCENARIO);
  const block = Array.from({ length: 2000 }, (_, i) => `dma smmu0 read sid 0x10 iova 0x${(0x1000_0000 + (i % 2) * 0x1000 + (i % 64) * 8).toString(16)}`).join('\n') + '\n';
  const p = at(doc, '# a comment');
  const v1 = await edit([{ range: { start: p, end: p }, text: block }]);
  const pasted = await c.diagnostics(doc.uri, v1, 60_000);
  assert.deepEqual(key(pasted.diagnostics), await freshDiagnostics(doc.getText()));
  const v2 = await edit([{ range: { start: p, end: { line: p.line + 2000, character: 0 } }, text: '' }]);
  assert.equal(doc.getText(), SCENARIO);
  const undone = await c.diagnostics(doc.uri, v2, 60_000);
  assert.deepEqual(key(undone.diagnostics), await freshDiagnostics(SCENARIO));
});

test('an included file changing under an open document re-analyses it', async () => {
  fs.writeFileSync(path.join(ws, 'common.smmu'), 'smmu smmu0\npagetable pt s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw }\ncd c { pagetable pt; asid 5 }\nste smmu0 0x10 { cd c }\n');
  const main = await openDoc('main.smmu', 'include "common.smmu"\ndma smmu0 read sid 0x10 iova 0x1000_0004 expect pa 0x8000_0004\n');
  const first = [...c.published].reverse().find((x) => x.uri === main.doc.uri)!;
  assert.equal(first.diagnostics.filter((x) => x.severity === 1).length, 0, JSON.stringify(first.diagnostics));
  const common = await openDoc('common.smmu', fs.readFileSync(path.join(ws, 'common.smmu'), 'utf8'));
  const n = c.published.length;
  const p = at(common.doc, '-> 0x8000_0000', '-> 0x'.length);
  await common.edit([{ range: { start: p, end: { line: p.line, character: p.character + 1 } }, text: '9' }]);
  // (opening common.smmu may publish main.smmu again before the edit's analysis: wait for the one that sees the edit)
  const again = await c.waitUntil(() => c.published.slice(n).find((x) => x.uri === main.doc.uri && x.diagnostics.some((d) => d.code === 'EXPECT_FAILED')), 60_000);
  assert.equal(again.diagnostics.filter((x) => x.severity === 1).length, 1, JSON.stringify(again.diagnostics));
});

test('malformed edits (a range past the end, versions going backwards) get an error and a from-scratch analysis', async () => {
  const { doc } = await openDoc('bad.smmu', SCENARIO);
  const logs = c.notifications.length;
  // A range past the last line: the text model clamps it; the server says so.
  const bad = { range: { start: { line: 500, character: 0 }, end: { line: 900, character: 3 } }, text: 'dma smmu0 read sid 0x10 iova 0x5000_0000\n' };
  TextDocument.update(doc, [bad], 2);
  await c.change(doc.uri, 2, [bad]);
  const d2 = await c.diagnostics(doc.uri, 2, 60_000);
  const logged = () => c.notifications.slice(logs).filter((x) => x.method === 'window/logMessage' && (x.params as { type: number; message: string }).type === 1 &&
    /malformed edit/.test((x.params as { message: string }).message));
  await c.waitUntil(() => (logged().length ? true : undefined), 10_000);
  assert.deepEqual(key(d2.diagnostics), await freshDiagnostics(doc.getText()));
  // A version going backwards.
  const p = at(doc, '# a comment', 2);
  const back = { range: { start: p, end: p }, text: 'x' };
  TextDocument.update(doc, [back], 1);
  const n = c.published.length;
  await c.change(doc.uri, 1, [back]);
  await c.waitUntil(() => (logged().length >= 2 ? true : undefined), 10_000);
  // Version 1 was published at open: wait for the new publication of version 1.
  const d1 = await c.waitUntil(() => c.published.slice(n).find((x) => x.uri === doc.uri && x.version === 1), 60_000);
  assert.deepEqual(key(d1.diagnostics), await freshDiagnostics(doc.getText()));
  const hover = await c.hover(doc.uri, 7, 30);
  assert.ok(hover === null || typeof hover.contents.value === 'string');
});
