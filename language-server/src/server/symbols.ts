// Document symbols (the outline): declarations with their mappings, STEs and includes.
import { SymbolKind, type DocumentSymbol, type DocumentSymbolParams } from 'vscode-languageserver';
import { rangeOf } from '../dsl/diagnostics';
import type { Script, Span, Statement } from '../dsl/ast';
import type { ServerContext } from './context';

function sym(tree: Script, name: string, detail: string, kind: SymbolKind, whole: Span, sel: Span, children?: DocumentSymbol[]): DocumentSymbol {
  const s: DocumentSymbol = { name: name || '?', detail, kind, range: rangeOf(tree, whole), selectionRange: rangeOf(tree, sel) };
  if (children?.length) s.children = children;
  return s;
}

function statementSymbol(tree: Script, s: Statement): DocumentSymbol | undefined {
  switch (s.kind) {
    case 'smmu':
      return s.name ? sym(tree, s.name.name, 'SMMU instance', SymbolKind.Module, s, s.name) : undefined;
    case 'pagetable': {
      if (!s.name) return undefined;
      const maps: DocumentSymbol[] = [];
      for (const it of s.body?.items ?? []) {
        if (it.kind === 'mapping' && it.iova) {
          const text = `map ${it.iova.text}${it.size ? ' ' + it.size.text : ''}${it.pa ? ' -> ' + it.pa.text : ''}`;
          maps.push(sym(tree, text, it.perms?.text ?? '', SymbolKind.Field, it, it.iova));
        }
      }
      const detail = ['page table', s.stage?.text, s.granule?.text].filter(Boolean).join(' ');
      return sym(tree, s.name.name, detail, SymbolKind.Struct, s, s.name, maps);
    }
    case 'cd':
      return s.name ? sym(tree, s.name.name, 'context descriptor', SymbolKind.Object, s, s.name) : undefined;
    case 'cdtable':
      return s.name ? sym(tree, s.name.name, 'CD table', SymbolKind.Array, s, s.name) : undefined;
    case 'ste': {
      const name = `ste ${s.smmu ? s.smmu.name + ' ' : ''}${s.sid?.text ?? '?'}`;
      return sym(tree, name, 'stream table entry', SymbolKind.Object, s, s.sid ?? s.keyword);
    }
    case 'include':
      return s.path ? sym(tree, `include "${s.path.value}"`, '', SymbolKind.File, s, s.path) : undefined;
    default:
      return undefined;
  }
}

export async function documentSymbols(ctx: ServerContext, p: DocumentSymbolParams): Promise<DocumentSymbol[]> {
  const parsed = await ctx.analyzer.whenParsed(p.textDocument.uri);
  if (!parsed) return [];
  const out: DocumentSymbol[] = [];
  for (const s of parsed.tree.statements) {
    const d = statementSymbol(parsed.tree, s);
    if (d) out.push(d);
  }
  return out;
}
