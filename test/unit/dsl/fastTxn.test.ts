// The fast path of plain transaction lines (dsl/parse/fastTxn.ts) gives the tree and diagnostics
// the general path gives (ParseOptions.noFastPath), in the editor's tree and in the lean one, key
// order included; lines it does not take are left to the general path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from '../../../language-server/src/dsl/parser';
import type { TransactionStmt } from '../../../language-server/src/dsl/ast';
import { fastTransaction } from '../../../language-server/src/dsl/parse/fastTxn';
import { Lexer } from '../../../language-server/src/dsl/lexer';

const EXAMPLES = path.join(__dirname, '../../../../examples');
const json = (x: unknown) => JSON.stringify(x, (_k, v) => (typeof v === 'bigint' ? `${v}n` : v));

function same(text: string): void {
  for (const lean of [false, true]) {
    const fast = parse(text, 'f.smmu', { lean });
    const slow = parse(text, 'f.smmu', { lean, noFastPath: true });
    assert.equal(json(fast.diagnostics), json(slow.diagnostics), text);
    assert.equal(json(fast.tree), json(slow.tree), text);
  }
}

/** Whether the fast path takes the statement after `dma ` in `line`. */
function taken(line: string): boolean {
  const text = `dma ${line}`;
  return fastTransaction(text, { kind: 'keyword', start: 0, end: 3, text: 'dma' }, 'dma', new Lexer(text), true) !== undefined;
}

test('plain lines take the fast path; anything unusual goes to the general path', () => {
  for (const l of ['smmu0 read sid 8 iova 0x80001000 len 4', 'sid 8 iova 0x1000', 'write iova 0x1000 sid 0x10 ssid 3 len 64', 's1 sid 1 iova 1\n', 'sid 8 iova 0xfffffffffffff'])
    assert.ok(taken(l), l);
  for (const l of ['smmu0 read sid 8', 'iova 0x1000', 'sid 8 iova 0x8000_1000', 'sid 8 iova 0x10000000000000', 'sid 8 iova 2M', 'sid=8 iova 0x1000',
    'sid 8 iova 0x1000 # c', 'sid 8 iova 0x1000;', 'sid 8 sid 9 iova 0x1000', 'read write sid 8 iova 0', 'read 1 sid 8 iova 0', 'priv sid 8 iova 0',
    'sid 8 iova 0 expect pa 0', 'SID 8 iova 0', 'READ sid 8 iova 0', 'smmu0 smmu1 sid 8 iova 0', 'sid 8 iova 0x', 'sid 8 iova 0b1', 'sid 1.2 iova 0'])
    assert.ok(!taken(l), l);
});

test('the same tree as the general path: every example and generated traces', () => {
  for (const f of fs.readdirSync(EXAMPLES).filter((x) => x.endsWith('.smmu'))) same(fs.readFileSync(path.join(EXAMPLES, f), 'utf8'));
  const parts = ['smmu0', 's1', 'read', 'write', 'READ', 'sid 8', 'sid 0x10', 'ssid 3', 'iova 0x80001000', 'iova 0x1000_0000', 'iova 4K', 'len 4', 'len 0',
    'len 0x100000000', 'addr 0x10', 'priv', 'exec', 'translated', 'expect pa 0x1000', 'expcet', '=', ';', '# c', '0x99', 'x', '\t', 'sid', 'iova'];
  let x = 11;
  const next = () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8);
  for (let round = 0; round < 300; round++) {
    const lines: string[] = [];
    for (let l = next() % 8; l > 0; l--) {
      let line = ['dma', 'ats', 'pri', 'Dma'][next() % 4];
      for (let k = next() % 7; k > 0; k--) line += (next() % 5 === 0 ? '  ' : ' ') + parts[next() % parts.length];
      lines.push(line);
    }
    same(lines.join(next() % 3 === 0 ? '\r\n' : '\n'));
  }
});

test('a transaction the fast path read has the members the engine reads', () => {
  const t = parse('dma smmu0 write sid 8 iova 0x80001000 len 4\n', 'f.smmu', { lean: true }).tree.statements[0] as TransactionStmt;
  assert.equal(t.smmu?.name, 'smmu0');
  assert.equal(t.access?.lower, 'write');
  assert.equal(t.sid?.value, 8n);
  assert.equal(t.iova?.value, 0x80001000n);
  assert.equal(t.iova?.text, '0x80001000');
  assert.equal(t.len?.value, 4n);
  assert.equal(t.end, 43);
  assert.equal(t.options.length, 0);
  const full = parse('dma smmu0 write sid 8 iova 0x80001000 len 4\n', 'f.smmu').tree.statements[0] as TransactionStmt;
  assert.deepEqual(full.options.map((f) => [f.name.text, f.values.length, f.start, f.end]), [['write', 0, 10, 15], ['sid', 1, 16, 21], ['iova', 1, 22, 37], ['len', 1, 38, 43]]);
});
