// Rename of named objects. The new name must be an identifier, not a keyword, and not already
// declared; every declaration and reference in the document is renamed.
import { ErrorCodes, ResponseError, type PrepareRenameParams, type Range, type RenameParams, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import { offsetAt, rangeOf } from '../dsl/diagnostics';
import { KEYWORDS } from '../dsl/keywords';
import type { ServerContext } from './context';
import { nameIndex } from './names';

const IDENT = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Why `name` cannot be used, or undefined when it can. */
function invalidName(name: string, declared: ReadonlyMap<string, unknown>, current: string): string | undefined {
  if (!IDENT.test(name)) return `'${name}' is not a valid name: use letters, digits and '_', not starting with a digit`;
  if (KEYWORDS.includes(name.toLowerCase())) return `'${name}' is a keyword of the scenario language`;
  if (/^(CMD_|SMMU_)/i.test(name) || /^[FCE]_[A-Z_]+$/.test(name)) return `'${name}' looks like a spec name (command, register or event)`;
  if (name !== current && declared.has(name)) return `'${name}' is already declared in this file`;
  return undefined;
}

export function prepareRename(ctx: ServerContext, p: PrepareRenameParams): { range: Range; placeholder: string } | null {
  const parsed = ctx.analyzer.parsed(p.textDocument.uri);
  if (!parsed) return null;
  const occ = nameIndex(parsed.tree).at(offsetAt(parsed.tree, p.position));
  if (!occ) return null;
  return { range: rangeOf(parsed.tree, occ), placeholder: occ.name };
}

export function rename(ctx: ServerContext, p: RenameParams): WorkspaceEdit | ResponseError<void> | null {
  const parsed = ctx.analyzer.parsed(p.textDocument.uri);
  if (!parsed) return null;
  const idx = nameIndex(parsed.tree);
  const occ = idx.at(offsetAt(parsed.tree, p.position));
  if (!occ) return new ResponseError(ErrorCodes.InvalidParams, 'nothing to rename here: place the cursor on the name of a table, CD, CD table or SMMU');
  if (typeof p.newName !== 'string') return new ResponseError(ErrorCodes.InvalidParams, 'newName must be a string');
  const why = invalidName(p.newName, idx.decls, occ.name);
  if (why) return new ResponseError(ErrorCodes.InvalidParams, why);
  const edits: TextEdit[] = idx.of(occ.name).map((o) => ({ range: rangeOf(parsed.tree, o), newText: p.newName }));
  return { changes: { [p.textDocument.uri]: edits } };
}
