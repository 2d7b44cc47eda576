// The public conformance cases (low-level interchange lines) with QEMU's outcomes as truth.
// Every case is outside any hazard window, so a conforming model must agree on every DMA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runScenario } from '../../../language-server/src/engine/index';
import { conformanceCases } from '../../data/conformance';

const cases = conformanceCases();

test('twelve conformance cases are present', () => {
  assert.equal(cases.length, 12);
});

for (const { file, text, truth } of cases) {
  test(`conformance ${file}`, () => {
    const r = runScenario(text, file);
    // No syntax/semantic errors; faults are reported as errors on their DMA (code = event name).
    const bad = r.diagnostics.filter((d) => d.severity === 'error' && !d.code.startsWith('F_') && !d.code.startsWith('C_'));
    assert.deepEqual(bad, []);
    const dmas = r.steps.filter((s) => s.kind === 'dma');
    assert.equal(dmas.length, truth.length);
    truth.forEach((t, i) => {
      const s = dmas[i];
      assert.equal(s.iova, t.iova, `DMA ${i} iova`);
      if (t.outcome === 'ok') {
        assert.equal(s.outcome, 'ok', `DMA ${i} (${t.op} ${t.iova}) outcome: ${JSON.stringify(s.events)}`);
        assert.equal(s.pa, t.pa, `DMA ${i} pa`);
      } else if (t.event === 'ABORT') {
        assert.ok(s.outcome === 'fault' && s.events.length === 0 && s.abort !== undefined, `DMA ${i} aborted`);
      } else {
        assert.equal(s.outcome, 'fault', `DMA ${i} (${t.op} ${t.iova}) outcome`);
        assert.equal(s.events[0]?.type, t.event, `DMA ${i} event`);
      }
    });
  });
}
