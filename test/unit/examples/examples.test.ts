// Every example in examples/ is a regression test: it must compile and run with no errors and
// every expectation must hold (faults an expectation asks for are reported as information).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runScenario } from '../../../language-server/src/engine/index';

const ROOT = path.join(__dirname, '../../../..');
const DIR = path.join(ROOT, 'examples');

const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.smmu')).sort();

test('the examples folder has the stories', () => {
  for (const f of ['s1-dma-4k.smmu', 's1-dma-64k.smmu', 's2-vm.smmu', 'nested-s2-fault-in-s1-walk.smmu', 'stale-tlb-after-unmap.smmu',
    'ste-change-without-cfgi.smmu', 'tlbi-without-sync.smmu', 'two-smmus-shared-s2.smmu', 'pasid-2level-cd.smmu', 'stall-and-resume.smmu',
    'bringup-lowlevel.smmu', 'tlb-conflict-block-collapse.smmu', 'walk-external-abort.smmu']) {
    assert.ok(files.includes(f), f);
  }
});

for (const f of files) {
  test(`example ${f}`, () => {
    const text = fs.readFileSync(path.join(DIR, f), 'utf8');
    assert.match(text, /^#/, 'starts with a header comment saying what it shows');
    const r = runScenario(text, f, {
      readInclude: (from, p) => {
        const full = path.resolve(DIR, path.dirname(from), p);
        return fs.existsSync(full) ? { uri: path.relative(DIR, full), text: fs.readFileSync(full, 'utf8') } : { error: `no file ${p}` };
      },
    });
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors.map((d) => `${d.line}:${d.col} ${d.code} ${d.message}`), []);
    assert.equal(r.expectations.failed, 0);
    assert.ok(r.expectations.passed > 0, 'an example states what it expects');
  });
}
