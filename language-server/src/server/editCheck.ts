// didChange validation. An edit whose range lies outside the document (or ends before it starts),
// or whose version does not follow the document's, is malformed: a client or transport bug. It is
// applied as the text model does (ranges clamped), reported as an error, and the document is then
// analysed from scratch: nothing incremental (syntax tree, last run) is reused. Well-formed
// changes are also reported as offset edits (textEdits.ts), so later work follows the edit.
import { TextDocument, type TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import type { TextDocumentsConfiguration } from 'vscode-languageserver';
import { IDENTITY, type TextEdit } from './textEdits';
import { composeMaps, textMap, type TextMap } from './textMap';

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

export interface EditHooks {
  /** Runs before the change is announced; the document is then analysed from scratch. */
  malformed(uri: string, why: string): void;
  /** Version `from` became `to` by `edits` (offsets, in order); undefined when a change replaced
   *  the whole text or was malformed. `map`: the version's map of whole lines (textMap.ts), each
   *  edit's made from the texts before and after it. Runs before the change is announced. */
  edited(uri: string, from: number, to: number, edits: TextEdit[] | undefined, map?: TextMap): void;
}

/** TextDocuments' text model with the checks, reporting each version's edits. */
export function checkedTextDocuments(hooks: EditHooks): TextDocumentsConfiguration<TextDocument> {
  return {
    create: TextDocument.create,
    update: (doc, changes, version) => {
      const from = doc.version;
      let why = version <= doc.version ? `version ${version} does not follow ${doc.version}` : undefined;
      let edits: TextEdit[] | undefined = [];
      let map: TextMap | undefined;
      for (const c of changes) {
        why ??= changeProblem(doc, c);
        if (why || !('range' in c) || !c.range) edits = undefined;
        const before = doc.getText();
        const e = edits && 'range' in c && c.range ? { start: doc.offsetAt(c.range.start), end: doc.offsetAt(c.range.end), text: c.text } : undefined;
        TextDocument.update(doc, [c], version);
        if (!edits || !e) continue;
        edits.push(e);
        const m = textMap(before, doc.getText(), e.start, before.length - e.end);
        map = map ? composeMaps(map, m) : m;
      }
      hooks.edited(doc.uri, from, version, why ? undefined : edits, why || !edits ? undefined : map ?? IDENTITY);
      if (why) hooks.malformed(doc.uri, why);
      return doc;
    },
  };
}
