// didChange validation. An edit whose range lies outside the document (or ends before it starts),
// or whose version does not follow the document's, is malformed: a client or transport bug. It is
// applied as the text model does (ranges clamped), reported as an error, and the document is then
// analysed from scratch: nothing incremental (syntax tree, last run) is reused.
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { TextDocumentsConfiguration } from 'vscode-languageserver';

type Pos = { line: number; character: number };

function lineLength(doc: TextDocument, line: number): number {
  const text = doc.getText({ start: { line, character: 0 }, end: { line: line + 1, character: 0 } });
  return text.replace(/\r?\n$|\r$/, '').length;
}

function posProblem(doc: TextDocument, p: Pos | undefined, what: string): string | undefined {
  if (!p || !Number.isInteger(p.line) || !Number.isInteger(p.character) || p.line < 0 || p.character < 0) return `${what} position ${JSON.stringify(p)} is not a position`;
  if (p.line >= doc.lineCount) return `${what} line ${p.line} is past the last line (${doc.lineCount - 1})`;
  const len = lineLength(doc, p.line);
  if (p.character > len) return `${what} character ${p.character} is past the end of line ${p.line} (${len} characters)`;
  return undefined;
}

/** What is wrong with `change` applied to `doc`, or undefined. */
export function changeProblem(doc: TextDocument, change: TextDocumentContentChangeEvent): string | undefined {
  if (!('range' in change) || !change.range) return undefined;
  const r = change.range;
  const p = posProblem(doc, r.start, 'start') ?? posProblem(doc, r.end, 'end');
  if (p) return p;
  if (r.end.line < r.start.line || (r.end.line === r.start.line && r.end.character < r.start.character)) return 'the range ends before it starts';
  return undefined;
}

/** TextDocuments' text model with the checks; `onMalformed` runs before the change is announced. */
export function checkedTextDocuments(onMalformed: (uri: string, why: string) => void): TextDocumentsConfiguration<TextDocument> {
  return {
    create: TextDocument.create,
    update: (doc, changes, version) => {
      let why = version <= doc.version ? `version ${version} does not follow ${doc.version}` : undefined;
      for (const c of changes) {
        why ??= changeProblem(doc, c);
        TextDocument.update(doc, [c], version);
      }
      if (why) onMalformed(doc.uri, why);
      return doc;
    },
  };
}
