// Helpers for the debugger in the workbench: the line the debugger stopped on, waiting for a stop.
import type { Page } from 'playwright-core';

/** Text of the editor line the debugger stopped on (the top-stack-frame line decoration), or ''. */
export async function stoppedLineText(page: Page): Promise<string> {
  const deco = page.locator('.part.editor .monaco-editor .view-overlays .debug-top-stack-frame-line').first();
  const box = await deco.boundingBox().catch(() => null);
  if (!box) return '';
  const lines = page.locator('.part.editor .monaco-editor .view-lines .view-line');
  for (let i = 0, n = await lines.count(); i < n; i++) {
    const b = await lines.nth(i).boundingBox();
    if (b && Math.abs(b.y - box.y) < 3) return (await lines.nth(i).innerText()).replace(/\u00a0/g, ' ');
  }
  return '';
}

export async function waitStoppedAt(page: Page, text: string, timeout = 30_000): Promise<void> {
  const until = Date.now() + timeout;
  let last = '';
  while (Date.now() < until) {
    last = await stoppedLineText(page);
    if (last.includes(text)) return;
    await page.waitForTimeout(250);
  }
  throw new Error(`not stopped on the line with "${text}" (stopped line: "${last}")`);
}
