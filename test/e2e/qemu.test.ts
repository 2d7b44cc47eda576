// "IOMMU Lens: Compare with QEMU" in a real VS Code (code-server) against a real QEMU: the code
// lens runs the scenario through QEMU's SMMUv3 and the model; Problems lists each known QEMU
// departure as information, and the Events panel shows them in its "Compared with QEMU" section
// with the departure's id and spec section. (An unexplained difference is a warning: the rows'
// unit test, test/unit/qemu/editor.test.ts; every difference QEMU 10.0.2 shows on a scenario is now a
// known departure.) Needs a QEMU (scripts/install-qemu.sh); skipped without one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { e2eSuite, repoRoot } from './lib/suite';
import { panelFrame, waitPanelText } from './lib/webviews';

function qemuPath(): string | undefined {
  try {
    return execFileSync('bash', [join(repoRoot(), 'scripts/install-qemu.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, IOMMU_LENS_QEMU_NO_INSTALL: '1' } }).trim() || undefined;
  } catch {
    return undefined;
  }
}

// Two StreamIDs whose CDs (ASIDs 1 and 2) map the same IOVA to different pages, the first one
// global (nG = 0): the model's TLB entry from the first DMA matches the second DMA whatever its
// ASID (DDI 0487 D8.12, IHI 0070 §3.17), QEMU's TLB is tagged by ASID only and walks again: a PA
// difference, the known departure ng-ignored. The third DMA faults over 8 bytes: QEMU translates it
// per 4-byte chunk and records two events (the known departure chunk-4).
const SCENARIO = `# Compare with QEMU: a global TLB entry, and a faulting 8-byte DMA.
smmu smmu0 { stages s1 }
pagetable pa s1 4K { map 0x1000_0000 +4K -> 0x4800_0000 rw global }
pagetable pb s1 4K { map 0x1000_0000 +4K -> 0x4900_0000 rw }
cd cda { pagetable pa; asid 1 }
cd cdb { pagetable pb; asid 2 }
ste smmu0 0x8 { cd cda }
ste smmu0 0x10 { cd cdb }
dma smmu0 read sid 0x8 iova 0x1000_0000
dma smmu0 read sid 0x10 iova 0x1000_0000
dma smmu0 read sid 0x8 iova 0x2000_0000 len 8
`;

const QEMU = qemuPath();

e2eSuite('qemu', (ctx) => {
  test('Compare with QEMU: Problems and the Events panel', { skip: QEMU ? false : 'no QEMU: run scripts/install-qemu.sh' }, async () => {
    await ctx.wb.openFile('qemu-compare.smmu');
    await ctx.wb.waitForStatus('iommuLens.status', /SMMU/, 60_000);
    const lens = ctx.wb.page.locator('.contentWidgets .codelens-decoration a, .view-lines ~ * .codelens-decoration a').filter({ hasText: 'Compare with QEMU' }).first();
    await lens.waitFor({ timeout: 30_000 });
    await ctx.wb.screenshot('code-lens');
    await lens.click();
    const frame = await panelFrame(ctx.wb.page, 'events', 60_000);
    const text = await waitPanelText(frame, /QEMU \d+\.\d+[^\n]*: \d+ DMAs? the same, \d+ known QEMU departures/, 60_000);
    await ctx.wb.screenshot('events-panel-qemu');
    assert.match(text, /QEMU \d+\.\d+/);
    assert.match(text, /1 DMA the same, 2 known QEMU departures, 0 unexplained/);
    assert.match(text, /known departure line 10[\s\S]*Model: ok PA 0x48000000\. QEMU: ok PA 0x49000000\. ng-ignored \(IHI 0070 §3\.17/);
    assert.match(text, /known departure line 11[\s\S]*chunk-4/);
    const rows = await ctx.wb.problems(2, 30_000);
    await ctx.wb.screenshot('problems-qemu');
    const known = rows.filter((r) => /known QEMU departure/.test(r));
    assert.equal(known.length, 2, JSON.stringify(rows));
    assert.ok(known.some((r) => /ng-ignored/.test(r)) && known.some((r) => /chunk-4/.test(r)), JSON.stringify(rows));
    // Each row's severity icon (a row may also carry a quick-fix light bulb): information.
    const icons = (re: RegExp, icon: string) => ctx.wb.page.locator('.markers-panel .monaco-list-row').filter({ hasText: re }).first().locator(`.codicon-${icon}`).count();
    assert.equal(await icons(/ng-ignored/, 'info'), 1);
    assert.equal(await icons(/chunk-4/, 'info'), 1);
  });
}, { files: { 'qemu-compare.smmu': SCENARIO }, settings: { 'iommuLens.qemu.path': QEMU ?? '' } });
