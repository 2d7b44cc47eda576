// Step back over DAP on a scenario long enough for checkpoints (the adapter takes one every 64
// steps or more): each step back and reverse continue lands on the state a fresh run to that step
// has (the TLB with its hit counts, the event queue, a register), compared through the Debug Console.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { compileScenario } from '../../../language-server/src/engine';

const root = path.resolve(__dirname, '../../../..');
const adapter = path.join(root, 'dist', 'debugAdapter.js');

/** 400 DMAs over 32 pages (TLB of 16 entries: evictions), a fault every 50th, an unmap midway without TLBI. */
function scenario(): string {
  const out = ['smmu smmu0 { stages s1; oas 48; tlb 16 lru }', 'pagetable pt s1 4K {'];
  for (let i = 0; i < 32; i++) out.push(`  map 0x${(0x1000_0000 + i * 0x1000).toString(16)} +4K -> 0x${(0x8000_0000 + i * 0x1000).toString(16)} rw`);
  out.push('}', 'cd c0 { pagetable pt; asid 5 }', 'ste smmu0 0x100 { cd c0 }');
  for (let i = 0; i < 400; i++) {
    if (i === 200) out.push('unmap pt 0x10003000 +4K');
    const page = i % 50 === 49 ? 0x100 : (i * 7) % 32;
    out.push(`dma read sid 0x100 iova 0x${(0x1000_0000 + page * 0x1000 + 0x40).toString(16)}`);
  }
  return out.join('\n') + '\n';
}

let dc: DebugClient;
let program: string;
let text: string;

before(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iommu-lens-stepback-'));
  program = path.join(dir, 'long.smmu');
  text = scenario();
  fs.writeFileSync(program, text);
  dc = new DebugClient('node', adapter, 'iommu-lens');
  dc.defaultTimeout = 20_000;
  await dc.start();
});

after(async () => {
  await dc.stop();
});

async function act(request: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const [ev] = await Promise.all([dc.waitForEvent('stopped'), request()]);
  return ev as DebugProtocol.StoppedEvent;
}

async function line(): Promise<number> {
  return (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].line;
}

async function evaluate(expression: string): Promise<string> {
  const frameId = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0].id;
  return (await dc.evaluateRequest({ expression, context: 'repl', frameId })).body.result;
}

/** What a fresh run stopped before line `l` shows (the debugger stops before a line's steps). */
function fresh(l: number, expression: string): string {
  const s = compileScenario(text, `file://${program}`);
  s.goto(s.steps.findIndex((st) => st.line === l));
  return s.evaluate(expression);
}

const EXPRESSIONS = ['tlb smmu0', 'reg smmu0.EVENTQ_PROD', 'translate smmu0 sid 0x100 0x10003040'];

test('step back and reverse continue land on the state of a fresh run to that step', async () => {
  await dc.initializeRequest({ adapterID: 'iommu-lens', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  const stopped = dc.waitForEvent('stopped');
  await dc.launchRequest({ program, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments);
  const lines = text.split('\n');
  const near = lines.length - 5;
  const mid = lines.findIndex((x) => x.startsWith('unmap')) + 3;
  await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: mid }, { line: near }] });
  await dc.setExceptionBreakpointsRequest({ filters: [] });
  await dc.configurationDoneRequest();
  await stopped;
  await act(() => dc.continueRequest({ threadId: 1 }));
  assert.equal(await line(), mid);
  await act(() => dc.continueRequest({ threadId: 1 }));
  assert.equal(await line(), near);
  for (let i = 0; i < 5; i++) {
    await act(() => dc.stepBackRequest({ threadId: 1 }));
    const l = await line();
    assert.equal(l, near - 1 - i);
    for (const e of EXPRESSIONS) assert.equal(await evaluate(e), fresh(l, e), `${e} before line ${l}`);
  }
  await act(() => dc.reverseContinueRequest({ threadId: 1 }));
  assert.equal(await line(), mid);
  for (const e of EXPRESSIONS) assert.equal(await evaluate(e), fresh(mid, e), `${e} before line ${mid}`);
  // Forward again after going back: the same state as the first time.
  await act(() => dc.continueRequest({ threadId: 1 }));
  assert.equal(await line(), near);
  for (const e of EXPRESSIONS) assert.equal(await evaluate(e), fresh(near, e), `${e} before line ${near}`);
});
