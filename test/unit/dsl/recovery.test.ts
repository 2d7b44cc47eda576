import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, DIAG, Severity } from '../../../language-server/src/dsl';
import { conformanceCases } from '../../data/conformance';


test('every conformance scenario (interchange lines) parses with zero diagnostics', () => {
  const cases = conformanceCases();
  assert.equal(cases.length, 12);
  for (const { file: f, text } of cases) {
    const r = parse(text, f);
    assert.deepEqual(r.diagnostics, [], f);
    const lines = text.split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
    assert.equal(r.tree.statements.length, lines.length, f);
    assert.ok(r.tree.statements.every((s) => s.kind !== 'error' && !s.incomplete), f);
  }
});

test('a typo on line 3 still yields nodes and diagnostics for lines 5 and 9', () => {
  const text = [
    'smmu smmu0 { oas 48 }', // 0
    'pagetable pt : s1 4k { map 0x1000 +4K -> 0x8000 rw }', // 1
    'ste smmu0 0x100 { config s1; cd c }', // 2
    'dma read sid 1 iovaa 0x1000', // 3: typo (unknown option)
    'write64 0x1', // 4: missing value
    'cmd CMD_SYNC', // 5
    'wirte64 0x1 0x2', // 6: unknown statement
    'reg smmu0.SMMU_CR0 0xd', // 7
    'dma read sid 8 iova', // 8: missing address
    'expect pa 0x8000', // 9
  ].join('\n');
  const r = parse(text);
  const byLine = r.diagnostics.map((d) => [d.range.start.line, d.code]);
  assert.deepEqual(byLine, [
    [3, DIAG.unknownOption],
    [4, DIAG.expected],
    [6, DIAG.unknownStatement],
    [8, DIAG.expected],
  ]);
  const kinds = r.tree.statements.map((s) => s.kind);
  assert.deepEqual(kinds, ['smmu', 'pagetable', 'ste', 'dma', 'write', 'cmd', 'error', 'reg', 'dma', 'expect']);
  const s9 = r.tree.statements[9];
  assert.equal(s9.kind === 'expect' && s9.expectation.values[0].kind === 'number' && s9.expectation.values[0].value, 0x8000n);
  assert.equal(r.tree.statements[3].kind === 'dma' && r.tree.statements[3].incomplete, true);
  assert.equal(r.tree.statements[7].kind === 'reg' && r.tree.statements[7].incomplete, false);
  for (const d of r.diagnostics) {
    assert.equal(d.severity, Severity.Error);
    assert.equal(d.source, 'smmu');
    assert.ok(d.message.length > 10);
  }
});

test('messages name what was expected and where', () => {
  const r = parse('dma read sid 8 iova\nste smmu0 { config s1 }\ninclude other.smmu');
  assert.match(r.diagnostics[0].message, /expected an address after `iova`/);
  // `iova` at line 0, characters 15..19
  assert.deepEqual(r.diagnostics[0].range, { start: { line: 0, character: 15 }, end: { line: 0, character: 19 } });
  assert.match(r.diagnostics[1].message, /expected a StreamID/);
  assert.deepEqual(r.diagnostics[1].range.start, { line: 1, character: 10 });
  assert.match(r.diagnostics[2].message, /file name in quotes/);
});

test('an unclosed block ends at the next statement keyword starting a line', () => {
  const text = 'ste smmu0 0x100 { config s1\n  s1dss bypass\ndma read sid 0x100 iova 0x1000\ncmd CMD_SYNC';
  const r = parse(text);
  assert.deepEqual(
    r.diagnostics.map((d) => [d.code, d.start, d.end]),
    [[DIAG.unclosedBrace, text.indexOf('{'), text.indexOf('{') + 1]],
  );
  const [ste, dma, cmd] = r.tree.statements;
  assert.equal(ste.kind === 'ste' && ste.body?.items.length, 2);
  assert.equal(ste.kind === 'ste' && ste.body?.closed, false);
  assert.equal(dma.kind, 'dma');
  assert.equal(cmd.kind, 'cmd');
});

test('a stray `}` and a junk token inside a block are reported and skipped', () => {
  const r = parse('}\nsmmu s { oas 48; 12 ; ias 40 }\nwrite64 0x0 0x0');
  assert.deepEqual(
    r.diagnostics.map((d) => [d.range.start.line, d.code]),
    [
      [0, DIAG.unmatchedBrace],
      [1, DIAG.unexpectedToken],
    ],
  );
  const s = r.tree.statements[0];
  assert.equal(s.kind === 'smmu' && s.body?.items.map((f) => (f.kind === 'field' ? f.name.text : '')).join(','), 'oas,ias');
  assert.equal(r.tree.statements[1].kind, 'write');
});

test('extra tokens after a complete statement: one diagnostic, rest of line skipped', () => {
  const r = parse('write64 0x1 0x2 0x3 0x4\nwrite64 0x5 0x6');
  assert.equal(r.diagnostics.length, 1);
  assert.equal(r.diagnostics[0].code, DIAG.unexpectedToken);
  assert.equal(r.diagnostics[0].start, 16);
  assert.equal(r.tree.statements.length, 2);
});

test('unknown dma option and conflicting access are reported, StreamID and address are required', () => {
  const r = parse('dma read write sid 1 iova 2\ndma read iova 2\ndma read sid 1\ndma read sid 1 iova 2 bogus 3');
  assert.deepEqual(
    r.diagnostics.map((d) => [d.range.start.line, d.code]),
    [
      [0, DIAG.unexpectedToken],
      [1, DIAG.expected],
      [2, DIAG.expected],
      [3, DIAG.unknownOption],
    ],
  );
});
