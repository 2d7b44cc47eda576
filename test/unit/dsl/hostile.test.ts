// Hostile inputs: the parser must return a tree and diagnostics, never throw, in bounded time
// (each test has a generous timeout; linear-time behaviour is what keeps them fast).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, tokenize, format, nodeAt, walk, computeLineStarts, MAX_DIAGNOSTICS, DIAG } from '../../../language-server/src/dsl';
import type { ParseResult } from '../../../language-server/src/dsl';

const T = { timeout: 60_000 };

/** Deterministic xorshift32 PRNG. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

function checkResult(text: string, r: ParseResult): void {
  assert.equal(r.tree.kind, 'script');
  assert.equal(r.tree.end, text.length);
  assert.deepEqual(r.tree.lineStarts, computeLineStarts(text));
  assert.ok(r.diagnostics.length <= MAX_DIAGNOSTICS + 1);
  for (const d of r.diagnostics) {
    assert.ok(d.start >= 0 && d.start <= d.end && d.end <= text.length, 'diagnostic offsets in range');
    assert.ok(d.range.start.line >= 0 && d.range.start.character >= 0);
    assert.ok(typeof d.code === 'string' && d.message.length > 0);
  }
  let prev = 0;
  for (const s of r.tree.statements) {
    assert.ok(s.start >= prev && s.end >= s.start && s.end <= text.length, 'statements ordered, in range');
    prev = s.end;
  }
}

test('random bytes (as UTF-8 and Latin-1) never throw', T, () => {
  const next = rng(1234);
  for (let round = 0; round < 50; round++) {
    const bytes = Buffer.alloc(2000 + (next() % 2000));
    for (let i = 0; i < bytes.length; i++) bytes[i] = next() & 0xff;
    for (const text of [bytes.toString('utf8'), bytes.toString('latin1')]) {
      const r = parse(text);
      checkResult(text, r);
      tokenize(text);
      if (r.diagnostics.length > 0) assert.equal(format(text, r), text);
      else assert.equal(format(format(text)), format(text));
    }
  }
});

test('random token soup from the language\'s own words never throws', T, () => {
  const words = ['smmu', 'ste', 'cd', 'cdtable', 'pagetable', 'map', 'unmap', 'pte', 'dma', 'ats', 'cmd', 'reg', 'write64', 'expect', 'include', 'raw', 'sid', 'iova', 'no', 'pa', 'fault', '{', '}', ';', ':', '.', '->', '+', '+2M', '0x10', '99999999999999999999999', '"s', '"x"', '\n', '\n', ' ', '#c\n', 'x', '=', ','];
  const next = rng(99);
  for (let round = 0; round < 300; round++) {
    let text = '';
    const n = next() % 200;
    for (let i = 0; i < n; i++) text += words[next() % words.length] + (next() % 3 === 0 ? '' : ' ');
    const r = parse(text);
    checkResult(text, r);
    walk(r.tree, () => {});
    for (let o = 0; o <= text.length; o += 7) nodeAt(r.tree, o);
  }
});

test('lone surrogates, NUL and control characters', T, () => {
  const text = 'write64 0x1 0x2 \ud800\n\udc00 dma\u0000 read\nsmmu s { oas \u0007 48 }\n\ud83d\ude00';
  const r = parse(text);
  checkResult(text, r);
  assert.ok(r.diagnostics.some((d) => d.code === DIAG.invalidCharacter));
  assert.equal(r.tree.statements[0].kind, 'write');
});

test('1 MB lines: a word, a number, a string, a comment, a run of `+`', T, () => {
  const mb = 1 << 20;
  for (const text of ['a'.repeat(mb), '9'.repeat(mb), 'write64 0x' + 'f'.repeat(mb) + ' 0', 'include "' + 'x'.repeat(mb), '#' + 'y'.repeat(mb) + '\nwrite64 0 0', '+'.repeat(mb), 'smmu s { ' + 'oas 48 '.repeat(mb / 8) + '}']) {
    const r = parse(text);
    checkResult(text, r);
    for (const d of r.diagnostics) assert.ok(d.message.length < 300, 'messages clip long tokens');
  }
  const r = parse('write64 0x' + 'f'.repeat(mb) + ' 0');
  assert.equal(r.diagnostics[0].code, DIAG.numberOverflow);
});

test('100,000 nested braces: top level, inside a block, unclosed', T, () => {
  const n = 100_000;
  for (const text of ['{'.repeat(n) + '}'.repeat(n), 'smmu s { a ' + '{ a '.repeat(n) + '}'.repeat(n + 1) + '\nwrite64 0 0', 'ste 1 ' + '{'.repeat(n), '}'.repeat(n)]) {
    const r = parse(text);
    checkResult(text, r);
    walk(r.tree, () => {});
    nodeAt(r.tree, text.length >> 1);
  }
  const r = parse('smmu s { a ' + '{ a '.repeat(n) + '}'.repeat(n + 1) + '\nwrite64 0 0');
  assert.ok(r.diagnostics.some((d) => d.code === DIAG.tooDeep));
  assert.equal(r.tree.statements[r.tree.statements.length - 1].kind, 'write');
});

test('a 50 MB file: comments, blank lines, junk and statements', T, () => {
  // Mostly skipped text (a large dump with comments and junk): the point is bounded work and a
  // capped diagnostic list, not tree size (a dense 50 MB scenario costs about 1 KB per statement).
  const chunk =
    '# a comment line long enough to matter in the size of the file ...............\n' +
    'write64 0x40000200 0x4003000b\n\n   \n' +
    'junk junk junk junk junk junk junk junk junk junk junk junk junk junk junk !!\n';
  const text = chunk.repeat(Math.ceil((50 << 20) / chunk.length));
  const r = parse(text);
  assert.equal(r.tree.end, text.length);
  assert.ok(r.tree.statements.length > 500_000);
  assert.equal(r.diagnostics.length, MAX_DIAGNOSTICS + 1);
  assert.equal(r.diagnostics[MAX_DIAGNOSTICS].code, DIAG.tooManyErrors);
  assert.equal(r.tree.statements[r.tree.statements.length - 1].kind, 'error');
});
