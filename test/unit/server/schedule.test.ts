// Scheduling of runs against the debounce (server/documents.ts): an edit after a quiet period
// starts its run at once, but nothing is published before the debounce has passed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LspClient } from './helper';

const TEXT = 'smmu smmu0 { stages s1 }\nwrite64 0x1000 0x1\n';

test('an edit after a quiet period is published only once the debounce has passed', async () => {
  const c = await LspClient.start({ settings: { debounceMs: 400 } });
  try {
    // Let the settings pull (sent after `initialized`) land before opening.
    await c.request('textDocument/documentSymbol', { textDocument: { uri: c.uri('none.smmu') } });
    const uri = await c.open('quiet.smmu', TEXT);
    await c.diagnostics(uri, 1);
    await new Promise((r) => setTimeout(r, 450)); // quiet for longer than the debounce
    const t = performance.now();
    await c.change(uri, 2, [{ text: TEXT.replace('0x1\n', '0x2\n') }]);
    const d = await c.diagnostics(uri, 2);
    const ms = performance.now() - t;
    assert.equal(d.version, 2);
    // The run of this tiny scenario takes a few ms; the debounce still holds the publication.
    assert.ok(ms >= 390, `published after ${ms} ms, before the 400 ms debounce`);
  } finally {
    await c.stop();
  }
});

test('an edit during a quiet-period run cancels it: only the newer version is published', async () => {
  const c = await LspClient.start({ settings: { debounceMs: 200 } });
  try {
    await c.request('textDocument/documentSymbol', { textDocument: { uri: c.uri('none.smmu') } });
    const uri = await c.open('two.smmu', TEXT);
    await c.diagnostics(uri, 1);
    await new Promise((r) => setTimeout(r, 250));
    await c.change(uri, 2, [{ text: TEXT.replace('0x1\n', '0x2\n') }]); // starts at once
    await c.change(uri, 3, [{ text: TEXT.replace('0x1\n', '0x3\n') }]); // inside the burst
    const d = await c.diagnostics(uri, 3);
    assert.equal(d.version, 3);
    await new Promise((r) => setTimeout(r, 250));
    assert.deepEqual(c.published.filter((p) => p.uri === uri).map((p) => p.version), [1, 3]);
  } finally {
    await c.stop();
  }
});
