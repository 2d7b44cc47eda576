// Rendering check of the four panels in headless Chromium (playwright-core): the panel HTML from
// the extension's own generator, a stub acquireVsCodeApi, VS Code theme variables for dark and
// light, fixtures posted as the extension would. Asserts content, that hostile scenario strings
// stay text, and that the CSP reports nothing; saves screenshots to test-results/panels/.
// Needs Chromium: CHROMIUM_PATH or /usr/bin/chromium (`apt-get install -y chromium`).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { HostMessage } from '../../extension/src/panels/protocol';
import type { WireState } from '../../language-server/src/engine/api';
import * as fx from './fixtures';
import { finish, open, startHarness, stopHarness } from './harness';

// Browser globals as seen by the functions that run in the page (this file compiles without the DOM lib).
declare const window: { __posted: unknown[] };

before(startHarness);
after(stopHarness);

const msg = (state: WireState, result = fx.result): HostMessage => ({ type: 'state', uri: 'file:///work/examples/nested.smmu', state, result });

/** Texts of the level boxes of the walk drawing, top to bottom. */
const levelBoxes = (p: Page, sel = 'svg .box[data-level]:not([data-level=""])') => p.locator(sel).allTextContents();

for (const theme of ['dark', 'light'] as const) {
  describe(`panels (${theme})`, () => {
    test('walk: stage-1 4K 4-level walk', async () => {
      const o = await open('walk', theme, [msg(fx.state4k)]);
      const boxes = await levelBoxes(o.page);
      assert.equal(boxes.length, 4);
      // DDI 0487 D8.3: table descriptor = next-level table address | 0b11; page = OA | AF | SH | AP | UXN | 0b11.
      const expected = ['0x8000_1003', '0x8000_2003', '0x8000_3003', '0x40_0000_9ab2_d743'];
      boxes.forEach((b, i) => assert.ok(b.includes(expected[i]), `level ${i}: ${b}`));
      // IOVA 0x7f12_3456_7abc split at [47:39] [38:30] [29:21] [20:12] [11:0] (DDI 0487 D8.2, 4K).
      const fields = await o.page.locator('svg .addr-bar .field').allTextContents();
      assert.deepEqual(fields.map((f) => f.split(/L\d index|offset/)[0]), ['[47:39]', '[38:30]', '[29:21]', '[20:12]', '[11:0]']);
      assert.ok(fields[0].includes('254 (0xfe)') && fields[1].includes('72 (0x48)') && fields[2].includes('418 (0x1a2)') && fields[3].includes('359 (0x167)') && fields[4].includes('0xabc'), fields.join(' | '));
      const text = await o.page.locator('body').innerText();
      assert.ok(text.includes('Translation walk'));
      assert.ok((await o.page.locator('svg').first().textContent())!.includes('0x9ab2_dabc'), 'output PA');
      assert.equal(await o.page.locator('svg .box.fault').count(), 0);
      await finish(o, `walk-4k-${theme}`);
    });

    test('walk: 64K 3-level walk', async () => {
      const o = await open('walk', theme, [msg(fx.state64k)]);
      assert.equal((await levelBoxes(o.page)).length, 3);
      const fields = await o.page.locator('svg .addr-bar .field').allTextContents();
      // 64K granule: 13 bits per level; 48-bit input starts at level 1 with bits [47:42].
      assert.deepEqual(fields.map((f) => f.split(/L\d index|offset/)[0]), ['[47:42]', '[41:29]', '[28:16]', '[15:0]']);
      await finish(o, `walk-64k-${theme}`);
    });

    test('walk: nested walk marks the faulting stage-2 box', async () => {
      const o = await open('walk', theme, [msg(fx.stateNested)]);
      const faulty = o.page.locator('svg .box.fault');
      assert.equal(await faulty.count(), 1);
      const cls = (await faulty.getAttribute('class')) ?? '';
      assert.ok(cls.includes('s2'), cls);
      assert.ok((await faulty.textContent())!.includes('S2 L3'));
      assert.ok((await faulty.textContent())!.includes('F_TRANSLATION'));
      // Stage-1 L2 descriptor was never fetched: its stage-2 translation faulted.
      assert.equal(await o.page.locator('svg .box.s1.skipped').count(), 1);
      assert.equal(await o.page.locator('svg .box.cell.s2').count(), 6);
      await finish(o, `walk-nested-${theme}`);
    });

    test('walk: 5 levels, 1 level, a fault at level 2, a fault before any fetch', async () => {
      const o = await open('walk', theme, [msg({ ...fx.state4k, walks: [fx.walk5, fx.walk1, fx.walkFaultL2, fx.walkNoFetch] })]);
      const sections = o.page.locator('section.walk');
      assert.equal(await sections.count(), 4);
      const boxes = (i: number) => sections.nth(i).locator('svg .box[data-level]:not([data-level=""])');
      const fields = (i: number) => sections.nth(i).locator('svg .addr-bar .field').allTextContents();
      assert.equal(await boxes(0).count(), 5);
      assert.deepEqual((await fields(0)).map((f) => f.split(/L-?\d index|offset/)[0]), ['[51:48]', '[47:39]', '[38:30]', '[29:21]', '[20:12]', '[11:0]']);
      assert.equal(await boxes(1).count(), 1);
      assert.deepEqual((await fields(1)).map((f) => f.split(/L\d index|offset/)[0]), ['[28:16]', '[15:0]']);
      // The invalid level-2 descriptor is the faulting box; level 1 is not.
      assert.equal(await boxes(2).count(), 2);
      assert.equal(await sections.nth(2).locator('svg .box.fault').getAttribute('data-level'), '2');
      assert.ok((await sections.nth(2).locator('svg .box.fault').textContent())!.includes('F_TRANSLATION'));
      // No descriptor was read: the fault gets a box of its own.
      assert.equal(await boxes(3).count(), 0);
      assert.ok((await sections.nth(3).locator('svg .box.kind-fault').textContent())!.includes('above the 39-bit range'));
      await finish(o, `walk-shapes-${theme}`);
    });

    test('walk: TLB hit shows the entry used', async () => {
      const st = { ...fx.state4k, stepIndex: 8, walks: [] };
      const o = await open('walk', theme, [msg(st)]);
      const text = await o.page.locator('body').innerText();
      assert.ok(text.includes('TLB hit'), text);
      await finish(o, `walk-tlbhit-${theme}`);
    });

    test('tlb: 30 entries over 2 SMMUs, filter, sort, added/removed', async () => {
      const o = await open('tlb', theme, [msg(fx.state4k)]);
      const p = o.page;
      const rows = () => p.locator('.data-table').nth(0).locator('vscode-table-row:visible').count();
      assert.equal(await p.locator('lens-section[data-smmu]').count(), 2);
      const all = await p.locator('vscode-table-row').count();
      assert.equal(all, 30 + 2); // 18 + 12 TLB entries, 2 config-cache entries
      assert.equal(await p.locator('vscode-table-row.added').count(), 2); // TLB #18 and config #2
      await p.locator('vscode-textfield.filter input').fill('S12');
      await p.waitForTimeout(100);
      // Stage S12 entries: smmu0 ids with (i % 3 == 2) → 6, smmu1 with ((i + 1) % 3 == 2) → 4.
      assert.equal(await p.locator('vscode-table-row').count(), 10);
      await p.locator('vscode-textfield.filter input').fill('');
      await p.waitForTimeout(100);
      assert.ok((await rows()) > 10);
      await p.locator('lens-section[data-smmu="smmu0"] vscode-table-header-cell', { hasText: 'Hits' }).first().click();
      const hits = await p.locator('lens-section[data-smmu="smmu0"] .data-table').first().locator('vscode-table-row vscode-table-cell:nth-child(10)').allTextContents();
      const nums = hits.map(Number);
      assert.deepEqual(nums, [...nums].sort((a, b) => a - b));
      await finish(o, `tlb-${theme}`);
    });

    test('tlb: an STE cached for its STE.CONT span shows the StreamIDs it covers', async () => {
      const [s0, ...rest] = fx.state4k.smmus;
      const spanned = { ...s0, configCache: [{ id: 7, kind: 'STE' as const, sid: '0x11', span: ['0x10', '0x13'] as [string, string], fields: { Config: '0x5', CONT: '0x2' }, hits: 1, insertedAt: 4 }] };
      const o = await open('tlb', theme, [msg({ ...fx.state4k, smmus: [spanned, ...rest] })]);
      const cells = await o.page.locator('lens-section[data-smmu="smmu0"] .data-table').nth(1).locator('vscode-table-row vscode-table-cell').allTextContents();
      assert.ok(cells.includes('0x10–0x13'), cells.join(' | '));
      await finish(o, `tlb-span-${theme}`);
    });

    test('tlb: entries removed by a TLBI are shown struck through', async () => {
      const o = await open('tlb', theme, [msg(fx.state4k), msg(fx.stateAfterTlbi)]);
      assert.equal(await o.page.locator('vscode-table-row.removed').count(), 2);
      const removed = await o.page.locator('vscode-table-row.removed vscode-table-cell:first-child').allTextContents();
      assert.deepEqual(removed.sort(), ['3', '5']);
      await finish(o, `tlb-removed-${theme}`);
    });

    test('streams: STEs, CDs, problems, memory map', async () => {
      const o = await open('streams', theme, [msg(fx.state4k)]);
      const p = o.page;
      assert.equal(await p.locator('details.ste').count(), 3);
      const text = await p.locator('body').innerText();
      assert.ok(text.includes('C_BAD_STE: STE.V == 0'));
      assert.ok(text.includes('CD.ASID') && text.includes('STE.S1ContextPtr') && text.includes('STE.S2TTB'));
      assert.equal(await p.locator('details.ste.has-problem').count(), 1);
      // Stream 0x10 reached 0x7f12_3456_7000 (4K page) through the walk of step 6.
      assert.ok(text.includes('0x7f12_3456_7000 – 0x7f12_3456_7fff'), 'memory map row');
      await finish(o, `streams-${theme}`);
    });

    test('events: timeline, hazards, event queue, reveal', async () => {
      const o = await open('events', theme, [msg(fx.stateNested)]);
      const p = o.page;
      assert.equal(await p.locator('svg.timeline .tick').count(), fx.result.steps.length);
      assert.equal(await p.locator('svg.timeline .tick.bad').count(), 5); // 2 faults, 1 abort, 1 failed expectation, 1 error hazard
      assert.equal(await p.locator('li.hazard').count(), 3);
      const evRows = await p.locator('lens-section[data-smmu="smmu0"] vscode-table-row').allTextContents();
      assert.equal(evRows.length, 3);
      assert.ok(evRows[0].includes('F_TRANSLATION') && evRows[0].includes('0x11') && evRows[0].includes('TT'));
      await p.locator('svg.timeline .tick[data-index="11"]').click();
      await p.locator('.hazard a.line-link').first().click();
      const posted = await p.evaluate(() => window.__posted);
      assert.deepEqual(posted.slice(-2), [{ type: 'reveal', line: 44 }, { type: 'reveal', line: 30 }]);
      await finish(o, `events-${theme}`);
    });

    for (const kind of ['walk', 'tlb', 'streams', 'events'] as const) {
      test(`hostile strings stay text (${kind})`, async () => {
        const st = fx.hostile(kind === 'walk' ? fx.stateNested : fx.state4k);
        const o = await open(kind, theme, [{ type: 'state', uri: fx.HOSTILE[1], state: st, result: fx.hostile(fx.result) }]);
        const p = o.page;
        await p.waitForTimeout(200);
        assert.equal(await p.locator('img').count(), 0);
        assert.equal(await p.locator('script').count(), 1);
        assert.equal(await p.locator('[onerror], [onload]').count(), 0);
        const text = (await p.locator('body').textContent()) ?? '';
        assert.ok(fx.HOSTILE.some((hs) => text.includes(hs)), 'hostile string shown as text');
        await finish(o, `hostile-${kind}-${theme}`);
      });
    }
  });
}
