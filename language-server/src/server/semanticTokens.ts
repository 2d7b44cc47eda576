// Semantic tokens (full document). The legend is defined here and only here.
import type { SemanticTokens, SemanticTokensLegend, SemanticTokensParams } from 'vscode-languageserver';
import { positionAt, walk } from '../dsl';
import type { DeclKind, Node, Script } from '../dsl/ast';
import type { ServerContext } from './context';
import { nameIndex } from './names';

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

function collectTokens(tree: Script): Tok[] {
  const names = nameIndex(tree);
  const toks: Tok[] = [];
  const named = new Set<number>();
  for (const o of names.occurrences) {
    named.add(o.start);
    toks.push({ start: o.start, end: o.end, type: o.kind ? DECL_TYPE[o.kind] : 'type', mods: o.declaration ? DECLARATION : 0 });
  }
  const special = new Map<Node, TokenType>();
  walk(tree, (n, parents) => {
    const parent = parents[parents.length - 1];
    if (named.has(n.start) && (n.kind === 'word' || n.kind === 'nameDecl' || n.kind === 'nameRef')) return;
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
        toks.push({ start: n.start, end: n.end, type: n.text === '->' ? 'operator' : 'keyword', mods: 0 });
        break;
      case 'word': {
        const t = special.get(n) ?? (parent?.kind === 'field' && parent.name === n ? 'property' : wordType(n.text));
        toks.push({ start: n.start, end: n.end, type: t, mods: 0 });
        break;
      }
      case 'number':
        toks.push({ start: n.start, end: n.end, type: 'number', mods: 0 });
        break;
      case 'string':
        toks.push({ start: n.start, end: n.end, type: 'string', mods: 0 });
        break;
    }
  });
  for (const c of tree.comments) toks.push({ start: c.start, end: c.end, type: 'comment', mods: 0 });
  toks.sort((a, b) => a.start - b.start || b.end - a.end);
  return toks;
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

export function semanticTokens(ctx: ServerContext, p: SemanticTokensParams): SemanticTokens {
  const parsed = ctx.analyzer.parsed(p.textDocument.uri);
  if (!parsed) return { data: [] };
  return { data: encodeTokens(parsed.tree, collectTokens(parsed.tree)) };
}
