// Hostile scenario text in a real VS Code (code-server): every path by which text of a scenario
// reaches something rendered (step labels and expectation messages in the panels, diagnostics in
// Problems, hover markdown, the file name) carries `<img src=x onerror=…>` / `</script><script>`.
// Each is rendered and must show the text as text: no dialog, no `window.__xss`, no injected
// element in any frame (the workbench and every webview).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dialog } from 'playwright-core';
import { e2eSuite } from './lib/suite';
import { editorHover, PANEL_COMMAND, panelFrame, waitPanelText, xssEvidence, type PanelKind } from './lib/webviews';

const FILE = 'hostile <img src=x onerror=alert(9)>.smmu';
// Scenario strings may hold anything but a line break; comments too. Names are words only.
const IMG = (n: number) => `<img src=x onerror=window.__xss=${n};alert(${n})>`;
const SCRIPT = '</script><script>window.__xss=99;alert(99)</script>';
const LINES = [
  `# ${IMG(1)} ${SCRIPT}`, // 1
  'smmu smmu0', // 2
  'pagetable pt s1 4K {', // 3
  '  map 0x1000_0000 +4K -> 0x8000_0000 rw', // 4
  '}', // 5
  `cd c0 { pagetable pt; asid 5 } # ${IMG(2)}`, // 6: the declaration the hover of \`c0\` quotes
  'ste smmu0 0x10 { cd c0 }', // 7
  `include "${IMG(3)}.smmu"`, // 8: an include error names the path
  `dma smmu0 read sid 0x10 iova 0x1000_0040 expect hazard "${IMG(4)}${SCRIPT}"`, // 9: label + failed expectation
  `expect hazard "${IMG(5)}"`, // 10: an expect step of its own (walk panel header)
  `dma smmu0 read sid 0x10 iova 0x1000_0040 expect fault "${IMG(6)}"`, // 11: unknown event name
  '',
];
const CD_LINE = 7;
const DMA_LINE = 9;
const EXPECT_LINE = 10;

e2eSuite('xss', (ctx) => {
  const dialogs: string[] = [];
  const onDialog = (d: Dialog) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss().catch(() => undefined);
  };

  async function noScriptRan(where: string): Promise<void> {
    const evidence = await xssEvidence(ctx.wb.page);
    assert.deepEqual(dialogs, [], `${where}: a dialog opened`);
    assert.deepEqual(evidence, [], `${where}: injected markup ran or was inserted`);
  }

  test('the hostile file opens; Problems shows the hostile diagnostics as text', async () => {
    ctx.wb.page.on('dialog', onDialog);
    await ctx.wb.openFile(FILE);
    await ctx.wb.waitForStatus('iommuLens.status', /SMMU \d+✓/, 60_000);
    const problems = (await ctx.wb.problems(3, 60_000)).join('\n');
    await ctx.wb.screenshot('problems');
    assert.ok(problems.includes(`${IMG(3)}.smmu`), `the include path as text in:\n${problems}`);
    assert.ok(problems.includes(IMG(6)), `the unknown event name as text in:\n${problems}`);
    await noScriptRan('Problems');
  });

  test('hover: the declaration quote and the diagnostic show the text as text, the transaction hover is intact', async () => {
    const cdCol = 'ste smmu0 0x10 { cd '.length + 1;
    const decl = await editorHover(ctx.wb, CD_LINE, cdCol, /c0/);
    await ctx.wb.screenshot('hover-declaration');
    assert.ok(decl.includes(IMG(2)), `the comment as text in the hover:\n${decl}`);
    await ctx.wb.escape();
    await noScriptRan('declaration hover');
    const tx = await editorHover(ctx.wb, DMA_LINE, 'dma smmu0 read sid 0x10 iova 0x'.length, /walk|TLB/);
    await ctx.wb.screenshot('hover-transaction');
    await ctx.wb.escape();
    await noScriptRan('transaction hover');
    assert.match(tx, /0x80000040/);
    // On the hostile event name: the diagnostic's hover quotes it, as text.
    const diag = await editorHover(ctx.wb, LINES.length - 1, LINES[LINES.length - 2].indexOf('"<img') + 4, /unknown event/);
    await ctx.wb.screenshot('hover-diagnostic');
    await ctx.wb.escape();
    assert.ok(diag.includes(IMG(6)), `the event name as text in the hover:\n${diag}`);
    await noScriptRan('diagnostic hover');
  });

  const panelLine: Record<Exclude<PanelKind, 'vm'>, number> = { walk: EXPECT_LINE, tlb: DMA_LINE, streams: DMA_LINE, events: DMA_LINE };
  for (const kind of ['walk', 'events', 'tlb', 'streams'] as const) {
    test(`${kind} panel renders the hostile scenario without running it`, async () => {
      await ctx.wb.openFile(FILE);
      await ctx.wb.gotoLine(panelLine[kind]);
      await ctx.wb.runCommand(PANEL_COMMAND[kind]);
      const f = await panelFrame(ctx.wb.page, kind);
      if (kind === 'walk') {
        // The step at the cursor is the `expect hazard "<img…>"` line: its label heads the panel.
        const text = await waitPanelText(f, /expect hazard/);
        assert.ok(text.includes(IMG(5)), `the label as text:\n${text}`);
      } else if (kind === 'events') {
        // The steps table lists every step's label: the expectation labels carry the markup.
        const text = await waitPanelText(f, /expect hazard/);
        assert.ok(text.includes(IMG(5)), `the label as text:\n${text.slice(0, 3000)}`);
        assert.ok(text.includes(SCRIPT), 'the </script> text as text');
        await f.locator('vscode-table-row, tr').filter({ hasText: IMG(5) }).first().scrollIntoViewIfNeeded();
      } else {
        await waitPanelText(f, kind === 'tlb' ? /TLB entr/ : /StreamID 0x10/);
      }
      await ctx.wb.page.waitForTimeout(300);
      await ctx.wb.screenshot(`panel-${kind}`);
      assert.equal(await f.locator('#root img, #root script, #root iframe').count(), 0, 'no element from the scenario text');
      await noScriptRan(`${kind} panel`);
    });
  }

  test('debugger: the exception widget and the Debug Console show the text as text', async () => {
    await ctx.wb.openFile(FILE);
    await ctx.wb.runCommand('IOMMU Lens: Debug Scenario');
    const page = ctx.wb.page;
    await page.locator('.debug-toolbar').waitFor({ state: 'visible', timeout: 30_000 });
    await page.locator('.debug-toolbar .action-label.codicon-debug-continue').first().click();
    // "On failed expectation" (on by default) stops at the failed `expect hazard "<img…>"` of line 9;
    // the engine upper-cases the hazard code it quotes.
    const widget = page.locator('.part.editor .exception-widget').filter({ hasText: 'Expectation failed' }).first();
    await widget.waitFor({ timeout: 30_000 });
    assert.ok((await widget.innerText()).includes(IMG(4).toUpperCase()), 'the expectation message as text');
    // The adapter prints the scenario's errors to the Debug Console.
    const repl = page.locator('.repl .monaco-list-row').filter({ hasText: 'unknown event' }).first();
    await repl.waitFor({ timeout: 15_000 });
    assert.ok((await repl.innerText()).replace(/\n/g, '').includes(IMG(6)), 'the event name as text in the Debug Console');
    await page.mouse.move(5, 890);
    await ctx.wb.screenshot('debug-exception');
    await noScriptRan('debugger');
    await ctx.wb.runCommand('Debug: Stop');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 15_000 });
  });

  test('control: the checks see markup injected into a panel', async () => {
    // Proves the checks above can fail: an <img onerror> added by script to the panel on screen
    // (the streams panel, opened last) is found.
    const f = await panelFrame(ctx.wb.page, 'streams');
    await f.evaluate(() => {
      const d = (globalThis as unknown as { document: { createElement(t: string): { setAttribute(k: string, v: string): void }; body: { appendChild(e: unknown): void } } }).document;
      const img = d.createElement('img');
      img.setAttribute('src', 'x');
      img.setAttribute('onerror', 'window.__xss=42');
      d.body.appendChild(img);
    });
    const evidence = await xssEvidence(ctx.wb.page);
    assert.ok(evidence.some((e) => /img/.test(e)), `not detected: ${JSON.stringify(evidence)}`);
    // Close that panel: its document is now tainted.
    await ctx.wb.runCommand('View: Close All Editor Groups');
  });

  test('running the scenario names the hostile file in the notification as text', async () => {
    await ctx.wb.openFile(FILE);
    await ctx.wb.runCommand('IOMMU Lens: Run Scenario');
    const toast = ctx.wb.page.locator('.notifications-toasts .notification-toast').filter({ hasText: 'onerror' }).first();
    await toast.waitFor({ timeout: 20_000 });
    await ctx.wb.page.waitForTimeout(500); // the toast slides in
    await ctx.wb.screenshot('run-notification');
    assert.ok((await toast.innerText()).includes('<img src=x onerror=alert(9)>.smmu'));
    await noScriptRan('notification');
  });
}, { files: { [FILE]: LINES.join('\n') } });
