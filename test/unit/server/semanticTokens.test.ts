// Semantic tokens over stdio: a delta applied to the previous result, and a range, equal the full
// tokens of the same text opened fresh (the tokens are kept per statement and reused by edits).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { LspClient } from './helper';

interface Tokens { resultId?: string; data: number[] }
interface Delta { resultId?: string; edits: Array<{ start: number; deleteCount: number; data?: number[] }> }

const lines = ['smmu smmu0', 'pagetable pt s1 4K {'];
for (let i = 0; i < 30; i++) lines.push(`  map 0x${(0x1000_0000 + i * 0x1000).toString(16)} +4K -> 0x${(0x8000_0000 + i * 0x1000).toString(16)} rw`);
lines.push('}', '# a comment', 'cd c { pagetable pt; asid 5 }', 'ste smmu0 0x10 { cd c }');
for (let i = 0; i < 60; i++) lines.push(`dma smmu0 read sid 0x10 iova 0x${(0x1000_0000 + (i % 30) * 0x1000).toString(16)} expect pa 0x${(0x8000_0000 + (i % 30) * 0x1000).toString(16)}`, 'cmd CMD_SYNC');
const TEXT = lines.join('\n') + '\n';

let c: LspClient;
let n = 0;
after(async () => c && (await c.stop()));

const full = (uri: string) => c.request<Tokens>('textDocument/semanticTokens/full', { textDocument: { uri } });
async function fresh(text: string): Promise<number[]> {
  const uri = await c.open(`fresh-${n++}.smmu`, text);
  const r = await full(uri);
  await c.close(uri);
  return r.data;
}

/** Absolute [line, char, length, type, mods] of relative-encoded tokens. */
function absolute(data: number[]): number[][] {
  const out: number[][] = [];
  let line = 0;
  let ch = 0;
  for (let i = 0; i < data.length; i += 5) {
    ch = data[i] === 0 ? ch + data[i + 1] : data[i + 1];
    line += data[i];
    out.push([line, ch, data[i + 2], data[i + 3], data[i + 4]]);
  }
  return out;
}

test('delta after edits (a line inserted, a declaration renamed, a line removed) equals a fresh full result', async () => {
  c = await LspClient.start();
  const uri = await c.open('doc.smmu', TEXT);
  let text = TEXT;
  let prev = await full(uri);
  assert.ok(prev.resultId, 'a full result has an id');
  assert.deepStrictEqual(prev.data, await fresh(text));
  const edits: Array<[number, number, number, string]> = [
    [40, 0, 0, 'write64 0x9000_0000 0x1\n'],
    [32, 3, 5, 'cdx'], // `cd c` -> `cd cdx`: the name no longer declared at `cd c` later on
    [2, 0, 0, ''],
  ];
  let version = 1;
  for (const [line, from, to, insert] of edits) {
    const ls = text.split('\n');
    const range = { start: { line, character: from }, end: { line: insert === '' ? line + 1 : line, character: to } };
    ls.splice(line, insert === '' ? 1 : 1, ...(insert === '' ? [] : [ls[line].slice(0, from) + insert + ls[line].slice(to)]));
    text = ls.join('\n');
    await c.change(uri, ++version, [{ range, text: insert }]);
    const d = await c.request<Delta | Tokens>('textDocument/semanticTokens/full/delta', { textDocument: { uri }, previousResultId: prev.resultId });
    assert.ok('edits' in d, 'a delta answers with edits');
    const data = [...prev.data];
    for (const e of [...d.edits].reverse()) data.splice(e.start, e.deleteCount, ...(e.data ?? []));
    assert.deepStrictEqual(data, await fresh(text), `after edit at line ${line}`);
    assert.ok(d.edits.every((e) => (e.data?.length ?? 0) < data.length / 2), 'the delta is smaller than the tokens');
    prev = { resultId: d.resultId, data };
  }
  // An unknown previous result: the whole tokens.
  const w = await c.request<Tokens>('textDocument/semanticTokens/full/delta', { textDocument: { uri }, previousResultId: 'nope' });
  assert.deepStrictEqual(w.data, prev.data);
});

test('range tokens are the full tokens of the lines in the range', async () => {
  const uri = await c.open('range.smmu', TEXT);
  const all = absolute((await full(uri)).data);
  for (const [a, b] of [[0, 5], [30, 40], [90, 95], [150, 400]]) {
    const r = await c.request<Tokens>('textDocument/semanticTokens/range', { textDocument: { uri }, range: { start: { line: a, character: 0 }, end: { line: b, character: 0 } } });
    const got = absolute(r.data);
    const inside = ([l]: number[]) => l >= a && l < b;
    assert.ok(got.length > 0 || a > TEXT.split('\n').length, `tokens in ${a}-${b}`);
    assert.deepStrictEqual(got.filter(inside), all.filter(inside), `lines ${a}-${b}`);
    assert.ok(got.every(([l]) => l >= a && l <= b), `only lines ${a}-${b}`);
  }
});
