// The debugger speaks in lines and statements: a fault the scenario expects is no exception; the
// exception text names stage, level and IPA; the call stack names the line and statement; step
// over a `dma ... expect` shows the DMA (its hazard) in Variables; the Debug Console prints text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

const root = path.resolve(__dirname, '../../../..');
const adapter = path.join(root, 'dist', 'debugAdapter.js');

const SCENARIO = `smmu smmuA { stages s1 s2 nested; oas 48 }
smmu smmuB { stages s1 s2 nested; oas 48 }
pagetable vm_s2 s2 4K {
  map 0x4000_0000 +2M -> 0x1_0000_0000 rw
  map 0x8000_0000 +2M -> 0x2_0000_0000 rw
}
pagetable nic_s1 s1 4K {
  map 0x1000_0000 +8K -> 0x8000_0000 rw
  map 0x2000_0000 +4K -> 0x9000_0000 rw
}
cd nic_cd { pagetable nic_s1; asid 5 }
ste smmuA 0x10 { config nested; cd nic_cd; s2 vm_s2; vmid 1 }
ste smmuB 0x20 { config nested; cd nic_cd; s2 vm_s2; vmid 2 }
dma smmuA read sid 0x10 iova 0x2000_0000 expect fault F_TRANSLATION stage 2
dma smmuA read sid 0x10 iova 0x1000_0000 expect pa 0x2_0000_0000
unmap nic_s1 0x1000_0000 +4K
dma smmuA read sid 0x10 iova 0x1000_0000 expect pa 0x2_0000_0000
dma smmuA read sid 0x10 iova 0x2000_0040
`;

let dc: DebugClient;
let program: string;

before(async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iommu-lens-dap-n-'));
  program = path.join(dir, 'story.smmu');
  fs.writeFileSync(program, SCENARIO);
  dc = new DebugClient('node', adapter, 'iommu-lens');
  dc.defaultTimeout = 10_000;
  await dc.start();
  await dc.initializeRequest({ adapterID: 'iommu-lens', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  const stopped = dc.waitForEvent('stopped');
  await dc.launchRequest({ program, stopOnEntry: true } as DebugProtocol.LaunchRequestArguments);
  await dc.setExceptionBreakpointsRequest({ filters: ['fault', 'expectation'] });
  await dc.configurationDoneRequest();
  await stopped;
});

after(async () => {
  await dc.stop();
});

async function topFrame(): Promise<DebugProtocol.StackFrame> {
  return (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
}

async function act(request: () => Promise<unknown>): Promise<DebugProtocol.StoppedEvent> {
  const [ev] = await Promise.all([dc.waitForEvent('stopped'), request()]);
  return ev as DebugProtocol.StoppedEvent;
}

test('the call stack names the line and the statement, not a step number', async () => {
  const f = await topFrame();
  assert.equal(f.line, 1);
  assert.match(f.name, /^line 1: /);
  assert.doesNotMatch(f.name, /step \d+\/\d+/);
});

test('"On fault" does not stop on a fault the scenario expects; it stops on the unexpected one with stage, level and IPA', async () => {
  const ev = await act(() => dc.continueRequest({ threadId: 1 }));
  assert.equal(ev.body.reason, 'exception');
  const f = await topFrame();
  assert.equal(f.line, 18, 'the unexpected fault at line 18, not the expected one at line 14');
  assert.match(f.name, /^line 18: dma smmuA read sid 0x10 iova 0x20000040/);
  const info = await dc.exceptionInfoRequest({ threadId: 1 });
  assert.equal(info.body.exceptionId, 'F_TRANSLATION');
  assert.match(info.body.description ?? '', /^F_TRANSLATION \(0x10\) at stage 2, level \d \(IPA 0x90000040\): .*StreamID 0x10 InputAddr 0x20000040/);
});

test('step over a dma with an inline expect: Variables show the DMA and its hazard, the cursor is on the next line', async () => {
  await act(() => dc.restartRequest({}));
  await dc.setExceptionBreakpointsRequest({ filters: [] });
  await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: [{ line: 17 }] });
  await act(() => dc.continueRequest({ threadId: 1 }));
  assert.equal((await topFrame()).line, 17);
  await act(() => dc.nextRequest({ threadId: 1 }));
  const f = await topFrame();
  assert.equal(f.line, 18, 'next statement, not the inline expect');
  const scopes = (await dc.scopesRequest({ frameId: f.id })).body.scopes;
  const names = scopes.map((s) => s.name).join(', ');
  const all: string[] = [];
  for (const s of scopes) {
    if (!s.variablesReference) continue;
    for (const v of (await dc.variablesRequest({ variablesReference: s.variablesReference })).body.variables) {
      all.push(`${s.name}.${v.name}=${v.value}`);
    }
  }
  assert.ok(all.includes('Last step.kind=dma') && all.includes('Last step.line=17'), all.join(' | '));
  assert.ok(all.includes('Last step.hazards=[1]'), `${names}: ${all.join(' | ')}`);
});

test('`ste smmuB 0x20` in the Debug Console prints an aligned text table, not markdown', async () => {
  const r = await dc.evaluateRequest({ expression: 'ste smmuB 0x20', context: 'repl' });
  const out = r.body.result;
  assert.match(out, /^STE of StreamID 0x20 at 0x[0-9a-f]+\nSTE \(IHI 0070/);
  assert.match(out, /^Config\s+0\[3:1\]\s+0x7\s+NESTED/m);
  assert.match(out, /^S2VMID\s+\S+\s+0x2\b/m);
  assert.doesNotMatch(out, /\||\*\*/);
});

test('Step Back and Reverse Continue are commands in the palette with a key binding while debugging a scenario', () => {
  const pj = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  for (const id of ['iommuLens.stepBack', 'iommuLens.reverseContinue']) {
    assert.ok(pj.contributes.commands.some((c: { command: string }) => c.command === id), id);
    const pal = pj.contributes.menus.commandPalette.find((c: { command: string }) => c.command === id);
    assert.match(pal.when, /debugType == 'iommu-lens'/);
    const kb = pj.contributes.keybindings.find((k: { command: string }) => k.command === id);
    assert.ok(kb?.key, `${id} key`);
  }
  const src = fs.readFileSync(path.join(root, 'extension/src/commands.ts'), 'utf8');
  assert.match(src, /reg\('iommuLens\.stepBack', \(\) => vscode\.commands\.executeCommand\('workbench\.action\.debug\.stepBack'\)\)/);
});
