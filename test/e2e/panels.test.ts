// The four webview panels in a real VS Code (code-server), in the dark and the light theme: each
// is opened by its command with the cursor on a transaction of examples/s1-dma-4k.smmu and must
// show that step's content. Expected values come from the scenario and the spec, not the code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { e2eSuite } from './lib/suite';
import { PANEL_COMMAND, panelFrame, waitPanelText, type PanelKind } from './lib/webviews';

const SRC = readFileSync(join(__dirname, '..', '..', 'examples', 's1-dma-4k.smmu'), 'utf8').split('\n');
const lineOf = (text: string) => SRC.findIndex((l) => l.includes(text)) + 1;
/** dma read iova 0x1000_0010: a TLB miss, a 4-level walk, PA 0x8000_0010. */
const WALK_LINE = lineOf('iova 0x1000_0010');
/** dma read iova 0x3000_0000: nothing mapped there, F_TRANSLATION. */
const FAULT_LINE = lineOf('iova 0x3000_0000');

// Hex values as shown: digit groups of 4 may be separated by `_` or a (thin) space.
const hexes = (s: string) => [...s.matchAll(/0x[0-9a-f]+(?:[_\s\u2009\u202f][0-9a-f]{4})*/gi)].map((m) => BigInt(m[0].replace(/[_\s\u2009\u202f]/g, '')));
const OA = (d: bigint) => ((d >> 12n) & ((1n << 36n) - 1n)) << 12n; // bits[47:12] (DDI 0487 D8.3)

// Browser globals for evaluate callbacks (this folder compiles without the DOM lib).
interface Node0 {
  textContent: string | null;
  getAttribute(n: string): string | null;
  querySelectorAll(s: string): ArrayLike<Node0>;
}
declare const document: { querySelectorAll(s: string): ArrayLike<Node0>; body: Node0 };
declare function getComputedStyle(e: Node0): { backgroundColor: string };

/** Relative luminance (0 dark .. 1 light) of the panel's body background. */
async function bodyLuminance(frame: Frame): Promise<number> {
  const bg = await frame.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(bg);
  assert.ok(m, `body background ${bg}`);
  const [r, g, b] = [m[1], m[2], m[3]].map((x) => Number(x) / 255);
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

e2eSuite('panels', (ctx) => {
  async function open(kind: PanelKind, line: number): Promise<Frame> {
    await ctx.wb.openFile('s1-dma-4k.smmu');
    await ctx.wb.gotoLine(line);
    await ctx.wb.runCommand(PANEL_COMMAND[kind]);
    const f = await panelFrame(ctx.wb.page, kind);
    await f.locator('#root').filter({ hasNotText: /Waiting for the scenario/ }).waitFor({ timeout: 20_000 }).catch(() => undefined);
    return f;
  }

  for (const theme of ['dark', 'light'] as const) {
    test(`${theme}: the theme is applied`, async () => {
      await ctx.wb.openFile('s1-dma-4k.smmu');
      // Room for the panels beside the editor: hide the side bar.
      if (await ctx.wb.page.locator('.part.sidebar').isVisible()) await ctx.wb.runCommand('View: Toggle Primary Side Bar Visibility');
      await ctx.wb.waitForStatus('iommuLens.status', /SMMU \d+✓/, 60_000);
      await ctx.wb.setTheme(theme);
    });

    test(`${theme}: Translation walk shows one box per level with the descriptors and the output`, async () => {
      const f = await open('walk', WALK_LINE);
      await waitPanelText(f, /Stage 1 walk of 0x10000010/).catch(async (e: unknown) => {
        await ctx.wb.screenshot(`${theme}-walk-failed`);
        throw new Error(`${String(e)}\npanel text: ${await f.locator('#root').innerText()}`);
      });
      await f.locator('svg.walk-svg g.box[data-level="3"]').first().waitFor({ timeout: 20_000 });
      await ctx.wb.screenshot(`${theme}-walk`);
      const boxes = await f.evaluate(() =>
        Array.from(document.querySelectorAll('svg.walk-svg g.box[data-level]:not([data-level=""])')).map((b) => ({
          level: b.getAttribute('data-level'),
          texts: Array.from(b.querySelectorAll('text')).map((t) => t.textContent ?? ''),
        })),
      );
      // 4K granule, 48-bit input: levels 0..3 (DDI 0487 D8.2).
      assert.deepEqual(boxes.map((b) => b.level), ['0', '1', '2', '3']);
      // A row is a label text then its value (the box's kind badge may read "table" too).
      const value = (texts: string[], key: string) => texts.find((_, i) => i > 0 && texts[i - 1] === key && /^(0x|\d)/.test(texts[i])) ?? '';
      for (let i = 0; i < boxes.length; i++) {
        const desc = hexes(value(boxes[i].texts, 'descriptor'))[0];
        assert.ok(desc !== undefined, `level ${i} box: ${boxes[i].texts.join(' | ')}`);
        // Table (levels 0-2) and page (level 3) descriptors both have bits[1:0] = 0b11 (DDI 0487 D8.3).
        assert.equal(desc & 3n, 3n);
        if (i < 3) assert.equal(hexes(value(boxes[i + 1].texts, 'table'))[0], OA(desc), `level ${i + 1} table is level ${i}'s next-level address`);
        else assert.equal(OA(desc), 0x8000_0000n, 'the page maps 0x8000_0000');
      }
      // IOVA 0x10000010: L2 index = bits[29:21] = 0x80 (128).
      assert.match(value(boxes[2].texts, 'index'), /^128\b/);
      const all = await f.locator('svg.walk-svg').first().textContent();
      assert.match(all ?? '', /0x8000_0010/, 'output address');
    });

    test(`${theme}: TLB shows the entry the walk inserted`, async () => {
      const f = await open('tlb', WALK_LINE);
      const text = await waitPanelText(f, /After line \d+: 1 TLB entry/);
      await ctx.wb.screenshot(`${theme}-tlb`);
      // One 4K stage-1 entry, ASID 5 (the cd), 0x1000_0000 -> 0x8000_0000.
      assert.match(text, /0x1000_0000/);
      assert.match(text, /0x8000_0000/);
      assert.equal(await f.locator('[data-smmu="smmu0"]').count(), 1, 'one section, for smmu0');
      const row = f.locator('vscode-table-row, tr').filter({ hasText: '0x1000_0000' }).first();
      assert.match(await row.innerText(), /\b(0x)?5\b/, 'ASID 5');
    });

    test(`${theme}: Stream table shows the STE of StreamID 0x100 with its CD`, async () => {
      const f = await open('streams', WALK_LINE);
      const text = await waitPanelText(f, /StreamID 0x100/);
      await ctx.wb.screenshot(`${theme}-streams`);
      // STE.Config = 0b101, stage 1 translate, bypass stage 2 (IHI 0070 §5.2).
      assert.match(text, /S1_TRANS/);
      assert.match(text, /1 CD\b/);
      assert.match(text, /STE at 0x/);
      assert.match(text, /STE.Config\s+0x5\b/);
    });

    test(`${theme}: Events shows the timeline with the fault`, async () => {
      const f = await open('events', FAULT_LINE);
      const text = await waitPanelText(f, /F_TRANSLATION/);
      await f.locator('svg.timeline g.tick.current').waitFor({ timeout: 20_000 });
      await ctx.wb.screenshot(`${theme}-events`);
      const ticks = await f.locator('svg.timeline g.tick').count();
      assert.ok(ticks >= 6, `${ticks} ticks: one per step, the 6 DMAs at least`);
      // The faulting read of 0x3000_0000 and the write to the read-only block (F_PERMISSION).
      assert.match(text, /0x3000_0000|0x30000000/);
      assert.match(text, /F_PERMISSION/);
      const current = await f.locator('svg.timeline g.tick.current').getAttribute('data-line');
      assert.equal(Number(current), FAULT_LINE, 'the current step is the cursor line');
      const lum = await bodyLuminance(f);
      if (theme === 'dark') assert.ok(lum < 0.35, `dark theme panel background luminance ${lum}`);
      else assert.ok(lum > 0.65, `light theme panel background luminance ${lum}`);
    });
  }
});
