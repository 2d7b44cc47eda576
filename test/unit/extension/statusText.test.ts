// The status-bar text and the check of the `iommuLens/scenarioResult` payload.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseScenarioResult, statusView } from '../../../extension/src/statusText';

test('all expectations passed, nothing faulted: pass icon, no warning', () => {
  const v = statusView({ passed: 3, failed: 0, faults: 0, hazards: 0 });
  assert.equal(v.text, '$(pass) SMMU 3✓ 0✗ 0F 0H');
  assert.equal(v.warning, false);
  assert.equal(v.summary, '3 passed, 0 failed, 0 faults, 0 hazards');
  assert.equal(v.tooltip, 'IOMMU Lens: expectations 3 passed, 0 failed, 0 faults, 0 hazards. Click to run the scenario.');
});

test('a failed expectation or an error shows the error icon and warns', () => {
  assert.equal(statusView({ passed: 1, failed: 1, faults: 0, hazards: 0 }).text, '$(error) SMMU 1✓ 1✗ 0F 0H');
  const e = statusView({ passed: 0, failed: 0, faults: 0, hazards: 0, errors: 2 });
  assert.ok(e.text.startsWith('$(error)'));
  assert.equal(e.warning, true);
  assert.match(e.tooltip, /2 errors/);
});

test('faults alone do not warn (they may be expected); hazards do', () => {
  const f = statusView({ passed: 2, failed: 0, faults: 2, hazards: 0 });
  assert.equal(f.text, '$(pass) SMMU 2✓ 0✗ 2F 0H');
  assert.equal(f.warning, false);
});

test('hazards show the warning icon; singular words for 1', () => {
  const v = statusView({ passed: 1, failed: 0, faults: 1, hazards: 1, partial: true });
  assert.equal(v.text, '$(warning) SMMU 1✓ 0✗ 1F 1H');
  assert.equal(v.warning, true);
  assert.equal(v.summary, '1 passed, 0 failed, 1 fault, 1 hazard, file analysed in part (iommuLens.maxFileSize)');
});

test('parseScenarioResult accepts the protocol shape and fills optional fields', () => {
  assert.deepEqual(parseScenarioResult({ uri: 'file:///a.smmu', passed: 2, failed: 0, faults: 1, hazards: 0 }), {
    uri: 'file:///a.smmu', version: 0, passed: 2, failed: 0, faults: 1, hazards: 0, errors: 0, partial: false,
  });
  const full = { uri: 'file:///b.smmu', version: 7, passed: 0, failed: 1, faults: 0, hazards: 3, errors: 1, partial: true };
  assert.deepEqual(parseScenarioResult(full), full);
});

test('parseScenarioResult rejects malformed payloads', () => {
  for (const bad of [null, 42, 'x', {}, { uri: 1, passed: 0, failed: 0, faults: 0, hazards: 0 },
    { uri: 'u', passed: -1, failed: 0, faults: 0, hazards: 0 }, { uri: 'u', passed: 1.5, failed: 0, faults: 0, hazards: 0 },
    { uri: 'u', passed: 0, failed: 0, faults: 0 }]) {
    assert.equal(parseScenarioResult(bad), undefined, JSON.stringify(bad));
  }
});
