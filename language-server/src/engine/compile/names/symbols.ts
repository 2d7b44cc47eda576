// The scenario's names: every declared smmu, pagetable, cd, cdtable, iommufd object and vsmmu (collected in a pre-pass by
// resolve.ts), and "did you mean" suggestions.

import type { CdDecl, CdTableDecl, DeclKind, Field, IommufdStmt, PagetableDecl, SmmuDecl, VsmmuStmt } from '../../../dsl/ast';
import type { SourceFile } from '../source';

export interface Decl<T> {
  node: T;
  file: SourceFile;
}

export class Symbols {
  readonly smmu = new Map<string, Decl<SmmuDecl>>();
  readonly pagetable = new Map<string, Decl<PagetableDecl>>();
  readonly cd = new Map<string, Decl<CdDecl>>();
  readonly cdtable = new Map<string, Decl<CdTableDecl>>();
  /** iommufd objects (declared by `iommufd ioas/hwpt_parent/hwpt_nested/viommu` lines) and vSMMUs. */
  readonly ioas = new Map<string, Decl<IommufdStmt>>();
  readonly hwpt = new Map<string, Decl<IommufdStmt>>();
  readonly viommu = new Map<string, Decl<IommufdStmt>>();
  readonly vsmmu = new Map<string, Decl<VsmmuStmt>>();
  /** StreamIDs each SMMU's `ste` statements use (sizes the stream table). */
  readonly sids = new Map<string, bigint[]>();
  /** 4K pages the scenario writes itself (write64/32/16/8) or maps as guest memory (ioas_map PA
   *  ranges, as [first page, end page)): structures the tool places for iommufd avoid them. */
  readonly writtenPages = new Set<bigint>();
  readonly guestRanges: Array<[bigint, bigint]> = [];
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
function distance(a: string, b: string): number {
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

/** The SMMU a statement without an SMMU name means: the only declared one, or `smmu0`. */
export function defaultSmmuName(s: Symbols): string | undefined {
  if (s.smmu.size === 0) return 'smmu0';
  if (s.smmu.size === 1) for (const k of s.smmu.keys()) return k; // no array per statement
  return undefined;
}
