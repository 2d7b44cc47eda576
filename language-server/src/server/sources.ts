// The versions of a document as the server analyses them (documents.ts): each version's text, cut
// at maxFileSize, with its line starts, from the last version's and the edit's extent (common
// prefix and suffix: from the LSP edits, else one scan), so the rest is proportional to the edit.
// The edits themselves are kept once, per version, in textEdits.ts EditLog.
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { computeLineStarts } from '../dsl';
import { commonExtent, nextLineStarts } from '../dsl/incremental';
import { cutToSize } from '../engine';
import { lineBounds } from './textMap';
import type { Extent } from './textEdits';

/** One version of a document as analysed (cheap: no parsing). */
export interface Source {
  uri: string;
  version: number;
  /** The text that was analysed: the document, cut at a line end when above maxFileSize. */
  text: string;
  /** Length of the whole document. */
  fullLength: number;
  partial: boolean;
  /** Offsets where each line of `text` starts. */
  lineStarts: number[];
  /** True when a line of `text` may start with `include` (then the other open documents' texts
   *  go with the run; false only when none does). */
  includes: boolean;
}
const INCLUDE = /^\s*include\b/m;

/** Whether an `include` may start a line of `text` among the lines holding [from, to) (the edit). */
function includeIn(text: string, from: number, to: number): boolean {
  const a = lineBounds(text, Math.min(from, text.length)).start;
  const b = lineBounds(text, Math.min(Math.max(to, from), text.length)).end;
  return INCLUDE.test(text.slice(a, b));
}

/** The source of `doc`'s version, from the last one analysed. `extent`: the common prefix and
 *  suffix of the whole texts, from the edits (else scanned). */
export function nextSource(last: Source | undefined, doc: TextDocument, maxFileSize: number, extent?: Extent): Source {
  const full = doc.getText();
  const text = cutToSize(full, maxFileSize);
  const source = (lineStarts: number[], includes: boolean): Source =>
    ({ uri: doc.uri, version: doc.version, text, fullLength: full.length, partial: text.length < full.length, lineStarts, includes });
  if (!last) return source(computeLineStarts(text), INCLUDE.test(text));
  // The edits' extent holds for the cut texts when neither is cut.
  const { p, s } = commonExtent(last.text, text, !last.partial && text.length === full.length ? extent : undefined);
  // Only the lines the edit touched can have gained or lost an `include`: a file that had one is
  // searched again only when the edit's old lines held one.
  const includes = last.includes ? !includeIn(last.text, p, last.text.length - s) || INCLUDE.test(text) : includeIn(text, p, text.length - s);
  return source(nextLineStarts(last.lineStarts, last.text, text, p, s), includes);
}
