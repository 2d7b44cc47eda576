// The panels on real engine output: every scenario in examples/ is run by the engine, and each
// panel renders the state of each step that walked (and of the last step) without console errors
// or CSP reports. Screenshots (dark) go to test-results/panels/example-*.png.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { compileScenario } from '../../language-server/src/engine/index';
import { finish, open, startHarness, stopHarness } from './harness';

const EXAMPLES = path.resolve(__dirname, '../../../examples');

before(startHarness);
after(stopHarness);

for (const file of fs.existsSync(EXAMPLES) ? fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.smmu')) : []) {
  test(`examples/${file}`, async () => {
    const uri = `file:///examples/${file}`;
    const session = compileScenario(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'), uri);
    const result = session.runToEnd();
    const picks = result.steps.filter((s) => s.walks?.length).map((s) => s.index);
    picks.push(result.steps.length - 1);
    const name = file.replace(/\.smmu$/, '');
    for (const [n, index] of [...new Set(picks)].entries()) {
      session.goto(index + 1);
      const state = session.state();
      for (const kind of ['walk', 'tlb', 'streams', 'events'] as const) {
        if (kind !== 'walk' && n < picks.length - 1 && n > 0) continue; // other panels: first and last pick
        const o = await open(kind, 'dark', [{ type: 'state', uri, state, result }]);
        if (kind === 'walk' && state.walks.length) {
          const boxes = await o.page.locator('svg .box[data-level]:not([data-level=""])').count();
          const steps = state.walks.reduce((a, w) => a + w.steps.length + w.steps.reduce((b, s) => b + (s.s2Walk?.steps.length ?? 0), 0), 0);
          assert.equal(boxes, steps, `${file} step ${index}: one box per descriptor fetch`);
        }
        await finish(o, `example-${name}-${kind}-${index}`);
      }
    }
  });
}
