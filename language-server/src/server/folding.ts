// Folding ranges: multi-line `{ }` blocks and runs of comment lines.
import { FoldingRangeKind, type FoldingRange, type FoldingRangeParams } from 'vscode-languageserver';
import { positionAt, walk } from '../dsl';
import type { ServerContext } from './context';

export function foldingRanges(ctx: ServerContext, p: FoldingRangeParams): FoldingRange[] {
  const parsed = ctx.analyzer.parsed(p.textDocument.uri);
  if (!parsed) return [];
  const tree = parsed.tree;
  const out: FoldingRange[] = [];
  walk(tree, (n) => {
    if (n.kind === 'block') {
      const a = positionAt(tree, n.start).line;
      const b = positionAt(tree, Math.max(n.start, n.end - 1)).line;
      // Keep the closing brace visible: fold up to the line before it when it is on its own line.
      const end = n.closed ? b - 1 : b;
      if (end > a) out.push({ startLine: a, endLine: end });
    }
  });
  let runStart = -1;
  let prev = -2;
  const flush = () => {
    if (runStart >= 0 && prev > runStart) out.push({ startLine: runStart, endLine: prev, kind: FoldingRangeKind.Comment });
  };
  for (const c of tree.comments) {
    const line = positionAt(tree, c.start).line;
    if (line === prev || parsed.text.slice(tree.lineStarts[line], c.start).trim() !== '') continue;
    if (line !== prev + 1) {
      flush();
      runStart = line;
    }
    prev = line;
  }
  flush();
  return out;
}
