// IOMMU Lens: Decode Log in a real VS Code (code-server): on a whole kernel log, on a selection of
// it, and "Open as Scenario" from the decoded-log panel, which opens a .smmu that the language
// server runs. The log lines are the driver's own formats (test/fixtures/logs/).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eSuite } from './lib/suite';
import { panelFrame, waitPanelText } from './lib/webviews';

const FIX = join(__dirname, '..', '..', 'test', 'fixtures', 'logs');
const LOG = ['linux-event-decoded.log', 'linux-cmdq.log', 'ste-cd-dump.txt'].map((f) => readFileSync(join(FIX, f), 'utf8')).join('');
const LINES = LOG.split('\n');
const lineOf = (text: string) => LINES.findIndex((l) => l.includes(text)) + 1;

e2eSuite('decode', (ctx) => {
  test('Decode Log on a kernel log opens the decoded-log panel with every record', async () => {
    await ctx.wb.openFile('dmesg.log');
    await ctx.wb.runCommand('IOMMU Lens: Decode Log');
    const frame = await panelFrame(ctx.wb.page, 'decode', 60_000);
    const text = await waitPanelText(frame, /records decoded/, 60_000);
    assert.match(text, /dmesg\.log: 14 records decoded, 5 lines not recognised/);
    assert.match(text, /F_PERMISSION/);
    assert.match(text, /likely cause: a write to a read-only mapping at stage 1/);
    assert.match(text, /CERROR_ILL/);
    assert.match(text, /configuration: S1_TRANS; stage 1 through one CD at 0x40030000/);
    await ctx.wb.screenshot('decode-log-panel');
  });

  test('Decode Log on a selection decodes only it, with the document\'s line numbers', async () => {
    await ctx.wb.openFile('dmesg.log');
    const first = lineOf('event 0x10 received:');
    await ctx.wb.gotoLine(first, 1);
    for (let i = 0; i < 7; i++) await ctx.wb.page.keyboard.press('Shift+ArrowDown');
    await ctx.wb.runCommand('IOMMU Lens: Decode Log');
    const frame = await panelFrame(ctx.wb.page, 'decode', 60_000);
    const text = await waitPanelText(frame, /selection of dmesg\.log/, 60_000);
    assert.match(text, /1 record decoded, 0 lines not recognised/);
    assert.match(text, new RegExp(`lines ${first}–${first + 6}`));
    assert.match(text, /stage 2 has no mapping for a stage-1 table \(IPA 0x80000000\)/);
    await ctx.wb.screenshot('decode-log-selection');
  });

  test('Open as Scenario opens a .smmu of the STEs, CDs and commands found, and it runs', async () => {
    await ctx.wb.openFile('dmesg.log');
    await ctx.wb.page.keyboard.press('Escape');
    await ctx.wb.runCommand('IOMMU Lens: Decode Log');
    const frame = await panelFrame(ctx.wb.page, 'decode', 60_000);
    await waitPanelText(frame, /dmesg\.log: 14 records decoded/, 60_000);
    await frame.locator('#open-scenario').click();
    const steLine = ctx.wb.page.locator('.part.editor .monaco-editor .view-line').filter({ hasText: 'raw 0x4003000b' }).first();
    await steLine.waitFor({ timeout: 30_000 });
    // The status bar shows the language mode of the focused editor only: the panel's button may
    // keep the focus, so the new editor is clicked first.
    await steLine.click();
    assert.equal(await ctx.wb.languageMode(), 'SMMU scenario');
    // The run: no expectation, the one error is the command the log says the SMMU refused.
    const status = await ctx.wb.waitForStatus('iommuLens.status', /SMMU \d+✓/, 60_000);
    assert.match(status, /SMMU 0✓ 0✗ 0F 0H/);
    const problems = await ctx.wb.problems(1, 30_000);
    assert.ok(problems.some((p) => /CERROR_ILL/.test(p)), problems.join('\n'));
    assert.ok(!problems.some((p) => /E_[A-Z]+|syntax/i.test(p)), problems.join('\n'));
    await ctx.wb.screenshot('decode-open-as-scenario');
  });
}, { files: { 'dmesg.log': LOG } });
