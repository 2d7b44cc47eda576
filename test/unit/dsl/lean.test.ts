// The runner's lean tree (ParseOptions.lean): the same tree and diagnostics as a full parse except
// the transactions' option lists and the comment spans, and the same run results on every example
// and on token soup from the language's own words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from '../../../language-server/src/dsl/parser';
import type { Script } from '../../../language-server/src/dsl/ast';
import { compileScenario } from '../../../language-server/src/engine/index';

const EXAMPLES = path.join(__dirname, '../../../../examples');

/** A full tree as the lean parse gives it: no transaction options, no comments. */
function leaned(tree: Script): unknown {
  return JSON.parse(JSON.stringify({ ...tree, comments: [] }, (k, v) =>
    typeof v === 'bigint' ? `${v}n` : v && typeof v === 'object' && (v.kind === 'dma' || v.kind === 'ats' || v.kind === 'pri') && Array.isArray(v.options) ? { ...v, options: [] } : v));
}
const plain = (tree: Script): unknown => JSON.parse(JSON.stringify(tree, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v)));

function same(text: string, uri: string): void {
  const full = parse(text, uri);
  const lean = parse(text, uri, { lean: true });
  assert.deepEqual(lean.diagnostics, full.diagnostics);
  assert.deepEqual(plain(lean.tree), leaned(full.tree));
  assert.equal(lean.tree.comments.length, 0);
  const a = compileScenario(text, uri, { parsed: full }).runToEnd();
  const b = compileScenario(text, uri, { parsed: lean }).runToEnd();
  assert.equal(JSON.stringify(b), JSON.stringify(a));
}

test('every example: the lean tree is the full tree without options and comments, and runs the same', () => {
  const files = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.smmu'));
  assert.ok(files.length > 10);
  for (const f of files) same(fs.readFileSync(path.join(EXAMPLES, f), 'utf8'), f);
});

test('token soup and broken transactions: same diagnostics, same results', () => {
  const words = ['smmu smmu0', 'ste smmu0 0x10 { cd c }', 'cd c { pagetable pt; asid 5 }', 'pagetable pt s1 4K { map 0x1000 +4K -> 0x8000 rw }',
    'dma', 'ats', 'pri', 'read', 'write', 'priv', 'exec', 'sid', 'ssid', 'iova', 'len', 'prgi', 'last', 'translated', 'expect', 'expcet', 'pa', 'fault',
    'hazard', '0x10', '0x1000', '4', '0', '+2M', '{', '}', ';', '=', '"s"', '\n', '\n', '\n', ' ', '# c\n', '// c\n', 'x',
    // The fast path's lines (parse/fastTxn.ts) and what sends a line back to the general path.
    'dma smmu0 read sid 8 iova 0x8000_1000 len 4\n', 'dma smmu0 write sid 8 iova 0x80001000 len 8\n', 'ats sid 3 ssid 2 iova 0x4000\n',
    'dma s1 len 4 iova 0x1000 sid 0x10 read\r\n', 'smmu0', 'READ', 'Sid', 'addr', '0x1234567890abcd', '0x123456789abcd', '999999999999999',
    '9999999999999999', '8K', '0b1', '007', ':', '\t', '\r', '3.1', '2level', 'sid 8', 'iova 0x1000', 'read 1', 'len 0x'];
  let x = 7;
  const next = () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8);
  for (let round = 0; round < 600; round++) {
    let text = '';
    const n = next() % 60;
    for (let i = 0; i < n; i++) text += words[next() % words.length] + (next() % 4 === 0 ? '' : ' ');
    same(text, 'soup.smmu');
  }
});
