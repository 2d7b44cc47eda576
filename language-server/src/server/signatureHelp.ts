// Signature help: the form of the statement under the cursor (its keyword's parameters, from
// signatures.ts), the parameter the cursor is at, and what each means. Answers from the syntax
// tree of the current version (incremental, dsl/incremental.ts) and the text: never waits for a run.
import type { ParameterInformation, SignatureHelp, SignatureHelpParams, SignatureInformation } from 'vscode-languageserver';
import { MarkupKind } from 'vscode-languageserver';
import { commentAt, offsetAt } from '../dsl';
import { lineIndexIn } from '../dsl/diagnostics';
import type { Script } from '../dsl/ast';
import { byStart, lowerBound } from '../dsl/lowerBound';
import { wordsBefore } from '../dsl/wordsBefore';
import type { ServerContext } from './context';
import { statementSignatures, type SigParam, type StatementSignature } from './signatures';

/** A space after a word moves to the next parameter; `{` opens a block. */
export const SIGNATURE_TRIGGERS = [' ', '{'];

/** The words of a statement from its start to the cursor (dsl/wordsBefore.ts: the DSL's lexer). */
interface Scan {
  /** Completed words, the keyword first. */
  words: string[];
  /** The word the cursor is in or right after ('' after a space). */
  typing: string;
  /** The cursor is inside the statement's `{ }` block. */
  inBlock: boolean;
}

/** Offset where the statement holding `offset` starts: the tree's statement when the cursor is in
 *  it or after it on its last line (still typing it), else the cursor's line start. */
export function statementStart(tree: Script, offset: number): number {
  const st = tree.statements;
  const k = lowerBound(st, offset + 1, byStart) - 1;
  const lineStart = tree.lineStarts[lineIndexIn(tree.lineStarts, offset)];
  if (k >= 0 && st[k].kind !== 'error' && (offset <= st[k].end || st[k].end >= lineStart)) return st[k].start;
  return lineStart;
}

const lower = (w: string) => w.toLowerCase();
const wordParam = (ps: readonly SigParam[], w: string) => ps.findIndex((p) => p.words?.some((x) => lower(x) === lower(w)));

/** The parameter the cursor is at (-1: none), and whether every word found a place. */
export function activeParameter(ps: readonly SigParam[], scan: Scan): { index: number; fits: boolean } {
  if (scan.inBlock) return { index: ps.findIndex((p) => p.block), fits: ps.some((p) => p.block) };
  const rest = scan.words.slice(1);
  const rawAt = ps.findIndex((p) => p.raw);
  let next = 0;
  let pending = -1;
  let raw = false;
  let fits = true;
  const used = new Set<number>();
  const positional = (w: string | undefined): number => {
    let n = next;
    while (n < ps.length && ((ps[n].words && !ps[n].inTurn) || ps[n].block || ps[n].raw || (w !== undefined && ps[n].optional && !ps[n].optional!(w)))) n++;
    return n < ps.length ? n : -1;
  };
  for (const w of rest) {
    if (pending >= 0) {
      pending = -1;
      continue;
    }
    if (raw) continue;
    if (lower(w) === 'raw') {
      if (rawAt < 0) fits = false;
      raw = rawAt >= 0;
      continue;
    }
    const k = wordParam(ps, w);
    if (k >= 0) {
      used.add(k);
      if (ps[k].value) pending = k;
      next = Math.max(next, k + 1);
      continue;
    }
    const n = positional(w);
    if (n < 0) {
      fits = false;
      continue;
    }
    used.add(n);
    next = ps[n].repeat ? n : n + 1;
  }
  if (pending >= 0) return { index: pending, fits };
  if (raw) return { index: rawAt, fits };
  if (scan.words.length === 0) return { index: -1, fits };
  const t = scan.typing;
  if (t) {
    if (lower(t) === 'raw' && rawAt >= 0) return { index: rawAt, fits };
    const k = /^[+0-9]/.test(t) ? -1 : ps.findIndex((p) => p.words?.some((x) => lower(x).startsWith(lower(t))));
    if (k >= 0) return { index: k, fits };
    return { index: positional(t), fits };
  }
  const n = positional(undefined);
  if (n >= 0) return { index: n, fits };
  // No positional parameter left: the first option or flag not written yet.
  for (let k = next; k < ps.length; k++) if (!used.has(k) && !ps[k].raw) return { index: k, fits };
  return { index: -1, fits };
}

function information(s: StatementSignature, active: number): SignatureInformation {
  const parameters: ParameterInformation[] = [];
  let at = s.keyword.length + 1;
  for (const p of s.params) {
    parameters.push({ label: [at, at + p.label.length], documentation: { kind: MarkupKind.Markdown, value: p.doc } });
    at += p.label.length + 1;
  }
  return { label: s.label, documentation: { kind: MarkupKind.Markdown, value: s.doc }, parameters, activeParameter: active };
}

export function signatureHelp(ctx: ServerContext, p: SignatureHelpParams): SignatureHelp | null {
  const parsed = ctx.analyzer.parsedAt(p.textDocument.uri, p.position);
  if (!parsed) return null;
  const { tree, text } = parsed;
  const offset = Math.min(offsetAt(tree, p.position), text.length);
  if (commentAt(tree, offset)) return null;
  const w = wordsBefore(text, statementStart(tree, offset), offset);
  if (w.inComment) return null;
  const scan: Scan = { words: w.words, typing: w.typing, inBlock: w.depth > 0 };
  const keyword = scan.words[0] ?? scan.typing;
  const sigs = statementSignatures(keyword, [...scan.words, scan.typing]);
  if (sigs.length === 0) return null;
  const found = sigs.map((s) => activeParameter(s.params, scan));
  // The form every word fits (the raw form once `raw` is written), else the first.
  let activeSignature = found.findIndex((f, i) => f.fits && (!sigs[i].params.some((x) => x.raw) || scan.words.some((w) => lower(w) === 'raw') || lower(scan.typing) === 'raw'));
  if (activeSignature < 0) activeSignature = Math.max(0, found.findIndex((f) => f.fits));
  const signatures = sigs.map((s, i) => information(s, found[i].index));
  return { signatures, activeSignature, activeParameter: found[activeSignature].index };
}
