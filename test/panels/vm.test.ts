// The VM view and the walk/TLB panels on real engine output of the VM examples (iommufd, vSMMU):
// one VM as one object, guest/host stage labels, table names and VMID/ASID in the walk header, the
// nested grid without truncation, the TLB entry a stale-translation hazard is about, and SMMU names
// in their case. Screenshots (dark and light) go to test-results/panels/vm-*.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Page } from 'playwright-core';
import { compileScenario } from '../../language-server/src/engine/index';
import type { HostMessage } from '../../extension/src/panels/protocol';
import type { PanelKind } from '../../extension/src/panels/protocol';
import { stepAtLine } from '../../extension/src/panels/steps';
import { finish, open, startHarness, stopHarness } from './harness';
import { HOSTILE, hostile } from './fixtures';
import { hexGrouped } from '../../language-server/src/model/bits';
import { NESTED_NAMED } from '../data/scenarios';

const EXAMPLES = path.resolve(__dirname, '../../../examples');

// Browser objects as seen by the functions that run in the page (this file compiles without the DOM lib).
interface El {
  children: ArrayLike<El>;
  textContent: string | null;
  querySelector(s: string): El | null;
  querySelectorAll(s: string): ArrayLike<El>;
  getAttribute(n: string): string | null;
  getBBox(): { width: number };
  getCTM(): { e: number } | null;
}
declare const getComputedStyle: (el: El) => { textTransform: string };
const cellTexts = (rows: unknown[]): Array<Array<string | null>> => (rows as El[]).map((tr) => Array.from(tr.children).map((c) => c.textContent));

before(startHarness);
after(stopHarness);

/** The message the extension sends with the cursor on `line` of a scenario (an example file or text). */
function at(file: string, line: number, text?: string): HostMessage {
  const uri = `file:///examples/${file}`;
  const session = compileScenario(text ?? fs.readFileSync(path.join(EXAMPLES, file), 'utf8'), uri);
  const result = session.runToEnd();
  const index = stepAtLine(result.steps, line);
  assert.ok(index >= 0, `${file}: a step at line ${line}`);
  session.goto(index + 1);
  return { type: 'state', uri, state: session.state(), result };
}

const lineOf = (file: string, re: RegExp, nth = 0): number => {
  const lines = fs.readFileSync(path.join(EXAMPLES, file), 'utf8').split('\n');
  const hits = lines.flatMap((l, i) => (re.test(l) ? [i + 1] : []));
  assert.ok(hits[nth] !== undefined, `${file}: ${re}`);
  return hits[nth];
};

const TWO = 'vm-two-smmus-shared-parent.smmu';
const texts = (p: Page, sel: string) => p.locator(sel).allTextContents();


for (const theme of ['dark', 'light'] as const) {
  describe(`VM and walk panels on the VM examples (${theme})`, () => {
    test('VM view: IOAS, shared parent with a VMID per physical SMMU, vIOMMUs, vDEVICEs, guest STE next to host STE', async () => {
      const m = at(TWO, 1000);
      const o = await open('vm', theme, [m]);
      const p = o.page;
      const body = await p.locator('body').innerText();
      assert.match(body, /1 IOAS · 1 nesting parent · 2 vIOMMUs on 2 physical SMMUs · 2 nested HWPTs/);
      // One parent table, one VMID per physical SMMU (each vIOMMU owns its SMMU's VMID).
      const vmidRows = await texts(p, 'lens-section[data-vm="ioas"] tbody tr');
      assert.deepEqual(vmidRows.slice(-2), ['smmuA1vA', 'smmuB1vB']);
      // Each IOAS mapping as IPA range -> PA range (inclusive ends).
      const range = (b: string, l: string) => `${hexGrouped(BigInt(b))} – ${hexGrouped(BigInt(b) + BigInt(l) - 1n)}`;
      const maps = m.type === 'state' ? m.state?.vm?.ioas[0].maps ?? [] : [];
      assert.ok(maps.length > 0);
      for (const x of maps) assert.ok(body.includes(range(x.iova, x.length)) && body.includes(range(x.pa, x.length)), `IOAS map ${x.iova}`);
      assert.equal(await p.locator('lens-section[data-viommu]').count(), 2);
      const vdev = await texts(p, 'lens-section[data-viommu="vB"] table >> nth=0 >> tbody tr');
      assert.deepEqual(vdev, ['0x200x9nB']);
      // Guest STE (words 0-1, Config = S1_TRANS 0b101) next to the host STE the kernel installed
      // (Config = NESTED 0b111 with vB's VMID and the parent's S2TTB), IHI 0070 §5.2.
      const rows = await p.locator('details[data-hwpt="nB"] tbody tr').evaluateAll(cellTexts);
      const row = (f: string) => rows.find((r) => r[0] === `STE.${f}`);
      assert.deepEqual(row('Config'), ['STE.Config', '0x5', '0x7']);
      assert.deepEqual(row('S1ContextPtr'), ['STE.S1ContextPtr', '0x40001000', '0x40001000']);
      assert.deepEqual(row('S2VMID'), ['STE.S2VMID', '—', '0x1']);
      assert.deepEqual(row('S2TTB'), ['STE.S2TTB', '—', '0x40004000']);
      // Rows the kernel changed are marked; Config is one of them.
      const differs = await p.locator('details[data-hwpt="nB"] tr.differs').evaluateAll(cellTexts);
      assert.ok(differs.some((r) => r[0] === 'STE.Config'), JSON.stringify(differs));
      assert.ok(differs.every((r) => r[1] !== r[2]), JSON.stringify(differs));
      await finish(o, `vm-two-smmus-${theme}`);
    });

    test('VM view: vEVENTQ sequence numbers and the lost-events mark', async () => {
      const o = await open('vm', theme, [at('veventq-overflow.smmu', 1000)]);
      const rows = await o.page.locator('lens-section[data-viommu="vA"] tbody tr').evaluateAll(cellTexts);
      assert.deepEqual(rows.filter((r) => /^\d+$/.test(r[0] ?? '')), [
        ['0', 'C_BAD_CD', '0x10', ''], ['1', 'C_BAD_CD', '0x10', ''], ['2', '—', '—', 'IOMMU_VEVENTQ_FLAG_LOST_EVENTS: events lost here'],
      ]);
      assert.equal(await o.page.locator('lens-section[data-viommu="vA"] tr.lost').count(), 1);
      assert.match(await o.page.locator('lens-section[data-viommu="vA"] .title').innerText(), /1 event lost/);
      await finish(o, `vm-veventq-${theme}`);
    });

    test('VM view: a vCMDQ stopped by a forbidden command shows its CERROR; the step shows guest -> host commands', async () => {
      const file = 'vcmdq-direct-invalidation.smmu';
      const o = await open('vm', theme, [at(file, 1000)]);
      const bad = await texts(o.page, 'tr.bad');
      assert.equal(bad.length, 1, 'one stopped queue');
      assert.match(bad[0], /stopped: .*CERROR_ILL/);
      await finish(o, `vm-vcmdq-${theme}`);
      const guest = 'vsmmu-guest-bringup.smmu';
      const o2 = await open('vm', theme, [at(guest, lineOf(guest, /^cmd vs0 CMD_SYNC/, 1))]);
      const cmds = await o2.page.locator('.step-effects tbody tr').evaluateAll(cellTexts);
      // The guest's CMD_TLBI_NH_VA, forwarded by IOMMU_HWPT_INVALIDATE with vA's VMID on smmuA.
      assert.ok(cmds.some((r) => r[0] === 'CMD_TLBI_NH_VA' && r[2] === 'CMD_TLBI_NH_VA' && r[3] === 'smmuA'), JSON.stringify(cmds));
      assert.match(await o2.page.locator('.step-effects pre.calls').innerText(), /iommufd invalidate vA/);
      await finish(o2, `vm-guest-commands-${theme}`);
    });

    test('walk: a nested DMA through a nested HWPT labels guest stage 1 and host stage 2, the CD fetch, VMID and ASID', async () => {
      const o = await open('walk', theme, [at(TWO, lineOf(TWO, /^dma smmuA/))]);
      const p = o.page;
      const titles = await texts(p, 'section.walk h2');
      assert.deepEqual(titles, [
        "Host stage 2 walk of the CD's IPA 0x40001000 (CD fetch) (table s2)",
        'Nested walk of 0x80201010: guest stage 1 × host stage 2 (table s2)',
      ]);
      const chips = await texts(p, '.walk-context .ctx');
      assert.deepEqual(chips, ['SMMU smmuA', 'StreamID 0x5', 'STE.Config NESTED', 'ASID 0x1', 'VMID 0x1', 'host S2 table s2', 'vDEVICE 0x10 → 0x5', 'vIOMMU vA (VMID 1)', 'nested HWPT nA', 'parent s2']);
      // The CD fetch's boxes say whose stage they are.
      assert.match((await p.locator('section.cd-fetch svg .box').first().textContent()) ?? '', /Host stage 2 · level 0/);
      const heads = await texts(p, 'svg.nested > text');
      assert.ok(heads.some((t) => t.startsWith('Host stage 2 (s2) · level 0')) && heads.includes('Guest stage 1 descriptor'), heads.join(' | '));
      await finish(o, `vm-walk-labels-${theme}`);
    });

    test('walk: the nested grid shows whole descriptor addresses and the stage-1 leaf output address, with tooltips', async () => {
      const o = await open('walk', theme, [at('named.smmu', 12, NESTED_NAMED)]);
      const p = o.page;
      const titles = await texts(p, 'section.walk h2');
      assert.equal(titles.length, 2, titles.join(' | '));
      assert.match(titles[0], /^Stage 2 walk of the CD's IPA 0x[0-9a-f]+ \(CD fetch\) \(table vm_s2\)$/);
      assert.equal(titles[1], 'Nested walk of 0x7f1234567abc: stage 1 (table nic_s1) × stage 2 (table vm_s2)');
      // No text of the drawing is cut.
      const shown = await p.locator('svg.nested text').evaluateAll((ts) => ts.map((t) => t.childNodes[0]?.textContent ?? ''));
      assert.deepEqual(shown.filter((t) => t.includes('…')), []);
      const chips = await texts(p, '.walk-context .ctx');
      assert.ok(chips.includes('ASID 0x2a') && chips.includes('VMID 0x7') && chips.includes('S1 table nic_s1') && chips.includes('S2 table vm_s2'), chips.join(' | '));
      // The stage-1 leaf (level 3 page, DDI 0487 D8.3): its output address (an IPA) is drawn.
      const leaf = p.locator('svg .box.cell.s1[data-level="3"]');
      assert.match((await leaf.locator('text').allTextContents()).join('\n'), /OA 0x8000_0000 \(IPA\)/);
      // A stage-2 cell of the last row: 48-bit output 0x1234_5600_0000 drawn whole.
      assert.ok(shown.includes('block → 0x1234_5600_0000'), shown.join(' | '));
      // Every cell has a tooltip with the whole fetch.
      const cells = p.locator('svg .box.cell');
      const n = await cells.count();
      assert.ok(n >= 16, `cells: ${n}`);
      const tips = await cells.evaluateAll((cs) => (cs as unknown as El[]).map((c) => c.querySelector(':scope > title')?.textContent ?? ''));
      assert.ok(tips.every((t) => t.length > 0), 'a tooltip on every cell');
      assert.ok(tips.some((t) => t.startsWith('Stage 1, level 3 (table nic_s1): page') && t.includes('OA=0x80000000')), tips.join('\n---\n'));
      // The whole grid is within the drawing (scrollable, not clipped).
      const fits = await p.locator('svg.nested').evaluate((svg) => {
        const el = svg as unknown as El;
        const w = Number(el.getAttribute('width'));
        return Array.from(el.querySelectorAll('.box.cell')).every((g) => g.getBBox().width + (g.getCTM()?.e ?? 0) <= w + 1);
      });
      assert.ok(fits, 'every cell inside the drawing');
      await finish(o, `vm-nested-grid-${theme}`);
    });

    test('TLB: the entry a stale-translation hazard is about is marked; SMMU names keep their case', async () => {
      // The guest invalidated through vA only: smmuB's entry is stale (reported in the guest's terms).
      const line = lineOf(TWO, /^dma smmuB .*expect hazard H_VIOMMU_WRONG_INSTANCE/);
      const msg = at(TWO, line);
      const o = await open('tlb', theme, [msg]);
      const p = o.page;
      const stale = p.locator('lens-section[data-smmu="smmuB"] vscode-table-row.stale');
      assert.equal(await stale.count(), 1);
      assert.equal(await p.locator('vscode-table-row.stale').count(), 1, 'smmuA was invalidated: nothing stale there');
      // The entry the walk of line 54 (smmuB's first DMA) filled.
      const walkLine = lineOf(TWO, /^dma smmuB/);
      assert.match(await p.locator('lens-section[data-smmu="smmuB"] .stale-note').innerText(), new RegExp(`H_VIOMMU_WRONG_INSTANCE\\s+line ${line}: TLB entry #\\d+ \\(0x8020_1000, 4K, filled by line ${walkLine}\\)`));
      assert.match((await stale.getAttribute('title')) ?? '', /^H_VIOMMU_WRONG_INSTANCE \(line \d+\): /);
      // Headings read as written: smmuA, not SMMUA.
      for (const name of ['smmuA', 'smmuB']) {
        const title = p.locator(`lens-section[data-smmu="${name}"] .title`);
        assert.ok((await title.innerText()).startsWith(name), await title.innerText());
        assert.equal(await title.evaluate((el) => getComputedStyle(el as unknown as El).textTransform), 'none');
      }
      await finish(o, `vm-tlb-stale-${theme}`);
    });
  });
}

for (const kind of ['vm'] as PanelKind[]) {
  test(`${kind}: a scenario without a VM says how to make one`, async () => {
    const o = await open(kind, 'dark', [at('named.smmu', 1, NESTED_NAMED)]);
    assert.match(await o.page.locator('body').innerText(), /This scenario has no VM: add iommufd lines/);
    await finish(o, `vm-none`);
  });
}

test('vm: hostile scenario strings stay text; fields a newer engine adds are shown, not dropped', async () => {
  const m = at(TWO, 1000);
  assert.equal(m.type, 'state');
  if (m.type !== 'state' || !m.state?.vm) return;
  const vm = hostile(m.state.vm);
  // A shadowing vIOMMU mode and an unknown top-level object, as a newer engine might send them.
  const withNew = { ...vm, viommus: vm.viommus.map((v) => ({ ...v, mode: 'shadow' })), shadowTables: [{ name: HOSTILE[0] }] };
  const o = await open('vm', 'dark', [{ ...m, uri: HOSTILE[1], state: { ...m.state, vm: withNew }, result: hostile(m.result) }]);
  const p = o.page;
  assert.equal(await p.locator('img').count(), 0);
  assert.equal(await p.locator('script').count(), 1);
  assert.equal(await p.locator('[onerror], [onload]').count(), 0);
  const text = (await p.locator('body').innerText()) ?? '';
  assert.ok(HOSTILE.some((hs) => text.includes(hs)), 'hostile string shown as text');
  assert.match(text, /mode\s+shadow/);
  assert.match(text, /Other VM state/);
  await finish(o, 'vm-hostile');
});
