// Code actions: "Write this STE update in hitless order" on an `ste` statement that rewrites a live
// STE (an earlier `ste` for the same SMMU and StreamID), and as the quick fix of H_STE_TORN
// reported on it. The statement is replaced by the planner's sequence (model/update: Linux's
// arm_smmu_write_entry order) as `write64` lines with CMD_CFGI_STE + CMD_SYNC after each group,
// computed from the STE's words before and after the statement in the last run.

import type { CancellationToken, CodeAction, CodeActionParams } from 'vscode-languageserver';
import { CodeActionKind } from 'vscode-languageserver';
import type { SteDecl } from '../dsl/ast';
import { positionIn } from '../dsl';
import { planUpdate } from '../model/update';
import { planLines } from '../engine/output/planLines';
import type { WireState } from '../engine/output/wire';
import type { ServerContext } from './context';

export const PLAN_ACTION_TITLE = 'Write this STE update in hitless order (Linux arm_smmu_write_entry)';

const sidOf = (s: SteDecl) => s.sid?.value;
const smmuOf = (s: SteDecl) => s.smmu?.name;

export async function codeActions(ctx: ServerContext, p: CodeActionParams, token: CancellationToken): Promise<CodeAction[]> {
  const uri = p.textDocument.uri;
  const parsed = ctx.analyzer.parsed(uri);
  const doc = ctx.analyzer.document(uri);
  if (!parsed || !doc) return [];
  if (!p.range?.start) return [];
  const offset = doc.offsetAt(p.range.start);
  const stmts = parsed.tree.statements;
  const i = stmts.findIndex((s) => s.start <= offset && offset <= s.end && s.kind === 'ste');
  if (i < 0) return [];
  const stmt = stmts[i] as SteDecl;
  const sid = sidOf(stmt);
  if (sid === undefined) return [];
  // A rewrite: an earlier `ste` for the same StreamID (and SMMU, when named).
  const earlier = stmts.slice(0, i).some((s) => s.kind === 'ste' && sidOf(s as SteDecl) === sid && smmuOf(s as SteDecl) === smmuOf(stmt));
  if (!earlier) return [];
  const view = await ctx.analyzer.executedAt(uri, stmt.start, token);
  if (!view) return [];
  const old = view.map.toOld(stmt.start);
  if (old === undefined) return [];
  const line = positionIn(view.ex.source.lineStarts, old).line;
  const steps = await view.ex.stepsAtLine(line);
  if (steps.length === 0) return [];
  const first = steps[0].index;
  const last = steps[steps.length - 1].index;
  const before = first > 0 ? await view.ex.state(first - 1) : null;
  const after = await view.ex.state(last);
  const pick = (st: WireState | null) => {
    for (const m of st?.smmus ?? []) {
      if (smmuOf(stmt) !== undefined && m.name !== smmuOf(stmt)) continue;
      const v = m.streams.find((x) => BigInt(x.sid) === sid);
      if (v) return { smmu: m.name, addr: BigInt(v.addr), raw: v.raw.map((h) => BigInt(h)) };
    }
    return undefined;
  };
  const a = pick(before);
  const b = pick(after);
  if (!a || !b) return [];
  const r = planUpdate('STE', a.raw, b.raw);
  if (!r.ok || r.plan.phases.length === 0) return [];
  const startLine = doc.positionAt(stmt.start).line;
  const endLine = doc.positionAt(stmt.end).line;
  const indent = /^\s*/.exec(doc.getText({ start: { line: startLine, character: 0 }, end: { line: startLine + 1, character: 0 } }))?.[0].replace(/\n/g, '') ?? '';
  const text = planLines(r.plan, { smmu: b.smmu, addr: b.addr, sid }, indent).join('\n') + '\n';
  const torn = (p.context?.diagnostics ?? []).filter((d) => d.code === 'H_STE_TORN');
  return [{
    title: PLAN_ACTION_TITLE,
    kind: torn.length ? CodeActionKind.QuickFix : CodeActionKind.RefactorRewrite,
    diagnostics: torn.length ? torn : undefined,
    isPreferred: torn.length > 0,
    edit: { changes: { [uri]: [{ range: { start: { line: startLine, character: 0 }, end: { line: endLine + 1, character: 0 } }, newText: text }] } },
  }];
}
