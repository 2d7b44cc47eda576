// Go to definition and find references for named objects (tables, CDs, CD tables, SMMUs).
import type { DefinitionParams, Location, Position, ReferenceParams } from 'vscode-languageserver';
import { offsetAt, rangeOf } from '../dsl/diagnostics';
import type { ServerContext } from './context';
import { nameIndex } from './names';

/** The named object at a position: the document's tree, its name index and the occurrence there. */
function nameAt(ctx: ServerContext, uri: string, position: Position) {
  const parsed = ctx.analyzer.parsed(uri);
  if (!parsed) return undefined;
  const idx = nameIndex(parsed.tree);
  const occ = idx.at(offsetAt(parsed.tree, position));
  return occ ? { tree: parsed.tree, idx, occ } : undefined;
}

export function definition(ctx: ServerContext, p: DefinitionParams): Location[] {
  const at = nameAt(ctx, p.textDocument.uri, p.position);
  if (!at) return [];
  return (at.idx.decls.get(at.occ.name) ?? []).map((d) => ({ uri: p.textDocument.uri, range: rangeOf(at.tree, d) }));
}

export function references(ctx: ServerContext, p: ReferenceParams): Location[] {
  const at = nameAt(ctx, p.textDocument.uri, p.position);
  if (!at) return [];
  return at.idx
    .of(at.occ.name)
    .filter((o) => p.context?.includeDeclaration !== false || !o.declaration)
    .map((o) => ({ uri: p.textDocument.uri, range: rangeOf(at.tree, o) }));
}
