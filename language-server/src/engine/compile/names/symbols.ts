// The scenario's names: every declared smmu, pagetable, cd, cdtable, iommufd object and vsmmu (collected in a pre-pass by
// resolve.ts), and "did you mean" suggestions.

import type { CdDecl, CdTableDecl, DeclKind, Field, IommufdStmt, PagetableDecl, SmmuDecl, VsmmuStmt } from '../../../dsl/ast';
import type { SourceFile } from '../source';
import { closest } from '../../../dsl/suggest';

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
  /** Whether a lowering read `writtenPages` (placed an iommufd structure): if not, a write's page
   *  changes nothing but its own step (compile/reuse.ts lowers an edited write alone). */
  pagesRead = false;
  readonly guestRanges: Array<[bigint, bigint]> = [];
  /** `vmid N` fields of every ste (auto-allocated VMIDs avoid them). */
  readonly steVmids: Field[] = [];

  table(kind: DeclKind): Map<string, Decl<unknown>> {
    return this[kind] as Map<string, Decl<unknown>>;
  }

  isDeclared(name: string): boolean {
    return this.smmu.has(name) || this.pagetable.has(name) || this.cd.has(name) || this.cdtable.has(name);
  }

  /** Known names of a kind, closest first, for "did you mean". */
  suggest(kind: DeclKind, name: string): string[] {
    return closest(name, [...this.table(kind).keys()]);
  }
}

export { closest, didYouMean, distance } from '../../../dsl/suggest';

/** The SMMU a statement without an SMMU name means: the only declared one, or `smmu0`. */
export function defaultSmmuName(s: Symbols): string | undefined {
  if (s.smmu.size === 0) return 'smmu0';
  if (s.smmu.size === 1) for (const k of s.smmu.keys()) return k; // no array per statement
  return undefined;
}
