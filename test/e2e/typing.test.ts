// Typing a scenario from scratch in a real VS Code (code-server), as a new user would: a small
// nested scenario (one SMMU, a VM's stage 2 with the guest's memory, the guest's stage 1, a CD, a
// nested STE, DMAs with expectations) written with completion for every token it can complete.
// It checks what completion offers at six points (after `smmu {`, in a pagetable header, after
// `sid`, after `expect fault F_TRANSLATION`, after `expect hazard`, after `s2`/`ttb0` filtered
// by stage), that the typed scenario has no error and meets its expectations, that the keyword
// typo `pagetabel` is one problem, and that its "did you mean" quick fix applies.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { e2eSuite } from './lib/suite';
import type { Suggestion } from './lib/workbench';

const labels = (rows: Suggestion[]) => rows.map((r) => r.label);

// Suggestions only when asked (Ctrl+Space), no auto-closing or auto-indent: what is typed is what
// the test says.
const SETTINGS = {
  'editor.quickSuggestions': { other: 'off', comments: 'off', strings: 'off' },
  'editor.suggestOnTriggerCharacters': false,
  'editor.autoClosingBrackets': 'never',
  'editor.autoClosingQuotes': 'never',
  'editor.autoIndent': 'none',
  'editor.acceptSuggestionOnEnter': 'on',
  'editor.inlayHints.enabled': 'off',
  'editor.codeLens': false,
  'editor.minimap.enabled': false,
};

e2eSuite('typing', (ctx) => {
  const kb = () => ctx.wb.page.keyboard;
  const type = (t: string) => kb().type(t, { delay: 5 });
  const enter = () => kb().press('Enter');
  const seen: Record<string, string[]> = {};

  test('a nested scenario typed with completion: the suggestions at six points, then no problem', async () => {
    const wb = ctx.wb;
    await wb.openFile('typed.smmu');

    // smmu smmuA { stages s1 s2 nested; oas 48 }
    await wb.complete('smm', 'smmu', 'keyword');
    await type(' smmuA { ');
    seen.smmuBlock = labels(await wb.complete('', 'stages', undefined, 'after-smmu-brace'));
    for (const v of ['s1', 's2', 'nested']) {
      await type(' ');
      await wb.complete('', v);
    }
    await type('; ');
    await wb.complete('oa', 'oas');
    await type(' ');
    await wb.complete('', '48');
    await type(' }');
    await enter();

    // pagetable vm_s2 s2 4K { map IPA +SIZE -> PA rw ... }: the guest's memory and its RAM.
    await wb.complete('pag', 'pagetable', 'keyword');
    await type(' vm_s2 ');
    seen.pagetableHeader = labels(await wb.complete('', 's2', undefined, 'pagetable-header'));
    await type(' ');
    await wb.complete('', '4K');
    await type(' {');
    for (const m of ['0x4000_0000 +2M -> 0x1_0000_0000', '0x8000_0000 +2M -> 0x2_0000_0000']) {
      await enter();
      await type('  ');
      await wb.complete('ma', 'map');
      await type(` ${m} `);
      await wb.complete('', 'rw');
    }
    await enter();
    await type('}');
    await enter();

    // pagetable nic_s1 s1 4K { map 0x1000_0000 +8K -> 0x8000_0000 rw }
    await wb.complete('pag', 'pagetable', 'keyword');
    await type(' nic_s1 ');
    await wb.complete('', 's1');
    await type(' ');
    await wb.complete('', '4K');
    await type(' {');
    await enter();
    await type('  ');
    await wb.complete('ma', 'map');
    await type(' 0x1000_0000 +8K -> 0x8000_0000 ');
    await wb.complete('', 'rw');
    await enter();
    await type('}');
    await enter();

    // cd nic_cd { ttb0 nic_s1; asid 5 }: ttb0 offers the stage-1 table only.
    await wb.complete('c', 'cd', 'keyword');
    await type(' nic_cd { ');
    await wb.complete('ttb', 'ttb0');
    await type(' ');
    seen.ttb0 = labels(await wb.complete('', 'nic_s1', undefined, 'cd-ttb0-names'));
    await type('; ');
    await wb.complete('asi', 'asid');
    await type(' 5 }');
    await enter();

    // ste smmuA 0x10 { config nested; cd nic_cd; s2 vm_s2; vmid 1 }: s2 offers the stage-2 table only.
    await wb.complete('st', 'ste', 'keyword');
    await type(' ');
    await wb.complete('', 'smmuA');
    await type(' 0x10 { ');
    await wb.complete('conf', 'config');
    await type(' ');
    await wb.complete('', 'nested');
    await type('; ');
    await wb.complete('', 'cd');
    await type(' ');
    await wb.complete('', 'nic_cd');
    await type('; ');
    await wb.complete('s', 's2');
    await type(' ');
    seen.s2 = labels(await wb.complete('', 'vm_s2', undefined, 'ste-s2-names'));
    await type('; ');
    await wb.complete('vm', 'vmid');
    await type(' 1 }');
    await enter();

    // dma smmuA read sid 0x10 iova 0x1000_0000 expect pa 0x2_0000_0000
    const dma = async (iova: string, shotSid?: string) => {
      await wb.complete('dm', 'dma', 'keyword');
      await type(' ');
      await wb.complete('', 'smmuA');
      await type(' ');
      await wb.complete('rea', 'read');
      await type(' ');
      await wb.complete('si', 'sid');
      await type(' ');
      const sids = await wb.complete('', '0x10', undefined, shotSid);
      await type(' ');
      await wb.complete('io', 'iova');
      await type(` ${iova} `);
      await wb.complete('exp', 'expect');
      await type(' ');
      return sids;
    };
    seen.sid = labels(await dma('0x1000_0000', 'dma-sid-values'));
    await wb.complete('', 'pa');
    await type(' 0x2_0000_0000');
    await enter();

    // The second page of nic_s1 maps IPA 0x8000_1000, which the VM's stage 2 maps too; a page
    // nothing maps faults at stage 1: expect fault F_TRANSLATION stage 1.
    await dma('0x1000_2000');
    await wb.complete('fau', 'fault');
    await type(' ');
    await wb.complete('F_TR', 'F_TRANSLATION');
    await type(' ');
    seen.faultFields = labels(await wb.complete('', 'stage', undefined, 'expect-fault-fields'));
    await type(' 1');
    await enter();

    // The guest unmaps the page without a TLBI: the next DMA uses the stale TLB entry.
    await wb.complete('unm', 'unmap');
    await type(' ');
    await wb.complete('', 'nic_s1');
    await type(' 0x1000_0000 +4K');
    await enter();
    await dma('0x1000_0000');
    await wb.complete('haz', 'hazard');
    await type(' ');
    seen.hazards = labels(await wb.complete('', 'H_STALE_TLB', undefined, 'expect-hazard-codes'));
    await enter();

    // The six points.
    for (const w of ['stages', 'version', 'oas', 'vmidbits']) assert.ok(seen.smmuBlock.includes(w), `smmu { offers ${w}: ${seen.smmuBlock}`);
    assert.ok(!seen.smmuBlock.includes('pagetable'), 'no statement keyword inside smmu { }');
    assert.deepEqual(seen.pagetableHeader.slice(0, 5), ['s1', 's2', '4K', '16K', '64K']);
    assert.deepEqual(seen.sid, ['0x10']);
    for (const w of ['stage', 'class', 'ipa', 'level']) assert.ok(seen.faultFields.includes(w), `expect fault F_TRANSLATION offers ${w}: ${seen.faultFields}`);
    assert.ok(seen.hazards.includes('H_STALE_TLB') && seen.hazards.every((l) => /^H_[A-Z0-9_]+$/.test(l)), `expect hazard offers the hazard codes only: ${seen.hazards}`);
    assert.deepEqual(seen.s2, ['vm_s2'], 's2 offers the stage-2 table only');
    assert.deepEqual(seen.ttb0, ['nic_s1'], 'ttb0 offers the stage-1 table only');

    await kb().press('Control+S');
    const text = await wb.visibleText();
    assert.match(text, /ste smmuA 0x10 \{ config nested; cd nic_cd; s2 vm_s2; vmid 1 \}/);
    assert.match(text, /dma smmuA read sid 0x10 iova 0x1000_0000 expect hazard H_STALE_TLB/);
    // Three expectations, all met (status bar: passed, failed, faults, hazards).
    assert.match(await wb.waitForStatus('iommuLens.status', /SMMU 3✓ 0✗/, 60_000), /SMMU 3✓ 0✗/);
    assert.deepEqual((await wb.problems(0)).filter((r) => /^Error\b/.test(r)), [], 'the typed scenario has no error (the expected fault is information, the expected hazard a warning)');
    await wb.screenshot('typed-no-problems');
  });

  test('the keyword typo `pagetabel` is one problem, and its quick fix brings the scenario back', async () => {
    const wb = ctx.wb;
    await wb.openFile('typed.smmu');
    await wb.gotoLine(2, 1);
    await kb().press('Control+Shift+ArrowRight');
    await type('pagetabel');
    // Problems rows: the file, its markers and their related locations (what the typo skipped).
    const rows = await wb.problems(2, 30_000);
    await wb.screenshot('typo-one-problem');
    const markers = rows.filter((r) => /^(Error|Warning|Info)\b/.test(r));
    assert.equal(markers.length, 1, rows.join('\n'));
    assert.match(markers[0], /^Error: unknown statement `pagetabel` \(did you mean 'pagetable'\?\)\. Not run because of this: ste at line 10/);
    await wb.openFile('typed.smmu');
    await wb.gotoLine(2, 3);
    await wb.quickFix("Change 'pagetabel' to 'pagetable'");
    await wb.page.waitForTimeout(500);
    await wb.screenshot('typo-fixed');
    assert.match(await wb.visibleText(), /^pagetable vm_s2 s2 4K \{$/m);
    await ctx.wb.page.waitForTimeout(1500);
    assert.deepEqual((await wb.problems(0)).filter((r) => /^Error\b/.test(r)), [], 'no error after the quick fix');
  });
}, { settings: SETTINGS, files: { 'typed.smmu': '' } });
