// Name resolution pre-pass: every declared name (smmu, pagetable, cd, cdtable), checked for
// duplicates, so references may come before or after their declaration.

import type { CdDecl, CdTableDecl, DeclKind, Field, NameRef, PagetableDecl, SmmuDecl, Span, Statement } from '../dsl/ast';
import type { LowerCtx, SourceFile } from './compile';
import { positionIn } from '../dsl/diagnostics';

export interface Decl<T> {
  node: T;
  file: SourceFile;
}

export class Symbols {
  readonly smmu = new Map<string, Decl<SmmuDecl>>();
  readonly pagetable = new Map<string, Decl<PagetableDecl>>();
  readonly cd = new Map<string, Decl<CdDecl>>();
  readonly cdtable = new Map<string, Decl<CdTableDecl>>();
  /** StreamIDs each SMMU's `ste` statements use (sizes the stream table). */
  readonly sids = new Map<string, bigint[]>();
  /** `vmid N` fields of every ste (auto-allocated VMIDs avoid them). */
  readonly steVmids: Field[] = [];

  table(kind: DeclKind): Map<string, Decl<unknown>> {
    return this[kind] as Map<string, Decl<unknown>>;
  }

  /** Known names of a kind, closest first, for "did you mean". */
  suggest(kind: DeclKind, name: string): string[] {
    return closest(name, [...this.table(kind).keys()]);
  }
}

/** Levenshtein distance, for suggestions. */
export function distance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  const d = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0];
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j];
      d[j] = Math.min(d[j] + 1, d[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length];
}

/** Up to 3 candidates within a small edit distance (or sharing a prefix), closest first. */
export function closest(name: string, candidates: Iterable<string>): string[] {
  const scored: Array<[number, string]> = [];
  const lower = name.toLowerCase();
  for (const c of candidates) {
    const dist = distance(name, c);
    const cl = c.toLowerCase();
    if (dist <= Math.max(2, Math.floor(name.length / 3)) || (lower.length >= 3 && (cl.startsWith(lower) || cl.includes(lower)))) scored.push([dist, c]);
  }
  scored.sort((x, y) => x[0] - y[0] || x[1].localeCompare(y[1]));
  return scored.slice(0, 3).map((s) => s[1]);
}

export function didYouMean(names: string[]): string {
  return names.length ? ` (did you mean ${names.map((n) => `'${n}'`).join(', ')}?)` : '';
}

export function collectSymbols(ctx: LowerCtx, stmts: Array<{ file: SourceFile; stmt: Statement }>): void {
  const s = ctx.symbols;
  for (const { file, stmt } of stmts) {
    ctx.file = file;
    if (stmt.kind === 'smmu' || stmt.kind === 'pagetable' || stmt.kind === 'cd' || stmt.kind === 'cdtable') {
      if (!stmt.name) continue;
      const map = s.table(stmt.kind);
      const prev = map.get(stmt.name.name);
      if (prev) {
        ctx.report(stmt.name, 'E_DUPLICATE_NAME', `${stmt.kind} '${stmt.name.name}' is already declared (${prev.file.uri === file.uri ? 'line ' + lineOf(prev.file, prev.node as Span) : prev.file.uri})`);
        continue;
      }
      map.set(stmt.name.name, { node: stmt, file } as Decl<never>);
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

/** The SMMU a statement without an SMMU name means: the only declared one, or `smmu0`. */
export function defaultSmmuName(s: Symbols): string | undefined {
  if (s.smmu.size === 0) return 'smmu0';
  if (s.smmu.size === 1) for (const k of s.smmu.keys()) return k; // no array per statement
  return undefined;
}

/** Resolves an SMMU reference. Undeclared names are instances with the full feature set when the
 * scenario declares no SMMU at all (the low-level form); otherwise a diagnostic. */
export function resolveSmmu(ctx: LowerCtx, ref: NameRef | undefined, at: Span): string | undefined {
  const s = ctx.symbols;
  if (!ref) {
    const d = defaultSmmuName(s);
    if (d === undefined) ctx.report(at, 'E_SMMU_AMBIGUOUS', `name the SMMU: this scenario declares ${[...s.smmu.keys()].join(', ')}`);
    return d;
  }
  if (s.smmu.size === 0 || s.smmu.has(ref.name)) return ref.name;
  ctx.report(ref, 'E_UNKNOWN_NAME', `unknown SMMU '${ref.name}'${didYouMean(s.suggest('smmu', ref.name))}`);
  return undefined;
}

/** Resolves a reference to a pagetable / cd / cdtable; reports an unknown name. */
export function resolveRef<K extends 'pagetable' | 'cd' | 'cdtable'>(ctx: LowerCtx, kind: K, name: string, at: Span): Decl<Symbols[K] extends Map<string, Decl<infer T>> ? T : never> | undefined {
  const d = (ctx.symbols[kind] as Map<string, Decl<never>>).get(name);
  if (!d) ctx.report(at, 'E_UNKNOWN_NAME', `unknown ${kind} '${name}'${didYouMean(ctx.symbols.suggest(kind, name))}`);
  return d;
}
