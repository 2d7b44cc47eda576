import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tokenize, parseNumberText, parse, DIAG } from '../../../language-server/src/dsl';

const MAX64 = (1n << 64n) - 1n;

test('numbers: hex, decimal, binary, `_` separators', () => {
  assert.equal(parseNumberText('0x1000_0040')?.value, 0x10000040n);
  assert.equal(parseNumberText('0XAbC')?.value, 0xabcn);
  assert.equal(parseNumberText('1_000_000')?.value, 1000000n);
  assert.equal(parseNumberText('0b101')?.value, 5n); // STE.Config 0b101 = S1 translate, S2 bypass
  assert.equal(parseNumberText('0')?.value, 0n);
});

test('numbers: exact 64-bit values above 2^53', () => {
  assert.equal(parseNumberText('0xab7a6205c0003524')?.value, 0xab7a6205c0003524n);
  assert.equal(parseNumberText('0xffff_ffff_ffff_ffff')?.value, MAX64);
  assert.equal(parseNumberText('18446744073709551615')?.value, MAX64);
  assert.equal(parseNumberText('9007199254740993')?.value, 9007199254740993n); // 2^53 + 1
});

test('numbers: size suffixes are powers of two', () => {
  assert.deepEqual(parseNumberText('4K'), { value: 4096n, suffixed: true });
  assert.deepEqual(parseNumberText('4k'), { value: 4096n, suffixed: true });
  assert.equal(parseNumberText('2M')?.value, 2n * 1024n * 1024n);
  assert.equal(parseNumberText('1G')?.value, 1n << 30n);
  assert.equal(parseNumberText('1T')?.value, 1n << 40n);
  assert.equal(parseNumberText('0x10K')?.value, 0x4000n);
});

test('numbers: > 2^64-1 is an overflow, not a wrap', () => {
  assert.equal(parseNumberText('0x1_0000_0000_0000_0000')?.error, 'overflow');
  assert.equal(parseNumberText('18446744073709551616')?.error, 'overflow');
  assert.equal(parseNumberText('16777216T')?.error, 'overflow'); // 2^24 * 2^40 = 2^64
  const r = parse('write64 0x10000000000000000 0x1');
  assert.equal(r.diagnostics.length, 1);
  assert.equal(r.diagnostics[0].code, DIAG.numberOverflow);
  assert.equal(r.diagnostics[0].start, 8);
  assert.equal(r.diagnostics[0].end, 27);
});

test('numbers: malformed radix literals are diagnostics; digit-led words are words', () => {
  assert.equal(parseNumberText('0x')?.error, 'invalid');
  assert.equal(parseNumberText('0x12z')?.error, 'invalid');
  assert.equal(parseNumberText('0b102')?.error, 'invalid');
  assert.equal(parseNumberText('2level'), undefined);
  const r = parse('write64 0xz 0x1');
  assert.equal(r.diagnostics[0].code, DIAG.invalidNumber);
  assert.deepEqual(r.diagnostics[0].range, { start: { line: 0, character: 8 }, end: { line: 0, character: 11 } });
});

test('tokens: kinds and offsets, comments with # and //, strings, arrow, versions', () => {
  const text = 'map 0x10 +4K -> 0x20 rw # c1\ninclude "a\\"b" // c2\nversion 3.1';
  const toks = tokenize(text).map((t) => [t.kind, t.text, t.start, t.end]);
  assert.deepEqual(toks, [
    ['word', 'map', 0, 3],
    ['number', '0x10', 4, 8],
    ['punct', '+', 9, 10],
    ['number', '4K', 10, 12],
    ['punct', '->', 13, 15],
    ['number', '0x20', 16, 20],
    ['word', 'rw', 21, 23],
    ['comment', '# c1', 24, 28],
    ['newline', '\n', 28, 29],
    ['word', 'include', 29, 36],
    ['string', '"a\\"b"', 37, 43],
    ['comment', '// c2', 44, 49],
    ['newline', '\n', 49, 50],
    ['word', 'version', 50, 57],
    ['word', '3.1', 58, 61],
  ]);
  assert.equal(tokenize('"a\\"b"')[0].str, 'a"b');
});

test('tokens: CRLF is one line break, lone CR too', () => {
  const toks = tokenize('a\r\nb\rc');
  assert.deepEqual(
    toks.map((t) => [t.kind, t.start, t.end]),
    [
      ['word', 0, 1],
      ['newline', 1, 3],
      ['word', 3, 4],
      ['newline', 4, 5],
      ['word', 5, 6],
    ],
  );
  const r = parse('write64 0x1 0x2\r\nwrite64 0x1 zz');
  assert.deepEqual(r.diagnostics[0].range.start, { line: 1, character: 12 });
});

test('invalid characters: one diagnostic per run, range in UTF-16 units', () => {
  const r = parse('write64 0x1 0x2 €€ \nwrite64 0x1 0x2');
  const inv = r.diagnostics.filter((d) => d.code === DIAG.invalidCharacter);
  assert.equal(inv.length, 1);
  assert.equal(inv[0].start, 16);
  assert.equal(inv[0].end, 18);
  assert.equal(r.tree.statements.length, 2);
});

test('unterminated string stops at the end of the line', () => {
  const r = parse('include "abc\nwrite64 0x1 0x2');
  assert.equal(r.diagnostics[0].code, DIAG.unterminatedString);
  assert.equal(r.tree.statements[1].kind, 'write');
});
