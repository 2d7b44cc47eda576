// Completion by position: statement keywords at the start of a line; field names (from the field
// tables) inside STE/CD blocks and after a command or register; enum values after a field name;
// command, register and event names where they belong; declared names where a reference goes.
import type { CancellationToken, CompletionItem, CompletionParams } from 'vscode-languageserver';
import { CompletionItemKind, InsertTextFormat, MarkupKind } from 'vscode-languageserver';
import { EXPECT_KINDS, STATEMENT_KEYWORDS, TRANSACTION_OPTIONS, nodeAt, offsetAt, commentAt } from '../dsl';
import type { DeclKind, Node, Statement } from '../dsl/ast';
import { COMMANDS, EVENTS, REGISTERS, describeField, fieldByName, type StructDef } from '../model/fields';
import type { ServerContext } from './context';
import { nameIndex } from './names';
import { structOf } from './specContext';

export const COMPLETION_TRIGGERS = [' ', '.'];

const SNIPPETS: Record<string, string> = {
  smmu: 'smmu ${1:smmu0} {\n\tstages ${2:s1}\n}',
  pagetable: 'pagetable ${1:name} : ${2:s1} ${3:4k} {\n\tmap ${4:0x1000_0000} +${5:4K} -> ${6:0x8000_0000} ${7:rw}\n}',
  cd: 'cd ${1:name} {\n\tasid ${2:1}\n\tttb0 ${3:table}\n}',
  ste: 'ste ${1:0x0} {\n\tconfig ${2:s1}\n\tcd ${3:name}\n}',
  dma: 'dma ${1|read,write|} sid ${2:0x0} iova ${3:0x0}',
};

function kw(label: string, detail = 'keyword'): CompletionItem {
  const snippet = SNIPPETS[label];
  const it: CompletionItem = { label, kind: CompletionItemKind.Keyword, detail };
  if (snippet) {
    it.insertText = snippet;
    it.insertTextFormat = InsertTextFormat.Snippet;
  }
  return it;
}

const fieldItemCache = new WeakMap<StructDef, CompletionItem[]>();

/** Completion items for a structure's fields (built once per structure: the tables are constant). */
function fieldItems(def: StructDef): CompletionItem[] {
  let items = fieldItemCache.get(def);
  if (!items) {
    items = buildFieldItems(def);
    fieldItemCache.set(def, items);
  }
  return items;
}

function buildFieldItems(def: StructDef): CompletionItem[] {
  return def.fields
    .filter((f) => !f.reserved)
    .map((f) => ({
      label: f.name,
      kind: CompletionItemKind.Field,
      detail: `${def.name}.${f.name}`,
      documentation: { kind: MarkupKind.Markdown, value: describeField(def, f.name) },
      filterText: f.name,
    }));
}

function valueItems(def: StructDef, field: string): CompletionItem[] {
  const f = fieldByName(def, field);
  return (f?.values ?? [])
    .filter((v) => !v.reserved)
    .map((v) => ({ label: v.name, kind: CompletionItemKind.EnumMember, detail: `${def.name}.${f!.name} = 0x${v.value.toString(16)}`, documentation: v.meaning }));
}

function nameItems(ctx: ServerContext, uri: string, kinds: readonly DeclKind[] | undefined): CompletionItem[] {
  const parsed = ctx.analyzer.parsed(uri);
  if (!parsed) return [];
  const out: CompletionItem[] = [];
  for (const [name, decls] of nameIndex(parsed.tree).decls) {
    const k = decls[0].declares;
    if (!kinds || kinds.includes(k)) out.push({ label: name, kind: CompletionItemKind.Reference, detail: k });
  }
  return out;
}

const commandItems = (): CompletionItem[] =>
  COMMANDS.map((c) => ({ label: c.name, kind: CompletionItemKind.Function, detail: c.spec, documentation: c.summary }));
const eventItems = (): CompletionItem[] =>
  EVENTS.map((e) => ({ label: e.name, kind: CompletionItemKind.Event, detail: e.spec, documentation: e.summary }));
const registerItems = (): CompletionItem[] =>
  REGISTERS.map((r) => ({ label: r.name, kind: CompletionItemKind.Variable, detail: `${r.spec}, offset 0x${r.offset.toString(16)}`, documentation: r.summary }));

/** Which declared names a field's value refers to, by the field's name (as the engine reads
 *  STE and CD blocks: `cd NAME`, `cdtable NAME`, `s2 TABLE`, `pagetable TABLE`, `ttb0 TABLE`). */
function referenceKinds(field: string): DeclKind[] | undefined {
  const f = field.toLowerCase();
  if (f === 'cd') return ['cd'];
  if (f === 'cdtable') return ['cdtable'];
  if (['pagetable', 'table', 'tt0', 'ttb0', 'tt1', 'ttb1', 's2', 's2table', 'stage2'].includes(f)) return ['pagetable'];
  if (f === 'smmu') return ['smmu'];
  return undefined;
}

/** Words of STE / CD blocks that are not spec fields but references and shorthands. */
const BLOCK_WORDS: Record<string, Array<[string, string]>> = {
  ste: [['config', 'abort | bypass | s1 | s2 | nested (STE.Config)'], ['cd', 'the CD (S1ContextPtr)'], ['cdtable', 'the CD table (S1ContextPtr, S1Fmt, S1CDMax)'],
    ['s2', 'the stage-2 page table (S2TTB, S2T0SZ, S2SL0, S2TG)'], ['vmid', 'STE.S2VMID']],
  cd: [['ttb0', 'the stage-1 page table for TTB0 (T0SZ, TG0 from it)'], ['ttb1', 'a page table for TTB1']],
};
const CONFIG_WORDS = ['abort', 'bypass', 's1', 's2', 'nested'];

/** Words of the current line before the cursor (the last one is the word being typed). */
function lineWords(before: string): { words: string[]; typing: string } {
  const m = /[A-Za-z0-9_.]*$/.exec(before);
  const typing = m ? m[0] : '';
  const rest = before.slice(0, before.length - typing.length);
  const words = rest.split(/[\s{};]+/).filter(Boolean);
  return { words, typing };
}

function innermostBlockStatement(chain: readonly Node[]): Statement | undefined {
  const hasBlock = chain.some((n) => n.kind === 'block');
  return hasBlock ? (chain[1] as Statement) : undefined;
}

export function completion(ctx: ServerContext, p: CompletionParams, _token: CancellationToken): CompletionItem[] {
  const uri = p.textDocument.uri;
  const doc = ctx.analyzer.document(uri);
  const parsed = ctx.analyzer.parsed(uri);
  if (!doc || !parsed) return [];
  const tree = parsed.tree;
  const offset = offsetAt(tree, p.position);
  if (commentAt(tree, offset)) return [];
  const lineText = doc.getText({ start: { line: p.position.line, character: 0 }, end: p.position });
  if (/(#|\/\/)/.test(lineText.replace(/"[^"]*"/g, ''))) return [];
  // Text after the last `{` or `;` on the line starts a new item.
  const segment = lineText.slice(Math.max(lineText.lastIndexOf('{'), lineText.lastIndexOf(';')) + 1);
  const { words, typing } = lineWords(segment);
  const chain = nodeAt(tree, offset);
  const blockStmt = innermostBlockStatement(chain);
  const prev = words[words.length - 1]?.toLowerCase();

  // `reg smmu0.` -> register names.
  if (typing.includes('.') && words[0]?.toLowerCase() === 'reg') return registerItems();

  if (words.length === 0) {
    if (blockStmt) {
      const def = structOf(blockStmt);
      const extra = (BLOCK_WORDS[blockStmt.kind] ?? []).map(([w, d]) => kw(w, d));
      if (def) return [...extra, ...fieldItems(def)];
      if (blockStmt.kind === 'pagetable') return [kw('map')];
      return [];
    }
    return STATEMENT_KEYWORDS.map((k) => kw(k));
  }

  const first = words[0].toLowerCase();
  // Expectations, standalone or inline after a transaction.
  const expectAt = words.map((w) => w.toLowerCase()).lastIndexOf('expect');
  if (expectAt >= 0) {
    const after = words.slice(expectAt + 1).map((w) => w.toLowerCase());
    if (after.length === 0) return [...EXPECT_KINDS.map((k) => kw(k)), kw('no')];
    if (after[0] === 'no' && after.length === 1) return [kw('hazard')];
    if ((after[0] === 'fault' || after[0] === 'event') && after.length === 1) return eventItems();
    if (after[0] === 'tlb' && after.length === 1) return [kw('hit'), kw('miss')];
    if (after[0] === 'outcome' && after.length === 1) return ['ok', 'fault', 'stalled', 'aborted', 'bypass'].map((k) => kw(k));
    return [];
  }

  switch (first) {
    case 'cmd': {
      const opcode = words.slice(1).find((w) => /^CMD_/i.test(w));
      if (!opcode) return [...commandItems(), kw('raw'), ...nameItems(ctx, uri, ['smmu'])];
      const def = COMMANDS.find((c) => c.name.toLowerCase() === opcode.toLowerCase());
      if (!def) return [];
      if (prev && prev !== opcode.toLowerCase()) {
        const vals = valueItems(def, prev);
        if (vals.length) return vals;
      }
      return fieldItems(def).filter((f) => f.label !== 'Op' && f.label !== 'opcode');
    }
    case 'reg': {
      if (words.length === 1) return [...registerItems(), ...nameItems(ctx, uri, ['smmu'])];
      const name = words[1].includes('.') ? words[1].slice(words[1].indexOf('.') + 1) : words[1];
      const r = REGISTERS.find((x) => x.name.toLowerCase() === name.toLowerCase() || x.name.toLowerCase() === 'smmu_' + name.toLowerCase());
      if (!r) return [];
      if (prev && words.length > 2) {
        const vals = valueItems(r, prev);
        if (vals.length) return vals;
      }
      return fieldItems(r);
    }
    case 'dma':
    case 'ats':
      return [...TRANSACTION_OPTIONS.map((o) => kw(o, 'transaction option')), kw('expect'), ...(words.length === 1 ? nameItems(ctx, uri, ['smmu']) : [])];
    case 'ste':
      if (words.length === 1) return nameItems(ctx, uri, ['smmu']);
      break;
    case 'map':
    case 'unmap':
    case 'pte':
      if (blockStmt) return []; // `map IOVA ...` inside a pagetable body names no table
      if (words.length === 1) return nameItems(ctx, uri, ['pagetable']);
      return [];
    case 'include':
      return [];
  }

  // Field position (a block line, or inline options of ste/cd): `field |` -> values or names.
  const stmt = blockStmt ?? (chain[1] as Statement | undefined);
  const def = structOf(stmt);
  const fieldName = blockStmt ? words[0] : prev;
  if (fieldName) {
    if (stmt?.kind === 'ste' && fieldName.toLowerCase() === 'config') return [...CONFIG_WORDS.map((w) => kw(w, 'STE.Config')), ...valueItems(def!, 'Config')];
    const refs = referenceKinds(fieldName);
    if (refs && words.length === (blockStmt ? 1 : words.length)) {
      const names = nameItems(ctx, uri, refs);
      if (names.length) return names;
    }
    if (def) {
      const vals = valueItems(def, fieldName);
      if (vals.length) return vals;
      if (!blockStmt && def) return fieldItems(def);
    }
  }
  return [];
}
