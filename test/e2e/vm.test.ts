// One VM in a real VS Code (code-server): examples/vm-two-smmus-shared-parent.smmu (one nesting
// parent shared by two physical SMMUs, a vIOMMU on each, the guest invalidating through vA only).
// The walk panel labels guest stage 1 and host stage 2 with the VMID and ASID; the VM panel shows
// the vIOMMUs with their VMID per SMMU and the guest STE next to the host STE; the TLB panel marks
// the entry of the stale translation; the debugger's Variables show the VM node. Screenshots of each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { e2eSuite } from './lib/suite';
import { PANEL_COMMAND, panelFrame, waitPanelText, type PanelKind } from './lib/webviews';
import { waitStoppedAt } from './lib/debugging';

const FILE = 'vm-two-smmus-shared-parent.smmu';
const SRC = readFileSync(join(__dirname, '..', '..', 'examples', FILE), 'utf8').split('\n');
const lineOf = (re: RegExp) => SRC.findIndex((l) => re.test(l)) + 1;
/** smmuA's first DMA: a nested walk (guest stage 1 over the shared parent's stage 2). */
const NESTED_DMA = lineOf(/^dma smmuA read sid 5/);
/** smmuB still uses the old translation: the guest's TLBI went to vA only (H_VIOMMU_WRONG_INSTANCE). */
const STALE_DMA = lineOf(/^dma smmuB .*expect hazard H_VIOMMU_WRONG_INSTANCE/);

const LAUNCH = JSON.stringify({
  version: '0.2.0',
  configurations: [{ type: 'iommu-lens', request: 'launch', name: 'Debug the VM', program: `\${workspaceFolder}/${FILE}`, stopOnEntry: false }],
}, null, 2);

e2eSuite('vm', (ctx) => {
  const page = () => ctx.wb.page;

  async function open(kind: PanelKind, line: number, ready: RegExp): Promise<{ frame: Frame; text: string }> {
    await ctx.wb.openFile(FILE);
    await ctx.wb.gotoLine(line);
    await ctx.wb.runCommand(PANEL_COMMAND[kind]);
    const frame = await panelFrame(page(), kind);
    const text = await waitPanelText(frame, ready).catch(async (e: unknown) => {
      await ctx.wb.screenshot(`${kind}-failed`);
      throw new Error(`${String(e)}\npanel text: ${await frame.locator('#root').innerText()}`);
    });
    return { frame, text };
  }

  test('the VM example runs', async () => {
    await ctx.wb.openFile(FILE);
    if (await page().locator('.part.sidebar').isVisible()) await ctx.wb.runCommand('View: Toggle Primary Side Bar Visibility');
    await ctx.wb.waitForStatus('iommuLens.status', /SMMU \d+✓/, 60_000);
  });

  test('walk panel: guest stage 1 over host stage 2, the CD fetch, VMID and ASID, the VM objects', async () => {
    const { frame, text } = await open('walk', NESTED_DMA, /guest stage 1 × host stage 2/);
    assert.match(text, /Host stage 2 walk of the CD's IPA 0x40001000 \(CD fetch\) \(table s2\)/);
    assert.match(text, /VMID\s+0x1/);
    assert.match(text, /ASID\s+0x1/);
    assert.match(text, /vDEVICE\s+0x10 → 0x5/);
    assert.match(text, /nested HWPT\s+nA/);
    await ctx.wb.screenshot('walk-guest-host');
  });

  test('VM panel: the vIOMMUs with their VMID per physical SMMU, vDEVICEs, guest STE -> host STE', async () => {
    const { frame, text } = await open('vm', SRC.length, /2 vIOMMUs on 2 physical SMMUs/);
    assert.match(text, /Nesting parent s2/);
    const vmids = await frame.locator('lens-section[data-vm="ioas"] tbody tr').allInnerTexts();
    assert.ok(vmids.some((r) => /smmuA\s+1\s+vA/.test(r)) && vmids.some((r) => /smmuB\s+1\s+vB/.test(r)), vmids.join(' | '));
    // The guest's STE.Config S1_TRANS (0b101) became a NESTED host STE (0b111), IHI 0070 §5.2.
    const config = await frame.locator('details[data-hwpt="nA"] tr').filter({ hasText: 'STE.Config' }).innerText();
    assert.match(config, /STE\.Config\s+0x5\s+0x7/);
    await ctx.wb.screenshot('vm-panel');
    await frame.locator('details[data-hwpt="nA"]').scrollIntoViewIfNeeded();
    await ctx.wb.screenshot('vm-panel-nested-hwpt');
  });

  test('TLB panel: the stale entry on smmuB is marked; SMMU names keep their case', async () => {
    const { frame, text } = await open('tlb', STALE_DMA, /H_VIOMMU_WRONG_INSTANCE/);
    assert.equal(await frame.locator('lens-section[data-smmu="smmuB"] vscode-table-row.stale').count(), 1);
    assert.equal(await frame.locator('vscode-table-row.stale').count(), 1);
    assert.match(text, /TLB entry #\d+ \(0x8020_1000, 4K/);
    assert.ok((await frame.locator('lens-section[data-smmu="smmuA"] .title').innerText()).startsWith('smmuA'));
    await ctx.wb.screenshot('tlb-stale');
  });

  test('debugger: the Variables view shows the VM (vIOMMUs, nested HWPTs)', async () => {
    // A breakpoint on smmuA's first DMA (no fault before it): the VM is complete there.
    await ctx.wb.openFile(FILE);
    await ctx.wb.gotoLine(NESTED_DMA);
    await ctx.wb.runCommand('Debug: Toggle Breakpoint');
    await page().locator('.part.editor .monaco-editor .margin .codicon-debug-breakpoint').first().waitFor({ timeout: 10_000 });
    await page().keyboard.press('F5');
    await page().locator('.debug-toolbar').waitFor({ state: 'visible', timeout: 60_000 });
    await waitStoppedAt(page(), 'dma smmuA read sid 5 iova 0x80201010', 60_000);
    await ctx.wb.runCommand('Run and Debug: Focus on Variables View');
    const rows = page().locator('.debug-variables .monaco-list-row');
    for (const open of await rows.filter({ hasText: /^\s*(Last step|smmuA|smmuB)\b/ }).all()) {
      if ((await open.getAttribute('aria-expanded')) === 'true') await open.click();
    }
    const vm = rows.filter({ hasText: /^\s*VM\b/ }).first();
    await vm.waitFor({ timeout: 15_000 });
    // (VM is a scope: VS Code shows a scope's name only; its children carry the values)
    if ((await vm.getAttribute('aria-expanded')) !== 'true') await vm.click();
    const viommus = rows.filter({ hasText: /^\s*vIOMMUs\b/ }).first();
    await viommus.waitFor({ timeout: 10_000 });
    await viommus.click();
    await rows.filter({ hasText: /^\s*vB\b.*smmuB · VMID 1/ }).first().waitFor({ timeout: 10_000 });
    await ctx.wb.screenshot('variables-vm');
    // The panels follow the debugger: the VM panel shows the state at the breakpoint.
    await ctx.wb.runCommand(PANEL_COMMAND.vm);
    const frame = await panelFrame(page(), 'vm');
    await waitPanelText(frame, /2 vIOMMUs on 2 physical SMMUs/, 20_000);
    await ctx.wb.screenshot('debugging-vm-panel');
    await ctx.wb.runCommand('Debug: Stop');
    await page().locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15_000 });
  });
}, { files: { '.vscode/launch.json': LAUNCH } });
