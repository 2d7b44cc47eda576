// One mistake, one problem: a misspelt keyword or an undeclared name is reported once, what depends
// on it is not run (and that one diagnostic says so), "did you mean" suggestions come with quick
// fixes. Spoken to the real server over stdio (helper.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LspClient, type Diag } from './helper';

let c: LspClient;
before(async () => {
  c = await LspClient.start();
});
after(async () => {
  await c.stop();
});

/** The story: one VM behind two SMMUs, nested, one stage-2 table. */
const STORY = `smmu smmuA { stages s1 s2 nested; oas 48 }
smmu smmuB { stages s1 s2 nested; oas 48 }
pagetable vm_s2 s2 4K {
  map 0x4000_0000 +2M -> 0x1_0000_0000 rw
  map 0x8000_0000 +2M -> 0x2_0000_0000 rw
}
pagetable nic_s1 s1 4K {
  map 0x1000_0000 +4K -> 0x8000_0000 rw
}
cd nic_cd { pagetable nic_s1; asid 5 }
ste smmuA 0x10 { config nested; cd nic_cd; s2 vm_s2; vmid 1 }
ste smmuB 0x20 { config nested; cd nic_cd; s2 vm_s2; vmid 2 }
dma smmuA read sid 0x10 iova 0x1000_0000 expect pa 0x2_0000_0000
dma smmuB read sid 0x20 iova 0x1000_0000
expect pa 0x2_0000_0000
`;

const errors = (ds: Diag[]) => ds.filter((d) => d.severity === 1);

test('the story itself runs clean (the control for the cases below)', async () => {
  const { diagnostics } = await c.openAndWait('story.smmu', STORY);
  assert.deepEqual(errors(diagnostics).map((d) => d.message), []);
});

test('a misspelt declaration keyword (`pagetabel`) is one problem: the ste and dma using its table are not run', async () => {
  const text = STORY.replace('pagetable vm_s2', 'pagetabel vm_s2');
  const { diagnostics } = await c.openAndWait('typo.smmu', text);
  assert.equal(diagnostics.length, 1, diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
  const [d] = diagnostics;
  assert.equal(d.code, 'E_SYNTAX_UNKNOWN_STATEMENT');
  assert.deepEqual([d.range.start.line, d.range.start.character, d.range.end.character], [2, 0, 9]);
  assert.match(d.message, /unknown statement `pagetabel` \(did you mean 'pagetable'\?\)/);
  assert.match(d.message, /Not run because of this: ste at line 11, ste at line 12, dma at line 13, dma at line 14, expect at line 15$/);
  assert.doesNotMatch(d.message, /S2AA64|C_BAD_STE/);
});

test('an undeclared cd is one problem at the reference; the dma on that StreamID and its expectation are not run', async () => {
  const text = STORY.replace(/^cd nic_cd .*\n/m, '').replace(/^ste smmuB.*\n/m, '').replace(/^dma smmuB.*\n.*\n/m, '');
  const { diagnostics } = await c.openAndWait('undeclared.smmu', text);
  assert.equal(diagnostics.length, 1, diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
  const [d] = diagnostics;
  assert.equal(d.code, 'E_UNKNOWN_NAME');
  assert.match(d.message, /^unknown cd 'nic_cd'\. Not run because of this: dma at line 11$/);
  assert.equal(text.split('\n')[d.range.start.line].slice(d.range.start.character, d.range.end.character), 'nic_cd');
});

test('a cd whose table is undeclared fails as a whole: no CD with EPD0 set runs in its place', async () => {
  const text = STORY.replace('pagetable nic_s1;', 'pagetable nic_s2;');
  const { diagnostics } = await c.openAndWait('cdtable.smmu', text);
  assert.equal(diagnostics.length, 1, diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
  assert.match(diagnostics[0].message, /^unknown pagetable 'nic_s2' \(did you mean 'nic_s1'\?\)\. Not run because of this: ste at line 11, ste at line 12, dma at line 13, dma at line 14, expect at line 15$/);
});

test('a standalone expect after a transaction that did not run is skipped, not applied to an earlier one', async () => {
  const text = STORY.replace('dma smmuB read sid 0x20 iova 0x1000_0000', 'dma smmuC read sid 0x20 iova 0x1000_0000');
  const { diagnostics } = await c.openAndWait('skipexpect.smmu', text);
  assert.equal(diagnostics.length, 1, diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n'));
  assert.match(diagnostics[0].message, /^unknown SMMU 'smmuC' \(did you mean 'smmuA', 'smmuB'\?\)\. Not run because of this: expect at line 15$/);
});

test('"did you mean" for statement keywords and expectation words, each with a quick fix that applies', async () => {
  const text = STORY.replace(/^expect pa/m, 'expcet pa').replace('iova 0x1000_0000 expect pa', 'iova 0x1000_0000 expect tbl miss expect pa');
  const { uri, diagnostics } = await c.openAndWait('quickfix.smmu', text);
  const msgs = diagnostics.map((d) => d.message);
  assert.equal(diagnostics.length, 2, msgs.join('\n'));
  assert.ok(msgs.includes("unknown statement `expcet` (did you mean 'expect'?)"), msgs.join('\n'));
  assert.ok(msgs.includes("unknown expectation `tbl` (did you mean 'tlb'?)"), msgs.join('\n'));
  const lines = text.split('\n');
  for (const d of diagnostics) {
    const actions = await c.request<Array<{ title: string; kind: string; isPreferred?: boolean; edit: { changes: Record<string, Array<{ range: Diag['range']; newText: string }>> } }>>(
      'textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
    assert.equal(actions.length, 1);
    const [a] = actions;
    assert.equal(a.kind, 'quickfix');
    assert.ok(a.isPreferred);
    const [edit] = a.edit.changes[uri];
    const line = lines[edit.range.start.line];
    lines[edit.range.start.line] = line.slice(0, edit.range.start.character) + edit.newText + line.slice(edit.range.end.character);
  }
  const fixed = await c.openAndWait('quickfix-applied.smmu', lines.join('\n'));
  assert.deepEqual(fixed.diagnostics.filter((d) => d.severity !== 3).map((d) => d.message), []);
  assert.match(lines.join('\n'), /^expect pa 0x2_0000_0000$/m);
  assert.match(lines.join('\n'), /expect tlb miss expect pa/);
});

test('a misspelt `expect` after a dma is one problem, and the rest of the line is not read as options', async () => {
  const text = STORY.replace('iova 0x1000_0000 expect pa', 'iova 0x1000_0000 expcet pa');
  const { diagnostics } = await c.openAndWait('inline.smmu', text);
  assert.deepEqual(diagnostics.map((d) => d.message), ["unknown `dma` option `expcet` (did you mean 'expect'?)"]);
});
