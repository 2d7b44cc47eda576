// Completion by position: everything the grammar allows at the cursor, with its meaning, once.
// Statement keywords and snippets at the start of a line; `smmu { features }` and their values;
// the `pagetable` header (stage, granule, options) and mapping permissions and attributes; field
// names (from the field tables) inside STE/CD blocks and after a command or register; enum values
// after a field; declared names where a reference goes (page tables filtered by stage); StreamIDs
// after `sid`; event names, record fields and hazard codes in expectations. Items: completionItems.ts.
import type { CancellationToken, CompletionItem, CompletionParams } from 'vscode-languageserver';
import { EXPECT_KINDS, TRANSACTION_OPTIONS, nodeAt, offsetAt, commentAt } from '../dsl';
import type { Block, DeclKind, Node, Script, Statement } from '../dsl/ast';
import { isPermsWord } from '../dsl/keywords';
import { wordsBefore } from '../dsl/wordsBefore';
import { byStart, lowerBound } from '../dsl/lowerBound';
import { CPU_TLBI_OPTION_DOCS, EXPECT_FIELD_DOCS, GRANULES, MAP_ATTRS, PAGETABLE_OPTIONS, PERMS, SMMU_FEATURES, STAGES, VSMMU_MODE_DOCS, VSMMU_MODE_WORD } from '../dsl/vocabulary';
import { COMMANDS, REGISTERS } from '../model/fields';
import { CPU_TLBIS, cpuTlbiByName } from '../model/cpu/tlbi';
import type { ServerContext } from './context';
import {
  commandItems, dedupe, eventItems, statementItems, fieldItems, hazardItems, kw, nameItems, registerItems, sidItems, valueItems, wordItems,
} from './completionItems';
import { structOf } from './specContext';
import { leafSizes, sizeText } from '../engine';
import type { Granule } from '../model/types';

export const COMPLETION_TRIGGERS = [' ', '.'];

/** Words of STE / CD blocks that are not spec fields but references and shorthands. */
const BLOCK_WORDS: Record<string, Array<[string, string]>> = {
  ste: [['config', 'abort | bypass | s1 | s2 | nested (STE.Config)'], ['cd', 'the CD (S1ContextPtr)'], ['cdtable', 'the CD table (S1ContextPtr, S1Fmt, S1CDMax)'],
    ['s2', 'the stage-2 page table (S2TTB, S2T0SZ, S2SL0, S2TG)'], ['vmid', 'STE.S2VMID']],
  cd: [['pagetable', 'the stage-1 page table for TTB0 (T0SZ, TG0 from it)'], ['ttb0', 'the stage-1 page table for TTB0 (T0SZ, TG0 from it)'], ['ttb1', 'a page table for TTB1'], ['asid', 'CD.ASID']],
};
/** STE.Config by its short names (IHI 0070 §5.2); the enum names (S1_TRANS...) are not offered twice. */
const CONFIG_WORDS: Array<[string, string]> = [['abort', '0b000 ABORT'], ['bypass', '0b100 BYPASS'], ['s1', '0b101 S1_TRANS'], ['s2', '0b110 S2_TRANS'], ['nested', '0b111 NESTED']];
const OUTCOMES = ['ok', 'fault', 'stalled', 'aborted', 'bypass'];

/** Which declared names a field's value refers to, and the page-table stage it needs. */
function referenceKinds(field: string, stmt: Statement | undefined): { kinds: DeclKind[]; stage?: 1 | 2 } | undefined {
  const f = field.toLowerCase();
  if (f === 'cd') return { kinds: ['cd'] };
  if (f === 'cdtable') return { kinds: ['cdtable'] };
  if (['s2', 's2table', 'stage2'].includes(f)) return { kinds: ['pagetable'], stage: 2 };
  if (['pagetable', 'table', 'tt0', 'ttb0', 'tt1', 'ttb1'].includes(f)) return { kinds: ['pagetable'], stage: stmt?.kind === 'ste' ? 2 : 1 };
  if (f === 'smmu') return { kinds: ['smmu'] };
  return undefined;
}

function innermostBlockStatement(chain: readonly Node[]): Statement | undefined {
  return chain.some((n) => n.kind === 'block') ? (chain[1] as Statement) : undefined;
}

/** The granule a pagetable declaration names (default 4K). */
function granuleOfDecl(s: Statement | undefined): Granule {
  const v = s?.kind === 'pagetable' ? s.granule?.value : undefined;
  return v === 16n || v === 16384n ? 16 : v === 64n || v === 65536n ? 64 : 4;
}

function stageOf(s: Statement | undefined): 1 | 2 {
  if (s?.kind !== 'pagetable') return 1;
  const w = s.stage?.lower;
  return w === 's2' || w === 'stage2' || w === '2' ? 2 : 1;
}

export function completion(ctx: ServerContext, p: CompletionParams, _token: CancellationToken): CompletionItem[] {
  const parsed = ctx.analyzer.parsedAt(p.textDocument.uri, p.position);
  if (!parsed) return [];
  const { tree, text } = parsed;
  const offset = Math.min(offsetAt(tree, p.position), text.length);
  if (commentAt(tree, offset)) return [];
  // The words of the cursor's line (the DSL's lexer); after the last `{`, `}` or `;` a new item starts.
  const lineStart = p.position.line < tree.lineStarts.length ? tree.lineStarts[Math.max(0, p.position.line)] : offset;
  const line = wordsBefore(text, Math.min(lineStart, offset), offset);
  // In a comment or a string (unterminated up to the cursor): nothing to complete.
  if (line.inComment || line.typing.startsWith('"')) return [];
  const words = line.words.slice(line.itemStart);
  const typing = line.typing;
  const chain = nodeAt(tree, offset);
  const blockStmt = innermostBlockStatement(chain) ?? openBlockBefore(tree, offset);
  const stmt = blockStmt ?? (chain[1] as Statement | undefined);
  return dedupe(itemsAt(tree, offset, words.map((w) => w.toLowerCase()), words, typing, blockStmt, stmt));
}

function itemsAt(tree: Script, offset: number, lw: string[], words: string[], typing: string, blockStmt: Statement | undefined, stmt: Statement | undefined): CompletionItem[] {
  // `reg smmu0.` -> register names.
  if (typing.includes('.') && lw[0] === 'reg') return registerItems();
  const expectAt = lw.lastIndexOf('expect');
  if (expectAt >= 0) return expectItems(lw.slice(expectAt + 1));
  if (lw.length === 0) {
    if (!blockStmt) return statementItemsOnce();
    if (blockStmt.kind === 'smmu') {
      // Features the block already sets are not offered again.
      const used = (blockStmt.body?.items ?? []).flatMap((it) => (it.kind === 'field' && it.end < offset ? [it.name.lower] : []));
      return wordItems(SMMU_FEATURES, 'SMMU feature', { used });
    }
    if (blockStmt.kind === 'pagetable') return [kw('map', 'mapping', 'map IOVA +SIZE -> PA [PERMS] [ATTRS]')];
    const def = structOf(blockStmt);
    const extra = (BLOCK_WORDS[blockStmt.kind] ?? []).map(([w, d]) => kw(w, d));
    return def ? [...extra, ...fieldItems(def)] : extra;
  }
  if (blockStmt?.kind === 'smmu') return featureValues(lw);
  if (lw[0] === 'map' && (blockStmt?.kind === 'pagetable' || lw.length > 1)) {
    const decl = blockStmt?.kind === 'pagetable' ? blockStmt : tree.statements.find((x) => x.kind === 'pagetable' && x.name?.name === words[1]);
    if (lw.length === 1 && !blockStmt) return nameItems(tree, ['pagetable']);
    return mappingItems(lw, stageOf(decl), granuleOfDecl(decl));
  }
  switch (lw[0]) {
    case 'cmd': return cmdItems(tree, lw);
    case 'cpu': return cpuItems(lw);
    case 'reg': return regItems(tree, lw, words);
    case 'dma':
    case 'ats':
    case 'pri': return transactionItems(tree, lw, words);
    case 'ste':
      if (lw.length === 1) return nameItems(tree, ['smmu']);
      break;
    case 'pagetable':
      // `pagetable |` on its own line in a cd block still being typed: the parser has closed the
      // block at the keyword; the field wants a stage-1 table.
      if (!blockStmt && lw.length === 1 && inOpenCdBlock(tree, offset)) return nameItems(tree, ['pagetable'], 1);
      if (!blockStmt) return pagetableHeader(lw);
      break;
    case 'smmu':
      if (!blockStmt) return [];
      break;
    case 'map':
    case 'unmap':
    case 'pte':
      return lw.length === 1 && !blockStmt ? nameItems(tree, ['pagetable']) : [];
    case 'include':
      return [];
    case 'vsmmu': return vsmmuItems(tree, lw);
  }
  return fieldPosition(tree, lw, words, blockStmt, stmt);
}

let statementCache: CompletionItem[] | undefined;
/** The keyword list and snippets are constant: built once. */
const statementItemsOnce = (): CompletionItem[] => (statementCache ??= statementItems());

/** The statement whose block is still open at the cursor (`smmu s { stages s1 |` at the end of a line: no `}` yet). */
function openBlockBefore(tree: Script, offset: number): Statement | undefined {
  const last = tree.statements[lowerBound(tree.statements, offset, byStart) - 1];
  const body = last && 'body' in last ? (last.body as Block | undefined) : undefined;
  return body && !body.closed && body.start < offset ? last : undefined;
}

function inOpenCdBlock(tree: Script, offset: number): boolean {
  const prev = tree.statements[lowerBound(tree.statements, offset, byStart) - 2];
  return prev?.kind === 'cd' && prev.body !== undefined && !prev.body.closed;
}

function expectItems(after: string[]): CompletionItem[] {
  const negated = after[0] === 'no';
  const a = negated ? after.slice(1) : after;
  if (a.length === 0) return negated ? EXPECT_KINDS.filter((k) => k !== 'pa' && k !== 'mem').map((k) => kw(k, 'expectation')) : [...EXPECT_KINDS.map((k) => kw(k, 'expectation')), kw('no', 'negates the expectation')];
  const [what, ...rest] = a;
  if (what === 'hazard') return rest.length === 0 ? hazardItems() : [];
  if (what === 'tlb') return rest.length === 0 ? [kw('hit', 'TLB lookup'), kw('miss', 'TLB lookup')] : [];
  if (what === 'outcome') return rest.length === 0 ? OUTCOMES.map((k) => kw(k, 'outcome')) : [];
  if (what === 'fault' || what === 'event') {
    if (rest.length === 0) return what === 'fault' ? [...eventItems(), ...fieldWords([])] : eventItems();
    const last = rest[rest.length - 1];
    const info = EXPECT_FIELD_DOCS[last];
    if (info) return (info.values ?? []).map((v) => kw(v, `${last}`));
    return fieldWords(rest);
  }
  return [];
}

/** Record fields after `expect fault F_NAME` (those not yet written). */
function fieldWords(used: string[]): CompletionItem[] {
  return wordItems(EXPECT_FIELD_DOCS, 'event record field', { used });
}

function featureValues(lw: string[]): CompletionItem[] {
  const info = SMMU_FEATURES[lw[0]];
  const vals = info?.values ?? [];
  const used = new Set(lw.slice(1));
  // `stages s1 s2 nested` and `granules 4K 64K` take several values; the others one.
  const many = lw[0] === 'stages' || lw[0] === 'granules';
  if (!many && lw.length > 1) return [];
  return vals.filter((v) => !used.has(v.toLowerCase())).map((v) => kw(v, lw[0], info!.doc));
}

function pagetableHeader(lw: string[]): CompletionItem[] {
  // pagetable NAME [s1|s2] [GRANULE] [options]
  if (lw.length < 2) return [];
  const rest = lw.slice(2);
  const stage = rest.includes('s2') || rest.includes('stage2') ? 2 : 1;
  const last = rest[rest.length - 1];
  const opt = last !== undefined ? PAGETABLE_OPTIONS[last] : undefined;
  if (opt) return (opt.values ?? []).map((v) => kw(v, last, opt.doc));
  const out: CompletionItem[] = [];
  if (!rest.some((w) => w in STAGES)) out.push(...wordItems(STAGES, 'stage'));
  if (!rest.some((w) => w.toUpperCase() in GRANULES)) out.push(...wordItems(GRANULES, 'granule'));
  out.push(...wordItems(PAGETABLE_OPTIONS, 'pagetable option', { stage, used: rest }));
  return out;
}

/** `map IOVA +SIZE -> PA |`: permissions, then attributes. */
function mappingItems(lw: string[], stage: 1 | 2, granule: Granule): CompletionItem[] {
  const arrow = lw.indexOf('->');
  if (arrow < 0 || lw.length <= arrow + 1) return [];
  const after = lw.slice(arrow + 2);
  const last = after[after.length - 1];
  if (last === 'pgsize' || last === 'pages') return leafSizes(granule).map((x) => kw(sizeText(x.size), 'pgsize', x.level === 3 ? 'Pages (level 3).' : `Level-${x.level} blocks.`));
  if (last !== undefined && MAP_ATTRS[last]?.values) return MAP_ATTRS[last].values!.map((v) => kw(v, last));
  const attrs = wordItems(MAP_ATTRS, `stage-${stage} attribute`, { stage, used: after });
  return after.some((w) => isPermsWord(w)) ? attrs : [...wordItems(PERMS, 'permissions'), ...attrs];
}

function cmdItems(tree: Script, lw: string[]): CompletionItem[] {
  const opcode = lw.slice(1).find((w) => w.startsWith('cmd_'));
  if (!opcode) return [...commandItems(), kw('raw', 'raw dwords'), ...nameItems(tree, ['smmu'])];
  const def = COMMANDS.find((c) => c.name.toLowerCase() === opcode);
  if (!def) return [];
  const prev = lw[lw.length - 1];
  if (prev !== opcode) {
    const vals = valueItems(def, prev);
    if (vals.length) return vals;
  }
  return fieldItems(def).filter((f) => f.label !== 'Op' && f.label !== 'opcode');
}

/** `cpu |` -> tlbi; `cpu tlbi |` -> the instructions; then the options the instruction takes. */
function cpuItems(lw: string[]): CompletionItem[] {
  if (lw.length === 1) return [kw('tlbi', 'TLB invalidation', 'A TLBI ...IS instruction (DDI 0487 C5.5).')];
  if (lw[1] !== 'tlbi') return [];
  if (lw.length === 2) return CPU_TLBIS.map((d) => kw(d.name.toLowerCase(), 'TLBI instruction', d.summary));
  const d = cpuTlbiByName(lw[2]);
  const prev = lw[lw.length - 1];
  if (!d || ['asid', 'va', 'xt', 'vmid'].includes(prev)) return [];
  const takes = (o: string): boolean => o === 'vhe' || (o === 'vmid' ? d.el === 1 : d.operand !== undefined && (o === 'xt' || (o === 'asid' ? d.scope !== 'vaa' : d.scope !== 'asid')));
  const used = lw.slice(3).filter((w) => w in CPU_TLBI_OPTION_DOCS);
  return wordItems(CPU_TLBI_OPTION_DOCS, 'cpu tlbi option', { used }).filter((i) => takes(i.label));
}

function regItems(tree: Script, lw: string[], words: string[]): CompletionItem[] {
  if (lw.length === 1) return [...registerItems(), ...nameItems(tree, ['smmu'])];
  const name = words[1].includes('.') ? words[1].slice(words[1].indexOf('.') + 1) : words[1];
  const r = REGISTERS.find((x) => x.name.toLowerCase() === name.toLowerCase() || x.name.toLowerCase() === 'smmu_' + name.toLowerCase());
  if (!r) return [];
  if (lw.length > 2) {
    const vals = valueItems(r, lw[lw.length - 1]);
    if (vals.length) return vals;
  }
  return fieldItems(r);
}

function transactionItems(tree: Script, lw: string[], words: string[]): CompletionItem[] {
  const prev = lw[lw.length - 1];
  const smmus = nameItems(tree, ['smmu']);
  const smmu = lw.length > 1 && smmus.some((s) => s.label === words[1]) ? words[1] : undefined;
  if (prev === 'sid') return sidItems(tree, smmu);
  if (['ssid', 'iova', 'addr', 'len', 'prgi'].includes(prev)) return [];
  const used = new Set(lw.slice(1));
  const access = used.has('read') || used.has('write');
  const opts = TRANSACTION_OPTIONS.filter((o) => !used.has(o) && !(access && (o === 'read' || o === 'write')) && !(o === 'addr' && used.has('iova')) && !(o === 'iova' && used.has('addr')))
    .filter((o) => lw[0] === 'pri' || (o !== 'prgi' && o !== 'last'))
    .map((o) => kw(o, 'transaction option'));
  return [...opts, kw('expect', 'an expectation on this transaction'), ...(lw.length === 1 ? smmus : [])];
}

/** `vsmmu NAME |` -> vIOMMUs; after one, also `mode`; `mode |` -> nested, shadow with their meaning. */
function vsmmuItems(tree: Script, lw: string[]): CompletionItem[] {
  const m = lw.indexOf('mode');
  if (m > 0) return m === lw.length - 1 ? wordItems(VSMMU_MODE_DOCS, 'vsmmu mode') : [];
  if (lw.length < 2) return [];
  const listed = new Set(lw.slice(2));
  const viommus = nameItems(tree, ['viommu']).filter((i) => !listed.has(i.label.toLowerCase()));
  return [...viommus, ...(lw.length > 2 ? [kw('mode', 'vsmmu option', VSMMU_MODE_WORD.doc)] : [])];
}

/** Field position (a block line, or inline options of ste/cd): `field |` -> values or names. */
function fieldPosition(tree: Script, lw: string[], words: string[], blockStmt: Statement | undefined, stmt: Statement | undefined): CompletionItem[] {
  const def = structOf(stmt);
  const fieldName = blockStmt ? words[0] : words[words.length - 1];
  if (!fieldName) return [];
  if (stmt?.kind === 'ste' && fieldName.toLowerCase() === 'config') return CONFIG_WORDS.map(([w, d]) => kw(w, `STE.Config = ${d}`));
  const refs = referenceKinds(fieldName, stmt);
  if (refs && (!blockStmt || lw.length === 1)) return nameItems(tree, refs.kinds, refs.stage);
  if (def) {
    const vals = valueItems(def, fieldName);
    if (vals.length) return vals;
    if (!blockStmt) return fieldItems(def);
  }
  return [];
}
