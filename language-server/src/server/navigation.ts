// Go to definition and find references for named objects (tables, CDs, CD tables, SMMUs).
import type { DefinitionParams, Location, ReferenceParams } from 'vscode-languageserver';
import { offsetAt, rangeOf } from '../dsl/diagnostics';
import type { ServerContext } from './context';
import { nameIndex } from './names';

export function definition(ctx: ServerContext, p: DefinitionParams): Location[] {
  const parsed = ctx.analyzer.parsed(p.textDocument.uri);
  if (!parsed) return [];
  const idx = nameIndex(parsed.tree);
  const occ = idx.at(offsetAt(parsed.tree, p.position));
  if (!occ) return [];
  return (idx.decls.get(occ.name) ?? []).map((d) => ({ uri: p.textDocument.uri, range: rangeOf(parsed.tree, d) }));
}

export function references(ctx: ServerContext, p: ReferenceParams): Location[] {
  const parsed = ctx.analyzer.parsed(p.textDocument.uri);
  if (!parsed) return [];
  const idx = nameIndex(parsed.tree);
  const occ = idx.at(offsetAt(parsed.tree, p.position));
  if (!occ) return [];
  return idx
    .of(occ.name)
    .filter((o) => p.context?.includeDeclaration !== false || !o.declaration)
    .map((o) => ({ uri: p.textDocument.uri, range: rangeOf(parsed.tree, o) }));
}
