// Editor features in a real VS Code (code-server): the Problems panel lists an unexpected fault
// and a hazard with their severities, hovering a transaction's address shows its walk, the
// inlay hint after a transaction shows its PA, and signature help (parameter hints) follows a
// statement as it is typed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { e2eSuite } from './lib/suite';
import { editorHover, editorLinesMatching } from './lib/webviews';

// Stale TLB after unmap, without expectations: the second DMA uses the stale entry (H_STALE_TLB,
// IHI 0070 §3.17, §4.7.3: the unmap only takes effect after TLBI + CMD_SYNC) and the DMA after the
// TLBI + CMD_SYNC walks the now-invalid tables: F_TRANSLATION (IHI 0070 §7.3), an error since
// no `expect fault` asks for it.
const STALE = `# Stale TLB after unmap, no expectations.
smmu smmu0

pagetable dma_pt s1 4K {
  map 0x1000_0000 +4K -> 0x8000_0000 rw
}

cd dev_cd { pagetable dma_pt; asid 5 }
ste smmu0 0x10 { cd dev_cd }

dma smmu0 write sid 0x10 iova 0x1000_0040
unmap dma_pt 0x1000_0000
dma smmu0 write sid 0x10 iova 0x1000_0080
cmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_0000 leaf
cmd smmu0 CMD_SYNC
dma smmu0 write sid 0x10 iova 0x1000_0080
`;

// Signature help is typed on the blank lines of this scenario.
const SIGNATURE = `smmu smmu0

pagetable pt s1 4K {
  map 0x1000_0000 +4K -> 0x8000_0000 rw
}
cd c0 { pagetable pt; asid 0 }



`;
const SIGNATURE_LINES = { dma: 8, cmd: 9, ste: 10 };

interface Problem {
  label: string;
  severity: 'error' | 'warning' | 'info' | 'other';
}

// Browser globals for the evaluate callback below (this folder compiles without the DOM lib).
interface RowEl {
  getAttribute(n: string): string | null;
  textContent: string | null;
  querySelectorAll(s: string): ArrayLike<{ className: string }>;
}

/** The Problems rows with the severity read from each row's marker icon. */
async function problemRows(ctx: { wb: { problems(n: number, t: number): Promise<string[]>; page: import('playwright-core').Page } }, min: number): Promise<Problem[]> {
  await ctx.wb.problems(min, 60_000);
  return ctx.wb.page.locator('.markers-panel .monaco-list-row').evaluateAll((els) =>
    (els as unknown as RowEl[]).map((e) => {
      const icon = Array.from(e.querySelectorAll('[class*="codicon-"]')).map((x) => x.className).join(' ');
      const severity = /codicon-error\b/.test(icon) ? 'error' : /codicon-warning\b/.test(icon) ? 'warning' : /codicon-info\b/.test(icon) ? 'info' : 'other';
      return { label: `${e.getAttribute('aria-label') ?? ''} | ${e.textContent ?? ''}`, severity } as Problem;
    }),
  );
}

e2eSuite('features', (ctx) => {
  test('Problems lists the unexpected fault (error) and the stale-TLB hazard (warning)', async () => {
    await ctx.wb.openFile('stale-noexpect.smmu');
    const rows = await problemRows(ctx, 2);
    await ctx.wb.screenshot('problems-fault-and-hazard');
    const fault = rows.find((r) => /F_TRANSLATION/.test(r.label));
    const hazard = rows.find((r) => /H_STALE_TLB/.test(r.label));
    assert.ok(fault, `no F_TRANSLATION problem in ${JSON.stringify(rows)}`);
    assert.ok(hazard, `no H_STALE_TLB problem in ${JSON.stringify(rows)}`);
    assert.equal(fault.severity, 'error', fault.label);
    assert.equal(hazard.severity, 'warning', hazard.label);
    // The fault's message: the StreamID and input address of the DMA on line 16.
    assert.match(fault.label, /StreamID 0x10\b.*InputAddr 0x10000080/);
    assert.match(fault.label, /16/); // its line
    // The hazard's message names the stale translation and the fix (TLBI + CMD_SYNC), on line 13.
    assert.match(hazard.label, /stale translation/);
    assert.match(hazard.label, /CMD_TLBI_NH_VA.*CMD_SYNC/);
    assert.match(hazard.label, /13/);
  });

  const S1 = readFileSync(join(__dirname, '..', '..', 'examples', 's1-dma-4k.smmu'), 'utf8').split('\n');
  const dmaLine = S1.findIndex((l) => l.includes('iova 0x1000_0010')) + 1;
  const iovaCol = S1[dmaLine - 1].indexOf('0x1000_0010') + 3;

  test('hover over the iova of a dma shows every walk level, the descriptors and the PA', async () => {
    await ctx.wb.openFile('s1-dma-4k.smmu');
    await ctx.wb.waitForStatus('iommuLens.status', /SMMU \d+✓/, 60_000);
    const text = await editorHover(ctx.wb, dmaLine, iovaCol, /walk/);
    await ctx.wb.screenshot('hover-dma-walk');
    await ctx.wb.escape();
    // 4K granule, 48-bit input: the walk starts at level 0 and ends with a page at level 3
    // (DDI 0487 D8.2); IOVA 0x10000010 has L2 index bits[29:21] = 0x80 = 128.
    assert.match(text, /Stage 1 walk/);
    const lines = text.split('\n');
    const rowOf = (level: number) => lines.find((l) => new RegExp(`^\\s*${level}\\s*\\t`).test(l) || new RegExp(`^\\|?\\s*${level}\\s*\\|`).test(l));
    for (const level of [0, 1, 2, 3]) assert.ok(rowOf(level), `no level ${level} row in:\n${text}`);
    assert.match(rowOf(2)!, /\b128\b/);
    // The L3 page descriptor: bits[1:0] = 0b11 (page), output address bits[47:12] = 0x80000 (DDI 0487 D8.3).
    const descs = [...rowOf(3)!.matchAll(/0x[0-9a-f_]+/gi)].map((m) => BigInt(m[0].replace(/_/g, '')));
    assert.ok(descs.some((d) => (d & 3n) === 3n && ((d >> 12n) & ((1n << 36n) - 1n)) === 0x80000n), `no page descriptor to 0x80000000 in: ${rowOf(3)}`);
    // The PA: 0x80000000 + page offset 0x010.
    assert.match(text, /0x8000_?0010/);
  });

  test('the inlay hint after a transaction shows its PA', async () => {
    await ctx.wb.openFile('s1-dma-4k.smmu');
    await ctx.wb.gotoLine(dmaLine);
    const until = Date.now() + 30_000;
    let hinted: string[] = [];
    while (Date.now() < until && !hinted.length) {
      hinted = await editorLinesMatching(ctx.wb.page, /iova 0x1000_0010.*→\s*0x8000_?0010/);
      if (!hinted.length) await ctx.wb.page.waitForTimeout(500);
    }
    await ctx.wb.screenshot('inlay-hint-pa');
    assert.equal(hinted.length, 1, `no "→ 0x8000_0010" hint on line ${dmaLine}: ${JSON.stringify(await editorLinesMatching(ctx.wb.page, /dma/))}`);
    // The faulting DMA shows its event instead (IHI 0070 §7.3: F_PERMISSION for the write to the ro block).
    const faulting = await editorLinesMatching(ctx.wb.page, /iova 0x2000_1000.*⚠\s*F_PERMISSION/);
    assert.equal(faulting.length, 1);
  });

  test('signature help while typing: the form, the active parameter highlighted, its meaning in spec terms', async () => {
    const wb = ctx.wb;
    await wb.openFile('signature.smmu');
    // The language server is up (it has run the file): its trigger characters are registered.
    await wb.waitForStatus('iommuLens.status', /SMMU \d+✓/, 60_000);
    const type = (t: string) => wb.page.keyboard.type(t, { delay: 20 });
    /** Closes the widgets open now, types `text` at the start of `line`, and reads the hints once
     *  `active` is the highlighted parameter (a screenshot `shot` of them). */
    const hintsOnLine = async (line: number, text: string, active: string, shot: string) => {
      await wb.escape();
      await wb.escape();
      await wb.gotoLine(line);
      await type(text);
      const hints = await wb.parameterHints((x) => x.active === active);
      await wb.screenshot(shot);
      return hints;
    };
    // A transaction: space moves to the next parameter; an option's value after its word.
    await wb.gotoLine(SIGNATURE_LINES.dma);
    await type('dma smmu0 read ');
    let h = await wb.parameterHints((x) => x.active === 'sid N');
    assert.match(h.signature, /^dma \[SMMU\] read\|write sid N ssid N iova ADDR/);
    assert.match(h.docs, /StreamID of the client device/);
    await type('sid 0x10 ss');
    h = await wb.parameterHints((x) => x.active === 'ssid N');
    assert.match(h.docs, /SubstreamID \(PASID\)/);
    await type('id 0 iova ');
    h = await wb.parameterHints((x) => x.active === 'iova ADDR');
    await wb.screenshot('signature-help-dma-iova');
    assert.match(h.docs, /Input address/);
    // Under the parameter's meaning, the statement's, with no second form to contradict the label.
    assert.match(h.docs, /A client transaction\.$/);
    // A command: its fields from the field tables, each with the spec's meaning.
    h = await hintsOnLine(SIGNATURE_LINES.cmd, 'cmd smmu0 CMD_TLBI_NH_VA ASID ', 'ASID N', 'signature-help-cmd-field');
    assert.match(h.signature, /^cmd \[SMMU\] CMD_TLBI_NH_VA .*ASID N/);
    assert.match(h.docs, /CMD_TLBI_NH_VA\.ASID/);
    // `{` opens the STE's block: the block parameter, two forms (block and raw).
    h = await hintsOnLine(SIGNATURE_LINES.ste, 'ste smmu0 0x10 {', '{ fields }', 'signature-help-ste-block');
    assert.match(h.docs, /STE\.Config/);
    assert.equal(h.overloads, '1/2');
    await wb.escape();
    await wb.escape();
  });
}, { files: { 'stale-noexpect.smmu': STALE, 'signature.smmu': SIGNATURE }, settings: { 'editor.inlayHints.enabled': 'on', 'iommuLens.inlayHints.enabled': true } });
