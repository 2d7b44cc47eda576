// Quick fixes: every diagnostic whose message suggests names ("did you mean 'pagetable'?", from
// dsl/suggest.ts) offers to replace the misspelt word with each suggestion, the closest preferred;
// a nested STE whose stage 2 does not map the guest's structures (E_GUEST_UNMAPPED) offers to add
// the `map` lines its message gives to that stage-2 pagetable.
import { CodeActionKind, type CodeAction, type CodeActionParams, type TextEdit } from 'vscode-languageserver';
import type { PagetableDecl } from '../dsl/ast';
import { suggestionsIn } from '../dsl/suggest';
import { guestFixOf } from '../engine/output/guestFix';
import type { ServerContext } from './context';

export function didYouMeanFixes(ctx: ServerContext, p: CodeActionParams): CodeAction[] {
  const uri = p.textDocument.uri;
  const doc = ctx.analyzer.document(uri);
  if (!doc) return [];
  if (p.context.only && !p.context.only.some((k) => CodeActionKind.QuickFix.startsWith(k))) return [];
  const out: CodeAction[] = [];
  for (const d of p.context.diagnostics) {
    if (d.source !== 'iommu-lens' || typeof d.message !== 'string') continue;
    if (d.code === 'E_GUEST_UNMAPPED') {
      const fix = guestMapFix(ctx, uri, d.message);
      if (fix) out.push({ ...fix, kind: CodeActionKind.QuickFix, diagnostics: [d], isPreferred: true });
      continue;
    }
    const word = doc.getText(d.range);
    // Only a single word is replaced (a diagnostic on a whole statement is not a misspelling).
    if (!/^[A-Za-z_][\w.]*$/.test(word)) continue;
    suggestionsIn(d.message).forEach((s, i) => {
      if (s === word) return;
      out.push({
        title: `Change '${word}' to '${s}'`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        isPreferred: i === 0,
        edit: { changes: { [uri]: [{ range: d.range, newText: s }] } },
      });
    });
  }
  return out;
}

/** Adds the `map` lines of an E_GUEST_UNMAPPED message to the stage-2 pagetable it names (in this file). */
function guestMapFix(ctx: ServerContext, uri: string, message: string): Pick<CodeAction, 'title' | 'edit'> | undefined {
  const fix = guestFixOf(message);
  const doc = ctx.analyzer.document(uri);
  const tree = ctx.analyzer.parsed(uri)?.tree;
  if (!fix || !doc || !tree) return undefined;
  const pt = tree.statements.find((s): s is PagetableDecl => s.kind === 'pagetable' && s.name?.name === fix.table);
  if (!pt) return undefined;
  let edit: TextEdit;
  if (pt.body?.closed) {
    // Before the closing brace, on lines of their own, indented like the body.
    const close = doc.positionAt(pt.body.end - 1);
    const first = pt.body.items[0];
    const indent = first ? ' '.repeat(doc.positionAt(first.start).character) : '  ';
    const lineText = doc.getText({ start: { line: close.line, character: 0 }, end: close });
    const onOwnLine = lineText.trim() === '';
    edit = onOwnLine
      ? { range: { start: { line: close.line, character: 0 }, end: { line: close.line, character: 0 } }, newText: fix.lines.map((l) => `${indent}${l}\n`).join('') }
      : { range: { start: close, end: close }, newText: fix.lines.map((l) => `; ${l}`).join('') + ' ' };
  } else if (!pt.body) {
    edit = { range: { start: doc.positionAt(pt.end), end: doc.positionAt(pt.end) }, newText: ` {\n${fix.lines.map((l) => `  ${l}\n`).join('')}}` };
  } else return undefined;
  return { title: `Map the guest's structures in pagetable ${fix.table}: ${fix.lines.join('; ')}`, edit: { changes: { [uri]: [edit] } } };
}
