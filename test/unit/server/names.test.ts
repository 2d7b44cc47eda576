// The name index kept per statement: after random edits applied incrementally (the tree from
// dsl/incremental.ts, statements reused or shifted), it equals the index of a fresh parse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, type ParseResult } from '../../../language-server/src/dsl';
import { nextLineStarts, reparse } from '../../../language-server/src/dsl/incremental';
import { computeLineStarts } from '../../../language-server/src/dsl/diagnostics';
import { nameIndex } from '../../../language-server/src/server/names';
import { Rng, exampleTexts, mutate } from '../../fuzz/lib';
import { EditSession } from '../../fuzz/edits';

const SEED = Number(process.env.FUZZ_SEED ?? 7);

function sameIndex(got: ParseResult, want: ParseResult, text: string, rng: Rng, what: string): void {
  const g = nameIndex(got.tree);
  const w = nameIndex(want.tree);
  assert.deepStrictEqual(g.occurrences, w.occurrences, `${what}: occurrences`);
  assert.deepStrictEqual([...g.decls.entries()], [...w.decls.entries()], `${what}: declarations`);
  for (let k = 0; k < 20; k++) {
    const o = rng.int(text.length + 1);
    assert.deepStrictEqual(g.at(o), w.at(o), `${what}: at(${o})`);
  }
  for (const o of w.occurrences.slice(0, 5)) assert.deepStrictEqual(g.of(o.name), w.of(o.name), `${what}: of(${o.name})`);
}

test('property: the name index of an incrementally re-parsed tree equals that of a full parse', () => {
  const rng = new Rng(SEED);
  const examples = exampleTexts();
  let occurrences = 0;
  for (let i = 0; i < 60; i++) {
    const base = rng.chance(0.2) ? mutate(rng.pick(examples), rng) : rng.pick(examples);
    const s = new EditSession(rng, 'file:///n.smmu', base);
    let prev = parse(s.text, 'file:///n.smmu');
    let prevText = s.text;
    nameIndex(prev.tree);
    for (let k = 0; k < 20; k++) {
      const { kind } = s.next();
      const text = s.text;
      const got = reparse(prev, prevText, text, 'file:///n.smmu');
      const want = parse(text, 'file:///n.smmu');
      sameIndex(got, want, text, rng, `session ${i} edit ${k} (${kind})`);
      occurrences += nameIndex(want.tree).occurrences.length;
      prev = got;
      prevText = text;
    }
  }
  assert.ok(occurrences > 1000, `the edits kept names to compare (${occurrences})`);
});

test('a statement the edit only moved is not walked again: its names come from its original', () => {
  const lines = ['smmu smmu0', 'pagetable pt s1 4K {', '  map 0x1000 +4K -> 0x8000 rw', '}', 'cd c { pagetable pt; asid 5 }', 'ste smmu0 0x10 { cd c }'];
  for (let i = 0; i < 50; i++) lines.push(`dma smmu0 read sid 0x10 iova 0x${(0x1000 + i).toString(16)}`);
  const text = lines.join('\n') + '\n';
  const old = parse(text);
  const before = nameIndex(old.tree);
  // Insert a line at the top: every statement after it is a shifted copy.
  const edited = '# new first line\n' + text;
  const r = reparse(old, text, edited);
  assert.equal(r.info.full, false);
  const idx = nameIndex(r.tree);
  assert.deepStrictEqual(idx.occurrences, nameIndex(parse(edited).tree).occurrences);
  assert.equal(idx.occurrences.length, before.occurrences.length);
  const shift = '# new first line\n'.length;
  assert.deepStrictEqual(idx.occurrences.map((o) => o.start - shift), before.occurrences.map((o) => o.start));
});

test('the declarations of a re-parsed tree come from the index before: kept objects, shifted after the edit, proportional', () => {
  const lines = ['smmu smmu0', 'pagetable pt s1 4K {', '  map 0x1000 +4K -> 0x8000 rw', '}'];
  for (let i = 0; i < 200; i++) lines.push(`dma smmu0 read sid 0x10 iova 0x${(0x1000 + i).toString(16)}`);
  lines.push('cd late { pagetable pt; asid 5 }');
  const text = lines.join('\n') + '\n';
  const old = parse(text);
  const before = nameIndex(old.tree);
  // One digit of a transaction in the middle: same length.
  const at = text.indexOf('iova 0x1064') + 'iova 0x106'.length;
  const same = text.slice(0, at) + '5' + text.slice(at + 1);
  const r1 = reparse(old, text, same);
  const i1 = nameIndex(r1.tree);
  for (const name of ['smmu0', 'pt', 'late']) assert.equal(i1.decls.get(name)![0], before.decls.get(name)![0], `${name}: the same object`);
  // Two characters inserted there: the declarations after it are shifted copies, those before kept.
  const longer = same.slice(0, at) + '00' + same.slice(at);
  const r2 = reparse(r1, same, longer);
  const i2 = nameIndex(r2.tree);
  assert.equal(i2.decls.get('pt')![0], before.decls.get('pt')![0]);
  assert.equal(i2.decls.get('late')![0].start, before.decls.get('late')![0].start + 2);
  assert.deepStrictEqual([...i2.decls.entries()], [...nameIndex(parse(longer).tree).decls.entries()]);
  // A declaration typed in: it joins the index.
  const decl = longer.replace('dma smmu0 read sid 0x10 iova 0x1010', 'cd mid { pagetable pt }');
  const i3 = nameIndex(reparse(r2, longer, decl).tree);
  assert.deepStrictEqual([...i3.decls.keys()], ['smmu0', 'pt', 'mid', 'late']);
});

test('an edit that keeps the length and breaks no line shares the line starts', () => {
  const old = 'dma a\ndma b 0x10\n';
  const starts = computeLineStarts(old);
  assert.equal(nextLineStarts(starts, old, old.replace('0x10', '0x11')), starts);
  assert.notEqual(nextLineStarts(starts, old, old.replace('0x10', '0\n1')), starts);
  assert.deepStrictEqual(nextLineStarts(starts, old, old.replace('0x10', '0\n1')), computeLineStarts(old.replace('0x10', '0\n1')));
});

test('property: line starts updated from the last text equal a full scan (\\n, \\r\\n, \\r)', () => {
  const rng = new Rng(SEED + 1);
  const pieces = ['\n', '\r\n', '\r', 'a', 'bc', ' ', 'dma x\n', '\r\r\n\n'];
  const gen = (n: number) => Array.from({ length: n }, () => rng.pick(pieces)).join('');
  for (let i = 0; i < 3000; i++) {
    const old = gen(rng.int(30));
    const a = rng.int(old.length + 1);
    const b = a + rng.int(old.length - a + 1);
    const next = old.slice(0, a) + gen(rng.int(4)) + old.slice(b);
    assert.deepStrictEqual(nextLineStarts(computeLineStarts(old), old, next), computeLineStarts(next), `${JSON.stringify(old)} -> ${JSON.stringify(next)}`);
  }
});
