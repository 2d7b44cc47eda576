// Code actions: "Write this STE/CD update in hitless order", offered on
// - an `ste` statement that rewrites a live STE (an earlier `ste` for the same SMMU and StreamID);
// - a run of `write64` lines that changes more than one dword of a live STE or CD (the entry the
//   state shows at that address), which is how a CD, or a driver's STE, is rewritten;
// and as the quick fix of the H_STE_TORN / H_CD_TORN reported there. The statements are replaced
// by the planner's sequence (model/update: Linux's arm_smmu_write_entry order) as `write64` lines
// with CMD_CFGI_STE / CMD_CFGI_CD + CMD_SYNC after each group, computed from the entry's words
// before and after them in the last run.

import type { CancellationToken, CodeAction, CodeActionParams } from 'vscode-languageserver';
import { CodeActionKind } from 'vscode-languageserver';
import type { SteDecl, Statement, WriteStmt } from '../dsl/ast';
import { positionIn } from '../dsl';
import { planUpdate, type EntryKind, type UpdatePlan } from '../model/update';
import { planLines, type PlanTarget } from '../engine/output/planLines';
import type { WireState } from '../engine/output/wire';
import type { ServerContext } from './context';

export const planActionTitle = (kind: EntryKind) => `Write this ${kind} update in hitless order (Linux arm_smmu_write_entry)`;
/** The STE form (kept for callers that name it). */
export const PLAN_ACTION_TITLE = planActionTitle('STE');

const sidOf = (s: SteDecl) => s.sid?.value;
const smmuOf = (s: SteDecl) => s.smmu?.name;
const ENTRY = ~63n;

/** An STE or CD found in a state, with where the plan's commands go. */
interface Entry {
  kind: EntryKind;
  target: PlanTarget;
  raw: bigint[];
}

type Picker = (st: WireState | null) => Entry | undefined;

/** The planned update the statement at `offset` makes (an `ste` rewrite or a run of writes into one live entry), with the lines it spans. */
export async function updatePlanAt(ctx: ServerContext, uri: string, offset: number, token?: CancellationToken): Promise<{ plan: UpdatePlan; target: PlanTarget; startLine: number; endLine: number } | undefined> {
  const parsed = ctx.analyzer.parsed(uri);
  const doc = ctx.analyzer.document(uri);
  if (!parsed || !doc) return undefined;
  const stmts = parsed.tree.statements;
  const i = stmts.findIndex((s) => s.start <= offset && offset <= s.end);
  if (i < 0) return undefined;
  const found = stmts[i].kind === 'ste' ? steRewrite(stmts, i) : stmts[i].kind === 'write' ? writeRun(stmts, i) : undefined;
  if (!found) return undefined;
  const { first, last, pick } = found;
  const view = await ctx.analyzer.executedAt(uri, first.start, token);
  if (!view) return undefined;
  const line = (s: Statement) => {
    const old = view.map.toOld(s.start);
    return old === undefined ? undefined : positionIn(view.ex.source.lineStarts, old).line;
  };
  const l0 = line(first);
  const l1 = line(last);
  if (l0 === undefined || l1 === undefined) return undefined;
  const s0 = await view.ex.stepsAtLine(l0);
  const s1 = await view.ex.stepsAtLine(l1);
  if (s0.length === 0 || s1.length === 0) return undefined;
  const before = s0[0].index > 0 ? await view.ex.state(s0[0].index - 1) : null;
  const after = await view.ex.state(s1[s1.length - 1].index);
  const a = pick(before);
  const b = pick(after);
  if (!a || !b || a.kind !== b.kind) return undefined;
  const r = planUpdate(b.kind, a.raw, b.raw);
  if (!r.ok || r.plan.phases.length === 0) return undefined;
  return { plan: r.plan, target: b.target, startLine: doc.positionAt(first.start).line, endLine: doc.positionAt(last.end).line };
}

export async function codeActions(ctx: ServerContext, p: CodeActionParams, token: CancellationToken): Promise<CodeAction[]> {
  const uri = p.textDocument.uri;
  const doc = ctx.analyzer.document(uri);
  if (!doc || !p.range?.start) return [];
  const u = await updatePlanAt(ctx, uri, doc.offsetAt(p.range.start), token);
  if (!u) return [];
  const { plan, startLine, endLine } = u;
  const indent = /^\s*/.exec(doc.getText({ start: { line: startLine, character: 0 }, end: { line: startLine + 1, character: 0 } }))?.[0].replace(/\n/g, '') ?? '';
  const text = planLines(plan, u.target, indent).join('\n') + '\n';
  const torn = (p.context?.diagnostics ?? []).filter((d) => d.code === `H_${plan.kind}_TORN`);
  return [{
    title: planActionTitle(plan.kind),
    kind: torn.length ? CodeActionKind.QuickFix : CodeActionKind.RefactorRewrite,
    diagnostics: torn.length ? torn : undefined,
    isPreferred: torn.length > 0,
    edit: { changes: { [uri]: [{ range: { start: { line: startLine, character: 0 }, end: { line: endLine + 1, character: 0 } }, newText: text }] } },
  }];
}

/** An `ste` statement rewriting an STE an earlier `ste` wrote (same StreamID, and SMMU when named). */
function steRewrite(stmts: readonly Statement[], i: number): { first: Statement; last: Statement; pick: Picker } | undefined {
  const stmt = stmts[i] as SteDecl;
  const sid = sidOf(stmt);
  if (sid === undefined) return undefined;
  const earlier = stmts.slice(0, i).some((s) => s.kind === 'ste' && sidOf(s as SteDecl) === sid && smmuOf(s as SteDecl) === smmuOf(stmt));
  if (!earlier) return undefined;
  const pick: Picker = (st) => {
    for (const m of st?.smmus ?? []) {
      if (smmuOf(stmt) !== undefined && m.name !== smmuOf(stmt)) continue;
      const v = m.streams.find((x) => BigInt(x.sid) === sid);
      if (v) return { kind: 'STE', target: { smmu: m.name, addr: BigInt(v.addr), sid }, raw: v.raw.map((h) => BigInt(h)) };
    }
    return undefined;
  };
  return { first: stmt, last: stmt, pick };
}

/** The run of adjacent write statements around `i` into one 64-byte entry, when it writes more than one dword. */
function writeRun(stmts: readonly Statement[], i: number): { first: Statement; last: Statement; pick: Picker } | undefined {
  const addrOf = (s: Statement) => (s.kind === 'write' ? (s as WriteStmt).addr?.value : undefined);
  const at = addrOf(stmts[i]);
  if (at === undefined) return undefined;
  const base = at & ENTRY;
  const inEntry = (s: Statement | undefined) => s !== undefined && (addrOf(s) ?? -1n) >= 0n && (addrOf(s)! & ENTRY) === base;
  let lo = i;
  let hi = i;
  while (inEntry(stmts[lo - 1])) lo--;
  while (inEntry(stmts[hi + 1])) hi++;
  const dwords = new Set(stmts.slice(lo, hi + 1).map((s) => (addrOf(s)! & 63n) >> 3n));
  if (dwords.size < 2) return undefined;
  const pick: Picker = (st) => {
    for (const m of st?.smmus ?? []) {
      for (const v of m.streams) {
        const sid = BigInt(v.sid);
        if (BigInt(v.addr) === base) return { kind: 'STE', target: { smmu: m.name, addr: base, sid }, raw: v.raw.map((h) => BigInt(h)) };
        const cd = v.cds.find((c) => BigInt(c.addr) === base);
        if (cd) return { kind: 'CD', target: { smmu: m.name, addr: base, sid, ssid: BigInt(cd.ssid) }, raw: cd.raw.map((h) => BigInt(h)) };
      }
    }
    return undefined;
  };
  return { first: stmts[lo], last: stmts[hi], pick };
}
