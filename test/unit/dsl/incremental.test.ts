// Incremental re-parsing (dsl/incremental.ts): after every random edit (inserts, deletes, pastes,
// undo, statements split and joined) the re-parse equals a full parse of the new text; edits
// re-parse only the statements around them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, type Diagnostic, type ParseResult } from '../../../language-server/src/dsl';
import { reparse } from '../../../language-server/src/dsl/incremental';
import { copiesMade, pendingCount, spanReader } from '../../../language-server/src/dsl/shiftedList';
import { Rng, exampleTexts, mutate } from '../../fuzz/lib';
import { EditSession } from '../../fuzz/edits';

const SEED = Number(process.env.FUZZ_SEED ?? 42);
const key = (d: Diagnostic) => JSON.stringify([d.start, d.end, d.range, d.code, d.message, d.severity]);
const diags = (r: ParseResult) => r.diagnostics.map(key).sort();

function same(got: ParseResult, want: ParseResult, what: string): void {
  assert.deepStrictEqual(got.tree, want.tree, `${what}: tree`);
  assert.deepStrictEqual(diags(got), diags(want), `${what}: diagnostics`);
}

test('property: after each random edit the incremental parse equals a full parse', () => {
  const rng = new Rng(SEED);
  const examples = exampleTexts();
  let edits = 0;
  let full = 0;
  for (let i = 0; i < 150; i++) {
    const base = rng.chance(0.2) ? mutate(rng.pick(examples), rng) : rng.pick(examples);
    const s = new EditSession(rng, 'file:///p.smmu', base);
    let prev = parse(s.text, 'file:///p.smmu');
    let prevText = s.text;
    for (let k = 0; k < 25; k++) {
      const { kind } = s.next();
      const text = s.text;
      const got = reparse(prev, prevText, text, 'file:///p.smmu');
      same(got, parse(text, 'file:///p.smmu'), `session ${i} edit ${k} (${kind})`);
      if (got.info.full) full++;
      edits++;
      prev = got;
      prevText = text;
    }
  }
  assert.ok(full < edits / 4, `${full} of ${edits} edits fell back to a full parse`);
});

const big = () => {
  const lines = ['smmu smmu0', 'pagetable pt s1 4K {'];
  for (let i = 0; i < 3000; i++) lines.push(`  map 0x${(0x1000_0000 + i * 0x1000).toString(16)} +4K -> 0x${(0x8000_0000 + i * 0x1000).toString(16)} rw`);
  lines.push('}', 'cd c { pagetable pt; asid 5 }', 'ste smmu0 0x10 { cd c }');
  for (let i = 0; i < 7000; i++) lines.push(i % 7 === 0 ? `# comment ${i}` : `dma smmu0 read sid 0x10 iova 0x${(0x1000_0000 + (i % 3000) * 0x1000).toString(16)}`);
  return lines.join('\n') + '\n';
};

test('an edit in one statement of a 10,000-line file re-parses that statement only', () => {
  const text = big();
  const old = parse(text);
  const at = text.lastIndexOf('iova 0x') + 'iova 0x'.length;
  const edited = text.slice(0, at) + '2' + text.slice(at + 1);
  const r = reparse(old, text, edited);
  same(r, parse(edited), 'edited');
  assert.equal(r.info.full, false);
  assert.equal(r.info.parsed, 1);
  assert.equal(r.info.reused, old.tree.statements.length - 1);
});

test('splitting and joining statements, an unclosed block, a deleted block end', () => {
  const text = big();
  let prev = parse(text);
  let cur = text;
  const edits: Array<(t: string) => string> = [
    (t) => t.replace('dma smmu0 read sid 0x10 iova 0x10000000\n', 'dma smmu0 read sid 0x10\niova 0x10000000\n'), // split
    (t) => t.replace('dma smmu0 read sid 0x10\niova 0x10000000\n', 'dma smmu0 read sid 0x10 iova 0x10000000\n'), // join
    (t) => t.replace('cd c { pagetable pt; asid 5 }', 'cd c { pagetable pt; asid 5'), // unclosed block
    (t) => t.replace('\n}\n', '\n\n'), // the pagetable's closing brace deleted
    (t) => t.replace('ste smmu0', 'stx smmu0'), // a statement keyword changed after an unclosed block
    (t) => t.replace('stx smmu0', 'ste smmu0'),
  ];
  for (const [n, edit] of edits.entries()) {
    const next = edit(cur);
    assert.notEqual(next, cur, `edit ${n} applies`);
    const r = reparse(prev, cur, next);
    same(r, parse(next), `edit ${n}`);
    prev = r;
    cur = next;
  }
});

test('line-shifting edits (Enter, a paste, a line deleted) copy no following statement until it is read; every range equals a full parse', () => {
  let cur = big();
  let prev = parse(cur);
  const rng = new Rng(SEED);
  const n = prev.tree.statements.length;
  for (let k = 0; k < 12; k++) {
    const ls = cur.split('\n');
    const at = 3010 + rng.int(6000);
    const kind = k % 3;
    if (kind === 0) ls.splice(at, 0, '');
    else if (kind === 1) ls.splice(at, 0, ls[at], ls[at + 1]);
    else ls.splice(at, 1);
    const next = ls.join('\n');
    const r = reparse(prev, cur, next);
    assert.equal(r.info.full, false);
    // The statements after the edit wait for their shifted copy (the re-parse made none).
    let moved = 0;
    const rd = spanReader(r.tree.statements);
    for (let i = 0; i < r.tree.statements.length; i++) if (rd.start(i) >= r.info.to) moved++;
    assert.ok(moved > 1000 && pendingCount(r.tree.statements) > 1000, `edit ${k}: ${moved} statements moved`);
    assert.equal(copiesMade(r.tree.statements), 0, `edit ${k}: copies made`);
    // Read every few edits only, so later edits move statements earlier ones moved.
    if (k % 4 === 3) {
      same(r, parse(next), `edit ${k}`);
      assert.equal(pendingCount(r.tree.statements), 0, 'read: all copies made');
    }
    prev = r;
    cur = next;
  }
  assert.ok(prev.tree.statements.length >= n - 8);
});

test('a moved statement reads like a parsed one: positions without copies, the array methods, JSON', () => {
  const text = big();
  const old = parse(text);
  const next = '\n\n' + text;
  const r = reparse(old, text, next);
  const want = parse(next).tree;
  const got = r.tree.statements;
  const k = 5000;
  assert.equal(spanReader(got).start(k), want.statements[k].start);
  assert.equal(spanReader(got).end(k), want.statements[k].end);
  assert.equal(pendingCount(got), got.length - r.info.parsed, 'positions read without copies');
  assert.deepStrictEqual(got[k], want.statements[k]);
  assert.equal(pendingCount(got), got.length - r.info.parsed - 1, 'one read, one copy');
  assert.equal(copiesMade(got), 1);
  assert.deepStrictEqual(got.slice(10, 20), want.statements.slice(10, 20));
  assert.equal(got.find((s) => s.start > 200_000)?.start, want.statements.find((s) => s.start > 200_000)?.start);
  assert.equal(JSON.stringify(r.tree.comments), JSON.stringify(want.comments));
  assert.throws(() => {
    (got as unknown as unknown[])[0] = undefined;
  });
});
