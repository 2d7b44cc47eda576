// Nesting without guesswork, over stdio: a nested STE whose stage 2 does not map the guest's
// structures is one error at the STE with a quick fix adding the `map` lines (applied, the
// scenario runs clean); a stage-2 fault says which IPA it translated; an unmap that splits a block
// says so in its hover; `pgsize` is highlighted as a field with its value.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LspClient, positionOf, type Diag } from './helper';

let c: LspClient;
before(async () => {
  c = await LspClient.start();
});
after(async () => {
  await c.stop();
});

const NESTED = `smmu smmuA { stages s1 s2 nested; oas 48 }
pagetable vm_s2 s2 4K {
  map 0x8000_0000 +2M -> 0x2_0000_0000 rw
}
pagetable nic_s1 s1 4K {
  map 0x1000_0000 +4K -> 0x8000_0000 rw
}
cd nic_cd { pagetable nic_s1; asid 5 }
ste smmuA 0x10 { cd nic_cd; s2 vm_s2; vmid 1 }
dma smmuA read sid 0x10 iova 0x1000_0040 expect pa 0x2_0000_0040
`;

type Action = { title: string; kind: string; isPreferred?: boolean; edit: { changes: Record<string, Array<{ range: Diag['range']; newText: string }>> } };

function apply(text: string, edits: Array<{ range: Diag['range']; newText: string }>): string {
  const lines = text.split('\n');
  const starts = [0];
  for (const l of lines) starts.push(starts[starts.length - 1] + l.length + 1);
  const off = (p: { line: number; character: number }) => starts[p.line] + p.character;
  let out = text;
  for (const e of [...edits].sort((a, b) => off(b.range.start) - off(a.range.start))) out = out.slice(0, off(e.range.start)) + e.newText + out.slice(off(e.range.end));
  return out;
}

test('a nested STE whose stage 2 does not map the guest structures: one error at the STE naming the IPAs, and a quick fix that maps them', async () => {
  const { uri, diagnostics } = await c.openAndWait('guest-gap.smmu', NESTED);
  assert.equal(diagnostics.length, 1, diagnostics.map((d) => d.message).join('\n'));
  const [d] = diagnostics;
  assert.equal(d.code, 'E_GUEST_UNMAPPED');
  // The range is the STE's head: `ste smmuA 0x10`.
  assert.deepEqual(d.range, { start: { line: 8, character: 0 }, end: { line: 8, character: 14 } });
  assert.match(d.message, /stage 2 `vm_s2` does not map IPA \[0x40000000, 0x4000[0-9a-f]{4}\) \(pagetable nic_s1, cd nic_cd\)/);
  assert.match(d.message, /Not run because of this: dma at line 10/);
  const actions = await c.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
  assert.equal(actions.length, 1);
  const [a] = actions;
  assert.equal(a.kind, 'quickfix');
  assert.ok(a.isPreferred);
  assert.match(a.title, /^Map the guest's structures in pagetable vm_s2: map 0x40000000 \+2M -> 0x[0-9a-f]+ rw$/);
  const fixed = apply(NESTED, a.edit.changes[uri]);
  assert.match(fixed, /map 0x8000_0000 \+2M -> 0x2_0000_0000 rw\n {2}map 0x40000000 \+2M -> 0x[0-9a-f]+ rw\n\}/);
  const after = await c.openAndWait('guest-fixed.smmu', fixed);
  assert.deepEqual(after.diagnostics.map((x) => x.message), []);
});

test('the quick fix adds a body to a stage-2 pagetable declared without one', async () => {
  const text = NESTED.replace('pagetable vm_s2 s2 4K {\n  map 0x8000_0000 +2M -> 0x2_0000_0000 rw\n}', 'pagetable vm_s2 s2 4K').replace(' expect pa 0x2_0000_0040', '');
  const { uri, diagnostics } = await c.openAndWait('guest-nobody.smmu', text);
  const d = diagnostics.find((x) => x.code === 'E_GUEST_UNMAPPED')!;
  const [a] = await c.request<Action[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
  const fixed = apply(text, a.edit.changes[uri]);
  assert.match(fixed, /^pagetable vm_s2 s2 4K \{\n {2}map 0x40000000 \+2M -> 0x[0-9a-f]+ rw\n\}$/m);
  const r = await c.openAndWait('guest-nobody-fixed.smmu', fixed);
  // The guest's structures are mapped now; the DMA's output IPA is not (stage-2 fault, CLASS=IN).
  assert.deepEqual(r.diagnostics.map((x) => x.code), ['F_TRANSLATION']);
  assert.match(r.diagnostics[0].message, /Through stage 2: CD fetch at IPA 0x4000[0-9a-f]{4} → stage 2 → PA 0x[0-9a-f]+; stage-1 level-0 descriptor at IPA 0x40000000 \(the stage-1 table walk\) → stage 2 → PA 0x[0-9a-f]+; .*output IPA 0x80000040 \(the stage-1 result\) → stage 2 → stage-2 fault at level \d \(F_TRANSLATION\)/);
});

test('hover on a nested DMA whose stage-1 table lost its stage-2 mapping says which IPA stage 2 faulted on', async () => {
  const text = `smmu smmuA { stages s1 s2 nested; oas 48 }
pagetable vm_s2 s2 4K {
  map 0x4000_0000 +2M -> 0x1_0000_0000 rw
  map 0x8000_0000 +2M -> 0x2_0000_0000 rw
}
pagetable nic_s1 s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw }
cd nic_cd { pagetable nic_s1; asid 5 }
ste smmuA 0x10 { cd nic_cd; s2 vm_s2; vmid 1 }
unmap vm_s2 0x4000_0000 +4K
dma smmuA read sid 0x10 iova 0x1000_0040 expect fault F_TRANSLATION stage 2 class TT
`;
  const { uri, diagnostics } = await c.openAndWait('s2-tt.smmu', text);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 1), []);
  const pos = positionOf(text, 'iova 0x1000_0040', 6);
  const h = await c.hover(uri, pos.line, pos.character);
  assert.ok(h);
  // IPA 0x4000_0000 is the guest's level-0 table (the first page of its IPA space); the 2M block
  // was split on unmap, so stage 2 faults at level 3.
  assert.match(h.contents.value, /Through stage 2: CD fetch at IPA 0x4000[0-9a-f]{4} → stage 2 → PA 0x1000[0-9a-f]{5}; stage-1 level-0 descriptor at IPA 0x40000000 \(the stage-1 table walk\) → stage 2 → stage-2 fault at level 3 \(F_TRANSLATION\)/);
  // The unmap's hover says it split the block (Linux io-pgtable).
  const u = positionOf(text, 'unmap vm_s2', 1);
  const uh = await c.hover(uri, u.line, u.character);
  assert.ok(uh);
  assert.match(uh.contents.value, /split the 2M block at 0x40000000 into a level-3 table keeping the rest mapped \(as Linux's io-pgtable arm_lpae_split_blk_unmap did\)/);
});

test('semantic tokens: `pgsize` in a mapping is a field name followed by a number', async () => {
  const text = 'pagetable t s1 4K {\n  map 0x1000_0000 +2M -> 0x8000_0000 rw pgsize 4K\n}\n';
  const uri = await c.open('pgsize.smmu', text);
  const r = await c.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri } });
  const legend = ['keyword', 'namespace', 'struct', 'type', 'property', 'enumMember', 'number', 'string', 'comment', 'function', 'event', 'macro', 'operator'];
  let line = 0;
  let ch = 0;
  const toks: Array<[number, number, string]> = [];
  for (let i = 0; i < r.data.length; i += 5) {
    line += r.data[i];
    ch = r.data[i] === 0 ? ch + r.data[i + 1] : r.data[i + 1];
    toks.push([line, ch, legend[r.data[i + 3]]]);
  }
  const p = positionOf(text, 'pgsize');
  assert.deepEqual(toks.find((t) => t[0] === p.line && t[1] === p.character)?.[2], 'property');
  assert.deepEqual(toks.find((t) => t[0] === p.line && t[1] === p.character + 7)?.[2], 'number');
});
