// The debug adapter under malformed and out-of-order DAP traffic: every request gets a response
// (an error one when it cannot be served), the adapter never dies and keeps answering.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { repoRoot, Rng, summary } from '../../fuzz/lib';
import { recordFuzz } from '../../fuzz/tally';

const SEED = Number(process.env.FUZZ_SEED ?? 42);
const T = { timeout: 90_000 };
const adapter = path.join(repoRoot(), 'dist', 'debugAdapter.js');
const SCENARIO = 'smmu smmu0\npagetable p s1 4K { map 0x1000 +4K -> 0x8000_0000 rw }\ncd c { pagetable p; asid 1 }\nste smmu0 1 { cd c }\ndma smmu0 read sid 1 iova 0x1000\ndma smmu0 read sid 1 iova 0x9000\ndma smmu0 read sid 1 iova 0x1004\n';

async function withClient(body: (dc: DebugClient) => Promise<void>): Promise<void> {
  const dc = new DebugClient('node', adapter, 'iommu-lens');
  dc.defaultTimeout = 10_000;
  await dc.start();
  try {
    await body(dc);
  } finally {
    await dc.stop();
  }
}

/** Sends a request and reports whether it succeeded; a missing response fails the test (timeout). */
async function settle(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return true;
  } catch (e) {
    assert.ok(!/timeout/i.test(String(e)), `no response: ${String(e)}`);
    return false;
  }
}

test('dap: requests before launch get responses (stepBack, variables, evaluate, stackTrace, next)', T, () =>
  withClient(async (dc) => {
    await dc.initializeRequest({ adapterID: 'iommu-lens', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    await settle(dc.stepBackRequest({ threadId: 1 }));
    await settle(dc.variablesRequest({ variablesReference: 12345 }));
    await settle(dc.evaluateRequest({ expression: 'tlb smmu0' }));
    await settle(dc.stackTraceRequest({ threadId: 1 }));
    await settle(dc.nextRequest({ threadId: 1 }));
    await settle(dc.scopesRequest({ frameId: 99 }));
    await settle(dc.reverseContinueRequest({ threadId: 1 }));
    assert.equal((await dc.threadsRequest()).body.threads.length >= 0, true);
  }));

for (const [what, program] of [
  ['a missing file', () => path.join(os.tmpdir(), 'iommu-lens-no-such-file.smmu')],
  ['a directory', () => os.tmpdir()],
  ['a binary file', () => {
    const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dap-bin-')), 'bin.smmu');
    fs.writeFileSync(f, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff)));
    return f;
  }],
  ['no program at all', () => undefined],
] as Array<[string, () => string | undefined]>) {
  test(`dap: launch with ${what} answers, and the adapter keeps answering`, T, () =>
    withClient(async (dc) => {
      await dc.initializeRequest({ adapterID: 'iommu-lens', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
      await settle(dc.launchRequest({ program: program(), stopOnEntry: true } as DebugProtocol.LaunchRequestArguments));
      await settle(dc.configurationDoneRequest());
      await settle(dc.stackTraceRequest({ threadId: 1 }));
      await settle(dc.nextRequest({ threadId: 1 }));
      assert.ok((await dc.threadsRequest()).success);
    }));
}

test('dap: random requests with bogus references and garbage during a session; file edited and deleted mid-session', T, () =>
  withClient(async (dc) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dap-robust-'));
    const program = path.join(dir, 's.smmu');
    fs.writeFileSync(program, SCENARIO);
    await dc.initializeRequest({ adapterID: 'iommu-lens', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    await Promise.all([dc.waitForEvent('stopped'), dc.launchRequest({ program, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments).then(() => dc.configurationDoneRequest())]);
    const rng = new Rng(SEED);
    const garbage = ['', '\u0000', '}{', 'translate', 'translate smmu0 sid 0xffffffffffffffffff 0x1', 'read64 -1', 'decode ste 0x', 'reg smmu9.CR0', 'x'.repeat(100_000), 'cd smmu0 0x1 0xfffff', 'ste smmu0 -1'];
    let n = 0;
    for (let i = 0; i < 60; i++) {
      n++;
      switch (rng.int(9)) {
        case 0: await settle(dc.variablesRequest({ variablesReference: rng.pick([0, -1, 1e9, 2 ** 31, 7]) })); break;
        case 1: await settle(dc.evaluateRequest({ expression: rng.pick(garbage), context: 'repl', frameId: rng.pick([undefined, 0, 999]) })); break;
        case 2: await settle(dc.scopesRequest({ frameId: rng.pick([-1, 0, 1e9]) })); break;
        case 3: await settle(dc.stepBackRequest({ threadId: 1 })); break;
        case 4: await settle(dc.nextRequest({ threadId: rng.pick([1, 99]) })); break;
        case 5: await settle(dc.stepInRequest({ threadId: 1 })); break;
        case 6: await settle(dc.setBreakpointsRequest({ source: { path: rng.pick([program, '/nonexistent.smmu', '']) }, breakpoints: [{ line: rng.pick([-3, 0, 5, 1e9]) }] })); break;
        case 7: await settle(dc.customRequest(rng.pick(['noSuchRequest', 'gotoTargets', 'setVariable', 'source']), rng.pick([undefined, null, { x: 1 }]))); break;
        default: await settle(dc.stackTraceRequest({ threadId: 1, startFrame: rng.pick([-1, 1e9, 0]), levels: rng.pick([-1, 0, 1e9]) })); break;
      }
      if (i === 20) fs.writeFileSync(program, 'smmu smmu0 {{{{\n' + '\u0000'.repeat(100));
      if (i === 40) fs.rmSync(program);
      if (i === 45) await settle(dc.customRequest('restart', {}));
    }
    assert.ok((await dc.threadsRequest()).success, 'still answering');
    const ev = await dc.evaluateRequest({ expression: 'tlb smmu0', context: 'repl' });
    assert.equal(typeof ev.body.result, 'string');
    console.log(summary('dap', n, 0, SEED));
    recordFuzz('dap', n);
  }));
