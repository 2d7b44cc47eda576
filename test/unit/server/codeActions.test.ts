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
    // not offered on the first `ste` for the StreamID (nothing live to update), nor on other statements
    const none = await c.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 3, character: 2 }, end: { line: 3, character: 2 } }, context: { diagnostics: [] } });
    assert.deepEqual(none, []);
    const dma = await c.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 4, character: 2 }, end: { line: 4, character: 2 } }, context: { diagnostics: [] } });
    assert.deepEqual(dma, []);
  } finally {
    await c.stop();
  }
});
