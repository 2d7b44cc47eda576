// Drives the VS Code workbench in the browser as a person would: keyboard, quick input, reading
// what is on screen. Add a helper here when a new case needs one; keep selectors in one place.
import type { Page } from 'playwright-core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const SEL = {
  workbench: '.monaco-workbench',
  statusbar: '.part.statusbar',
  quickInput: '.quick-input-widget',
  quickInputBox: '.quick-input-widget .quick-input-box input',
  quickInputRow: '.quick-input-widget .quick-input-list .monaco-list-row',
  activeTab: '.part.editor .tabs-container .tab.active',
  editor: '.part.editor .monaco-editor',
  viewLine: '.part.editor .monaco-editor .view-lines .view-line',
  hover: '.monaco-hover:not(.hidden) .monaco-hover-content',
  languageMode: '#status\\.editor\\.mode',
  problemsRow: '.markers-panel .monaco-list-row',
  suggestRow: '.editor-widget.suggest-widget.visible .monaco-list-row',
  codeActionRow: '.action-widget .monaco-list-row.action',
  parameterHints: '.part.editor .monaco-editor .parameter-hints-widget',
};

/** What the editor's parameter hints widget shows: the form, its highlighted parameter, the docs
 *  (the active parameter's meaning, then the form's), and `1/2` when there are several forms. */
export interface ParameterHints {
  signature: string;
  active: string;
  docs: string;
  overloads: string;
}

/** One row of the editor's suggest widget: its label and kind (the icon's codicon name). */
export interface Suggestion {
  label: string;
  kind: string;
}

// Browser globals used inside page.evaluate callbacks (this file compiles without the DOM lib).
interface El {
  textContent: string | null;
  classList: { contains(c: string): boolean };
  querySelectorAll(s: string): ArrayLike<El>;
}
declare const document: { querySelector(s: string): El | null };
declare function getComputedStyle(e: El): { color: string };

export interface Token {
  text: string;
  color: string;
}

export class Workbench {
  private shot = 0;

  constructor(
    readonly page: Page,
    private readonly shotsDir: string,
  ) {
    mkdirSync(shotsDir, { recursive: true });
  }

  /** Loads the workbench at `url` and waits until it is interactive. */
  async load(url: string): Promise<void> {
    // The first load compiles the workbench's scripts: slow on a loaded machine.
    await this.page.goto(url, { timeout: 120_000 });
    await this.page.waitForSelector(SEL.workbench, { timeout: 60_000 });
    await this.page.waitForSelector(SEL.statusbar, { timeout: 60_000 });
    // The explorer lists the folder once the remote file system answers.
    await this.page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
  }

  /** Saves a screenshot as test-results/e2e/NN-name.png and prints its path. */
  async screenshot(name: string): Promise<string> {
    const file = join(this.shotsDir, `${String(++this.shot).padStart(2, '0')}-${name.replace(/[^A-Za-z0-9_-]+/g, '-')}.png`);
    await this.page.screenshot({ path: file });
    console.log(`screenshot: ${file}`);
    return file;
  }

  private async quickPick(open: () => Promise<void>, text: string, pick: string | RegExp): Promise<void> {
    await open();
    const box = this.page.locator(SEL.quickInputBox);
    await box.waitFor({ state: 'visible', timeout: 10_000 });
    await box.fill(text);
    const row = this.page.locator(SEL.quickInputRow).filter({ hasText: pick }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click();
  }

  /** Runs a command by its title through the Command Palette (F1), e.g. "IOMMU Lens: Run Scenario". */
  async runCommand(title: string): Promise<void> {
    await this.quickPick(() => this.page.keyboard.press('F1'), `>${title}`, title);
  }

  /** Opens a workspace file by name with Quick Open and waits for its editor. */
  async openFile(name: string): Promise<void> {
    const base = name.split('/').pop()!;
    const tab = this.page.locator(SEL.activeTab).filter({ hasText: base });
    // Quick Open searches the folder once its index is ready, and its list re-renders as results
    // arrive (a click can land on a row that moved): on a loaded machine, ask again until the
    // file's tab is the active one.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.quickPick(() => this.page.keyboard.press('Control+P'), name, base);
        await tab.waitFor({ timeout: 10_000 });
        break;
      } catch (e) {
        if (attempt >= 4) throw e;
        await this.page.keyboard.press('Escape');
      }
    }
    await this.page.locator(SEL.viewLine).first().waitFor({ timeout: 15_000 });
  }

  /** Text of the language-mode indicator of the active editor ("SMMU scenario"). */
  async languageMode(): Promise<string> {
    const el = this.page.locator(SEL.languageMode);
    await el.waitFor({ timeout: 15_000 });
    return (await el.innerText()).trim();
  }

  /** A status-bar entry whose id ends with `idSuffix` (contributed items: `<extension id>.<item id>`). */
  statusItem(idSuffix: string) {
    return this.page.locator(`${SEL.statusbar} [id$="${idSuffix}"]`);
  }

  /** Waits until a status-bar entry's text matches and returns it. */
  async waitForStatus(idSuffix: string, text: RegExp, timeout = 30_000): Promise<string> {
    const item = this.statusItem(idSuffix);
    await item.filter({ hasText: text }).waitFor({ timeout });
    return (await item.innerText()).trim();
  }

  /** Colored tokens of the first rendered editor line that contains `lineText` (only lines on
   *  screen are rendered: `gotoLine` first for one further down). */
  async tokens(lineText: string): Promise<Token[]> {
    const line = this.page.locator(SEL.viewLine).filter({ hasText: lineText }).first();
    await line.waitFor({ timeout: 15_000 });
    // The editor re-renders lines while it scrolls: a line read mid-render has no styles yet.
    for (let i = 0; ; i++) {
      const toks = await line.evaluate((el: El) =>
        Array.from(el.querySelectorAll('span > span')).map((s: El) => ({ text: s.textContent ?? '', color: getComputedStyle(s).color })),
      ).catch(() => [] as Token[]);
      if ((toks.length > 0 && toks.every((t) => t.color !== '')) || i >= 20) return toks;
      await this.page.waitForTimeout(250);
    }
  }

  /** Moves the cursor to 1-based `line`:`col` with Go to Line (Ctrl+G), scrolling it into view. */
  async gotoLine(line: number, col = 1): Promise<void> {
    await this.page.keyboard.press('Control+G');
    const box = this.page.locator(SEL.quickInputBox);
    await box.waitFor({ state: 'visible', timeout: 10_000 });
    await box.fill(`:${line}:${col}`); // Go to Line is Quick Open's `:` mode
    await this.page.keyboard.press('Enter');
    await this.page.locator(SEL.quickInput).waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /** Shows the hover at 1-based `line`:`col` (Show Hover, Ctrl+K Ctrl+I) and returns its text. */
  async hoverAt(line: number, col: number): Promise<string> {
    await this.gotoLine(line, col);
    await this.page.keyboard.press('Control+K');
    await this.page.keyboard.press('Control+I');
    const hover = this.page.locator(SEL.hover).first();
    await hover.waitFor({ state: 'visible', timeout: 15_000 });
    return (await hover.innerText()).trim();
  }

  /** Opens the suggest widget at the cursor (Trigger Suggest, Ctrl+Space) and returns its rendered rows. */
  async suggestions(): Promise<Suggestion[]> {
    await this.page.keyboard.press('Control+Space');
    const rows = this.page.locator(SEL.suggestRow);
    await rows.first().waitFor({ state: 'visible', timeout: 15_000 });
    // The list fills in as the language server answers: read it once it stops changing.
    let prev = '';
    for (let i = 0; i < 20; i++) {
      const now = (await rows.allInnerTexts()).join('|');
      if (now === prev) break;
      prev = now;
      await this.page.waitForTimeout(150);
    }
    return rows.evaluateAll((els) =>
      (els as unknown as El[]).map((e) => {
        const icon = Array.from(e.querySelectorAll('.suggest-icon')).map((x) => (x as unknown as { className: string }).className).join(' ');
        return { label: (e.querySelectorAll('.label-name')[0]?.textContent ?? '').trim(), kind: /codicon-symbol-(\w+)/.exec(icon)?.[1] ?? '' };
      }),
    );
  }

  /**
   * Completes the word at the cursor: types `prefix`, opens the suggest widget, accepts the row
   * labelled `label` (of `kind` when given: `keyword`, `snippet`, ...), after a screenshot named
   * `shot` when given. Returns the rows offered.
   */
  async complete(prefix: string, label: string, kind?: string, shot?: string): Promise<Suggestion[]> {
    if (prefix) await this.page.keyboard.type(prefix);
    const rows = await this.suggestions();
    if (shot) await this.screenshot(shot); // with the suggest widget open
    const i = rows.findIndex((r) => r.label === label && (kind === undefined || r.kind === kind));
    if (i < 0) throw new Error(`'${label}'${kind ? ` (${kind})` : ''} not offered after '${prefix}': ${rows.map((r) => `${r.label}:${r.kind}`).join(', ')}`);
    for (let k = 0; k < i; k++) await this.page.keyboard.press('ArrowDown');
    await this.page.keyboard.press('Enter');
    await this.page.locator(SEL.suggestRow).first().waitFor({ state: 'hidden', timeout: 10_000 });
    return rows;
  }

  /**
   * Waits until the parameter hints widget (signature help) is visible and `until` holds for what
   * it shows (it follows the typing with a delay), then returns that; throws with the last seen.
   */
  async parameterHints(until: (h: ParameterHints) => boolean, timeout = 15_000): Promise<ParameterHints> {
    const widget = this.page.locator(SEL.parameterHints).first();
    const end = Date.now() + timeout;
    let last: ParameterHints | undefined;
    while (Date.now() < end) {
      if (await widget.isVisible().catch(() => false)) {
        last = await widget.evaluate((e) => {
          const el = e as unknown as El & { querySelector(s: string): El | null };
          const text = (s: string) => (el.querySelector(s)?.textContent ?? '').replace(/\u00a0/g, ' ').trim();
          return { signature: text('.signature .code'), active: text('.signature .parameter.active'), docs: text('.docs'), overloads: text('.overloads') };
        });
        if (until(last)) return last;
      }
      await this.page.waitForTimeout(150);
    }
    throw new Error(`parameter hints ${last ? `not as expected: ${JSON.stringify(last)}` : 'never shown'}`);
  }

  /** Text of the active editor's model (through the rendered lines, so only what is on screen). */
  async visibleText(): Promise<string> {
    // The editor renders spaces as U+00A0.
    return (await this.page.locator(SEL.viewLine).allInnerTexts()).join('\n').replace(/\u00a0/g, ' ');
  }

  /** Opens Quick Fix (Ctrl+.) at the cursor and applies the action whose title matches. */
  async quickFix(title: string | RegExp): Promise<void> {
    await this.page.keyboard.press('Control+.');
    const row = this.page.locator(SEL.codeActionRow).filter({ hasText: title }).first();
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    await row.click();
  }

  /** Closes a hover, quick input or notification focus. */
  async escape(): Promise<void> {
    await this.page.keyboard.press('Escape');
  }

  /** Opens the Problems panel and returns each entry's accessible text (message, position). */
  async problems(minCount = 0, timeout = 15_000): Promise<string[]> {
    await this.runCommand('Problems: Focus on Problems View');
    const rows = this.page.locator(SEL.problemsRow);
    if (minCount > 0) await rows.nth(minCount - 1).waitFor({ timeout });
    return rows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? e.textContent ?? ''));
  }

  /** Switches the color theme with "Preferences: Color Theme". */
  async setTheme(kind: 'dark' | 'light'): Promise<void> {
    const name = kind === 'dark' ? 'Dark Modern' : 'Light Modern';
    await this.runCommand('Preferences: Color Theme');
    const box = this.page.locator(SEL.quickInputBox);
    await box.fill(name);
    await this.page.locator(SEL.quickInputRow).filter({ hasText: name }).first().waitFor({ timeout: 10_000 });
    await this.page.keyboard.press('Enter');
    await this.page.waitForFunction(
      (dark) => document.querySelector('.monaco-workbench')?.classList.contains(dark ? 'vs-dark' : 'vs') ?? false,
      kind === 'dark',
      { timeout: 10_000 },
    );
  }

  /** Activation time in ms of an extension (by display name), read from "Developer: Show Running
   *  Extensions" (then closes that editor). */
  async activationTimeMs(displayName: string): Promise<number> {
    await this.runCommand('Developer: Show Running Extensions');
    const rows = this.page.locator('.runtime-extensions-editor .monaco-list-row');
    let text = '';
    try {
      await rows.first().waitFor({ timeout: 20_000 });
      // The list is virtual and sorted slowest first: scroll until the row is rendered.
      const row = rows.filter({ hasText: displayName }).first();
      const box = await rows.first().boundingBox();
      if (box) await this.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      for (let i = 0; i < 20 && !(await row.isVisible()); i++) {
        await this.page.mouse.wheel(0, 300);
        await this.page.waitForTimeout(150);
      }
      await row.waitFor({ timeout: 5_000 });
      text = await row.innerText();
      await row.scrollIntoViewIfNeeded().catch(() => undefined);
      await this.screenshot('running-extensions');
    } finally {
      await this.closeModalEditor('.runtime-extensions-editor');
    }
    const m = /(\d+)\s*ms/.exec(text);
    if (!m) throw new Error(`no activation time in: ${text}`);
    return Number(m[1]);
  }

  /** Closes an editor that newer VS Code opens as a modal overlay (Escape, else its Close action). */
  async closeModalEditor(contentSelector: string): Promise<void> {
    const content = this.page.locator(contentSelector).first();
    await this.page.keyboard.press('Escape');
    if (await content.isHidden().catch(() => true)) return;
    const close = this.page.locator('.monaco-workbench [class*="modal"] .action-label[aria-label^="Close"]').first();
    if (await close.isVisible().catch(() => false)) await close.click();
    else await this.runCommand('View: Close Editor');
    await content.waitFor({ state: 'hidden', timeout: 10_000 });
  }

  /** Texts of the visible notification toasts. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notifications-toasts .notification-toast').allInnerTexts();
  }
}
