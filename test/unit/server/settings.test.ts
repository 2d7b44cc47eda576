// The server's settings: defaults and what it accepts from the client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, readSettings } from '../../../language-server/src/server/settings';
import { cutToSize } from '../../../language-server/src/engine';
import { generateScenario } from '../../../bench/lsp.bench';

test('iommuLens.maxFileSize: by default the 100,000-line scenario of issue 14 (10,000 mappings, 20,000 transactions) is analysed whole', () => {
  const { text } = generateScenario(100_000, 10_000, 20_000);
  assert.ok(text.length > 2 * 1024 * 1024, `the scenario is ${text.length} characters`);
  assert.equal(cutToSize(text, readSettings({}).maxFileSize).length, text.length);
  assert.equal(readSettings({}).maxFileSize, DEFAULT_SETTINGS.maxFileSize);
});

test('iommuLens.maxFileSize: a positive number is taken (floored); anything else keeps the default', () => {
  assert.equal(readSettings({ maxFileSize: 1000.7 }).maxFileSize, 1000);
  for (const bad of [0, -5, Number.NaN, Infinity, '100', null]) assert.equal(readSettings({ maxFileSize: bad }).maxFileSize, DEFAULT_SETTINGS.maxFileSize, String(bad));
});

test('the defaults the extension declares (package.json contributes.configuration) are the server defaults', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pkg = require('../../../../package.json') as { contributes: { configuration: { properties: Record<string, { default: unknown }> } } };
  const p = pkg.contributes.configuration.properties;
  assert.equal(p['iommuLens.maxFileSize'].default, DEFAULT_SETTINGS.maxFileSize);
  assert.equal(p['iommuLens.inlayHints.enabled'].default, DEFAULT_SETTINGS.inlayHints.enabled);
});
