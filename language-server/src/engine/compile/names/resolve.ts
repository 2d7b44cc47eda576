// Name resolution pre-pass: every declared name (smmu, pagetable, cd, cdtable), checked for
// duplicates, so references may come before or after their declaration; then resolving references.

import type { DeclKind, NameDecl, NameRef, Span, Statement } from '../../../dsl/ast';
import { positionIn } from '../../../dsl/diagnostics';
import type { LowerCtx } from '../lowerCtx';
import type { SourceFile } from '../source';
import { defaultSmmuName, didYouMean, type Decl, type Symbols } from './symbols';

export function collectSymbols(ctx: LowerCtx, stmts: Array<{ file: SourceFile; stmt: Statement }>): void {
  const s = ctx.symbols;
  for (const { file, stmt } of stmts) {
    ctx.file = file;
    const declared = stmt.kind === 'smmu' || stmt.kind === 'pagetable' || stmt.kind === 'cd' || stmt.kind === 'cdtable' || stmt.kind === 'vsmmu'
      ? stmt.name
      : stmt.kind === 'iommufd' ? stmt.operands.find((o): o is NameDecl => o.kind === 'nameDecl') : undefined;
    if (!declared) continue;
    const map = s.table(declared.declares);
    const prev = map.get(declared.name);
    if (prev) {
      ctx.report(declared, 'E_DUPLICATE_NAME', `${declared.declares} '${declared.name}' is already declared (${prev.file.uri === file.uri ? 'line ' + lineOf(prev.file, prev.node as Span) : prev.file.uri})`);
      continue;
    }
    map.set(declared.name, { node: stmt, file } as Decl<never>);
  }
  for (const { stmt } of stmts) {
    if (stmt.kind === 'write' && stmt.addr) s.writtenPages.add(stmt.addr.value >> 12n);
    if (stmt.kind === 'iommufd' && stmt.op?.lower === 'ioas_map') {
      const [len, pa] = [stmt.operands[2], stmt.operands[3]];
      if (len?.kind === 'number' && pa?.kind === 'number') s.guestRanges.push([pa.value, pa.value + len.value]);
    }
  }
  // StreamIDs per SMMU, once SMMU names are known (ste without a name uses the default SMMU).
  for (const { stmt } of stmts) {
    if (stmt.kind !== 'ste') continue;
    for (const it of stmt.body?.items ?? []) if (it.kind === 'field' && (it.name.lower === 'vmid' || it.name.lower === 's2vmid')) s.steVmids.push(it);
    if (!stmt.sid) continue;
    const name = stmt.smmu?.name ?? defaultSmmuName(s);
    if (name === undefined) continue;
    const list = s.sids.get(name) ?? [];
    list.push(stmt.sid.value);
    s.sids.set(name, list);
  }
}

function lineOf(file: SourceFile, span: Span): number {
  return positionIn(file.tree.lineStarts, span.start).line + 1; // binary search: many duplicates stay linear
}

/** Resolves an SMMU reference. Undeclared names are instances with the full feature set when the
 * scenario declares no SMMU at all (the low-level form); otherwise a diagnostic. */
export function resolveSmmu(ctx: LowerCtx, ref: NameRef | undefined, at: Span, virtual: readonly ('vsmmu' | 'viommu')[] = []): string | undefined {
  const s = ctx.symbols;
  // A guest's vSMMU (reg/cmd/dma act on the guest's view) or a vIOMMU (its hardware queues).
  for (const k of virtual) if (ref && s[k].has(ref.name)) return ref.name;
  if (!ref) {
    const d = defaultSmmuName(s);
    if (d === undefined) ctx.report(at, 'E_SMMU_AMBIGUOUS', `name the SMMU: this scenario declares ${[...s.smmu.keys()].join(', ')}`);
    return d;
  }
  const typo = ctx.broken.typoNames.get(ref.name);
  if (typo) return void ctx.broken.unresolved(typo);
  if (s.smmu.size === 0 || s.smmu.has(ref.name)) return ref.name;
  ctx.broken.unresolved(ctx.report(ref, 'E_UNKNOWN_NAME', `unknown SMMU '${ref.name}'${didYouMean(s.suggest('smmu', ref.name))}`));
  return undefined;
}

/** Resolves a reference to a pagetable / cd / cdtable; reports an unknown name. */
export function resolveRef<K extends 'pagetable' | 'cd' | 'cdtable'>(ctx: LowerCtx, kind: K, name: string, at: Span): Decl<Symbols[K] extends Map<string, Decl<infer T>> ? T : never> | undefined {
  const d = (ctx.symbols[kind] as Map<string, Decl<never>>).get(name);
  if (d) return d;
  // A name only a misspelt declaration declares: the typo is the one error.
  const typo = ctx.broken.typoNames.get(name);
  ctx.broken.unresolved(typo ?? ctx.report(at, 'E_UNKNOWN_NAME', `unknown ${kind} '${name}'${didYouMean(ctx.symbols.suggest(kind, name))}`));
  return undefined;
}

/** Resolves a reference to an iommufd object or vSMMU; reports an unknown name. */
export function resolveVirtual(ctx: LowerCtx, ref: NameRef): boolean {
  const kind: DeclKind = ref.refers;
  if (ctx.symbols.table(kind).has(ref.name)) return true;
  ctx.report(ref, 'E_UNKNOWN_NAME', `unknown ${kind === 'viommu' ? 'vIOMMU' : kind === 'hwpt' ? 'HWPT' : kind === 'ioas' ? 'IOAS' : kind} '${ref.name}'${didYouMean(ctx.symbols.suggest(kind, ref.name))}`);
  return false;
}
