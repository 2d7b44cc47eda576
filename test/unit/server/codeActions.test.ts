// The hitless-update code action over stdio: an `ste` statement rewriting a live STE from bypass to
// stage 1 writes dword 0 before dword 1 (H_STE_TORN); the action replaces it with the planner's
// sequence, after which the scenario has no torn update and still translates.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LspClient } from './helper';
import { runScenario } from '../../../language-server/src/engine';

const TEXT = `smmu smmu0
pagetable pt s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw }
cd c { pagetable pt; asid 5 }
ste smmu0 0x10 { config bypass }
dma smmu0 read sid 0x10 iova 0x1000_0000 expect outcome bypass
ste smmu0 0x10 { cd c }
cmd smmu0 CMD_CFGI_STE sid 0x10 leaf
cmd smmu0 CMD_SYNC
dma smmu0 read sid 0x10 iova 0x1000_0000 expect pa 0x8000_0000
`;

interface Action {
  title: string;
  kind?: string;
  isPreferred?: boolean;
  edit?: { changes: Record<string, Array<{ range: { start: { line: number }; end: { line: number } }; newText: string }>> };
}

function apply(text: string, a: Action, uri: string): string {
  const lines = text.split('\n');
  const [e] = a.edit!.changes[uri];
  return [...lines.slice(0, e.range.start.line), ...e.newText.replace(/\n$/, '').split('\n'), ...lines.slice(e.range.end.line)].join('\n');
}

test('code action on a torn `ste` rewrite: quick fix for H_STE_TORN writes the planned sequence; the result has no torn update', async () => {
  assert.deepEqual(runScenario(TEXT, 'x.smmu').diagnostics.filter((d) => d.code === 'H_STE_TORN').map((d) => d.line), [6]);
  const c = await LspClient.start();
  try {
    const { uri, diagnostics } = await c.openAndWait('torn.smmu', TEXT);
    const torn = diagnostics.filter((d) => d.code === 'H_STE_TORN');
    assert.equal(torn.length, 1, JSON.stringify(diagnostics));
    assert.equal(torn[0].range.start.line, 5);
    const actions = await c.request<Action[]>('textDocument/codeAction', {
      textDocument: { uri }, range: torn[0].range, context: { diagnostics: torn },
    });
    assert.equal(actions.length, 1, JSON.stringify(actions));
    const a = actions[0];
    assert.equal(a.kind, 'quickfix');
    assert.equal(a.isPreferred, true);
    const fixed = apply(TEXT, a, uri);
    assert.match(fixed, /# STE update in Linux's hitless order: 2 syncs\n# bits the current STE does not read take their new values\nwrite64 0x40000408 0xd4\n/);
    const r = runScenario(fixed, 'fixed.smmu');
    assert.deepEqual(r.diagnostics.filter((d) => d.code.startsWith('H_') || d.severity === 'error').map((d) => `${d.code}@${d.line}`), []);
    assert.equal(r.expectations.failed, 0);
    const h = await c.hover(uri, 5, 1);
    assert.match(h!.contents.value, /\*\*Live STE update\*\* \(lines 6-6\): Linux's `arm_smmu_write_entry\(\)` order, 2 CMD_CFGI_STE \+ CMD_SYNC, hitless/);
    const first = await c.hover(uri, 3, 1);
    assert.doesNotMatch(first!.contents.value, /Live STE update/, 'the first `ste` for the StreamID updates nothing live');
    // not offered on the first `ste` for the StreamID (nothing live to update), nor on other statements
    const none = await c.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 3, character: 2 }, end: { line: 3, character: 2 } }, context: { diagnostics: [] } });
    assert.deepEqual(none, []);
    const dma = await c.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 4, character: 2 }, end: { line: 4, character: 2 } }, context: { diagnostics: [] } });
    assert.deepEqual(dma, []);
  } finally {
    await c.stop();
  }
});

// A CD is rewritten with write64 lines (a driver's own writes): new TTB0 (dword 1) then new ASID
// (dword 0). After the first write the SMMU could fetch the new table with the old ASID.
const CD_TEXT = `smmu smmu0
pagetable pt s1 4K at 0x5000_0000 { map 0x1000_0000 +4K -> 0x8000_0000 rw }
pagetable pt2 s1 4K at 0x5100_0000 { map 0x1000_0000 +4K -> 0x9000_0000 rw }
cd c at 0x4800_0000 { pagetable pt; asid 5 }
ste smmu0 0x10 { cd c }
dma smmu0 read sid 0x10 iova 0x1000_0000 expect pa 0x8000_0000
write64 0x4800_0008 0x5100_0000
write64 0x4800_0000 0x6_6205_c000_3510
cmd smmu0 CMD_CFGI_CD sid 0x10 ssid 0 leaf
cmd smmu0 CMD_SYNC
cmd smmu0 CMD_TLBI_NH_ASID asid 5
cmd smmu0 CMD_SYNC
dma smmu0 read sid 0x10 iova 0x1000_0000 expect pa 0x9000_0000
`;

test('code action on a torn CD rewritten by write64 lines: the quick fix for H_CD_TORN replaces the run of writes with the planned sequence', async () => {
  assert.deepEqual(runScenario(CD_TEXT, 'x.smmu').diagnostics.filter((d) => d.code === 'H_CD_TORN').map((d) => d.line), [7]);
  const c = await LspClient.start();
  try {
    const { uri, diagnostics } = await c.openAndWait('cdtorn.smmu', CD_TEXT);
    const torn = diagnostics.filter((d) => d.code === 'H_CD_TORN');
    assert.equal(torn.length, 1, JSON.stringify(diagnostics));
    const actions = await c.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: torn[0].range, context: { diagnostics: torn } });
    assert.equal(actions.length, 1, JSON.stringify(actions));
    assert.equal(actions[0].title, 'Write this CD update in hitless order (Linux arm_smmu_write_entry)');
    assert.equal(actions[0].kind, 'quickfix');
    const [e] = actions[0].edit!.changes[uri];
    assert.deepEqual([e.range.start.line, e.range.end.line], [6, 8], 'both writes of the update are replaced');
    const fixed = apply(CD_TEXT, actions[0], uri);
    // TTB0 and ASID are both read by the CD: no hitless order, so V = 0 first (Linux's non-hitless path).
    assert.match(fixed, /# CD update in Linux's hitless order: 3 syncs \(CD\.V = 0 in between\)\n/);
    assert.match(fixed, /cmd smmu0 CMD_CFGI_CD sid 0x10 ssid 0x0 leaf\ncmd smmu0 CMD_SYNC\n/);
    const r = runScenario(fixed, 'fixed.smmu');
    assert.deepEqual(r.diagnostics.filter((d) => d.code.startsWith('H_') || d.severity === 'error').map((d) => `${d.code}@${d.line}: ${d.message}`), []);
    assert.equal(r.expectations.failed, 0);
    // The hover on either write shows the same plan.
    const h = await c.hover(uri, 7, 2);
    assert.match(h!.contents.value, /\*\*Live CD update\*\* \(lines 7-8\): Linux's `arm_smmu_write_entry\(\)` order, 3 CMD_CFGI_CD \+ CMD_SYNC, CD\.V = 0 in between/);
    assert.match(h!.contents.value, /write dword 0 = 0x0\n/);
    // Not offered on a single write (one dword: nothing to order), nor on a write outside any live entry.
    const one = CD_TEXT.replace('write64 0x4800_0008 0x5100_0000\n', '');
    const d2 = await c.openAndWait('one.smmu', one);
    const none = await c.request<Action[]>('textDocument/codeAction', { textDocument: { uri: d2.uri }, range: { start: { line: 6, character: 2 }, end: { line: 6, character: 2 } }, context: { diagnostics: [] } });
    assert.deepEqual(none, []);
  } finally {
    await c.stop();
  }
});
