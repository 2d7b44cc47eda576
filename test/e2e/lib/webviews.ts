// Helpers for the IOMMU Lens webview panels and the editor's run views in code-server: a webview
// is an `iframe.webview` holding the panel document in a nested iframe, so panels are found by
// walking page.frames() for the document whose <body data-panel> names the panel.
import type { Frame, Page } from 'playwright-core';

// Browser globals used inside evaluate callbacks (this folder compiles without the DOM lib).
interface DomEl {
  textContent: string | null;
  querySelectorAll(s: string): ArrayLike<DomEl>;
}
declare const document: { body: { dataset: Record<string, string | undefined> } | null; querySelectorAll(s: string): ArrayLike<DomEl> };
declare const window: Record<string, unknown>;

export type PanelKind = 'walk' | 'tlb' | 'streams' | 'events' | 'vm';

/** Command Palette titles of the panel commands (package.json contributes.commands). */
export const PANEL_COMMAND: Record<PanelKind, string> = {
  walk: 'IOMMU Lens: Show Translation Walk',
  tlb: 'IOMMU Lens: Show TLB and Caches',
  streams: 'IOMMU Lens: Show Stream Table and CDs',
  events: 'IOMMU Lens: Show Events and Hazards',
  vm: 'IOMMU Lens: Show VM (iommufd objects)',
};

/** The frame of a rendered panel (its document has `<body data-panel=kind>`; `decode` is the decoded-log panel). */
export async function panelFrame(page: Page, kind: PanelKind | 'decode', timeout = 30_000): Promise<Frame> {
  const until = Date.now() + timeout;
  while (Date.now() < until) {
    for (const f of page.frames()) {
      const k = await f.evaluate(() => document.body?.dataset.panel ?? null).catch(() => null);
      if (k === kind) return f;
    }
    await page.waitForTimeout(250);
  }
  throw new Error(`no ${kind} panel frame within ${timeout} ms (frames: ${page.frames().map((f) => f.url().slice(0, 80)).join(', ')})`);
}

/** Waits until the panel's #root text matches `re` and returns that text. */
export async function waitPanelText(frame: Frame, re: RegExp, timeout = 30_000): Promise<string> {
  const root = frame.locator('#root');
  await root.filter({ hasText: re }).waitFor({ timeout });
  return root.innerText();
}

/** Every frame's injected-script evidence: `window.__xss`, <script> elements other than the
 *  panel's own bundle, <img>/<svg onload>/<iframe> elements carrying an event handler attribute. */
export async function xssEvidence(page: Page): Promise<string[]> {
  const found: string[] = [];
  for (const f of page.frames()) {
    const r = await f
      .evaluate(() => {
        const out: string[] = [];
        if (window.__xss !== undefined) out.push(`window.__xss=${String(window.__xss)}`);
        for (const el of Array.from(document.querySelectorAll('[onerror],[onload],[onclick],[onmouseover]'))) out.push(`handler element: ${(el as unknown as { outerHTML: string }).outerHTML.slice(0, 120)}`);
        for (const el of Array.from(document.querySelectorAll('img[src="x"]'))) out.push(`img: ${(el as unknown as { outerHTML: string }).outerHTML.slice(0, 120)}`);
        for (const el of Array.from(document.querySelectorAll('script'))) {
          const t = el.textContent ?? '';
          if (t.includes('__xss')) out.push(`script: ${t.slice(0, 120)}`);
        }
        return out;
      })
      .catch(() => [] as string[]);
    found.push(...r.map((x) => `${f.url().slice(0, 60)}: ${x}`));
  }
  return found;
}

/** Texts of the rendered editor lines that match `re` (inlay hints are part of a line's text). */
export async function editorLinesMatching(page: Page, re: RegExp): Promise<string[]> {
  const lines = await page.locator('.part.editor .monaco-editor .view-lines .view-line').allInnerTexts();
  return lines.map((l) => l.replace(/\u00a0/g, ' ')).filter((l) => re.test(l));
}

/** Shows the editor hover at 1-based `line`:`col` (Show Hover, Ctrl+K Ctrl+I) and returns the text
 *  of the editor's hover that matches `re` (the mouse is moved away first so that no workbench
 *  tooltip, e.g. a breadcrumb's, is taken for it). */
export async function editorHover(wb: { page: Page; gotoLine(l: number, c?: number): Promise<void> }, line: number, col: number, re: RegExp): Promise<string> {
  const hover = wb.page.locator('.part.editor .monaco-editor .monaco-hover:not(.hidden)').filter({ hasText: re }).first();
  // The hover is asked for again when the first request came before the server had the document's
  // first run (Show Hover is one request; it is not repeated by the editor).
  for (let attempt = 1; ; attempt++) {
    await wb.page.mouse.move(5, 5);
    await wb.gotoLine(line, col);
    await wb.page.keyboard.press('Control+K');
    await wb.page.keyboard.press('Control+I');
    try {
      await hover.waitFor({ state: 'visible', timeout: 10_000 });
      return (await hover.innerText()).trim();
    } catch (e) {
      if (attempt >= 3) throw e;
      await wb.page.keyboard.press('Escape');
    }
  }
}
