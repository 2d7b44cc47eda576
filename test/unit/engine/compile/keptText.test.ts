// A compile the next edit reuses keeps no earlier version's text alive: each step's key is made
// as it is lowered (LowerCtx.keysNow), so the steps a later version shares hold no reference to
// the text they were lowered from.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { compileScenario, type ScenarioSession } from '../../../../language-server/src/engine';

const URI = 'file:///kept.smmu';
const noInclude = () => ({ error: 'includes are not read here' });

/** 40 transactions, then a comment of `pad` characters (each version of the text is a new string that size). */
function scenario(pad: number, edited: number, digit: number): string {
  const out = ['smmu smmu0 { stages s1; oas 48 }', 'pagetable pt s1 4K {', '  map 0x1000_0000 +64K -> 0x8000_0000 rw', '}', 'cd c0 { pagetable pt; asid 5 }', 'ste smmu0 0x100 { cd c0 }'];
  for (let i = 0; i < 40; i++) out.push(`dma read sid 0x100 iova 0x1000_${(i === edited ? digit : 0).toString(16)}${(i % 16).toString(16)}40`);
  out.push(`# ${'x'.repeat(pad)}`);
  return out.join('\n') + '\n';
}

test('the steps an edit shares with earlier versions do not keep those versions\' texts', () => {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const PAD = 4_000_000;
  const compile = (text: string, previous?: ScenarioSession) => {
    const s = compileScenario(text, URI, { readInclude: noInclude, checkpoints: {}, previous });
    s.runToEnd();
    return s;
  };
  let s = compile(scenario(PAD, -1, 0));
  gc();
  const before = process.memoryUsage().heapUsed;
  // Ten edits, each to another transaction: every version lowers one step anew and shares the rest.
  for (let k = 0; k < 10; k++) s = compile(scenario(PAD, k * 4, 1 + (k % 9)), s);
  assert.ok(s.steps.length > 40);
  gc();
  const grown = process.memoryUsage().heapUsed - before;
  // Ten earlier texts kept would be 40 MB; the last session keeps one text and its own state.
  assert.ok(grown < 2.5 * PAD, `heap grew by ${(grown / 1e6).toFixed(1)} MB over ten edits`);
});
