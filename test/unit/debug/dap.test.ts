// Drives the built debug adapter (dist/debugAdapter.js) over DAP with the real protocol client,
// as VS Code does. The scenario is a QEMU conformance case (low-level lines); its outcomes are
// QEMU's: DMAs at lines 36, 37, 41 translate, the writes at lines 48 and 52 fault with F_PERMISSION.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

const root = path.resolve(__dirname, '../../../..');
const adapter = path.join(root, 'dist', 'debugAdapter.js');
const fixture = path.join(root, 'test', 'unit', 'debug', 'fixtures', 'bringup.smmu');

let dc: DebugClient;
let program: string;

before(async () => {
  // Work on a copy so the test can edit and delete it.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iommu-lens-dap-'));
  program = path.join(dir, 'bringup.smmu');
  fs.copyFileSync(fixture, program);
  dc = new DebugClient('node', adapter, 'iommu-lens');
  dc.defaultTimeout = 10_000;
  await dc.start();
});

after(async () => {
  await dc.stop();
});

async function topFrame(): Promise<DebugProtocol.StackFrame> {
  const st = await dc.stackTraceRequest({ threadId: 1 });
  return st.body.stackFrames[0];
}

async function children(ref: number): Promise<DebugProtocol.Variable[]> {
  return (await dc.variablesRequest({ variablesReference: ref })).body.variables;
}

async function tlbEntries(): Promise<DebugProtocol.Variable[]> {
  const frame = await topFrame();
  const scopes = (await dc.scopesRequest({ frameId: frame.id })).body.scopes;
  const smmu0 = scopes.find((s) => s.name === 'smmu0');
  assert.ok(smmu0, `scopes: ${scopes.map((s) => s.name).join(', ')}`);
  const tlb = (await children(smmu0.variablesReference)).find((v) => v.name === 'TLB');
  assert.ok(tlb);
  return tlb.variablesReference ? children(tlb.variablesReference) : [];
}

async function act(request: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const [ev] = await Promise.all([dc.waitForEvent('stopped'), request()]);
  return ev as DebugProtocol.StoppedEvent;
}

test('launch stops on entry at the first step', async () => {
  const init = await dc.initializeRequest({ adapterID: 'iommu-lens', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  assert.equal(init.body?.supportsStepBack, true);
  assert.deepEqual(init.body?.exceptionBreakpointFilters?.map((f) => f.filter), ['fault', 'hazard', 'expectation']);
  const stopped = dc.waitForEvent('stopped');
  await dc.launchRequest({ program, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments);
  await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 36 }, { line: 40 }] });
  await dc.configurationDoneRequest();
  const ev = (await stopped) as DebugProtocol.StoppedEvent;
  assert.equal(ev.body.reason, 'entry');
  assert.equal((await topFrame()).line, 2);
});

test('breakpoints bind to step lines and continue stops there', async () => {
  const bps = await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 36 }, { line: 39 }] });
  // Line 39 is a command step itself; line 36 the first DMA.
  assert.deepEqual(bps.body.breakpoints.map((b) => [b.verified, b.line]), [[true, 36], [true, 39]]);
  const ev = await act(() => dc.continueRequest({ threadId: 1 }));
  assert.equal(ev.body.reason, 'breakpoint');
  assert.equal((await topFrame()).line, 36);
  assert.equal((await tlbEntries()).length, 0, 'nothing translated yet, so the TLB is empty');
});

test('step over runs one DMA and the TLB shows its entry', async () => {
  const ev = await act(() => dc.nextRequest({ threadId: 1 }));
  assert.equal(ev.body.reason, 'step');
  assert.equal((await topFrame()).line, 37);
  const tlb = await tlbEntries();
  assert.equal(tlb.length, 1, 'the first DMA filled one TLB entry');
});

test('step back replays to before the DMA: the TLB is empty again', async () => {
  await act(() => dc.stepBackRequest({ threadId: 1 }));
  assert.equal((await topFrame()).line, 36);
  assert.equal((await tlbEntries()).length, 0);
});

test('step into walks the translation descriptor by descriptor', async () => {
  await act(() => dc.stepInRequest({ threadId: 1 }));
  const st = await dc.stackTraceRequest({ threadId: 1 });
  assert.match(st.body.stackFrames[0].name, /^walk: S1 L\d/);
  assert.equal(st.body.stackFrames[0].line, 36);
  const names = new Set<string>();
  for (let i = 0; i < 8; i++) {
    const f = await topFrame();
    if (!f.name.startsWith('walk:')) break;
    names.add(f.name);
    await act(() => dc.stepInRequest({ threadId: 1 }));
  }
  // CD.T0SZ = 36 (28-bit input), 4K granule: the walk starts at level 2 (DDI 0487 D8.2):
  // an L2 table descriptor, then an L3 page descriptor.
  assert.equal(names.size, 2, [...names].join(' | '));
  assert.equal((await topFrame()).line, 37);
});

test('exception breakpoint "on fault" stops at the faulting write with its event', async () => {
  await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [] });
  await dc.setExceptionBreakpointsRequest({ filters: ['fault'] });
  const ev = await act(() => dc.continueRequest({ threadId: 1 }));
  assert.equal(ev.body.reason, 'exception');
  assert.equal(ev.body.text, 'F_PERMISSION');
  assert.equal((await topFrame()).line, 48);
  const info = await dc.exceptionInfoRequest({ threadId: 1 });
  assert.equal(info.body.exceptionId, 'F_PERMISSION');
});

test('reverse continue goes back to the previous breakpoint', async () => {
  await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 41 }] });
  const ev = await act(() => dc.reverseContinueRequest({ threadId: 1 }));
  assert.equal(ev.body.reason, 'breakpoint');
  assert.equal((await topFrame()).line, 41);
});

test('debug console evaluates model expressions and survives garbage', async () => {
  const tlb = await dc.evaluateRequest({ expression: 'tlb smmu0', context: 'repl' });
  assert.ok(tlb.body.result.length > 0);
  const garbage = await dc.evaluateRequest({ expression: '\u0000}{ ste ste ste 0xzz', context: 'repl' });
  assert.equal(typeof garbage.body.result, 'string');
  await assert.rejects(dc.customRequest('noSuchRequest', { x: 1 }));
  assert.equal((await dc.threadsRequest()).body.threads.length, 1, 'the adapter still answers');
});

test('the scenario file deleted during the session: stepping and restart keep working', async () => {
  fs.rmSync(program);
  await act(() => dc.nextRequest({ threadId: 1 }));
  assert.equal((await topFrame()).line, 42);
  await act(() => dc.restartRequest({}));
  assert.equal((await topFrame()).line, 2);
});

test('launch without stopOnEntry waits for configurationDone: a breakpoint the client sends after launch is hit', async () => {
  // VS Code sends launch right after initialize and the breakpoints after the initialized event,
  // ending with configurationDone: the run must not start before it.
  const c = new DebugClient('node', adapter, 'iommu-lens');
  c.defaultTimeout = 10_000;
  await c.start();
  try {
    const dma = fs.readFileSync(fixture, 'utf8').split('\n').findIndex((l) => /^\s*dma\b/.test(l)) + 1;
    assert.ok(dma > 0);
    await c.hitBreakpoint({ program: fixture, stopOnEntry: false }, { path: fixture, line: dma });
    const st = await c.stackTraceRequest({ threadId: 1 });
    assert.equal(st.body.stackFrames[0].line, dma);
  } finally {
    await c.stop();
  }
});
