// Inlay hints and code lenses: run results placed in the current text. They answer from the
// last completed run, mapping its positions into the current text and skipping lines inside an
// edit since (the next run refreshes them).
import type { CodeLens, CodeLensParams, InlayHint, InlayHintParams, Position } from 'vscode-languageserver';
import { InlayHintKind } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { TxSummary } from './runner';
import type { ServerContext } from './context';
import type { Executed } from './documents';
import { Commands } from './protocol';
import { textMap, type TextMap } from './textMap';

/** `0x80000040` -> `0x8000_0040` (groups of four hex digits). */
export function groupHex(h: string): string {
  const m = /^0x([0-9a-f]+)$/i.exec(h);
  if (!m) return h;
  const d = m[1];
  const parts: string[] = [];
  for (let i = d.length; i > 0; i -= 4) parts.unshift(d.slice(Math.max(0, i - 4), i));
  return '0x' + parts.join('_');
}

function stepHint(s: TxSummary): string | undefined {
  switch (s.outcome) {
    case 'ok':
      if (s.bypass) return s.pa !== undefined ? `→ ${groupHex(s.pa)} (bypass)` : '→ bypass';
      return s.pa !== undefined ? `→ ${groupHex(s.pa)}` : undefined;
    case 'fault':
      return s.abort ? '⚠ aborted' : `⚠ ${s.event ?? 'fault'}`;
    case 'stalled':
      return `⏸ stalled${s.event ? ' ' + s.event : ''}`;
    default:
      return undefined;
  }
}

interface Placed {
  ex: Executed;
  doc: TextDocument;
  /** Current-document position of a 1-based wire (line, col), or undefined inside an edit. */
  place(line: number, col: number): Position | undefined;
}

function placed(ctx: ServerContext, uri: string): Placed | undefined {
  const ex = ctx.analyzer.latest(uri);
  const doc = ctx.analyzer.document(uri);
  if (!ex || !doc) return undefined;
  const oldStarts = ex.source.lineStarts;
  const same = ex.version === doc.version;
  let map: TextMap | undefined;
  return {
    ex,
    doc,
    place(line, col) {
      if (same) return { line: line - 1, character: col - 1 };
      const ls = oldStarts[line - 1];
      if (ls === undefined) return undefined;
      map ??= textMap(ex.source.text, doc.getText());
      const o = map.toNew(ls + col - 1);
      return o === undefined ? undefined : doc.positionAt(o);
    },
  };
}

export async function inlayHints(ctx: ServerContext, p: InlayHintParams): Promise<InlayHint[]> {
  if (!ctx.settings().inlayHints.enabled) return [];
  const v = placed(ctx, p.textDocument.uri);
  if (!v) return [];
  const out: InlayHint[] = [];
  const first = p.range.start.line + 1;
  const last = p.range.end.line + 1;
  for (const s of await v.ex.tx()) {
    if (v.ex.version === v.doc.version && (s.endLine < first || s.endLine > last)) continue;
    const label = stepHint(s);
    if (!label) continue;
    const pos = v.place(s.endLine, s.endCol);
    if (!pos || pos.line < p.range.start.line || pos.line > p.range.end.line) continue;
    out.push({ position: pos, label: ' ' + label, kind: InlayHintKind.Type, paddingLeft: true, tooltip: s.label });
  }
  return out;
}

export async function codeLenses(ctx: ServerContext, p: CodeLensParams): Promise<CodeLens[]> {
  const v = placed(ctx, p.textDocument.uri);
  const uri = p.textDocument.uri;
  const top = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const out: CodeLens[] = [];
  const r = v?.ex.summary;
  const summary = r ? ` (${r.expectations.passed} passed, ${r.expectations.failed} failed, ${r.faults} fault${r.faults === 1 ? '' : 's'})` : '';
  out.push({ range: top, command: { title: `▶ Run scenario${summary}`, command: Commands.runScenario, arguments: [uri] } });
  out.push({ range: top, command: { title: 'Debug', command: Commands.debugScenario, arguments: [uri] } });
  out.push({ range: top, command: { title: 'Compare with QEMU', command: Commands.compareQemu, arguments: [uri] } });
  if (!v) return out;
  // One lens per scenario always; one per transaction only while that stays readable (a lens line
  // above every `dma` of a 10,000-line file doubles its height): iommuLens.codeLens.*.
  const { perTransaction, maxTransactions } = ctx.settings().codeLens;
  const txs = await v.ex.tx();
  if (perTransaction === 'off' || (perTransaction === 'auto' && txs.length > maxTransactions)) return out;
  for (const s of txs) {
    const pos = v.place(s.line, s.col);
    if (!pos) continue;
    const range = { start: pos, end: pos };
    out.push({ range, command: { title: 'Show walk', command: Commands.showWalk, arguments: [uri, s.index] } });
  }
  return out;
}
