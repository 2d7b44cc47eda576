// Named objects (SMMU instances, page tables, CDs, CD tables): declarations and every reference,
// for go to definition, find references, rename, completion and semantic tokens.
// A reference is a NameRef, or a field's value word whose text is a declared name
// (`ste smmu0 0x100 { cd nic_cd }`, `cd x { ttb0 nic }`), as in the parser's `references`.
import { walk } from '../dsl';
import type { DeclKind, NameDecl, Node, Script, Span } from '../dsl/ast';

export interface NameOccurrence extends Span {
  name: string;
  kind: DeclKind | undefined;
  declaration: boolean;
}

export interface NameIndex {
  decls: Map<string, NameDecl[]>;
  occurrences: NameOccurrence[];
  /** The occurrence covering `offset` (end inclusive), if any. */
  at(offset: number): NameOccurrence | undefined;
  /** Declaration and references of `name`. */
  of(name: string): NameOccurrence[];
}

const cache = new WeakMap<Script, NameIndex>();

export function nameIndex(tree: Script): NameIndex {
  const hit = cache.get(tree);
  if (hit) return hit;
  const decls = new Map<string, NameDecl[]>();
  walk(tree, (n) => {
    if (n.kind === 'nameDecl') {
      const l = decls.get(n.name);
      if (l) l.push(n);
      else decls.set(n.name, [n]);
    }
  });
  const occurrences: NameOccurrence[] = [];
  const seen = new Set<number>();
  walk(tree, (n: Node, parents) => {
    const parent = parents[parents.length - 1];
    if (seen.has(n.start) && (n.kind === 'word' || n.kind === 'nameRef' || n.kind === 'nameDecl')) return;
    if (n.kind === 'nameDecl') {
      occurrences.push({ start: n.start, end: n.end, name: n.name, kind: n.declares, declaration: true });
      seen.add(n.start);
    } else if (n.kind === 'nameRef') {
      occurrences.push({ start: n.start, end: n.end, name: n.name, kind: n.refers, declaration: false });
      seen.add(n.start);
    } else if (n.kind === 'word' && decls.has(n.text)) {
      // Only a field's value (`cd nic_cd`, `ttb0 nic`), as the parser's `references` reads them.
      if (parent?.kind !== 'field' || parent.name === n) return;
      const d = decls.get(n.text)![0];
      occurrences.push({ start: n.start, end: n.end, name: n.text, kind: d.declares, declaration: false });
      seen.add(n.start);
    }
  });
  occurrences.sort((a, b) => a.start - b.start);
  const idx: NameIndex = {
    decls,
    occurrences,
    at(offset) {
      let lo = 0;
      let hi = occurrences.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const o = occurrences[mid];
        if (offset < o.start) hi = mid - 1;
        else if (offset > o.end) lo = mid + 1;
        else return o;
      }
      return undefined;
    },
    of(name) {
      return occurrences.filter((o) => o.name === name);
    },
  };
  cache.set(tree, idx);
  return idx;
}
