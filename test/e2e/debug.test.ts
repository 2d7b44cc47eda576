// The debugger in a real VS Code (code-server): F5 with a launch.json, a breakpoint on a dma line,
// continue, step over, step back, the Variables view (an SMMU's TLB) and the Debug Console.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { e2eSuite } from './lib/suite';
import { PANEL_COMMAND, panelFrame, waitPanelText } from './lib/webviews';
import { stoppedLineText, waitStoppedAt } from './lib/debugging';

// No inline expectations: one step per line, so a step over moves to the next line.
const SCENARIO = `# Debugger walk-through.
smmu smmu0

pagetable dma_pt s1 4K {
  map 0x1000_0000 +4K -> 0x8000_0000 rw
}

cd dev_cd { pagetable dma_pt; asid 5 }
ste smmu0 0x10 { cd dev_cd }

dma smmu0 write sid 0x10 iova 0x1000_0040
dma smmu0 read sid 0x10 iova 0x1000_0080
`;
const BP_LINE = 11; // the first dma
const NEXT_LINE = 12;

const LAUNCH = JSON.stringify({
  version: '0.2.0',
  configurations: [{ type: 'iommu-lens', request: 'launch', name: 'Debug walkthrough', program: '${workspaceFolder}/debug-walkthrough.smmu', stopOnEntry: true }],
}, null, 2);

e2eSuite('debug', (ctx) => {
  const page = () => ctx.wb.page;
  const toolbarButton = (icon: string) => page().locator(`.debug-toolbar .action-label.codicon-${icon}`).first();

  test('a breakpoint on a dma line, F5 with launch.json, continue: stops at the breakpoint', async () => {
    await ctx.wb.openFile('debug-walkthrough.smmu');
    await ctx.wb.waitForStatus('iommuLens.status', /SMMU \d+✓/, 60_000);
    await ctx.wb.gotoLine(BP_LINE);
    await ctx.wb.runCommand('Debug: Toggle Breakpoint');
    await page().locator('.part.editor .monaco-editor .margin .codicon-debug-breakpoint').first().waitFor({ timeout: 10_000 });
    await ctx.wb.screenshot('breakpoint-set');
    await page().keyboard.press('F5');
    await page().locator('.debug-toolbar').waitFor({ state: 'visible', timeout: 30_000 });
    await waitStoppedAt(page(), 'smmu smmu0'); // stopOnEntry: the first step (the smmu declaration)
    await ctx.wb.screenshot('stopped-on-entry');
    await toolbarButton('debug-continue').click();
    await waitStoppedAt(page(), 'iova 0x1000_0040');
    await ctx.wb.screenshot('stopped-at-breakpoint');
    // The adapter supports stepping back (supportsStepBack), so the toolbar offers it.
    assert.ok(await toolbarButton('debug-step-back').isVisible(), 'no Step Back button on the debug toolbar');
  });

  test('step over moves to the next line, step back returns', async () => {
    await toolbarButton('debug-step-over').click();
    await waitStoppedAt(page(), 'iova 0x1000_0080');
    await ctx.wb.screenshot('after-step-over');
    assert.ok(!(await stoppedLineText(page())).includes('iova 0x1000_0040'));
    await toolbarButton('debug-step-back').click();
    await waitStoppedAt(page(), 'iova 0x1000_0040');
    await ctx.wb.screenshot('after-step-back');
    // Forward again: the write DMA has run, so its translation is in the TLB for the next case.
    await toolbarButton('debug-step-over').click();
    await waitStoppedAt(page(), 'iova 0x1000_0080');
  });

  test('the Variables view shows the TLB of smmu0', async () => {
    await ctx.wb.runCommand('Run and Debug: Focus on Variables View');
    const rows = page().locator('.debug-variables .monaco-list-row');
    // "Last step" opens expanded and fills the small view: fold it so that smmu0 is on screen.
    const last = rows.filter({ hasText: /^\s*Last step/ }).first();
    await last.waitFor({ timeout: 15_000 });
    if ((await last.getAttribute('aria-expanded')) === 'true') await last.click();
    const smmu = rows.filter({ hasText: /^\s*smmu0\b/ }).first();
    await smmu.waitFor({ timeout: 15_000 });
    if ((await smmu.getAttribute('aria-expanded')) !== 'true') await smmu.click();
    const tlb = rows.filter({ hasText: /^\s*TLB\b/ }).first();
    await tlb.waitFor({ timeout: 10_000 });
    // One entry: the 4K page the write DMA walked (0x1000_0000 -> 0x8000_0000).
    assert.match(await tlb.innerText(), /\[1\]/);
    await tlb.click();
    const entry = rows.filter({ hasText: /\[0\].*inputBase=/ }).first();
    await entry.waitFor({ timeout: 10_000 });
    const text = await entry.innerText();
    assert.match(text, /inputBase=0x10000000/);
    assert.match(text, /outputBase=0x80000000/);
    await ctx.wb.screenshot('variables-tlb');
  });

  test('"tlb smmu0" in the Debug Console answers with the entry', async () => {
    await ctx.wb.runCommand('Debug Console: Focus on Debug Console View');
    const input = page().locator('.repl .repl-input-wrapper .monaco-editor textarea, .repl .repl-input-wrapper .native-edit-context').first();
    await input.waitFor({ timeout: 10_000 });
    await input.focus();
    await page().keyboard.type('tlb smmu0');
    await page().keyboard.press('Enter');
    const answer = page().locator('.repl .monaco-list-row').filter({ hasText: /0x10000000\/12 -> 0x80000000/ }).first();
    await answer.waitFor({ timeout: 15_000 });
    await ctx.wb.screenshot('debug-console-tlb');
    // ASID 5 (the cd), a 4K page (block shift 12, DDI 0487 D8.2), read/write.
    assert.match(await answer.innerText(), /ASID 0x5\b/);
  });

  test('the TLB panel follows the debugger: the state after the last executed step', async () => {
    await ctx.wb.runCommand(PANEL_COMMAND.tlb);
    const frame = await panelFrame(page(), 'tlb');
    // Step back to before the write DMA: nothing has been translated, so the TLB is empty.
    await toolbarButton('debug-step-back').click();
    await waitStoppedAt(page(), 'iova 0x1000_0040');
    await waitPanelText(frame, /: 0 TLB entries/, 20_000);
    await ctx.wb.screenshot('panel-follows-step-back');
    // Step over the write DMA: its translation is now cached.
    await toolbarButton('debug-step-over').click();
    await waitStoppedAt(page(), 'iova 0x1000_0080');
    const text = await waitPanelText(frame, /: 1 TLB entry in/, 20_000);
    assert.match(text, /0x8000_0000|0x80000000/);
    await ctx.wb.screenshot('panel-follows-step-over');
  });

  test('stop ends the session', async () => {
    await ctx.wb.runCommand('Debug: Stop');
    await page().locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15_000 });
  });
}, { files: { 'debug-walkthrough.smmu': SCENARIO, '.vscode/launch.json': LAUNCH } });
