// Signature help over stdio: the statement's form, the active parameter and the meaning of each
// parameter in spec terms, for declarations, transactions, low-level lines, commands and registers
// (fields from the model's tables), iommufd calls, an incomplete statement and bad input; it
// answers from the current version's tree without waiting for the run.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { LspClient } from './helper';

interface Param { label: [number, number]; documentation?: { value: string } }
interface Sig { label: string; documentation?: { value: string }; parameters: Param[]; activeParameter?: number }
interface Help { signatures: Sig[]; activeSignature: number; activeParameter: number }

let c: LspClient;
before(async () => {
  c = await LspClient.start({ settings: { debounceMs: 5000 } });
});
after(async () => {
  await c.stop();
});

let n = 0;
/** Signature help at the `|` in `text`. */
async function at(text: string, prefix = ''): Promise<Help | null> {
  const src0 = prefix + text;
  const i = src0.indexOf('|');
  const src = src0.slice(0, i) + src0.slice(i + 1);
  const lines = src.slice(0, i).split('\n');
  const uri = await c.open(`s${n++}.smmu`, src);
  return c.request<Help | null>('textDocument/signatureHelp', { textDocument: { uri }, position: { line: lines.length - 1, character: lines[lines.length - 1].length } });
}

/** The active signature's label, active parameter's text and documentation. */
function active(h: Help | null): { sig: string; param?: string; doc?: string } {
  assert.ok(h, 'an answer');
  const s = h.signatures[h.activeSignature];
  const p = s.parameters[h.activeParameter];
  return { sig: s.label, param: p ? s.label.slice(p.label[0], p.label[1]) : undefined, doc: p?.documentation?.value };
}

test('the capability is registered with space as a trigger', () => {
  const cap = c.initializeResult.capabilities.signatureHelpProvider as { triggerCharacters?: string[] } | undefined;
  assert.ok(cap?.triggerCharacters?.includes(' '));
});

test('dma: each parameter in turn, options by their word, values after it', async () => {
  const pre = 'smmu smmu0\n';
  let a = active(await at('dma |', pre));
  assert.match(a.sig, /^dma \[SMMU\] read\|write sid N \[?ssid|^dma \[SMMU\] read\|write sid N ssid N iova ADDR/);
  assert.equal(a.param, '[SMMU]');
  a = active(await at('dma read |', pre));
  assert.equal(a.param, 'sid N');
  assert.match(a.doc!, /StreamID/);
  a = active(await at('dma read sid 0x10 ss|', pre));
  assert.equal(a.param, 'ssid N');
  assert.match(a.doc!, /SubstreamID.*CD/);
  a = active(await at('dma smmu0 write sid 0x10 iova 0x1|', pre));
  assert.equal(a.param, 'iova ADDR');
  a = active(await at('dma w|', pre));
  assert.equal(a.param, 'read|write');
  // The statement's meaning under the form, without a second (shorter) form of its own.
  const h = await at('dma |', pre);
  assert.equal(h!.signatures[0].documentation!.value, 'A client transaction.');
  assert.equal((await at('cpu tlbi |'))!.signatures[0].documentation!.value, 'A CPU\'s broadcast TLB invalidation, seen by every SMMU that takes broadcasts (DDI 0487 C5.5).');
});

test('ste: the block form and, once `raw` is written, the raw form (low-level line)', async () => {
  let h = await at('ste smmu0 0x100 {\n  config s1; |\n}\n', 'smmu smmu0\n');
  let a = active(h);
  assert.equal(a.param, '{ fields }');
  assert.match(a.doc!, /STE\.Config/);
  assert.equal(h!.signatures.length, 2);
  a = active(await at('ste |'));
  assert.equal(a.param, '[SMMU]');
  a = active(await at('ste 0x100 |'));
  assert.equal(a.param, '{ fields }');
  h = await at('ste 0x100 raw 0x1 0x2 |');
  a = active(h);
  assert.match(a.sig, /raw D0 … D7/);
  assert.match(a.doc!, /8 dwords/);
  assert.equal(h!.activeSignature, 1);
});

test('write64 and pte: positional parameters of low-level lines', async () => {
  let a = active(await at('write64 0x8000 |'));
  assert.equal(a.sig, 'write64 ADDR VALUE');
  assert.equal(a.param, 'VALUE');
  assert.match(a.doc!, /64-bit/);
  a = active(await at('write32 |'));
  assert.equal(a.param, 'ADDR');
  a = active(await at('pte pt 0x1000 level 2 |'));
  assert.equal(a.param, 'VALUE');
  a = active(await at('pte pt 0x1000 level |'));
  assert.equal(a.param, 'level N');
});

test('cmd: the named command\'s fields from the field tables, in spec terms', async () => {
  let h = await at('cmd CMD_TLBI_NH_VA |');
  let a = active(h);
  assert.match(a.sig, /^cmd \[SMMU\] CMD_TLBI_NH_VA .*ASID N/);
  a = active(await at('cmd CMD_TLBI_NH_VA ASID |'));
  assert.equal(a.param, 'ASID N');
  assert.match(a.doc!, /^CMD_TLBI_NH_VA\.ASID: .*IHI 0070/);
  a = active(await at('cmd CMD_|'));
  assert.equal(a.param, 'CMD_NAME');
  assert.match(a.doc!, /CMD_TLBI_NH_VA/);
  h = await at('cmd raw 0x11 |');
  assert.match(active(h).sig, /^cmd \[SMMU\] raw D0 D1$/);
});

test('reg: value form, and the fields form when a field name follows the register', async () => {
  let a = active(await at('reg SMMU_CR0 |'));
  assert.equal(a.param, 'VALUE');
  const h = await at('reg SMMU_CR0 SMMUEN 1 |');
  a = active(h);
  assert.equal(h!.activeSignature, 1);
  assert.match(a.sig, /SMMUEN N/);
});

test('iommufd: the call\'s operands and its ioctl (uAPI names)', async () => {
  const h = await at('iommufd viommu v0 |');
  const a = active(h);
  assert.match(h!.signatures[0].documentation!.value, /IOMMU_VIOMMU_ALLOC/);
  assert.equal(a.param, 'SMMU');
  assert.match(active(await at('iommufd vdevice v0 |')).doc!, /virtual StreamID/);
});

test('cpu, map and expect', async () => {
  assert.equal(active(await at('cpu tlbi vae1is |')).param, 'asid N');
  assert.equal(active(await at('cpu tlbi |')).param, 'INSTR');
  const perms = active(await at('map pt 0x1000 +4K -> 0x8000 |'));
  assert.equal(perms.param, 'rw|r|rx|rwx|ro|wo|none');
  assert.match(perms.doc!, /S2AP/);
  assert.match(active(await at('map pt 0x1000 |')).param!, /\+SIZE/);
  assert.equal(active(await at('expect fault F_TRANSLATION stage |')).param, 'stage N');
  assert.equal(active(await at('expect |')).param, 'pa|fault|event|tlb|hazard|outcome|mem|rejected');
  assert.equal(active(await at('expect no |')).param, 'pa|fault|event|tlb|hazard|outcome|mem|rejected');
  assert.equal(active(await at('pagetable pt |')).param, 's1|s2');
  assert.equal(active(await at('pagetable pt s2 |')).param, '4K|16K|64K');
});

test('incomplete statements and bad input: an answer or null, never an error', async () => {
  // Inside an unclosed block on a later line: the declaration's block.
  assert.equal(active(await at('pagetable pt s1 4K {\n  map 0x1000 |')).param, '[{ map IOVA +SIZE -> PA PERMS }]');
  for (const text of ['|', 'frobnicate 1 2 |', 'dm|', '# dma read |', 'dma read # sid |', '"unterminated |', '}}} { |', 'dma read sid 0x1\n|', '\u0000\uffff |', 'ste smmu0 0x1 raw 0x1 raw raw |']) {
    const h = await at(text);
    if (h) assert.ok(h.activeSignature < h.signatures.length, JSON.stringify(text));
  }
  assert.equal(await at('frobnicate 1 2 |'), null);
  assert.equal(await at('dma read # sid |'), null, 'in a comment');
  // Positions past the end of the document or of a line.
  const uri = await c.open(`s${n++}.smmu`, 'dma read sid 0x1\n');
  for (const position of [{ line: 99, character: 0 }, { line: 0, character: 999 }, { line: -1, character: 0 }]) {
    await c.request('textDocument/signatureHelp', { textDocument: { uri }, position }).catch((e: Error) => assert.match(e.message, /position|line|character/i));
  }
  assert.equal(await c.request('textDocument/signatureHelp', { textDocument: { uri: 'file:///not-open.smmu' }, position: { line: 0, character: 0 } }), null);
});

test('answers from the current version\'s tree, before that version\'s run is published', async () => {
  const uri = await c.open(`s${n++}.smmu`, 'smmu smmu0\ndma read sid 0x1 iova 0x1000\n');
  await c.diagnostics(uri, 1, 20_000);
  // Typing a new statement: the run of version 2 publishes only after the 5 s debounce.
  await c.change(uri, 2, [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: 'write64 0x8000 ' }]);
  const h = await c.request<Help>('textDocument/signatureHelp', { textDocument: { uri }, position: { line: 2, character: 'write64 0x8000 '.length } });
  assert.equal(active(h).param, 'VALUE');
  assert.ok(!c.published.some((p) => p.uri === uri && p.version === 2), 'answered before the run of version 2 was published');
});

test('the words before the cursor as the parser reads them (the DSL lexer): comments, `=`, strings, numbers', async () => {
  // A comment line inside the block and `field = value`: still the block.
  assert.equal(active(await at('ste 0x100 {\n  # the STE\n  config = s1; |\n}\n')).param, '{ fields }');
  // A string holding `#` and `{` is one word, not a comment nor a block.
  const h = await at('dma read "# {" |');
  assert.ok(h && h.activeSignature < h.signatures.length);
  assert.notEqual(active(h).param, '{ fields }');
  // Underscores in numbers: one value.
  assert.equal(active(await at('write64 0x8000_0000 |')).param, 'VALUE');
  assert.equal(active(await at('write64 0x8000_00|')).param, 'ADDR');
  // A size with `+`, then `->` and the PA: the permissions next.
  assert.equal(active(await at('map pt 0x1000_0000 +4K -> 0x8000_0000 |')).param, 'rw|r|rx|rwx|ro|wo|none');
  assert.equal(await at('write64 0x8000 // VALUE |'), null, 'in a comment');
});
