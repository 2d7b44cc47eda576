// Quick fixes: every diagnostic whose message suggests names ("did you mean 'pagetable'?", from
// dsl/suggest.ts) offers to replace the misspelt word with each suggestion, the closest preferred.
import { CodeActionKind, type CodeAction, type CodeActionParams } from 'vscode-languageserver';
import { suggestionsIn } from '../dsl/suggest';
import type { ServerContext } from './context';

export function didYouMeanFixes(ctx: ServerContext, p: CodeActionParams): CodeAction[] {
  const uri = p.textDocument.uri;
  const doc = ctx.analyzer.document(uri);
  if (!doc) return [];
  if (p.context.only && !p.context.only.some((k) => CodeActionKind.QuickFix.startsWith(k))) return [];
  const out: CodeAction[] = [];
  for (const d of p.context.diagnostics) {
    if (d.source !== 'iommu-lens' || typeof d.message !== 'string') continue;
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
