// Document formatting with the parser's canonical layout (which leaves a file with syntax errors
// unchanged): one whole-document edit, or none when already formatted.
import type { DocumentFormattingParams, TextEdit } from 'vscode-languageserver';
import { format } from '../dsl';
import type { ServerContext } from './context';

export function formatDocument(ctx: ServerContext, p: DocumentFormattingParams): TextEdit[] {
  const doc = ctx.analyzer.document(p.textDocument.uri);
  if (!doc) return [];
  const text = doc.getText();
  if (text.length > ctx.settings().maxFileSize) return [];
  const out = format(text);
  if (out === text) return [];
  return [{ range: { start: { line: 0, character: 0 }, end: doc.positionAt(text.length) }, newText: out }];
}
