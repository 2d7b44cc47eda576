// Completion items: keywords with their meaning, snippets (labelled as snippets, one whole token
// per placeholder), spec fields and values from the field tables, declared names, the vocabulary
// of dsl/vocabulary.ts; and the de-duplication every list goes through.
import type { CompletionItem } from 'vscode-languageserver';
import { CompletionItemKind, InsertTextFormat, MarkupKind } from 'vscode-languageserver';
import { STATEMENT_KEYWORDS } from '../dsl';
import { lineIndexIn } from '../dsl/diagnostics';
import type { DeclKind, NameDecl, Script } from '../dsl/ast';
import { byStart, lowerBound } from '../dsl/lowerBound';
import { STATEMENT_DOCS, type WordInfo } from '../dsl/vocabulary';
import { COMMANDS, EVENTS, REGISTERS, describeField, fieldByName, type StructDef } from '../model/fields';
import { HAZARDS } from '../model/hazards';
import { nameIndex } from './names';

const doc = (value: string) => ({ kind: MarkupKind.Markdown, value });

/** Multi-line templates. Each placeholder holds one whole token (`${5:+4K}`, never `+${5:4K}`). */
const SNIPPETS: Record<string, { detail: string; body: string }> = {
  smmu: { detail: ' NAME { stages … }', body: 'smmu ${1:smmu0} {\n\tstages ${2:s1} ${3:s2} ${4:nested}\n\toas ${5:48}\n}' },
  pagetable: { detail: ' NAME s1 4K { map … }', body: 'pagetable ${1:name} ${2|s1,s2|} ${3|4K,16K,64K|} {\n\tmap ${4:0x1000_0000} ${5:+4K} -> ${6:0x8000_0000} ${7|rw,r,rx,rwx,none|}\n}' },
  cd: { detail: ' NAME { pagetable …; asid … }', body: 'cd ${1:name} {\n\tpagetable ${2:table}\n\tasid ${3:1}\n}' },
  ste: { detail: ' SMMU SID { config …; cd … }', body: 'ste ${1:smmu0} ${2:0x0} {\n\tconfig ${3|s1,s2,nested,bypass,abort|}\n\tcd ${4:name}\n}' },
  dma: { detail: ' read sid … iova …', body: 'dma ${1|read,write|} sid ${2:0x0} iova ${3:0x0}' },
  cpu: { detail: ' tlbi vae1is asid … va …', body: 'cpu tlbi ${1|vae1is,vale1is,aside1is,vmalle1is|} asid ${2:1} va ${3:0x0}' },
};

export function kw(label: string, detail = 'keyword', documentation?: string): CompletionItem {
  const it: CompletionItem = { label, kind: CompletionItemKind.Keyword, detail };
  if (documentation) it.documentation = doc(documentation);
  return it;
}

export function snippet(label: string): CompletionItem | undefined {
  const s = SNIPPETS[label];
  if (!s) return undefined;
  return {
    label, kind: CompletionItemKind.Snippet, detail: `${label}${s.detail} (snippet)`, labelDetails: { detail: s.detail, description: 'snippet' },
    insertText: s.body, insertTextFormat: InsertTextFormat.Snippet, documentation: doc(STATEMENT_DOCS[label] ?? ''),
    // After the keyword item of the same name.
    sortText: `~${label}`,
  };
}

export function statementItems(): CompletionItem[] {
  const out: CompletionItem[] = STATEMENT_KEYWORDS.map((k) => kw(k, 'statement', STATEMENT_DOCS[k]));
  for (const k of STATEMENT_KEYWORDS) {
    const s = snippet(k);
    if (s) out.push(s);
  }
  return out;
}

/** Words of a vocabulary table, optionally only those of one stage and not already written. */
export function wordItems(table: Readonly<Record<string, WordInfo>>, detail: string, opts: { stage?: 1 | 2; used?: readonly string[] } = {}): CompletionItem[] {
  const used = new Set((opts.used ?? []).map((w) => w.toLowerCase()));
  return Object.entries(table)
    .filter(([w, i]) => !used.has(w.toLowerCase()) && (i.stage === undefined || opts.stage === undefined || i.stage === opts.stage))
    .map(([w, i]) => kw(w, detail, i.doc));
}

const fieldItemCache = new WeakMap<StructDef, CompletionItem[]>();

/** A structure's fields (built once per structure: the tables are constant). */
export function fieldItems(def: StructDef): CompletionItem[] {
  let items = fieldItemCache.get(def);
  if (!items) {
    items = def.fields.filter((f) => !f.reserved).map((f) => ({
      label: f.name, kind: CompletionItemKind.Field, detail: `${def.name}.${f.name}`, documentation: doc(describeField(def, f.name)), filterText: f.name,
    }));
    fieldItemCache.set(def, items);
  }
  return items;
}

export function valueItems(def: StructDef, field: string): CompletionItem[] {
  const f = fieldByName(def, field);
  return (f?.values ?? [])
    .filter((v) => !v.reserved)
    .map((v) => ({ label: v.name, kind: CompletionItemKind.EnumMember, detail: `${def.name}.${f!.name} = 0x${v.value.toString(16)}`, documentation: v.meaning }));
}

/** Stage of a declared pagetable (`pagetable NAME s2 ...`; default 1). */
function tableStage(tree: Script, decl: NameDecl): 1 | 2 {
  // The statement holding the declaration (the index knows where it is: no scan of the tree).
  const s = tree.statements[lowerBound(tree.statements, decl.start + 1, byStart) - 1];
  if (s?.kind === 'pagetable' && s.name?.name === decl.name) {
    const v = s.options.find((f) => f.name.lower === 'stage')?.values[0];
    const w = s.stage?.lower ?? (v?.kind === 'word' ? v.lower : v?.kind === 'number' ? v.text : undefined);
    return w === 's2' || w === 'stage2' || w === '2' ? 2 : 1;
  }
  return 1;
}

/** Declared names of the given kinds; page tables only of `stage` when given. */
export function nameItems(tree: Script, kinds: readonly DeclKind[] | undefined, stage?: 1 | 2): CompletionItem[] {
  const out: CompletionItem[] = [];
  for (const [name, decls] of nameIndex(tree).decls) {
    const k = decls[0].declares;
    if (kinds && !kinds.includes(k)) continue;
    const st = k === 'pagetable' ? tableStage(tree, decls[0]) : undefined;
    if (stage !== undefined && st !== undefined && st !== stage) continue;
    out.push({ label: name, kind: CompletionItemKind.Reference, detail: st ? `stage-${st} pagetable` : k });
  }
  return out;
}

/** StreamIDs the scenario's `ste` statements program on an SMMU (any SMMU when undefined). */
export function sidItems(tree: Script, smmu: string | undefined): CompletionItem[] {
  const out: CompletionItem[] = [];
  for (const s of tree.statements) {
    if (s.kind !== 'ste' || !s.sid) continue;
    if (smmu && s.smmu && s.smmu.name !== smmu) continue;
    out.push({ label: s.sid.text, kind: CompletionItemKind.Value, detail: `StreamID of the ste at line ${lineOf(tree, s.start)}${s.smmu ? ` on ${s.smmu.name}` : ''}` });
  }
  return out;
}

function lineOf(tree: Script, offset: number): number {
  return lineIndexIn(tree.lineStarts, offset) + 1;
}

export const commandItems = (): CompletionItem[] =>
  COMMANDS.map((c) => ({ label: c.name, kind: CompletionItemKind.Function, detail: c.spec, documentation: c.summary }));
export const eventItems = (): CompletionItem[] =>
  EVENTS.map((e) => ({ label: e.name, kind: CompletionItemKind.Event, detail: e.spec, documentation: e.summary }));
export const registerItems = (): CompletionItem[] =>
  REGISTERS.map((r) => ({ label: r.name, kind: CompletionItemKind.Variable, detail: `${r.spec}, offset 0x${r.offset.toString(16)}`, documentation: r.summary }));
export const hazardItems = (): CompletionItem[] =>
  Object.values(HAZARDS).map((h) => ({ label: h.code, kind: CompletionItemKind.EnumMember, detail: `${h.severity} (${h.spec})`, documentation: doc(`${h.meaning}\n\nFix: ${h.fix}`) }));

/** One item per label, case-insensitively (`config` and `Config`, `abort` and `ABORT`): the first
 *  wins; a snippet and the keyword of the same word are different kinds and both stay. */
export function dedupe(items: CompletionItem[]): CompletionItem[] {
  const seen = new Set<string>();
  const out = items.filter((i) => {
    const k = `${i.kind === CompletionItemKind.Snippet ? 's' : 'w'}:${i.label.toLowerCase()}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  // The editor keeps this order (most used first: `stages` before `version`), not the alphabet.
  const width = String(out.length).length;
  return out.map((i, n) => ({ ...i, sortText: String(n).padStart(width, '0') }));
}
