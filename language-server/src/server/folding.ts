// Folding ranges: multi-line `{ }` blocks and runs of comment lines. Each statement's blocks are
// kept with it (relative offsets: dsl/incremental.ts statementMemo), so a new tree from an edit
// walks only the statements the edit re-parsed.
import { FoldingRangeKind, type FoldingRange, type FoldingRangeParams } from 'vscode-languageserver';
import { positionAt, walk } from '../dsl';
import { statementMemo } from '../dsl/incremental';
import type { Statement } from '../dsl/ast';
import type { ServerContext } from './context';

/** A block of a statement: its start and last character, relative to the statement's start. */
interface LocalBlock {
  start: number;
  last: number;
  closed: boolean;
}

function walkBlocks(st: Statement): LocalBlock[] {
  const out: LocalBlock[] = [];
  walk(st, (n) => {
    if (n.kind === 'block') out.push({ start: n.start - st.start, last: Math.max(n.start, n.end - 1) - st.start, closed: n.closed });
  });
  return out;
}

const blocksOf = (st: Statement): readonly LocalBlock[] => ((statementMemo(st).blocks as LocalBlock[] | undefined) ??= walkBlocks(st));

export async function foldingRanges(ctx: ServerContext, p: FoldingRangeParams): Promise<FoldingRange[]> {
  const parsed = await ctx.analyzer.whenParsed(p.textDocument.uri);
  if (!parsed) return [];
  const tree = parsed.tree;
  const out: FoldingRange[] = [];
  for (const st of tree.statements) {
    for (const b of blocksOf(st)) {
      const a = positionAt(tree, st.start + b.start).line;
      const z = positionAt(tree, st.start + b.last).line;
      // Keep the closing brace visible: fold up to the line before it when it is on its own line.
      const end = b.closed ? z - 1 : z;
      if (end > a) out.push({ startLine: a, endLine: end });
    }
  }
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
