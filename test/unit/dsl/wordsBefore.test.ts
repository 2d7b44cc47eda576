// wordsBefore: the words before the cursor as the DSL's lexer reads them (the one lexer completion
// and signature help use), including the inputs where the hand-written scanners they replace read
// differently: a `#` inside a string, a comment after a string, `=` and `:` between a field and its
// value, underscores in numbers, `{`/`}` nesting and item starts, text that starts no token.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { wordsBefore } from '../../../language-server/src/dsl/wordsBefore';
import { Rng } from '../../fuzz/lib';

/** wordsBefore from the start of `s` to its `|`. */
function at(s: string) {
  const i = s.indexOf('|');
  return wordsBefore(s.slice(0, i) + s.slice(i + 1), 0, i);
}

test('words, the word being typed and the separators', () => {
  assert.deepEqual(at('dma read sid 0x10 |'), { words: ['dma', 'read', 'sid', '0x10'], typing: '', depth: 0, itemStart: 0, inComment: false });
  const w = at('dma read si|d 0x10');
  assert.deepEqual(w.words, ['dma', 'read']);
  assert.equal(w.typing, 'si', 'cut at the cursor');
  assert.equal(at('dma|').typing, 'dma');
  assert.deepEqual(at('|').words, []);
});

test('a string is one word, and a `#` or `//` inside it is not a comment', () => {
  const w = at('smmu s0 "a # b // c" |');
  assert.deepEqual(w.words, ['smmu', 's0', '"a # b // c"']);
  assert.equal(w.inComment, false);
  assert.equal(at('include "dir/x.smmu|"').typing, '"dir/x.smmu');
  // Unterminated: the string runs to the end of its line, spaces and all.
  assert.equal(at('include "a b|').typing, '"a b');
  assert.deepEqual(at('include "a b\ndma |').words, ['include', '"a b', 'dma']);
});

test('comments: the cursor in one, and words after a comment on an earlier line', () => {
  assert.equal(at('dma read # sid |').inComment, true);
  assert.equal(at('dma read // sid |').inComment, true);
  assert.equal(at('"x" # y|').inComment, true, 'a comment after a string');
  const w = at('ste s0 0x1 { # the STE\n  config |');
  assert.equal(w.inComment, false);
  assert.deepEqual(w.words, ['ste', 's0', '0x1', 'config']);
  assert.equal(w.depth, 1);
  // One `/` is not a comment: it is part of the word.
  assert.deepEqual(at('a/b |').words, ['a/b']);
});

test('`=`, `:`, `,` and `;` separate a field from its value (as the parser reads `name = value`)', () => {
  assert.deepEqual(at('smmu s0 { stages=s1, s2; oas: |').words, ['smmu', 's0', 'stages', 's1', 's2', 'oas']);
  assert.equal(at('smmu s0 { stages=s1, s2; oas: |').itemStart, 5);
});

test('numbers with underscores, suffixes and `+`, dotted names and `->` stay whole words', () => {
  assert.deepEqual(at('map pt 0x1000_0000 +4K -> 0x8000_0000 rw |').words, ['map', 'pt', '0x1000_0000', '+4K', '->', '0x8000_0000', 'rw']);
  assert.equal(at('dma sid 0x1000_|').typing, '0x1000_');
  assert.equal(at('reg smmu0.|').typing, 'smmu0.');
  assert.equal(at('reg smmu0.SMMU_C|').typing, 'smmu0.SMMU_C');
  assert.equal(at('qemu 7.2|').typing, '7.2');
  assert.equal(at('_x|').typing, '_x');
});

test('`{` and `}` nest (never below zero) and start a new item', () => {
  let w = at('pagetable pt s1 { map 0x1000 +4K -> 0x8000 rw; map |');
  assert.equal(w.depth, 1);
  assert.deepEqual(w.words.slice(w.itemStart), ['map']);
  w = at('ste s0 0x1 { cd c } |');
  assert.equal(w.depth, 0);
  assert.deepEqual(w.words.slice(w.itemStart), []);
  assert.equal(at('}}} { |').depth, 1);
  assert.equal(at('a{b|').typing, 'b');
});

test('from a statement start in the middle of the text, and bad input', () => {
  const text = 'smmu s0\ndma read sid 1\n';
  const w = wordsBefore(text, 8, text.length - 1);
  assert.deepEqual([w.words, w.typing], [['dma', 'read', 'sid'], '1']);
  assert.deepEqual(at('\u0000\uffff |').words, ['\u0000\uffff']);
  assert.deepEqual(at('x\r\ny |').words, ['x', 'y']);
});

test('property: the words and typing put back together are the text before the cursor without separators', () => {
  const rng = new Rng(5);
  const alphabet = ['dma', ' ', ' ', '0x1_0', '+', '4K', '->', '{', '}', ';', '=', ':', ',', '.', '"', '#', '//', '/', '\n', 'a', '_', '\t', '-'];
  for (let k = 0; k < 3000; k++) {
    const s = Array.from({ length: rng.int(14) }, () => alphabet[rng.int(alphabet.length)]).join('');
    const to = rng.int(s.length + 1);
    const w = wordsBefore(s, 0, to);
    for (const x of w.words) assert.ok(x.length > 0, JSON.stringify({ s, to }));
    assert.ok(w.depth >= 0 && w.itemStart <= w.words.length);
    if (w.typing) assert.ok(s.slice(0, to).endsWith(w.typing), JSON.stringify({ s, to, typing: w.typing }));
    const before = s.slice(0, to);
    if (!/["#/]/.test(s)) {
      // No string or comment: the words are the text split at the separators.
      const want = before.split(/[ \t\n;,:={}]+/).filter(Boolean);
      const got = w.typing ? [...w.words, w.typing] : w.words;
      assert.deepEqual(got, want, JSON.stringify({ s, to }));
    }
  }
});
