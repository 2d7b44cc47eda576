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
  let clean = 0;
  for (let round = 0; round < 300; round++) {
    let text = '';
    const n = next() % 200;
    for (let i = 0; i < n; i++) text += words[next() % words.length] + (next() % 3 === 0 ? '' : ' ');
    const r = parse(text);
    checkResult(text, r);
    walk(r.tree, () => {});
    for (let o = 0; o <= text.length; o += 7) {
      for (const n of nodeAt(r.tree, o)) assert.ok(n.start <= o && o <= n.end, 'nodeAt chain contains the offset');
    }
    if (r.diagnostics.length === 0) {
      // The formatter keeps every token and comment, and is idempotent.
      const out = format(text, r);
      const sig = (t: string) => tokenize(t).filter((k) => k.kind !== 'newline').map((k) => (k.kind === 'comment' ? k.text.trimEnd() : k.text));
      assert.deepEqual(sig(out), sig(text));
      assert.equal(format(out), out);
      clean++;
    }
  }
  assert.ok(clean >= 1);
});

test('generated valid scenarios with random layout: formatter keeps tokens, is idempotent', T, () => {
  const lines = [
    'smmu smmu0 { stages s1 s2 nested; oas 48 }',
    'smmu s1 {\n oas 48\n tlb 64 fifo\n}',
    'pagetable nic : s1 4k ia 48 { map 0x1000 +4K -> 0x8000 rw }',
    'pagetable p2 s2 64k {\nmap 0 +1G->0x4000_0000 rwx device\n}',
    'cd c { asid 5; ttb0 nic }',
    'ste smmu0 0x100 { config s1; cd c }',
    'ste 7 raw 0x1 0x2',
    'write64 0x40000200 0x4003000b',
    'reg smmu0.SMMU_CR0 0xd',
    'cmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000 leaf',
    'cmd CMD_SYNC',
    'dma smmu0 read sid 8 iova 0x1000 len 4 expect pa 0x8000',
    'expect no hazard',
    'map nic 0x2000 +4K -> 0x9000 r',
    'pte nic 0x1000 level 3 0x0',
    'include "x.smmu"',
  ];
  const next = rng(7);
  const ws = ['', ' ', '  ', '\t', ' \t '];
  for (let round = 0; round < 200; round++) {
    let text = '';
    const n = 1 + (next() % 12);
    for (let i = 0; i < n; i++) {
      let line = lines[next() % lines.length];
      // Random spacing around tokens that may touch.
      line = line.replace(/ /g, () => ' ' + ws[next() % ws.length]).replace(/;/g, () => ws[next() % ws.length] + ';');
      text += ws[next() % ws.length] + line + (next() % 4 === 0 ? ' # note ' + i : '') + '\n'.repeat(1 + (next() % 3));
    }
    const r = parse(text);
    assert.deepEqual(r.diagnostics, [], text);
    const out = format(text, r);
    const sig = (t: string) => tokenize(t).filter((k) => k.kind !== 'newline').map((k) => (k.kind === 'comment' ? k.text.trimEnd() : k.text));
    assert.deepEqual(sig(out), sig(text));
    assert.equal(format(out), out);
    assert.equal(parse(out).tree.statements.length, r.tree.statements.length);
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
