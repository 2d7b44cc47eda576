// The extension side's pure parts: message validation, HTML shell and CSP, cursor-to-step, debounce.
import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, escapeHtml, renderPanelHtml } from '../../../extension/src/panels/html';
import { newNonce } from '../../../extension/src/panels/nonce';
import { parseHostMessage, parseWebviewMessage } from '../../../extension/src/panels/protocol';
import { debounce, stepAtLine } from '../../../extension/src/panels/steps';
import type { WireStep } from '../../../language-server/src/engine/api';

test('webview messages: only well-formed ready/reveal pass, extra properties are dropped', () => {
  assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
  assert.deepEqual(parseWebviewMessage({ type: 'reveal', line: 12, extra: '<x>' }), { type: 'reveal', line: 12 });
  assert.deepEqual(parseWebviewMessage({ type: 'openScenario', text: 'ste 0 raw 1' }), { type: 'openScenario' });
  for (const bad of [
    null, undefined, 'reveal', 42, [], [{ type: 'ready' }], {}, { type: 'REVEAL', line: 1 }, { type: 'reveal' },
    { type: 'reveal', line: 0 }, { type: 'reveal', line: -3 }, { type: 'reveal', line: 1.5 }, { type: 'reveal', line: '3' },
    { type: 'reveal', line: NaN }, { type: 'reveal', line: Infinity }, { type: 'reveal', line: 1e9 }, { type: 'command', command: 'x' },
  ]) assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
});

test('host messages: shape-checked before rendering', () => {
  const state = { stepIndex: 0, line: 1, smmus: [], walks: [], changes: { tlbAdded: [], tlbRemoved: [], configAdded: [], configRemoved: [] } };
  const result = { file: 'f', diagnostics: [], steps: [], expectations: { passed: 0, failed: 0 } };
  assert.equal(parseHostMessage({ type: 'state', uri: 'u', state, result })?.type, 'state');
  assert.equal(parseHostMessage({ type: 'state', uri: 'u', state: null, result: null })?.type, 'state');
  assert.equal(parseHostMessage({ type: 'state', uri: 'u', state: { smmus: 'x' }, result }), undefined);
  assert.equal(parseHostMessage({ type: 'state', uri: 1, state, result }), undefined);
  assert.deepEqual(parseHostMessage({ type: 'empty', reason: 7 }), { type: 'empty', reason: '' });
  assert.equal(parseHostMessage({ type: 'eval' }), undefined);
  const log = { records: [], unrecognised: [], lines: 0 };
  assert.equal(parseHostMessage({ type: 'decoded', source: 's', log })?.type, 'decoded');
  assert.equal(parseHostMessage({ type: 'decoded', source: 's', log: { records: 'x', unrecognised: [] } }), undefined);
  assert.equal(parseHostMessage({ type: 'decoded', source: 1, log }), undefined);
});

test('escapeHtml escapes the five HTML-significant characters', () => {
  assert.equal(escapeHtml(`<img src=x onerror="a('1')">&`), '&#60;img src=x onerror=&#34;a(&#39;1&#39;)&#34;&#62;&#38;');
});

test('panel HTML: strict CSP with the render nonce, no inline handlers, no unsafe-inline', () => {
  const nonce = newNonce();
  const html = renderPanelHtml({ kind: 'walk', cspSource: 'vscode-resource:', scriptUri: 'vscode-resource:/dist/media/panels.js', styleUri: 'vscode-resource:/dist/media/panels.css', nonce });
  const csp = contentSecurityPolicy('vscode-resource:', nonce);
  assert.equal(csp, `default-src 'none'; script-src 'nonce-${nonce}'; style-src vscode-resource: 'nonce-${nonce}'; img-src vscode-resource: data:; font-src vscode-resource:`);
  assert.ok(html.includes(`content="${escapeHtml(csp)}"`));
  assert.ok(!/unsafe-inline|unsafe-eval/.test(html));
  const scripts = html.match(/<script[^>]*>/g) ?? [];
  assert.deepEqual(scripts, [`<script nonce="${nonce}" src="vscode-resource:/dist/media/panels.js">`]);
  assert.ok(!/\son[a-z]+=/i.test(html));
  assert.ok(html.includes('data-panel="walk"'));
});

test('panel HTML: attribute values are escaped, weak nonces refused', () => {
  const html = renderPanelHtml({ kind: 'tlb', cspSource: 'x', scriptUri: '"><script>alert(1)</script>', styleUri: 's', nonce: newNonce() });
  assert.equal((html.match(/<script/g) ?? []).length, 1);
  assert.throws(() => renderPanelHtml({ kind: 'tlb', cspSource: 'x', scriptUri: 'a', styleUri: 's', nonce: 'abc' }));
  assert.throws(() => renderPanelHtml({ kind: 'tlb', cspSource: 'x', scriptUri: 'a', styleUri: 's', nonce: `${'a'.repeat(20)}" x="` }));
});

test('nonces are fresh 128-bit values', () => {
  const a = newNonce();
  const b = newNonce();
  assert.notEqual(a, b);
  assert.equal(Buffer.from(a, 'base64').length, 16);
});

const step = (index: number, line: number): WireStep => ({ index, line, col: 1, endLine: line, endCol: 2, kind: 'dma', label: '', events: [], hazards: [] });

test('stepAtLine: the last step on the greatest line at or above the cursor', () => {
  const steps = [step(0, 3), step(1, 5), step(2, 5), step(3, 9)];
  assert.equal(stepAtLine(steps, 1), -1);
  assert.equal(stepAtLine(steps, 3), 0);
  assert.equal(stepAtLine(steps, 4), 0);
  assert.equal(stepAtLine(steps, 5), 2);
  assert.equal(stepAtLine(steps, 8), 2);
  assert.equal(stepAtLine(steps, 100), 3);
  assert.equal(stepAtLine([], 5), -1);
  // `dma ... expect pa X`: the expectation's step (run after the DMA) gives way to the DMA.
  const ex = (index: number, line: number): WireStep => ({ ...step(index, line), kind: 'expect' });
  assert.equal(stepAtLine([step(0, 3), ex(1, 5), step(2, 5), ex(3, 5), ex(4, 7)], 5), 2);
  assert.equal(stepAtLine([step(0, 3), ex(1, 5), step(2, 5), ex(3, 5), ex(4, 7)], 7), 4);
});

test('debounce calls once with the latest arguments, and cancel drops the call', () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const calls: number[] = [];
    const d = debounce((n: number) => calls.push(n), 100);
    d(1);
    mock.timers.tick(50);
    d(2);
    mock.timers.tick(99);
    assert.deepEqual(calls, []);
    mock.timers.tick(1);
    assert.deepEqual(calls, [2]);
    d(3);
    d.cancel();
    mock.timers.tick(500);
    assert.deepEqual(calls, [2]);
  } finally {
    mock.timers.reset();
  }
});
