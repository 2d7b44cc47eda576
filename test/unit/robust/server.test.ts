// The language server over stdio under malformed, out-of-order and random traffic: every request
// gets an answer (a result or a protocol error), the process never exits, and it keeps working.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { LspClient, repoRoot } from '../server/helper';
import { Rng, exampleTexts, mutate, randomText, summary } from '../../fuzz/lib';
import { recordFuzz } from '../../fuzz/tally';

const SEED = Number(process.env.FUZZ_SEED ?? 42);
const T = { timeout: 90_000 };
const clients: LspClient[] = [];
after(async () => {
  for (const c of clients) await c.stop();
});

const METHODS = [
  'textDocument/hover', 'textDocument/completion', 'textDocument/definition', 'textDocument/references', 'textDocument/rename',
  'textDocument/prepareRename', 'textDocument/documentSymbol', 'textDocument/semanticTokens/full', 'textDocument/formatting',
  'textDocument/foldingRange', 'textDocument/inlayHint', 'textDocument/codeLens', 'iommuLens/state', 'iommuLens/result',
  'no/such/method', 'workspace/symbol', 'textDocument/signatureHelp',
];

function garbageParams(rng: Rng, uri: string): unknown {
  const pos = [{ line: -1, character: -5 }, { line: 1e9, character: 1e9 }, { line: 0.5, character: NaN }, { line: '3', character: {} }, { line: 2 ** 53, character: 0 }, { line: 0, character: 0 }, null];
  const docs = [{ uri }, { uri: 'file:///nowhere.smmu' }, { uri: 42 }, null, undefined, { uri: '' }, { uri: '\u0000\ud800' }];
  switch (rng.int(6)) {
    case 0: return null;
    case 1: return [1, 2, 3];
    case 2: return 'garbage';
    case 3: return { textDocument: rng.pick(docs), position: rng.pick(pos), newName: rng.pick(['x', '', '{', 7]), range: { start: rng.pick(pos), end: rng.pick(pos) }, options: rng.pick([null, {}, { tabSize: -1 }]), stepIndex: rng.pick([-1, 1e12, 'x', 0.5]), context: null };
    default: return { textDocument: { uri }, position: rng.pick(pos), newName: 'renamed', options: { tabSize: 2, insertSpaces: true }, range: { start: { line: 0, character: 0 }, end: { line: 1e6, character: 0 } }, stepIndex: rng.int(5) - 1, context: { includeDeclaration: true } };
  }
}

test('server: random requests with garbage params, unknown methods, random documents and rapid edits', T, async () => {
  const c = await LspClient.start();
  clients.push(c);
  const rng = new Rng(SEED);
  const examples = exampleTexts();
  const uri = await c.open('fuzz.smmu', examples[0]);
  let version = 1;
  let requests = 0;
  let errors = 0;
  for (let round = 0; round < 40; round++) {
    // A burst of edits (full and ranged, some with out-of-range ranges), then requests in flight with them.
    for (let k = 0; k < 3; k++) {
      const text = rng.chance(0.5) ? mutate(rng.pick(examples), rng) : randomText(rng, 500);
      const ranged = rng.chance(0.3) ? { range: { start: { line: rng.int(50), character: rng.int(80) }, end: { line: 1e6, character: 0 } } } : {};
      await c.change(uri, ++version, [{ text, ...ranged }]);
    }
    await c.connection.sendNotification(rng.pick(['textDocument/didChange', 'textDocument/didOpen', 'textDocument/didClose', 'no/such/notification']), garbageParams(rng, uri) as object);
    const pending: Promise<unknown>[] = [];
    for (let k = 0; k < 6; k++) {
      requests++;
      pending.push(c.request(rng.pick(METHODS), garbageParams(rng, uri)).catch(() => { errors++; }));
    }
    await Promise.all(pending);
    assert.equal(c.exited, undefined, `server exited: ${c.stderr.slice(-2000)}`);
  }
  // Still working: a fresh document gets its diagnostics, a hover on it answers.
  const ok = await c.openAndWait('after.smmu', 'smmu smmu0\ndma smmu0 read sid 1 iova 0x1000\n');
  assert.ok(Array.isArray(ok.diagnostics));
  const h = await c.hover(ok.uri, 1, 20);
  assert.ok(h === null || typeof h.contents.value === 'string');
  console.log(summary(`lsp (${errors} protocol errors answered)`, requests, 0, SEED));
  recordFuzz('lsp', requests);
});

test('server: huge document and hover at out-of-range positions', T, async () => {
  const c = await LspClient.start();
  clients.push(c);
  const big = `smmu smmu0\n${'dma smmu0 read sid 1 iova 0x1000\n'.repeat(20_000)}${'x'.repeat(1 << 20)}\n`;
  // (not a speed test: on a loaded 2-core machine the first analysis of this file can take well over 10 s)
  const { uri } = await c.openAndWait('big.smmu', big, 60_000);
  for (const [line, ch] of [[0, 1e9], [1e9, 0], [20_001, 5e5], [-1, -1]]) {
    await c.hover(uri, line, ch).catch(() => undefined);
  }
  assert.equal(c.exited, undefined);
  const h = await c.hover(uri, 1, 1);
  assert.ok(h === null || typeof h.contents.value === 'string');
});

test('server: requests before initialize and a malformed JSON body get errors; the server stays up', T, async () => {
  const proc = spawn(process.execPath, [path.join(repoRoot(), 'dist', 'server.js'), '--stdio'], { stdio: 'pipe' });
  let out = '';
  let exited: number | null | undefined;
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.on('exit', (code) => (exited = code));
  const send = (body: string) => proc.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  send(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'textDocument/hover', params: { textDocument: { uri: 'file:///a.smmu' }, position: { line: 0, character: 0 } } }));
  send('{"jsonrpc": "2.0", "id": 2, "method": ');
  send(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } }));
  try {
    const deadline = Date.now() + 10_000;
    while (!/"id":3/.test(out) && Date.now() < deadline && exited === undefined) await new Promise((r) => setTimeout(r, 50));
    // LSP 3.17 (initialize): a request before initialize is answered with ServerNotInitialized (-32002).
    assert.match(out, /"id":1,"error":\{"code":-32002/, 'hover before initialize gets ServerNotInitialized');
    assert.match(out, /"id":3,"result"/, 'initialize after garbage still answers');
    assert.equal(exited, undefined);
  } finally {
    proc.kill();
  }
});
