// Hover: the walk of a transaction, the meaning of a field / enum value / command / register /
// event name (from the field tables), the decoding of raw dwords, what a command invalidated,
// and the declaration behind a name.
import type { CancellationToken, Hover, HoverParams } from 'vscode-languageserver';
import { MarkupKind } from 'vscode-languageserver';
import { offsetAt, positionIn, rangeOf, tokenAt } from '../dsl';
import type { Leaf, Node, PteStmt, RawData, Script, Statement } from '../dsl/ast';
import type { WireStep } from '../engine/api';
import {
  CD,
  STE,
  commandByName,
  commandByOpcode,
  describeField,
  describeStruct,
  eventByName,
  fieldByName,
  decodePte,
  registerByName,
  type StructDef,
} from '../model/fields';
import { pagetableShape } from '../engine/compile/decls/pagetable';
import { VSMMU_MODE_DOCS, VSMMU_MODE_WORD } from '../dsl/vocabulary';
import type { ServerContext } from './context';
import type { Parsed } from './documents';
import { md } from './convert';
import { nameIndex } from './names';
import { fieldOf, statementOf, structOf, valueByName } from './specContext';
import { eventMarkdown, transactionMarkdown } from './walkMarkdown';
import { planActionTitle, updatePlanAt } from './codeActions';
import { formatPlan } from '../model/update';
import { broadcastMarkdown, cpuStaticHover } from './cpuHover';

function structSummary(def: StructDef): string {
  const names = def.fields.filter((f) => !f.reserved).map((f) => f.name);
  return `**${def.name}** — ${md(def.summary ?? '')}\n\nFields: ${names.join(', ') || '(none)'}\n\n*${def.spec}*`;
}

function rawStruct(stmt: Statement, raw: RawData): StructDef | undefined {
  if (stmt.kind === 'ste') return STE;
  if (stmt.kind === 'cd') return CD;
  if (stmt.kind === 'cmd' && raw.dwords[0]) return commandByOpcode(raw.dwords[0].value & 0xffn);
  return undefined;
}

/** `pte TABLE IOVA [level N] VALUE`: the descriptor decoded for the table's stage and granule. */
function pteHover(tree: Script, stmt: PteStmt, value: bigint): string | undefined {
  const decl = stmt.table ? tree.statements.find((s) => s.kind === 'pagetable' && s.name?.name === stmt.table!.name) : undefined;
  if (!decl || decl.kind !== 'pagetable') return undefined;
  const { stage, granule } = pagetableShape(decl);
  const lf = stmt.fields.find((f) => f.name.lower === 'level')?.values[0];
  const level = lf?.kind === 'number' ? Number(lf.value) : 3;
  const d = decodePte(value, { stage, granule, level });
  const head = `Stage ${stage} ${granule}KB level ${level}${lf ? '' : ' (assumed; write `level N` to choose)'} descriptor: **${d.kind}**` +
    (d.address !== undefined ? `, ${d.kind === 'table' ? 'next-level table' : 'output address'} 0x${d.address.toString(16)}` : '');
  return d.def ? `${head}\n\n${describeStruct(d.def, [value])}` : `${head}\n\n*DDI 0487 D8.3*`;
}

/** `mode` and its value on a `vsmmu` line (names there get the declaration hover). */
function vsmmuModeHover(word: string, isValue: boolean, isKeyword: boolean): string | undefined {
  if (isValue && VSMMU_MODE_DOCS[word]) return `**vsmmu mode ${word}** — ${VSMMU_MODE_DOCS[word].doc}`;
  return isKeyword ? `**mode** — ${VSMMU_MODE_WORD.doc}` : undefined;
}

/** Hover text that needs only the syntax tree. */
function staticHover(tok: Leaf, chain: readonly Node[], tree: Script): string | undefined {
  const stmt = statementOf(chain);
  if (stmt?.kind === 'pte' && tok.kind === 'number' && stmt.value === tok) return pteHover(tree, stmt, tok.value & 0xffff_ffff_ffff_ffffn);
  const parent = chain[chain.length - 2];
  // Raw dwords: decode the whole structure.
  const raw = chain.find((n): n is RawData => n.kind === 'raw');
  if (raw && stmt && tok.kind === 'number') {
    const def = rawStruct(stmt, raw);
    if (def) return describeStruct(def, raw.dwords.map((d) => d.value & 0xffff_ffff_ffff_ffffn));
  }
  if (stmt?.kind === 'reg' && tok.kind === 'number' && stmt.value === tok && stmt.register) {
    const def = registerByName(stmt.register.text);
    if (def) return describeStruct(def, [tok.value]);
  }
  if (tok.kind === 'word' && stmt?.kind === 'vsmmu') return vsmmuModeHover(tok.lower, tok === stmt.mode, tok === stmt.modeKeyword);
  if (tok.kind === 'word') {
    const def = structOf(stmt);
    const field = fieldOf(chain);
    if (stmt?.kind === 'cmd' && stmt.opcode === tok) {
      const c = commandByName(tok.text);
      if (c) return structSummary(c);
    }
    if (stmt?.kind === 'reg' && stmt.register === tok) {
      const r = registerByName(tok.text);
      if (r) return `${structSummary(r)}\n\nOffset 0x${r.offset.toString(16)}, ${r.size}-bit, ${r.access}`;
    }
    const ev = eventByName(tok.text);
    if (ev) return structSummary(ev);
    if (def && field) {
      const f = fieldByName(def, field.name.text);
      if (f && field.name === tok) return describeField(def, f.name);
      if (f) {
        const v = valueByName(f, tok.text);
        if (v) return `**${def.name}.${f.name} = ${v.name}** (0x${v.value.toString(16)}): ${md(v.meaning)}\n\n*${f.spec}*`;
        return describeField(def, f.name);
      }
    }
    if (parent?.kind === 'field' && def && (parent as { name: Node }).name === tok) {
      const f = fieldByName(def, tok.text);
      if (f) return describeField(def, f.name);
    }
  }
  return undefined;
}

function declarationHover(parsed: Parsed, offset: number): string | undefined {
  const idx = nameIndex(parsed.tree);
  const occ = idx.at(offset);
  if (!occ) return undefined;
  const d = idx.decls.get(occ.name)?.[0];
  if (!d) return `\`${occ.name}\` is not declared in this file`;
  const line = positionIn(parsed.tree.lineStarts, d.start).line;
  const src = parsed.text.slice(parsed.tree.lineStarts[line], parsed.tree.lineStarts[line + 1] ?? parsed.text.length).trim();
  return `**${md(d.declares)} ${md(d.name)}** (line ${line + 1})\n\n\`\`\`smmu\n${src.replace(/`/g, "'")}\n\`\`\``;
}

async function stepsAt(ctx: ServerContext, uri: string, stmt: Statement, token: CancellationToken): Promise<{ steps: WireStep[]; ex: import('./documents').Executed } | undefined> {
  const view = await ctx.analyzer.executedAt(uri, stmt.start, token);
  if (!view) return undefined;
  const old = view.map.toOld(stmt.start);
  if (old === undefined) return undefined;
  const line = positionIn(view.ex.source.lineStarts, old).line;
  return { steps: await view.ex.stepsAtLine(line), ex: view.ex };
}

async function commandMarkdown(s: WireStep, ex: import('./documents').Executed): Promise<string> {
  const out = [`**${md(s.label)}**`];
  // `removed` is there exactly when the step ran an invalidation command (the model says which).
  const r = s.removed;
  const atc = s.atcRemoved ?? [];
  if (r && r.tlb.length === 0 && r.config.length === 0 && atc.length === 0) {
    out.push('', 'Invalidated nothing (no matching TLB, configuration cache or ATC entry).');
  } else if (r) {
    const before = s.index > 0 ? await ex.state(s.index - 1) : null;
    const tlb = new Map(before?.smmus.flatMap((m) => m.tlb.map((e) => [e.id, e] as const)) ?? []);
    const cfg = new Map(before?.smmus.flatMap((m) => m.configCache.map((e) => [e.id, e] as const)) ?? []);
    if (r.tlb.length) {
      out.push('', `Invalidated ${r.tlb.length} TLB entr${r.tlb.length === 1 ? 'y' : 'ies'}:`, '');
      for (const id of r.tlb) {
        const e = tlb.get(id);
        out.push(e ? `- #${id} ${e.stage}${e.asid ? ` ASID ${e.asid}` : ''}${e.vmid ? ` VMID ${e.vmid}` : ''} ${e.inputBase} (2^${e.sizeLog2}) → ${e.outputBase}` : `- #${id}`);
      }
    }
    if (r.config.length) {
      out.push('', `Invalidated ${r.config.length} configuration cache entr${r.config.length === 1 ? 'y' : 'ies'}:`, '');
      for (const id of r.config) {
        const e = cfg.get(id);
        out.push(e ? `- #${id} ${e.kind} SID ${e.sid}${e.ssid ? ` SSID ${e.ssid}` : ''}` : `- #${id}`);
      }
    }
    if (atc.length) {
      out.push('', `Invalidated ${atc.length} ATC entr${atc.length === 1 ? 'y' : 'ies'}:`, '');
      for (const e of atc) out.push(`- #${e.id} SID ${e.sid} ${e.base} (2^${e.sizeLog2}) → ${e.output}`);
    }
  }
  for (const e of s.events) out.push('', `Event: ${eventMarkdown(e)}`);
  for (const h of s.hazards) out.push('', `Hazard **${md(h.code)}**: ${md(h.message)} — fix: ${md(h.fix)}`);
  return out.join('\n');
}

export async function hover(ctx: ServerContext, p: HoverParams, token: CancellationToken): Promise<Hover | null> {
  const uri = p.textDocument.uri;
  const parsed = ctx.analyzer.parsedAt(uri, p.position);
  if (!parsed) return null;
  const tree = parsed.tree;
  const offset = offsetAt(tree, p.position);
  const hit = tokenAt(tree, offset);
  if (!hit) return null;
  const { token: tok, chain } = hit;
  const range = rangeOf(tree, tok);
  const answer = (value: string): Hover => ({ contents: { kind: MarkupKind.Markdown, value }, range });
  const stmt = statementOf(chain);

  // Transactions: the walk, from the run (an address, the keyword, or any number on the line).
  if (stmt && (stmt.kind === 'dma' || stmt.kind === 'ats') && (tok.kind === 'number' || tok === stmt.keyword || tok.kind === 'word' && /^(read|write|iova|addr|sid|ssid)$/i.test(tok.text))) {
    const at = await stepsAt(ctx, uri, stmt, token);
    const s = at?.steps.find((x) => x.kind === stmt.kind) ?? at?.steps[0];
    if (s) return answer(transactionMarkdown(s));
    if (at) return answer('This transaction was not run (see the diagnostics above it).');
    return null;
  }
  if (stmt?.kind === 'cmd' && (tok === stmt.keyword || tok === stmt.opcode)) {
    const at = await stepsAt(ctx, uri, stmt, token);
    const s = at?.steps.find((x) => x.kind === 'cmd');
    const text = staticHover(tok, chain, tree);
    if (s && at) return answer((text ? text + '\n\n---\n\n' : '') + (await commandMarkdown(s, at.ex)));
    if (text) return answer(text);
  }
  // A page-table edit's keyword: what the step wrote (an unmap says which blocks it split).
  if ((stmt?.kind === 'unmap' || stmt?.kind === 'map' || stmt?.kind === 'pte') && tok === stmt.keyword) {
    const at = await stepsAt(ctx, uri, stmt, token);
    const s = at?.steps.find((x) => x.kind === stmt.kind);
    const text = staticHover(tok, chain, tree);
    if (s) return answer((text ? text + '\n\n---\n\n' : '') + `**${md(s.label)}**`);
  }
  if (stmt?.kind === 'cpu') {
    const text = cpuStaticHover(stmt, tok);
    const at = tok === stmt.keyword || tok === stmt.instr ? await stepsAt(ctx, uri, stmt, token) : undefined;
    const s = at?.steps.find((x) => x.kind === 'cpu');
    if (s) return answer((text ? text + '\n\n---\n\n' : '') + broadcastMarkdown(s));
    if (text) return answer(text);
  }
  // An STE declaration's keyword or StreamID: the STE as the step wrote it to memory.
  if (stmt?.kind === 'ste' && (tok === stmt.keyword || tok === stmt.sid)) {
    const at = await stepsAt(ctx, uri, stmt, token);
    const s = at?.steps.find((x) => x.kind === 'ste');
    const sid = stmt.sid ? stmt.sid.value : undefined;
    const state = s && at ? await at.ex.state(s.index) : null;
    const view = state?.smmus.find((m) => !s?.smmu || m.name === s.smmu)?.streams.find((v) => sid !== undefined && BigInt(v.sid) === sid);
    if (s && view) {
      const dwords = view.raw.map((h) => BigInt(h));
      return answer(`**${md(s.label)}**\n\n${describeStruct(STE, dwords)}${view.problem ? `\n\n⚠ ${md(view.problem)}` : ''}${await planHover(ctx, uri, offset, token)}`);
    }
  }
  // A write into a live STE or CD: how Linux would order the update it is part of.
  if (stmt?.kind === 'write' && (tok === stmt.keyword || tok === stmt.addr)) {
    const plan = await planHover(ctx, uri, offset, token);
    const text = staticHover(tok, chain, tree);
    if (plan || text) return answer((text ?? '') + plan);
  }
  const text = staticHover(tok, chain, tree);
  if (text) return answer(text);
  const decl = declarationHover(parsed, offset);
  if (decl) return answer(decl);
  return null;
}

/** The hitless plan of the live STE/CD update the statement makes, as a hover section (or ''). */
async function planHover(ctx: ServerContext, uri: string, offset: number, token: CancellationToken): Promise<string> {
  const u = await updatePlanAt(ctx, uri, offset, token);
  if (!u) return '';
  const k = u.plan.kind;
  return `\n\n---\n\n**Live ${k} update** (lines ${u.startLine + 1}-${u.endLine + 1}): Linux's \`arm_smmu_write_entry()\` order, ` +
    `${u.plan.syncs} CMD_CFGI_${k} + CMD_SYNC${u.plan.hitless ? ', hitless' : `, ${k}.V = 0 in between`}; the code action "${planActionTitle(k)}" writes it.\n\n` +
    '```text\n' + formatPlan(u.plan) + '\n```';
}
