// Completion at each point of the grammar (over stdio, helper.ts): what is offered, filtered by
// context and stage, once, with documentation; snippets labelled as snippets with whole-token
// placeholders; the vocabulary offered is what the engine accepts; word suggestions are off.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runScenario } from '../../../language-server/src/engine';
import { GRANULES, MAP_ATTRS, PAGETABLE_OPTIONS, PERMS, SMMU_FEATURES, VSMMU_MODE_DOCS } from '../../../language-server/src/dsl/vocabulary';
import { VSMMU_MODES } from '../../../language-server/src/dsl/keywords';
import { LspClient, repoRoot } from './helper';

interface Item { label: string; kind?: number; detail?: string; documentation?: string | { value: string }; insertText?: string; insertTextFormat?: number; labelDetails?: { description?: string } }

let c: LspClient;
before(async () => {
  c = await LspClient.start();
});
after(async () => {
  await c.stop();
});

let n = 0;
/** Items at the `|` in `text`. */
async function at(text: string): Promise<Item[]> {
  const i = text.indexOf('|');
  const src = text.slice(0, i) + text.slice(i + 1);
  const before = src.slice(0, i).split('\n');
  const uri = await c.open(`c${n++}.smmu`, src);
  return c.request<Item[]>('textDocument/completion', { textDocument: { uri }, position: { line: before.length - 1, character: before[before.length - 1].length } });
}
const labels = (items: Item[]) => items.map((i) => i.label);

function assertNoDuplicates(items: Item[]): void {
  const seen = new Set<string>();
  for (const i of items) {
    const k = `${i.kind === 15 ? 's' : 'w'}:${i.label.toLowerCase()}`;
    assert.ok(!seen.has(k), `duplicate ${i.label}`);
    seen.add(k);
  }
}

const HEAD = `smmu smmuA { stages s1 s2 nested; oas 48 }
pagetable vm_s2 s2 4K {
  map 0x8000_0000 +2M -> 0x2_0000_0000 rw
}
pagetable nic_s1 s1 4K {
  map 0x1000_0000 +4K -> 0x8000_0000 rw
}
cd nic_cd { pagetable nic_s1; asid 5 }
ste smmuA 0x10 { config nested; cd nic_cd; s2 vm_s2; vmid 1 }
ste smmuA 0x11 { config s1; cd nic_cd }
`;

test('smmu { } offers the features with their meaning, then each feature\'s values', async () => {
  const feats = await at('smmu smmuA {\n  |\n}\n');
  for (const w of ['oas', 'vmidbits', 'asidbits', 'stages', 'granules', 'tlbconflict']) assert.ok(labels(feats).includes(w), w);
  assert.match(JSON.stringify(feats.find((i) => i.label === 'vmidbits')!.documentation), /VMID16/);
  assert.ok(!labels(feats).some((l) => /^0x/.test(l)), 'no numbers');
  assert.deepEqual(labels(await at('smmu smmuA { stages s1 | }\n')), ['s2', 'nested']);
  assert.deepEqual(labels(await at('smmu smmuA {\n  httu |\n}\n')), ['none', 'ha', 'hd']);
  assert.deepEqual(labels(await at('smmu smmuA { oas 48; vmidbits | }\n')), ['8', '16']);
  // As typed, before the `}`: the block is open at the end of the document.
  assert.ok(labels(await at('smmu smmuA { |')).includes('stages'));
  assert.deepEqual(labels(await at('smmu smmuA { stages s1 |')), ['s2', 'nested']);
  // A feature the block already sets is not offered again.
  const more = labels(await at('smmu smmuA { stages s1 s2 nested; |'));
  assert.ok(!more.includes('stages') && more.includes('oas'), more.join(','));
});

test('pagetable header: stage, then granule, then options (stage-2 only ones at stage 2); map permissions and attributes', async () => {
  assert.deepEqual(labels(await at('pagetable t |')).slice(0, 5), ['s1', 's2', '4K', '16K', '64K']);
  const s1 = labels(await at('pagetable t s1 4K |'));
  assert.ok(s1.includes('ia') && s1.includes('at') && !s1.includes('sl0') && !s1.includes('s2') && !s1.includes('4K'), s1.join(','));
  assert.ok(labels(await at('pagetable t s2 4K |')).includes('sl0'));
  const perms = labels(await at('pagetable t s1 4K {\n  map 0x1000 +4K -> 0x8000 |\n}\n'));
  assert.ok(perms.includes('rw') && perms.includes('none') && perms.includes('device') && perms.includes('pxn'), perms.join(','));
  const attrs = labels(await at('pagetable t s2 4K {\n  map 0x1000 +4K -> 0x8000 rw |\n}\n'));
  assert.ok(!attrs.includes('rw') && attrs.includes('memattr') && !attrs.includes('pxn') && !attrs.includes('attrindx'), attrs.join(','));
  assert.ok(attrs.includes('pgsize'));
  // pgsize: the leaf sizes of the table's granule (pages, then blocks), in a body and in a `map TABLE` step.
  assert.deepEqual(labels(await at('pagetable t s1 4K {\n  map 0x1000 +4K -> 0x8000 rw pgsize |\n}\n')), ['4K', '2M', '1G']);
  assert.deepEqual(labels(await at('pagetable t s2 64K {\n}\nmap t 0x0 +512M -> 0x0 rw pgsize |\n')), ['64K', '512M']);
  assert.deepEqual(labels(await at('pagetable t s1 16K\nmap t 0x0 +32M -> 0x0 pgsize |\n')), ['16K', '32M']);
});

test('values after sid are the StreamIDs the scenario programs on that SMMU', async () => {
  assert.deepEqual(labels(await at(HEAD + 'dma smmuA read sid |')), ['0x10', '0x11']);
  const opts = labels(await at(HEAD + 'dma smmuA read sid 0x10 |'));
  assert.ok(opts.includes('iova') && opts.includes('expect') && !opts.includes('read') && !opts.includes('write') && !opts.includes('sid'), opts.join(','));
});

test('expectations: kinds, events then record fields after `expect fault F_TRANSLATION`, hazard codes after `expect hazard`', async () => {
  const base = HEAD + 'dma smmuA read sid 0x10 iova 0x1000_0000 ';
  assert.ok(labels(await at(base + 'expect |')).includes('hazard'));
  const fields = labels(await at(base + 'expect fault F_TRANSLATION |'));
  for (const f of ['stage', 'class', 'ipa', 'level', 'addr']) assert.ok(fields.includes(f), f);
  assert.ok(!labels(await at(base + 'expect fault F_TRANSLATION stage 2 |')).includes('stage'));
  assert.deepEqual(labels(await at(base + 'expect fault F_TRANSLATION class |')), ['CD', 'TT', 'IN']);
  const hz = await at(base + 'expect hazard |');
  assert.ok(labels(hz).includes('H_STALE_TLB') && labels(hz).includes('H_TLBI_NO_SYNC'));
  for (const c of ['H_VIOMMU_WRONG_INSTANCE', 'H_PARENT_S2_NOT_INVALIDATED', 'H_VDEVICE_MISSING', 'H_VMID_REUSED_PARENTS']) assert.ok(labels(hz).includes(c), c);
  assert.match(JSON.stringify(hz.find((i) => i.label === 'H_STALE_TLB')!.documentation), /TLBI/);
  assert.ok(labels(await at(base + '\nexpect no hazard |')).includes('H_STALE_TLB'));
});

test('table names are filtered by stage: s2 offers stage-2 tables, a cd\'s pagetable/ttb0 stage-1 tables', async () => {
  assert.deepEqual(labels(await at(HEAD + 'ste smmuA 0x20 { s2 | }\n')), ['vm_s2']);
  assert.deepEqual(labels(await at(HEAD + 'cd other { ttb0 | }\n')), ['nic_s1']);
  assert.deepEqual(labels(await at(HEAD + 'cd other {\n  pagetable |\n}\n')), ['nic_s1']);
  assert.deepEqual(labels(await at(HEAD + 'ste smmuA 0x20 { cd | }\n')), ['nic_cd']);
});

test('no duplicates: STE block offers config once, config offers abort once (not ABORT)', async () => {
  const block = await at(HEAD + 'ste smmuA 0x20 {\n  |\n}\n');
  assertNoDuplicates(block);
  assert.equal(labels(block).filter((l) => l.toLowerCase() === 'config').length, 1);
  const cfg = await at(HEAD + 'ste smmuA 0x20 { config | }\n');
  assertNoDuplicates(cfg);
  assert.deepEqual(labels(cfg), ['abort', 'bypass', 's1', 's2', 'nested']);
  for (const text of [HEAD + '|', 'smmu x {\n  |\n}\n', HEAD + 'dma smmuA |', HEAD + 'cmd smmuA CMD_TLBI_NH_VA |']) assertNoDuplicates(await at(text));
});

test('statement keywords carry documentation; snippets are Snippet items labelled "snippet" whose placeholders hold whole tokens', async () => {
  const items = await at(HEAD + '|');
  const kwItem = items.find((i) => i.label === 'pagetable' && i.kind === 14)!;
  assert.ok(kwItem.documentation, 'keyword documented');
  const snips = items.filter((i) => i.kind === 15);
  assert.deepEqual(snips.map((i) => i.label).sort(), ['cd', 'cpu', 'dma', 'pagetable', 'smmu', 'ste']);
  for (const s of snips) {
    assert.equal(s.insertTextFormat, 2);
    assert.equal(s.labelDetails?.description, 'snippet');
    // A placeholder never follows a literal part of its token (`+${5:4K}` would give `++2M`).
    assert.doesNotMatch(s.insertText!, /[+\w]\$\{/, s.insertText);
    // Expanded with the defaults, the snippet is a scenario the engine accepts.
    const expanded = s.insertText!.replace(/\$\{\d+\|([^,|]+)[^}]*\}/g, '$1').replace(/\$\{\d+:([^}]*)\}/g, '$1').replace(/\t/g, '  ');
    assert.doesNotMatch(expanded, /\$/);
  }
  const pt = snips.find((s) => s.label === 'pagetable')!.insertText!;
  assert.match(pt, / \$\{5:\+4K\} /);
});

test('every word completion offers is one the engine accepts (smmu features, pagetable options, permissions, attributes)', () => {
  const errs = (text: string) => runScenario(text, 'v.smmu').diagnostics.filter((d) => d.severity === 'error' && /E_SMMU_FEATURE|E_PAGETABLE_OPTION|E_MAP_ATTR|E_SYNTAX/.test(d.code) && !/checkFeatures|implement/.test(d.message));
  for (const [w, i] of Object.entries(SMMU_FEATURES)) {
    const v = i.values?.[i.values.length - 1] ?? (['ssidbits', 'sidbits', 'log2size', 'cmdqs', 'eventqs', 'priqs'].includes(w) ? '8' : '');
    const e = errs(`smmu s { ${w} ${v} }\n`).filter((d) => d.code !== 'E_SMMU_FEATURE' || /unknown SMMU option/.test(d.message));
    assert.deepEqual(e.map((d) => d.message), [], w);
  }
  for (const [w, i] of Object.entries(PAGETABLE_OPTIONS)) {
    if (w === 'smmu' || w === 'at') continue;
    const v = i.values?.[0] ?? (w === 'tsz' ? '25' : '48');
    assert.deepEqual(errs(`pagetable t ${i.stage === 2 ? 's2' : 's1'} 4K ${w} ${v} {\n}\n`).filter((d) => /unknown/.test(d.message)).map((d) => d.message), [], w);
  }
  for (const g of Object.keys(GRANULES)) assert.deepEqual(errs(`pagetable t s1 ${g} {\n}\n`).map((d) => d.message), [], g);
  for (const [w, i] of [...Object.entries(PERMS).map(([w]) => [w, {}] as const), ...Object.entries(MAP_ATTRS)]) {
    const stage = (i as { stage?: number }).stage ?? 1;
    const v = (i as { values?: readonly string[] }).values?.[0] ?? (w === 'attrindx' || w === 'memattr' ? '1' : '');
    const m = w in PERMS ? `-> 0x8000 ${w}` : `-> 0x8000 rw ${w} ${v}`;
    assert.deepEqual(errs(`pagetable t s${stage} 4K {\n  map 0x1000 +4K ${m}\n}\n`).map((d) => d.message), [], w);
  }
});

test('the language turns word-based suggestions off and indents with 2 spaces, as the formatter does', () => {
  const pj = JSON.parse(fs.readFileSync(path.join(repoRoot(), 'package.json'), 'utf8'));
  const d = pj.contributes.configurationDefaults['[smmu]'];
  assert.equal(d['editor.wordBasedSuggestions'], 'off');
  assert.equal(d['editor.tabSize'], 2);
  assert.equal(d['editor.insertSpaces'], true);
});

test('cpu: `tlbi`, then the TLBI instructions with their meaning, then the options that instruction takes', async () => {
  assert.deepEqual(labels(await at('cpu |\n')), ['tlbi']);
  const instrs = await at('cpu tlbi |\n');
  assert.deepEqual(labels(instrs), ['vae1is', 'vale1is', 'vaae1is', 'vaale1is', 'aside1is', 'vmalle1is', 'vmalls12e1is', 'vae2is', 'vale2is', 'alle2is']);
  assert.match(JSON.stringify(instrs.find((i) => i.label === 'aside1is')!.documentation), /by ASID/);
  assert.deepEqual(labels(await at('cpu tlbi vae1is |\n')), ['asid', 'va', 'xt', 'vmid', 'vhe']);
  assert.deepEqual(labels(await at('cpu tlbi vae1is asid 5 |\n')), ['va', 'xt', 'vmid', 'vhe']);
  assert.deepEqual(labels(await at('cpu tlbi vaae1is |\n')), ['va', 'xt', 'vmid', 'vhe']);
  assert.deepEqual(labels(await at('cpu tlbi alle2is |\n')), ['vhe']);
  assert.deepEqual(labels(await at('cpu tlbi vae1is asid |\n')), []);
});

const VM = `iommufd ioas ioas0
iommufd ioas_map ioas0 0x40000000 0x200000 0x100000000
iommufd hwpt_parent s2 ioas0 smmuA
iommufd viommu vA smmuA s2
iommufd viommu vB smmuA s2
`;

test('vsmmu: the vIOMMUs not yet listed, then `mode`, then nested and shadow with their meaning; hover on `mode` and its value', async () => {
  assert.deepEqual(labels(await at(VM + 'vsmmu vs0 |')), ['vA', 'vB']);
  assert.deepEqual(labels(await at(VM + 'vsmmu vs0 vA |')), ['vB', 'mode']);
  const modes = await at(VM + 'vsmmu vs0 vA mode |');
  assert.deepEqual(labels(modes), ['nested', 'shadow']);
  assert.match(JSON.stringify(modes.find((i) => i.label === 'shadow')!.documentation), /only on guest invalidations/);
  assert.match(JSON.stringify(modes.find((i) => i.label === 'nested')!.documentation), /Hardware nesting/);
  assert.deepEqual(labels(await at(VM + 'vsmmu vs0 vA mode shadow |')), []);
  const text = VM + 'vsmmu vs0 vA vB mode shadow\n';
  const uri = await c.open('vsmmuHover.smmu', text);
  const line = text.split('\n').length - 2;
  const col = text.split('\n')[line].indexOf('mode');
  assert.match((await c.hover(uri, line, col + 1))!.contents.value, /^\*\*mode\*\* — How the VMM backs this vSMMU/);
  assert.match((await c.hover(uri, line, col + 6))!.contents.value, /^\*\*vsmmu mode shadow\*\* — A shadowing \(caching-mode\) VMM/);
  // Semantic tokens: `mode` is a keyword (the TextMate grammar colors it too: test/grammar/iommufd.test.smmu).
  const r = await c.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri } });
  let l = 0;
  let ch = 0;
  const types: string[] = [];
  for (let i = 0; i < r.data.length; i += 5) {
    l += r.data[i];
    ch = r.data[i] === 0 ? ch + r.data[i + 1] : r.data[i + 1];
    if (l === line && ch === col) types.push(String(r.data[i + 3]));
  }
  assert.deepEqual(types, ['0'], 'keyword (legend index 0)');
});

test('every vsmmu mode completion offers is one the parser accepts, and only those', () => {
  assert.deepEqual(Object.keys(VSMMU_MODE_DOCS), [...VSMMU_MODES]);
  for (const m of Object.keys(VSMMU_MODE_DOCS)) {
    const d = runScenario(`${VM}vsmmu vs0 vA mode ${m}\n`, 'v.smmu').diagnostics.filter((x) => x.severity === 'error');
    assert.deepEqual(d.map((x) => x.message), [], m);
  }
  assert.ok(runScenario(`${VM}vsmmu vs0 vA mode shadwo\n`, 'v.smmu').diagnostics.some((x) => /unknown vsmmu mode `shadwo`.*did you mean 'shadow'/i.test(x.message)));
});

test('the words before the cursor as the parser reads them: `=`/`:` before a value, `{`/`;`/`#` inside a string, comments, strings', async () => {
  // `name = value` and `name: value` (docs/language.md): the value after `=` is the feature's.
  assert.deepEqual(labels(await at('smmu smmuA { stages=s1 | }\n')), ['s2', 'nested']);
  assert.deepEqual(labels(await at('smmu smmuA { stages: s1 | }\n')), ['s2', 'nested']);
  // A `{` or `;` inside a string does not start an item, a `#` inside a string is no comment.
  assert.deepEqual(labels(await at('smmu smmuA { model "{;#"; stages s1 | }\n')), ['s2', 'nested']);
  // A real comment before the cursor: nothing; inside a string: nothing either.
  assert.deepEqual(await at('smmu smmuA { stages s1 # s2 | }\n'), []);
  assert.deepEqual(await at('smmu smmuA { stages s1 // | }\n'), []);
  assert.deepEqual(await at('include "a|'), []);
  // Underscores in numbers: one word, so `iova 0x1000_` still asks for the iova's value.
  assert.deepEqual(await at(`${HEAD}dma smmuA read sid 0x10 iova 0x1000_|`), []);
  assert.ok(labels(await at(`${HEAD}dma smmuA read sid 0x10 iova 0x1000_0000 |`)).includes('len'));
});
