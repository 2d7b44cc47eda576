// Step results build their walks' wire form on first read (engine/output/lazyWalks.ts). On every
// example and on the runner's bench scenario shape, the JSON of each step read right after it ran
// (what the eager conversion produced) equals the JSON of the same step read after the whole run,
// and structured clone, object spread and key order see the walks as a plain property.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileScenario } from '../../../../language-server/src/engine';
import type { WireStep } from '../../../../language-server/src/engine/api';
import { lowLevelDmaScenario } from '../../../../bench/dmaScenario';

const EXAMPLES = path.join(__dirname, '../../../../../examples');
const noInclude = () => ({ error: 'includes are not read here' });

function texts(): Array<[string, string]> {
  const out: Array<[string, string]> = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.smmu')).map((f) => [f, fs.readFileSync(path.join(EXAMPLES, f), 'utf8')]);
  out.push(['dmaScenario (600 pages, 3000 DMAs)', lowLevelDmaScenario(600, 3000)]);
  return out;
}

test('lazy walks: a step read after the whole run equals the step read as it ran, on every example', () => {
  let withWalks = 0;
  for (const [name, text] of texts()) {
    const stepwise = compileScenario(text, name, { readInclude: noInclude });
    const early: string[] = [];
    for (let s = stepwise.step(); s; s = stepwise.step()) early.push(JSON.stringify(s));
    const later = compileScenario(text, name, { readInclude: noInclude }).runToEnd().steps;
    assert.equal(later.length, early.length, name);
    later.forEach((s, i) => {
      assert.equal(JSON.stringify(s), early[i], `${name}: step ${i}`);
      if (s.walks?.length) withWalks++;
    });
  }
  assert.ok(withWalks > 100, `steps with walks: ${withWalks}`);
});

test('lazy walks: an own enumerable property to spread, clone and key order', () => {
  const [, text] = texts().find(([n]) => n === 's1-dma-4k.smmu')!;
  const steps = compileScenario(text, 'x', { readInclude: noInclude }).runToEnd().steps;
  const s = steps.find((x) => x.walks?.length) as WireStep;
  assert.ok(s, 'a step with walks');
  assert.ok(Array.isArray(s.walks));
  assert.equal(s.walks, s.walks, 'built once');
  assert.deepEqual(Object.keys(s), Object.keys(JSON.parse(JSON.stringify(s))));
  assert.ok(Object.keys(s).includes('walks'));
  assert.deepEqual(structuredClone(s).walks, s.walks);
  assert.deepEqual({ ...s }.walks, s.walks);
  assert.equal(typeof s.walks![0].ttb, 'string');
  // Assignable like a plain property.
  const copy = { ...s };
  s.walks = [];
  assert.deepEqual(s.walks, []);
  assert.deepEqual(JSON.parse(JSON.stringify(s)).walks, []);
  assert.ok(copy.walks!.length > 0);
});
