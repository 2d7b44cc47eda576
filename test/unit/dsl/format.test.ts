import { test } from 'node:test';
import assert from 'node:assert/strict';
import { format, tokenize, parse } from '../../../language-server/src/dsl';
import { conformanceCases } from '../../data/conformance';

/** Every token the user wrote, in order, with comments (whitespace is all the formatter may change). */
function significant(text: string): string[] {
  return tokenize(text)
    .filter((t) => t.kind !== 'newline')
    .map((t) => (t.kind === 'comment' ? t.text.trimEnd() : t.text));
}

const messy = `

   # header comment
smmu   smmu0{stages s1 s2 nested;oas 48 ;  tlb 256 lru
strtab 2level split 8   // where
    }


pagetable nic:s1 4k ia 48 {
map 0x1000_0000 +2M->0x8000_0000 rw   # trailing
      }
ste smmu0 0x100 { config s1; cd nic_cd }
dma   read sid 0x100 iova 0x1000_0040    expect pa 0x8000_0040
reg smmu0.SMMU_CR0 0xd
`;

test('canonical layout: indentation, spacing, blank lines, final newline', () => {
  const expected = [
    '# header comment',
    'smmu smmu0 { stages s1 s2 nested; oas 48; tlb 256 lru',
    '  strtab 2level split 8 // where',
    '}',
    '',
    'pagetable nic:s1 4k ia 48 {',
    '  map 0x1000_0000 +2M -> 0x8000_0000 rw # trailing',
    '}',
    'ste smmu0 0x100 { config s1; cd nic_cd }',
    'dma read sid 0x100 iova 0x1000_0040 expect pa 0x8000_0040',
    'reg smmu0.SMMU_CR0 0xd',
    '',
  ].join('\n');
  assert.equal(format(messy), expected);
});

test('formatting is idempotent and keeps every token and comment', () => {
  const once = format(messy);
  assert.equal(format(once), once);
  assert.deepEqual(significant(once), significant(messy));
  for (const { file: f, text } of conformanceCases()) {
    const out = format(text);
    assert.equal(format(out), out, f);
    assert.deepEqual(significant(out), significant(text), f);
    assert.deepEqual(parse(out).diagnostics, [], f);
  }
});

test('a text with syntax errors is returned unchanged', () => {
  const bad = 'smmu   s {  oas 48\nwrite64   0x1';
  assert.equal(format(bad), bad);
});

test('CRLF files stay CRLF; empty text stays empty', () => {
  assert.equal(format('write64  0x1 0x2\r\n\r\n\r\nwrite32 0x3 0x4'), 'write64 0x1 0x2\r\n\r\nwrite32 0x3 0x4\r\n');
  assert.equal(format(''), '');
  assert.equal(format('\n\n  \n'), '');
});

test('nested blocks indent by depth; closing braces dedent', () => {
  const text = 'smmu s {\nqueues {\ncmdq 8\n}\n}';
  assert.equal(format(text), 'smmu s {\n  queues {\n    cmdq 8\n  }\n}\n');
});
