// The TextMate grammar knows every fixed word of the language (language-server/src/dsl/keywords.ts).
// Oniguruma's leading `(?i)` is turned into JS's `i` flag; the rest of these patterns is JS-compatible.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CPU_OPS, CPU_TLBI_OPTIONS, EXPECT_KINDS, FLAG_WORDS, IOMMUFD_OPS, STATEMENT_KEYWORDS, TRANSACTION_OPTIONS, VSMMU_MODES } from '../../../language-server/src/dsl/keywords';
import { CPU_TLBIS } from '../../../language-server/src/model/cpu/tlbi';

interface Rule { match?: string; patterns?: Rule[] }
const grammar = JSON.parse(readFileSync(resolve(__dirname, '../../../../syntaxes/smmu.tmLanguage.json'), 'utf8')) as {
  scopeName: string; repository: Record<string, Rule>;
};

function regexes(rule: Rule): RegExp[] {
  const own = rule.match ? [rule.match.startsWith('(?i)') ? new RegExp(rule.match.slice(4), 'i') : new RegExp(rule.match)] : [];
  return own.concat((rule.patterns ?? []).flatMap(regexes));
}

test('grammar scope is source.smmu', () => {
  assert.equal(grammar.scopeName, 'source.smmu');
});

test('every statement keyword starts a highlighted statement, in any case', () => {
  const rs = [...regexes(grammar.repository.declaration), ...regexes(grammar.repository.step)];
  for (const kw of STATEMENT_KEYWORDS) {
    for (const written of [kw, kw.toUpperCase()]) {
      assert.ok(rs.some((r) => r.test(`${written} x 1`)), `statement keyword ${written} is not highlighted`);
    }
  }
});

test('every iommufd operation is highlighted after `iommufd`', () => {
  const rs = regexes(grammar.repository.step);
  for (const op of Object.keys(IOMMUFD_OPS)) {
    const m = rs.map((r) => r.exec(`iommufd ${op} x 1`)).find((x) => x && x[2]);
    assert.equal(m?.[2], op, `iommufd ${op} is not highlighted`);
  }
});

test('every CPU TLBI instruction is highlighted after `cpu tlbi`', () => {
  const rs = regexes(grammar.repository.step);
  for (const d of CPU_TLBIS) {
    for (const written of [d.name, d.name.toLowerCase()]) {
      const m = rs.map((r) => r.exec(`cpu tlbi ${written} xt 1`)).find((x) => x && x[3]);
      assert.equal(m?.[3], written, `cpu tlbi ${written} is not highlighted`);
    }
  }
  assert.ok(!rs.some((r) => r.exec('cpu tlbi vae1isx 1')?.[3]), 'a longer word is not an instruction');
});

test('every transaction option and expectation kind is a highlighted option word', () => {
  const rs = regexes(grammar.repository.option);
  for (const w of [...TRANSACTION_OPTIONS, ...EXPECT_KINDS, ...CPU_OPS, ...CPU_TLBI_OPTIONS.filter((o) => !FLAG_WORDS.has(o)), 'raw', 'no', 'mode', ...VSMMU_MODES]) {
    assert.ok(rs.some((r) => r.test(` ${w} `)), `option ${w} is not highlighted`);
  }
});

test('every flag word is highlighted (as an option or a flag)', () => {
  const rs = [...regexes(grammar.repository.option), ...regexes(grammar.repository.flag)];
  for (const w of FLAG_WORDS) {
    assert.ok(rs.some((r) => r.test(` ${w} `)), `flag ${w} is not highlighted`);
  }
  assert.ok(!rs.some((r) => r.test(' leafy ')), 'a longer word is not a flag');
});

test('a word that only contains a keyword is not a statement (write64x, dmax)', () => {
  const rs = [...regexes(grammar.repository.declaration), ...regexes(grammar.repository.step)];
  for (const w of ['write64x 1', 'dmax 1', 'cdx 1', 'registers 1']) {
    assert.ok(!rs.some((r) => r.test(w)), `${w} must not be highlighted as a statement`);
  }
});
