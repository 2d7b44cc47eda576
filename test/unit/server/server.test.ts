// The language server, spoken to over stdio by a real JSON-RPC client (see helper.ts).
// Expected walk values are worked out from the translation rules (DDI 0487 D8.3): with a 4KB
// granule and a 48-bit input, level 0 indexes IA[47:39], level 1 IA[38:30], level 2 IA[29:21].
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateScenario } from '../../../bench/lsp.bench';
import { CancellationTokenSource, LspClient, positionOf, type Diag } from './helper';

const SCENARIO = `# quickstart
smmu smmu0 { stages s1 s2 nested; oas 48 }
pagetable nic : s1 4k {
  map 0x1000_0000 +2M -> 0x8000_0000 rw
}
cd nic_cd { asid 5; ttb0 nic }
ste smmu0 0x100 { config s1; cd nic_cd }
dma read sid 0x100 iova 0x1000_0040
dma read sid 0x100 iova 0x2000_0000
dma read sid 0x100 iova 0x1000_0080 expect pa 0x9000_0000
cmd smmu0 CMD_TLBI_NH_ASID asid 5
cmd CMD_SYNC
`;
const LINE = {
  ok: 7,
  fault: 8,
  expectFail: 9,
  tlbi: 10,
};

let c: LspClient;
before(async () => {
  c = await LspClient.start();
});
after(async () => {
  await c?.stop();
});

function lineOf(text: string, needle: string): number {
  return positionOf(text, needle).line;
}

test('initialize advertises the features', () => {
  const caps = c.initializeResult.capabilities;
  for (const k of ['hoverProvider', 'completionProvider', 'definitionProvider', 'referencesProvider', 'renameProvider', 'documentSymbolProvider',
    'semanticTokensProvider', 'documentFormattingProvider', 'foldingRangeProvider', 'inlayHintProvider', 'codeLensProvider']) {
    assert.ok(caps[k], `missing ${k}`);
  }
  assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2 });
});

test('diagnostics: a fault is an error at the transaction, with its event', async () => {
  const { diagnostics } = await c.openAndWait('diag.smmu', SCENARIO);
  const fault = diagnostics.find((d) => d.range.start.line === LINE.fault && d.severity === 1);
  assert.ok(fault, `no error on line ${LINE.fault}: ${JSON.stringify(diagnostics)}`);
  assert.match(`${fault.code} ${fault.message}`, /F_TRANSLATION/);
  // The mapped transaction translates: no error on its line.
  assert.equal(diagnostics.filter((d) => d.range.start.line === LINE.ok && d.severity === 1).length, 0, JSON.stringify(diagnostics));
  // 0x1000_0080 is inside the 2M block at 0x1000_0000 -> 0x8000_0000, so PA 0x8000_0080, not 0x9000_0000.
  const failed = diagnostics.find((d) => d.range.start.line === LINE.expectFail && d.severity === 1);
  assert.ok(failed, `no failed expectation on line ${LINE.expectFail}: ${JSON.stringify(diagnostics)}`);
  assert.match(failed.message, /0x0*80000080|0x8000_0080/i);
});

test('diagnostics: a syntax error has its range', async () => {
  const text = 'smmu smmu0 { stages s1 }\nwrite64 0x1000 ?\n';
  const { diagnostics } = await c.openAndWait('syntax.smmu', text);
  const d = diagnostics.find((x) => x.severity === 1);
  assert.ok(d, JSON.stringify(diagnostics));
  assert.equal(d.range.start.line, 1);
  assert.ok(d.range.start.character >= 'write64 0x1000 '.length - 1, JSON.stringify(d));
  assert.ok(d.range.end.line === 1 && d.range.end.character <= 'write64 0x1000 ?'.length, JSON.stringify(d));
});

test('scenarioResult notification carries the counts', async () => {
  const uri = c.uri('diag.smmu');
  const n = await c.waitUntil(() => c.notifications.find((x) => x.method === 'iommuLens/scenarioResult' && (x.params as { uri: string }).uri === uri));
  const p = n.params as { passed: number; failed: number; faults: number };
  assert.equal(p.failed, 1);
  assert.equal(p.faults, 1);
});

test('hover on a transaction address shows the walk', async () => {
  const uri = c.uri('diag.smmu');
  const pos = positionOf(SCENARIO, '0x1000_0040', 3);
  const h = await c.hover(uri, pos.line, pos.character);
  assert.ok(h, 'no hover');
  const v = h.contents.value;
  // IA 0x10000040: level 2 index = IA[29:21] = 0x80 = 128; a 2MB block; PA = 0x80000000 + 0x40.
  assert.match(v, /Stage 1 walk/);
  assert.match(v, /\| 2 \| 0x[0-9a-f]+ \| 128 \|/);
  assert.match(v, /block/);
  assert.match(v, /0x80000040/);
  assert.match(v, /TLB \*\*(miss|hit)\*\*/);
  // Every level from the start level (0 for a 48-bit input with 4KB granule) down to 2.
  assert.match(v, /\| 0 \| 0x[0-9a-f]+ \| 0 \|/);
  assert.match(v, /\| 1 \| 0x[0-9a-f]+ \| 0 \|/);
});

test('hover on a faulting transaction shows the fault', async () => {
  const uri = c.uri('diag.smmu');
  const pos = positionOf(SCENARIO, '0x2000_0000', 2);
  const h = await c.hover(uri, pos.line, pos.character);
  assert.ok(h);
  assert.match(h.contents.value, /F_TRANSLATION/);
});

test('hover on a field name and on an event name', async () => {
  const uri = c.uri('diag.smmu');
  let pos = positionOf(SCENARIO, 'config s1', 2);
  let h = await c.hover(uri, pos.line, pos.character);
  assert.ok(h);
  assert.match(h.contents.value, /STE\.Config/);
  assert.match(h.contents.value, /IHI 0070 §5\.2/);
  assert.match(h.contents.value, /S1_TRANS/);
  const text = 'dma read sid 0x100 iova 0x0 expect fault F_PERMISSION\n';
  const u2 = await c.open('ev.smmu', text);
  pos = positionOf(text, 'F_PERMISSION', 3);
  h = await c.hover(u2, pos.line, pos.character);
  assert.ok(h);
  assert.match(h.contents.value, /F_PERMISSION/);
  assert.match(h.contents.value, /IHI 0070/);
});

test('hover on raw STE dwords decodes them', async () => {
  // STE dword0 0x...0b: V=1 (bit 0), Config = bits[3:1] = 0b101 = S1_TRANS (IHI 0070 §5.2).
  const text = 'smmu smmu0 { stages s1 }\nste smmu0 0x8 raw 0x4003000b 0xd4 0 0 0 0 0 0\n';
  const uri = await c.open('raw.smmu', text);
  const pos = positionOf(text, '0x4003000b', 2);
  const h = await c.hover(uri, pos.line, pos.character);
  assert.ok(h);
  assert.match(h.contents.value, /\| Config \| 0\[3:1\] \| 0x5 \| S1_TRANS/);
  assert.match(h.contents.value, /\| V \| 0\[0\] \| 0x1 \|/);
});

test('completion: field names in an STE block, enum values after a field, events after expect fault', async () => {
  const text = 'smmu smmu0 { stages s1 }\nste smmu0 0x100 {\n  \n}\ncd c0 {\n  TG0 \n}\ndma read sid 0x100 iova 0x0 expect fault \n';
  const uri = await c.open('compl.smmu', text);
  const fieldItems = await c.request<Array<{ label: string }>>('textDocument/completion', { textDocument: { uri }, position: { line: 2, character: 2 } });
  const labels = fieldItems.map((i) => i.label);
  assert.ok(labels.includes('config') && !labels.includes('Config') && labels.includes('S1ContextPtr') && labels.includes('S2T0SZ'), labels.join(','));
  const vals = await c.request<Array<{ label: string }>>('textDocument/completion', { textDocument: { uri }, position: { line: 5, character: 6 } });
  // CD.TG0 encodings (IHI 0070 §5.4): 0 4KB, 1 64KB, 2 16KB.
  assert.deepEqual(vals.map((i) => i.label).sort(), ['16KB', '4KB', '64KB']);
  const evs = await c.request<Array<{ label: string }>>('textDocument/completion', { textDocument: { uri }, position: { line: 7, character: text.split('\n')[7].length } });
  assert.ok(evs.some((i) => i.label === 'F_TRANSLATION') && evs.some((i) => i.label === 'C_BAD_STE'), evs.map((i) => i.label).join(','));
  const kws = await c.request<Array<{ label: string }>>('textDocument/completion', { textDocument: { uri }, position: { line: 8, character: 0 } });
  assert.ok(kws.some((i) => i.label === 'dma') && kws.some((i) => i.label === 'pagetable'));
});

test('completion: command names after cmd, and the command fields after its name', async () => {
  const text = 'cmd \ncmd CMD_TLBI_NH_VA \n';
  const uri = await c.open('cmd.smmu', text);
  const names = await c.request<Array<{ label: string }>>('textDocument/completion', { textDocument: { uri }, position: { line: 0, character: 4 } });
  assert.ok(names.some((i) => i.label === 'CMD_SYNC') && names.some((i) => i.label === 'CMD_CFGI_STE'));
  const fields = await c.request<Array<{ label: string }>>('textDocument/completion', { textDocument: { uri }, position: { line: 1, character: 19 } });
  const l = fields.map((i) => i.label.toLowerCase());
  assert.ok(l.includes('asid') && l.includes('leaf'), l.join(','));
});

test('definition, references and rename of a page table', async () => {
  const uri = c.uri('diag.smmu');
  const ref = positionOf(SCENARIO, 'ttb0 nic', 6);
  const defs = await c.request<Array<{ uri: string; range: Diag['range'] }>>('textDocument/definition', { textDocument: { uri }, position: ref });
  assert.equal(defs.length, 1);
  assert.deepEqual(defs[0].range.start, positionOf(SCENARIO, 'nic :'));
  const refs = await c.request<Array<{ range: Diag['range'] }>>('textDocument/references', { textDocument: { uri }, position: ref, context: { includeDeclaration: true } });
  assert.equal(refs.length, 2);
  const prep = await c.request<{ placeholder: string }>('textDocument/prepareRename', { textDocument: { uri }, position: ref });
  assert.equal(prep.placeholder, 'nic');
  const edit = await c.request<{ changes: Record<string, Array<{ newText: string }>> }>('textDocument/rename', { textDocument: { uri }, position: ref, newName: 'nic_table' });
  assert.equal(edit.changes[uri].length, 2);
  assert.ok(edit.changes[uri].every((e) => e.newText === 'nic_table'));
  await assert.rejects(c.request('textDocument/rename', { textDocument: { uri }, position: ref, newName: '9lives' }), /not a valid name/);
  await assert.rejects(c.request('textDocument/rename', { textDocument: { uri }, position: ref, newName: 'nic_cd' }), /already declared/);
  await assert.rejects(c.request('textDocument/rename', { textDocument: { uri }, position: ref, newName: 'dma' }), /keyword/);
});

test('document symbols list the declarations', async () => {
  const uri = c.uri('diag.smmu');
  const syms = await c.request<Array<{ name: string; children?: Array<{ name: string }> }>>('textDocument/documentSymbol', { textDocument: { uri } });
  const names = syms.map((s) => s.name);
  assert.deepEqual(names, ['smmu0', 'nic', 'nic_cd', 'ste smmu0 0x100']);
  assert.equal(syms[1].children?.length, 1);
});

test('semantic tokens: declarations, references, commands, comments', async () => {
  const uri = c.uri('diag.smmu');
  const r = await c.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri } });
  const legend = ['keyword', 'namespace', 'struct', 'type', 'property', 'enumMember', 'number', 'string', 'comment', 'function', 'event', 'macro', 'operator'];
  const toks: Array<{ line: number; char: number; len: number; type: string; mods: number }> = [];
  let line = 0;
  let ch = 0;
  for (let i = 0; i < r.data.length; i += 5) {
    line += r.data[i];
    ch = r.data[i] === 0 ? ch + r.data[i + 1] : r.data[i + 1];
    toks.push({ line, char: ch, len: r.data[i + 2], type: legend[r.data[i + 3]], mods: r.data[i + 4] });
  }
  const at = (needle: string, delta = 0) => {
    const p = positionOf(SCENARIO, needle, delta);
    return toks.find((t) => t.line === p.line && t.char === p.character);
  };
  assert.deepEqual(at('# quickstart'), { line: 0, char: 0, len: 12, type: 'comment', mods: 0 });
  assert.equal(at('nic :')?.type, 'struct');
  assert.equal(at('nic :')?.mods, 1);
  assert.equal(at('ttb0 nic', 5)?.type, 'struct');
  assert.equal(at('ttb0 nic', 5)?.mods, 0);
  assert.equal(at('CMD_SYNC')?.type, 'function');
  assert.equal(at('dma read')?.type, 'keyword');
  assert.equal(at('0x1000_0040')?.type, 'number');
  assert.equal(at('asid 5;')?.type, 'property');
});

test('formatting gives one edit and is idempotent', async () => {
  const text = 'smmu   smmu0 {stages s1}\nste smmu0 0x100 {   config s1 }\n';
  const uri = await c.open('fmt.smmu', text);
  const edits = await c.request<Array<{ newText: string }>>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
  assert.equal(edits.length, 1);
  const formatted = edits[0].newText;
  assert.equal(formatted.replace(/\s+/g, ''), text.replace(/\s+/g, ''));
  await c.change(uri, 2, [{ text: formatted }]);
  const again = await c.request<unknown[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } });
  assert.deepEqual(again, []);
});

test('folding ranges for multi-line blocks and comment runs', async () => {
  const text = '# a\n# b\n# c\npagetable t : s1 4k {\n  map 0x0 +4K -> 0x1000 rw\n  map 0x1000 +4K -> 0x2000 rw\n}\n';
  const uri = await c.open('fold.smmu', text);
  const r = await c.request<Array<{ startLine: number; endLine: number; kind?: string }>>('textDocument/foldingRange', { textDocument: { uri } });
  assert.ok(r.some((f) => f.startLine === 0 && f.endLine === 2 && f.kind === 'comment'), JSON.stringify(r));
  assert.ok(r.some((f) => f.startLine === 3 && f.endLine === 5 && f.kind === undefined), JSON.stringify(r));
});

test('inlay hints show the PA or the fault after each transaction', async () => {
  const uri = c.uri('diag.smmu');
  const hints = await c.request<Array<{ position: { line: number }; label: string }>>('textDocument/inlayHint', {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } },
  });
  const on = (l: number) => hints.filter((h) => h.position.line === l).map((h) => h.label.trim());
  assert.deepEqual(on(LINE.ok), ['→ 0x8000_0040']);
  assert.deepEqual(on(LINE.fault), ['⚠ F_TRANSLATION']);
});

test('code lenses: run, debug, and show walk per transaction', async () => {
  const uri = c.uri('diag.smmu');
  const lenses = await c.request<Array<{ range: Diag['range']; command: { command: string; arguments: unknown[] } }>>('textDocument/codeLens', { textDocument: { uri } });
  assert.ok(lenses.some((l) => l.command.command === 'iommuLens.runScenario' && l.range.start.line === 0));
  assert.ok(lenses.some((l) => l.command.command === 'iommuLens.debugScenario'));
  const walks = lenses.filter((l) => l.command.command === 'iommuLens.showWalk');
  assert.deepEqual(walks.map((l) => l.range.start.line), [LINE.ok, LINE.fault, LINE.expectFail]);
});

test('custom requests: iommuLens/result and iommuLens/state', async () => {
  const uri = c.uri('diag.smmu');
  const r = await c.request<{ steps: Array<{ index: number; line: number; kind: string; outcome?: string; pa?: string }> }>('iommuLens/result', { uri });
  const ok = r.steps.find((s) => s.line === LINE.ok + 1 && s.kind === 'dma');
  assert.ok(ok);
  assert.equal(ok.outcome, 'ok');
  assert.equal(ok.pa, '0x80000040');
  const st = await c.request<{ stepIndex: number; smmus: Array<{ name: string; tlb: unknown[] }> }>('iommuLens/state', { uri, stepIndex: ok.index });
  assert.equal(st.stepIndex, ok.index);
  assert.equal(st.smmus[0].name, 'smmu0');
  assert.ok(st.smmus[0].tlb.length >= 1, 'the walk filled the TLB');
  assert.equal(await c.request('iommuLens/state', { uri, stepIndex: 10_000 }), null);
  assert.equal(await c.request('iommuLens/result', { uri: 'file:///nowhere.smmu' }), null);
});

test('hover on a TLBI says what it invalidated', async () => {
  const uri = c.uri('diag.smmu');
  const pos = positionOf(SCENARIO, 'CMD_TLBI_NH_ASID', 2);
  const h = await c.hover(uri, pos.line, pos.character);
  assert.ok(h);
  assert.match(h.contents.value, /Invalidated \d+ TLB entr/);
});

test('hover on a command: what it invalidated comes from its result, ATC entries included', async () => {
  const text = [
    'smmu smmu0',
    'pagetable dev s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw }',
    'cd dev_cd { pagetable dev; asid 7 }',
    'ste smmu0 0x700 { cd dev_cd; eats 1 }',
    'ats smmu0 write sid 0x700 iova 0x1000_0040',
    'cmd smmu0 CMD_ATC_INV sid 0x700 addr 0x1000_0000 size 0',
    'cmd smmu0 raw 0x46 0x0',
    'cmd smmu0 CMD_CFGI_CD sid 0x700 ssid 0x5',
    '',
  ].join('\n');
  const uri = await c.open('inval.smmu', text);
  await c.diagnostics(uri, 1);
  const hoverOn = async (word: string, delta = 2) => {
    const pos = positionOf(text, word, delta);
    const h = await c.hover(uri, pos.line, pos.character);
    assert.ok(h, word);
    return h.contents.value;
  };
  // CMD_ATC_INV removed the ATC entry the Translation Request made (IHI 0070 §4.6.1).
  const atc = await hoverOn('CMD_ATC_INV');
  assert.match(atc, /Invalidated 1 ATC entry:\n\n- #\d+ SID 0x700 0x10000000/);
  assert.doesNotMatch(atc, /Invalidated nothing/);
  // A raw CMD_SYNC (opcode 0x46) is no invalidation, whatever its label says (hover on `cmd`).
  assert.doesNotMatch(await hoverOn('cmd smmu0 raw', 1), /Invalidated/);
  // CMD_CFGI_CD of a SubstreamID never cached: an invalidation that removed nothing.
  assert.match(await hoverOn('CMD_CFGI_CD'), /Invalidated nothing/);
});

test('a burst of edits yields diagnostics for the last version only', async () => {
  // Edits closer together than the debounce (set wide here so a loaded machine cannot split the
  // burst) are analysed once, for the last version.
  const c2 = await LspClient.start({ settings: { debounceMs: 300 } });
  try {
    await c2.request('textDocument/documentSymbol', { textDocument: { uri: c2.uri('none.smmu') } });
    const uri = await c2.open('burst.smmu', SCENARIO);
    let text = SCENARIO;
    for (let v = 2; v <= 30; v++) {
      text += `# edit ${v}\n`;
      await c2.change(uri, v, [{ text }]);
    }
    const last = await c2.diagnostics(uri, 30);
    assert.equal(last.version, 30);
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(c2.published.filter((p) => p.uri === uri).map((p) => p.version), [30]);
  } finally {
    await c2.stop();
  }
});

test('an edit while a large scenario runs cancels that run: only the new version is published', async () => {
  const c2 = await LspClient.start({ settings: { debounceMs: 0 } });
  try {
    await c2.request('textDocument/documentSymbol', { textDocument: { uri: c2.uri('none.smmu') } });
    const { text } = generateScenario();
    const uri = await c2.open('large.smmu', text);
    await new Promise((r) => setTimeout(r, 30)); // the run of version 1 is under way
    const edited = text.replace('write64 0x90000000 0x0', 'write64 0x90000000 0x1');
    await c2.change(uri, 2, [{ text: edited }]);
    const d = await c2.diagnostics(uri, 2, 120_000);
    assert.equal(d.version, 2);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(c2.published.filter((p) => p.uri === uri).map((p) => p.version), [2]);
  } finally {
    await c2.stop();
  }
});

test('incremental edits keep the document in sync', async () => {
  const text = 'smmu smmu0 { stages s1 }\nwrite64 0x1000 0x1\n';
  const uri = await c.open('incr.smmu', text);
  await c.diagnostics(uri, 1);
  // Replace `0x1` (line 1, chars 15-18) with `?`: a syntax error exactly there.
  await c.change(uri, 2, [{ range: { start: { line: 1, character: 15 }, end: { line: 1, character: 18 } }, text: '?' }]);
  const d = await c.diagnostics(uri, 2);
  assert.ok(d.diagnostics.some((x) => x.severity === 1 && x.range.start.line === 1 && x.range.start.character === 15), JSON.stringify(d));
});

test('a request cancelled while it waits for the analysis gets RequestCancelled', async () => {
  const uri = await c.open('cancel.smmu', SCENARIO);
  const pos = positionOf(SCENARIO, '0x1000_0040', 2);
  const src = new CancellationTokenSource();
  const p = c.request('textDocument/hover', { textDocument: { uri }, position: pos }, src);
  src.cancel();
  await assert.rejects(p, (e: { code?: number }) => e.code === -32800);
});

test('files above iommuLens.maxFileSize are analysed in part, with a notice', async () => {
  const c2 = await LspClient.start({ settings: { maxFileSize: 200 } });
  try {
    let text = 'smmu smmu0 { stages s1 }\n';
    while (text.length < 400) text += 'write64 0x1000 0x1\n';
    text += 'write64 0x1000 ?\n'; // beyond the limit: not analysed, so no syntax error
    const uri = await c2.open('big.smmu', text);
    const d = await c2.waitUntil(() => [...c2.published].reverse().find((p) => p.uri === uri && p.diagnostics.some((x) => x.code === 'I_PARTIAL')), 10_000);
    const notice = d.diagnostics.find((x) => x.code === 'I_PARTIAL')!;
    assert.equal(notice.severity, 3);
    assert.equal(d.diagnostics.filter((x) => x.severity === 1).length, 0, JSON.stringify(d.diagnostics));
  } finally {
    await c2.stop();
  }
});

test('includes outside the workspace are refused; inside they are read', async () => {
  const ws = c.workspace;
  fs.writeFileSync(path.join(ws, 'common.smmu'), 'smmu smmu0 { stages s1 }\n');
  const inside = 'include "common.smmu"\nwrite64 0x1000 0x1\n';
  const { diagnostics: ok } = await c.openAndWait('inc_ok.smmu', inside);
  assert.equal(ok.filter((d) => d.severity === 1).length, 0, JSON.stringify(ok));
  const outside = 'include "../../../../../../etc/passwd"\n';
  const { diagnostics } = await c.openAndWait('inc_bad.smmu', outside);
  const d = diagnostics.find((x) => x.range.start.line === 0 && x.severity === 1);
  assert.ok(d, JSON.stringify(diagnostics));
  assert.match(d.message, /outside the workspace/);
});

test('malformed requests and unknown methods do not kill the server', async () => {
  await assert.rejects(c.request('textDocument/hover', {}), (e: { code?: number }) => e.code === -32602);
  await assert.rejects(c.request('textDocument/hover', { textDocument: { uri: 42 }, position: null }), (e: { code?: number }) => e.code === -32602);
  await assert.rejects(c.request('iommuLens/noSuchThing', {}), (e: { code?: number }) => e.code === -32601);
  // Unknown document: empty answers.
  assert.equal(await c.hover('file:///unknown.smmu', 0, 0), null);
  assert.deepEqual(await c.request('textDocument/completion', { textDocument: { uri: 'file:///unknown.smmu' }, position: { line: 0, character: 0 } }), []);
  // Positions far outside the document.
  const uri = c.uri('diag.smmu');
  assert.equal(await c.hover(uri, 10_000, 10_000), null);
  // A body that is not JSON: the server must survive and keep answering.
  c.proc.stdin.write('Content-Length: 9\r\n\r\n{garbage}');
  const syms = await c.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri } });
  assert.equal(syms.length, 4);
  assert.equal(c.exited, undefined);
});

test('requests after shutdown get an error', async () => {
  const c2 = await LspClient.start();
  try {
    const uri = await c2.open('s.smmu', SCENARIO);
    await c2.request('shutdown', null);
    await assert.rejects(c2.request('textDocument/documentSymbol', { textDocument: { uri } }), (e: { code?: number }) => e.code === -32600);
  } finally {
    await c2.connection.sendNotification('exit');
    await c2.stop();
  }
});

test('hover under nesting shows the stage-2 walks of the stage-1 table addresses', async () => {
  // Stage 1 maps 0x1000_0000 -> IPA 0x8000_0000; stage 2 maps IPA 0x8000_0000 +2M -> PA
  // 0x1_2000_0000, and identity-maps the engine's structures and the guest's table at IPA
  // 0x5000_0000. So IOVA 0x1000_0100 -> IPA 0x8000_0100 -> PA 0x1_2000_0100, and the level-0
  // stage-1 table (IPA 0x5000_0000) is itself translated by a stage-2 walk (IHI 0070 §3.4.1).
  const text = `smmu smmu0
pagetable host s2 4K {
  map 0x4000_0000 +16M -> 0x1_0000_0000 rw
  map 0x5000_0000 +4K -> 0x5000_0000 rw
  map 0x8000_0000 +2M -> 0x1_2000_0000 rw
}
pagetable guest s1 4K at 0x5000_0000 {
  map 0x1000_0000 +4K -> 0x8000_0000 rw
}
cd guest_cd { pagetable guest; asid 1 }
ste smmu0 0x40 { cd guest_cd; s2 host; vmid 3 }
dma smmu0 read sid 0x40 iova 0x1000_0100
`;
  const { uri, diagnostics } = await c.openAndWait('nested.smmu', text);
  assert.equal(diagnostics.filter((d) => d.severity === 1).length, 0, JSON.stringify(diagnostics));
  const pos = positionOf(text, 'iova 0x1000_0100', 7);
  const h = await c.hover(uri, pos.line, pos.character);
  assert.ok(h);
  const v = h.contents.value;
  assert.match(v, /→ PA \*\*0x120000100\*\*/);
  assert.match(v, /\*\*Stage 1 walk\*\* of 0x10000100/);
  assert.match(v, /level 0 descriptor address \(IPA 0x50000000\): \*\*Stage 2 walk\*\* of 0x50000000/);
  assert.match(v, /\*\*Stage 2 walk\*\* of 0x80000100/);
  assert.match(v, /S2AP 0x3: read\/write/);
});

test('completion: declared names where a reference goes, STE shorthands and config values', async () => {
  const text = 'smmu smmu0\npagetable pt s1 4K { map 0x0 +4K -> 0x1000 rw }\ncd c1 { asid 1 }\ncd c2 { asid 2 }\nste smmu0 0x1 {\n  cd \n  config \n  \n}\nmap \n';
  const uri = await c.open('names.smmu', text);
  const at = (line: number, character: number) =>
    c.request<Array<{ label: string }>>('textDocument/completion', { textDocument: { uri }, position: { line, character } }).then((r) => r.map((i) => i.label));
  assert.deepEqual((await at(5, 5)).sort(), ['c1', 'c2']);
  const cfg = await at(6, 9);
  // STE.Config once each, by its short name (S1_TRANS is the same value as s1).
  assert.deepEqual(cfg, ['abort', 'bypass', 's1', 's2', 'nested']);
  const blockWords = await at(7, 2);
  for (const w of ['config', 'cd', 's2', 'S2TTB']) assert.ok(blockWords.includes(w), `${w} missing`);
  assert.ok(!blockWords.includes('Config'), 'config offered once');
  assert.deepEqual(await at(9, 4), ['pt']);
});

test('hover answers from the last run when its line did not change, without waiting for the next run', async () => {
  const c2 = await LspClient.start({ settings: { debounceMs: 1500 } });
  try {
    // Let the settings pull (sent after `initialized`) land before opening.
    await c2.request('textDocument/documentSymbol', { textDocument: { uri: c2.uri('none.smmu') } });
    const uri = await c2.open('old.smmu', SCENARIO);
    await c2.diagnostics(uri, 1);
    const edited = SCENARIO + 'dma read sid 0x100 iova 0x1000_0100\n';
    await c2.change(uri, 2, [{ text: edited }]);
    const t = performance.now();
    const pos = positionOf(SCENARIO, '0x1000_0040', 2);
    const h = await c2.hover(uri, pos.line, pos.character);
    const ms = performance.now() - t;
    assert.ok(h);
    assert.match(h.contents.value, /0x80000040/);
    assert.ok(ms < 1000, `hover took ${ms} ms: it waited for the debounced run`);
    assert.equal(c2.published.filter((p) => p.uri === uri && p.version === 2).length, 0);
    // The new line was not in the last run: that hover waits for the run of version 2.
    const h2 = await c2.hover(uri, edited.split('\n').length - 2, 27);
    assert.ok(h2);
    assert.match(h2.contents.value, /0x80000100/);
    assert.equal(c2.published.filter((p) => p.uri === uri && p.version === 2).length, 1);
  } finally {
    await c2.stop();
  }
});

test('hover on a pte value decodes the descriptor for the table stage and granule', async () => {
  // Stage 1, 4KB, level 3: bits[1:0] = 0b11 is a page; OA = bits[47:12] = 0x80000000; AF = bit 10,
  // SH = bits[9:8] = 0b11, AP[2:1] = bits[7:6] = 0b01, nG = bit 11 (DDI 0487 D8.3).
  const text = 'pagetable t s1 4K { map 0x0 +4K -> 0x1000 rw }\npte t 0x0 0x80000f43\n';
  const uri = await c.open('pte.smmu', text);
  const pos = positionOf(text, '0x80000f43', 3);
  const h = await c.hover(uri, pos.line, pos.character);
  assert.ok(h);
  const v = h.contents.value;
  assert.match(v, /Stage 1 4KB level 3 .*descriptor: \*\*page\*\*, output address 0x80000000/);
  assert.match(v, /\| AF \| [^|]+ \| 0x1 \|/);
  assert.match(v, /\| SH \| [^|]+ \| 0x3 \|/);
  assert.match(v, /\| nG \| [^|]+ \| 0x1 \|/);
});

test('hover on a pte value follows the stage and granule options as the engine reads them', async () => {
  // `stage s2 granule 64K` as options: stage 2, 64KB, level 3. Bits[1:0] = 0b11 is a page;
  // S2AP = bits[7:6] = 0b11; OA = bits[47:16] = 0x80010000 (DDI 0487 D8.3).
  const text = 'pagetable t stage s2 granule 64K { map 0x0 +64K -> 0x10000 rw }\npte t 0x0 level 3 0x800104c3\n';
  const uri = await c.open('pte-s2.smmu', text);
  const pos = positionOf(text, '0x800104c3', 3);
  const h = await c.hover(uri, pos.line, pos.character);
  assert.ok(h);
  const v = h.contents.value;
  assert.match(v, /Stage 2 64KB level 3 descriptor: \*\*page\*\*, output address 0x80010000/);
  assert.match(v, /\| S2AP \| [^|]+ \| 0x3 \|/);
});

test('hover on a register write decodes the value; on the register name, its summary', async () => {
  // SMMU_CR0 = 0xd: SMMUEN bit 0 = 1, EVENTQEN bit 2 = 1, CMDQEN bit 3 = 1 (IHI 0070 §6.3.9).
  const text = 'smmu smmu0\nreg smmu0.SMMU_CR0 0xd\n';
  const uri = await c.open('reg.smmu', text);
  let pos = positionOf(text, '0xd', 1);
  let h = await c.hover(uri, pos.line, pos.character);
  assert.ok(h);
  assert.match(h.contents.value, /\| SMMUEN \| 0\[0\] \| 0x1 \|/);
  assert.match(h.contents.value, /\| EVENTQEN \| 0\[2\] \| 0x1 \|/);
  assert.match(h.contents.value, /\| CMDQEN \| 0\[3\] \| 0x1 \|/);
  pos = positionOf(text, 'SMMU_CR0', 2);
  h = await c.hover(uri, pos.line, pos.character);
  assert.ok(h);
  assert.match(h.contents.value, /\*\*SMMU_CR0\*\*/);
  assert.match(h.contents.value, /Offset 0x20/);
});

test('typing inside a comment republishes the last run for the new version', async () => {
  const uri = await c.open('comment.smmu', SCENARIO);
  const v1 = await c.diagnostics(uri, 1);
  await c.change(uri, 2, [{ range: { start: { line: 0, character: 12 }, end: { line: 0, character: 12 } }, text: ' (edited)' }]);
  const v2 = await c.diagnostics(uri, 2);
  assert.deepEqual(v2.diagnostics, v1.diagnostics);
  const hints = await c.request<Array<{ position: { line: number }; label: string }>>('textDocument/inlayHint', {
    textDocument: { uri },
    range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } },
  });
  assert.ok(hints.some((h) => h.position.line === LINE.ok && h.label.trim() === '→ 0x8000_0040'));
});

test('inlay hints follow iommuLens.inlayHints.enabled; register names complete after reg', async () => {
  const c2 = await LspClient.start({ settings: { inlayHints: { enabled: false } } });
  try {
    await c2.request('textDocument/documentSymbol', { textDocument: { uri: c2.uri('none.smmu') } });
    const { uri } = await c2.openAndWait('nohints.smmu', SCENARIO);
    const hints = await c2.request<unknown[]>('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 20, character: 0 } } });
    assert.deepEqual(hints, []);
    const u2 = await c2.open('reg.smmu', 'reg \n');
    const regs = await c2.request<Array<{ label: string }>>('textDocument/completion', { textDocument: { uri: u2 }, position: { line: 0, character: 4 } });
    assert.ok(regs.some((r) => r.label === 'SMMU_CR0') && regs.some((r) => r.label === 'SMMU_STRTAB_BASE'));
  } finally {
    await c2.stop();
  }
});

test('hover on an STE declaration shows the STE as written', async () => {
  const uri = c.uri('diag.smmu');
  const pos = positionOf(SCENARIO, 'ste smmu0 0x100', 1);
  const h = await c.hover(uri, pos.line, pos.character);
  assert.ok(h);
  // `config s1` is STE.Config = 0b101 (S1_TRANS) with V = 1 (IHI 0070 §5.2).
  assert.match(h.contents.value, /\| V \| 0\[0\] \| 0x1 \|/);
  assert.match(h.contents.value, /\| Config \| 0\[3:1\] \| 0x5 \| S1_TRANS/);
});
