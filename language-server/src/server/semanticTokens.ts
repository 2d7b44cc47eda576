// Semantic tokens: full, a range, or the delta from the last full result. The legend is defined
// here and only here. Each statement's tokens are kept with it (relative offsets), so a new tree
// from an edit walks only the statements the edit re-parsed.
import type {
  SemanticTokens, SemanticTokensDelta, SemanticTokensDeltaParams, SemanticTokensLegend, SemanticTokensParams, SemanticTokensRangeParams,
} from 'vscode-languageserver';
import { offsetAt, positionAt, walk } from '../dsl';
import { statementMemo } from '../dsl/incremental';
import type { DeclKind, Node, Script, Statement } from '../dsl/ast';
import type { ServerContext } from './context';
import { firstStatementTo, nameIndex } from './names';

const TOKEN_TYPES = ['keyword', 'namespace', 'struct', 'type', 'property', 'enumMember', 'number', 'string', 'comment', 'function', 'event', 'macro', 'operator'] as const;
const TOKEN_MODIFIERS = ['declaration'] as const;
export const LEGEND: SemanticTokensLegend = { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] };

type TokenType = (typeof TOKEN_TYPES)[number];
const TYPE_INDEX = new Map<string, number>(TOKEN_TYPES.map((t, i) => [t, i]));
const DECLARATION = 1;

const DECL_TYPE: Record<DeclKind, TokenType> = { smmu: 'namespace', pagetable: 'struct', cd: 'type', cdtable: 'type', ioas: 'struct', hwpt: 'struct', viommu: 'namespace', vsmmu: 'namespace' };

interface Tok {
  start: number;
  end: number;
  type: TokenType;
  mods: number;
}

function wordType(text: string): TokenType {
  if (/^CMD_/i.test(text)) return 'function';
  if (/^[FCE]_[A-Z0-9_]+$/.test(text)) return 'event';
  if (/^SMMU_/i.test(text)) return 'macro';
  return 'enumMember';
}

/** The word a statement types on its own (a command's opcode, a register's name, what an expectation checks, a mapping's permissions, a vsmmu's `mode`). */
function specialWord(n: Node): [Node, TokenType] | undefined {
  const [w, t]: [Node | undefined, TokenType] = n.kind === 'cmd' ? [n.opcode, 'function'] : n.kind === 'reg' ? [n.register, 'macro']
    : n.kind === 'expectation' ? [n.what, 'keyword'] : n.kind === 'mapping' ? [n.perms, 'keyword'] : n.kind === 'vsmmu' ? [n.modeKeyword, 'keyword'] : [undefined, 'keyword'];
  return w ? [w, t] : undefined;
}

/** A statement's tokens other than names, offsets relative to its start (memoized per statement:
 *  dsl/incremental.ts statementMemo). `word`: dropped where a name occurrence stands. */
interface LocalTok extends Tok {
  word: boolean;
}

function walkTokens(st: Statement): LocalTok[] {
  const base = st.start;
  const toks: LocalTok[] = [];
  const special = new Map<Node, TokenType>();
  const push = (n: Node, type: TokenType, word = false) => toks.push({ start: n.start - base, end: n.end - base, type, mods: 0, word });
  walk(st, (n, parents) => {
    const parent = parents[parents.length - 1];
    switch (n.kind) {
      case 'cpu':
        if (n.op) special.set(n.op, 'keyword');
        if (n.instr) special.set(n.instr, 'function');
        break;
      case 'cmd':
      case 'reg':
      case 'expectation':
      case 'vsmmu':
      case 'mapping': {
        const sp = specialWord(n);
        if (sp) special.set(sp[0], sp[1]);
        break;
      }
      case 'keyword':
        push(n, n.text === '->' ? 'operator' : 'keyword');
        break;
      case 'word':
        push(n, special.get(n) ?? (parent?.kind === 'field' && parent.name === n ? 'property' : wordType(n.text)), true);
        break;
      case 'number':
        push(n, 'number');
        break;
      case 'string':
        push(n, 'string');
        break;
    }
  });
  return toks;
}

const tokensOf = (st: Statement): readonly LocalTok[] => ((statementMemo(st).tokens as LocalTok[] | undefined) ??= walkTokens(st));

/** The tokens of the statements and comments that touch [from, to], in offset order. */
function collectTokens(tree: Script, from = 0, to = tree.end): Tok[] {
  const toks: Tok[] = [];
  const named = new Set<number>();
  for (const o of nameIndex(tree).between(from, to)) {
    named.add(o.start);
    toks.push({ start: o.start, end: o.end, type: o.kind ? DECL_TYPE[o.kind] : 'type', mods: o.declaration ? DECLARATION : 0 });
  }
  const st = tree.statements;
  for (let i = firstStatementTo(st, from); i < st.length && st[i].start <= to; i++) {
    const base = st[i].start;
    for (const t of tokensOf(st[i])) {
      if (!(t.word && named.has(base + t.start))) toks.push({ start: base + t.start, end: base + t.end, type: t.type, mods: 0 });
    }
  }
  const c = tree.comments;
  for (let i = firstStatementTo(c, from); i < c.length && c[i].start <= to; i++) toks.push({ start: c[i].start, end: c[i].end, type: 'comment', mods: 0 });
  toks.sort((a, b) => a.start - b.start || b.end - a.end);
  return from === 0 && to === tree.end ? toks : toks.filter((t) => t.end >= from && t.start <= to);
}

function encodeTokens(tree: Script, toks: readonly Tok[]): number[] {
  const data: number[] = [];
  let prevLine = 0;
  let prevChar = 0;
  let lastEnd = -1;
  for (const t of toks) {
    if (t.start < lastEnd || t.end <= t.start) continue; // no overlaps, no empty tokens
    const a = positionAt(tree, t.start);
    const b = positionAt(tree, t.end);
    const length = b.line === a.line ? b.character - a.character : tree.lineStarts[a.line + 1] - tree.lineStarts[a.line] - a.character;
    if (length <= 0) continue;
    data.push(a.line - prevLine, a.line === prevLine ? a.character - prevChar : a.character, length, TYPE_INDEX.get(t.type)!, t.mods);
    prevLine = a.line;
    prevChar = a.character;
    lastEnd = t.end;
  }
  return data;
}

/** The last full result per document, for deltas (a few documents). */
const last = new Map<string, { id: string; data: number[] }>();
let nextId = 1;

function remember(uri: string, data: number[]): SemanticTokens {
  const id = String(nextId++);
  last.delete(uri);
  last.set(uri, { id, data });
  if (last.size > 8) last.delete(last.keys().next().value!);
  return { resultId: id, data };
}

/** While the document's first parse is under way, the tokens of the statements parsed so far (the
 *  client is asked to refresh them once it is done: server.ts). */
export function semanticTokens(ctx: ServerContext, p: SemanticTokensParams): SemanticTokens {
  const parsed = ctx.analyzer.parsedUpTo(p.textDocument.uri);
  if (!parsed) return { data: [] };
  return remember(p.textDocument.uri, encodeTokens(parsed.tree, collectTokens(parsed.tree)));
}

/** The tokens of a range (the visible part of a large file). */
export function semanticTokensRange(ctx: ServerContext, p: SemanticTokensRangeParams): SemanticTokens {
  const parsed = ctx.analyzer.parsedAt(p.textDocument.uri, p.range.end);
  if (!parsed) return { data: [] };
  const tree = parsed.tree;
  return { data: encodeTokens(tree, collectTokens(tree, offsetAt(tree, p.range.start), offsetAt(tree, p.range.end))) };
}

/** The change since the result `previousResultId` as one edit (the common head and tail of the
 *  two token arrays stay); the whole tokens when that result is not the last one kept. */
export function semanticTokensDelta(ctx: ServerContext, p: SemanticTokensDeltaParams): SemanticTokens | SemanticTokensDelta {
  const before = last.get(p.textDocument.uri);
  const now = semanticTokens(ctx, { textDocument: p.textDocument });
  if (!before || before.id !== p.previousResultId || !now.resultId) return now;
  const a = before.data;
  const b = now.data;
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  // Whole tokens only (5 numbers each).
  head -= head % 5;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  tail -= tail % 5;
  const edits = head === a.length && head === b.length ? [] : [{ start: head, deleteCount: a.length - head - tail, data: b.slice(head, b.length - tail) }];
  return { resultId: now.resultId, edits };
}
