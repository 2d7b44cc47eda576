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
