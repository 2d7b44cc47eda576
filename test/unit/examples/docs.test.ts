// Every scenario example in README.md and docs/language.md runs: a fenced ```smmu block is compiled
// and run by the engine and must have no error and no failed expectation. A bare ``` fence is not
// allowed (each block says what it is: smmu, text, sh, json, ts), so a new example is not skipped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runScenario } from '../../../language-server/src/engine';

const ROOT = path.join(__dirname, '../../../..');

function blocks(file: string): Array<{ lang: string; line: number; text: string }> {
  const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
  const out: Array<{ lang: string; line: number; text: string }> = [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^```(\S*)\s*$/.exec(lines[i]);
    if (!m) continue;
    const start = i;
    let j = i + 1;
    while (j < lines.length && !lines[j].startsWith('```')) j++;
    out.push({ lang: m[1], line: start + 1, text: lines.slice(start + 1, j).join('\n') + '\n' });
    i = j;
  }
  return out;
}

for (const file of ['README.md', 'docs/language.md']) {
  test(`${file}: every fenced block names its language; every smmu example runs clean`, () => {
    const all = blocks(file);
    assert.deepEqual(all.filter((b) => b.lang === '').map((b) => b.line), [], 'fences without a language');
    const examples = all.filter((b) => b.lang === 'smmu');
    assert.ok(examples.length >= (file === 'README.md' ? 1 : 3), `${examples.length} smmu examples`);
    for (const b of examples) {
      const r = runScenario(b.text, `${file}:${b.line}`);
      const bad = r.diagnostics.filter((d) => d.severity === 'error');
      assert.deepEqual(bad.map((d) => `${file}:${b.line + d.line}: ${d.code} ${d.message}`), [], `example at ${file}:${b.line}`);
      assert.equal(r.expectations.failed, 0);
      assert.ok(r.steps.length > 0);
    }
  });
}
