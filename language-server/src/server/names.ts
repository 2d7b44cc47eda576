// Named objects (SMMU instances, page tables, CDs, CD tables): declarations and every reference,
// for go to definition, find references, rename, completion and semantic tokens.
// A reference is a NameRef, or a field's value word whose text is a declared name
// (`ste smmu0 0x100 { cd nic_cd }`, `cd x { ttb0 nic }`), as in the parser's `references`.
// Kept per statement, relative to its start (dsl/incremental.ts statementMemo): a new tree from an
// edit keeps the statement objects the edit did not reach, or shifted copies sharing their memo,
// so only the statements the edit re-parsed are walked again; the declarations of a re-parsed
// tree come from the index of the tree before (dsl/incremental.ts treeEdit): O(declarations +
// edit), not O(statements). The whole-file list of occurrences is built only when a feature asks
// for it (semantic tokens, references); `at` looks in one statement.
import { walk } from '../dsl';
import { statementMemo, treeEdit } from '../dsl/incremental';
import { byEnd, byStart, lowerBound } from '../dsl/lowerBound';
import type { DeclKind, NameDecl, Script, Span, Statement } from '../dsl/ast';

export interface NameOccurrence extends Span {
  name: string;
  kind: DeclKind | undefined;
  declaration: boolean;
}

export interface NameIndex {
  decls: Map<string, NameDecl[]>;
  /** Every occurrence in offset order (built on first use). */
  readonly occurrences: NameOccurrence[];
  /** The occurrence covering `offset` (end inclusive), if any. */
  at(offset: number): NameOccurrence | undefined;
  /** Declaration and references of `name`. */
  of(name: string): NameOccurrence[];
  /** The occurrences in the statements that touch [from, to], in offset order. */
  between(from: number, to: number): NameOccurrence[];
}

/** Index of the first span (statements, comments: in offset order) ending at or after `offset`. */
export function firstStatementTo(spans: readonly Span[], offset: number): number {
  return lowerBound(spans, offset, byEnd);
}

/** A name in one statement, offsets relative to the statement's start. A `candidate` is a field's
 *  value word: a reference only when its text is a declared name. */
interface LocalName {
  rs: number;
  re: number;
  name: string;
  kind: DeclKind | undefined;
  declaration: boolean;
  candidate: boolean;
}

function walkStatement(st: Statement): LocalName[] {
  const out: LocalName[] = [];
  const seen = new Set<number>();
  const base = st.start;
  walk(st, (n, parents) => {
    if (n.kind !== 'word' && n.kind !== 'nameRef' && n.kind !== 'nameDecl') return;
    if (seen.has(n.start)) return;
    const at = { rs: n.start - base, re: n.end - base };
    if (n.kind === 'nameDecl') out.push({ ...at, name: n.name, kind: n.declares, declaration: true, candidate: false });
    else if (n.kind === 'nameRef') out.push({ ...at, name: n.name, kind: n.refers, declaration: false, candidate: false });
    else {
      // Only a field's value (`cd nic_cd`, `ttb0 nic`), as the parser's `references` reads them.
      const parent = parents[parents.length - 1];
      if (parent?.kind !== 'field' || parent.name === n) return;
      out.push({ ...at, name: n.text, kind: undefined, declaration: false, candidate: true });
    }
    seen.add(n.start);
  });
  out.sort((a, b) => a.rs - b.rs);
  return out;
}

/** The names of a statement (walked once per statement, shared with its shifted copies). */
function namesOf(st: Statement): readonly LocalName[] {
  const memo = statementMemo(st);
  return ((memo.names as LocalName[] | undefined) ??= walkStatement(st));
}

const cache = new WeakMap<Script, NameIndex>();
/** Every declaration of a tree in offset order (for the next tree's index). */
const declLists = new WeakMap<Script, NameDecl[]>();

function declsOf(st: Statement, out: NameDecl[]): void {
  for (const n of namesOf(st)) {
    if (n.declaration) out.push({ kind: 'nameDecl', name: n.name, declares: n.kind!, start: st.start + n.rs, end: st.start + n.re });
  }
}

/** The declarations of `tree` in offset order: from the tree it was re-parsed from when that one
 *  was indexed (its list, the re-parsed statements walked, the rest shifted), else walked whole. */
function declarationList(tree: Script): NameDecl[] {
  const edit = treeEdit(tree);
  const from = edit?.from.deref();
  const prev = from && declLists.get(from);
  const out: NameDecl[] = [];
  if (!edit || !prev) {
    for (const st of tree.statements) declsOf(st, out);
    return out;
  }
  const { delta, oldFrom, oldTo } = edit;
  let k = 0;
  while (k < prev.length && prev[k].start < oldFrom) out.push(prev[k++]);
  for (let x = edit.i; x < edit.i + edit.added; x++) declsOf(tree.statements[x], out);
  k = lowerBound(prev, oldTo, byStart, k);
  for (; k < prev.length; k++) out.push(delta === 0 ? prev[k] : { ...prev[k], start: prev[k].start + delta, end: prev[k].end + delta });
  return out;
}

export function nameIndex(tree: Script): NameIndex {
  const hit = cache.get(tree);
  if (hit) return hit;
  const statements = tree.statements;
  const list = declarationList(tree);
  declLists.set(tree, list);
  const decls = new Map<string, NameDecl[]>();
  for (const d of list) {
    const l = decls.get(d.name);
    if (l) l.push(d);
    else decls.set(d.name, [d]);
  }
  const occurrence = (st: Statement, n: LocalName): NameOccurrence | undefined => {
    if (n.candidate && !decls.has(n.name)) return undefined;
    return { start: st.start + n.rs, end: st.start + n.re, name: n.name, kind: n.candidate ? decls.get(n.name)![0].declares : n.kind, declaration: n.declaration };
  };
  let all: NameOccurrence[] | undefined;
  const idx: NameIndex = {
    decls,
    get occurrences() {
      if (!all) {
        all = [];
        for (const st of statements) for (const n of namesOf(st)) {
          const o = occurrence(st, n);
          if (o) all.push(o);
        }
      }
      return all;
    },
    at(offset) {
      // The statements touching `offset` (end inclusive).
      for (let i = firstStatementTo(statements, offset); i < statements.length && statements[i].start <= offset; i++) {
        const st = statements[i];
        for (const n of namesOf(st)) {
          if (st.start + n.rs > offset || offset > st.start + n.re) continue;
          const o = occurrence(st, n);
          if (o) return o;
        }
      }
      return undefined;
    },
    of(name) {
      return idx.occurrences.filter((o) => o.name === name);
    },
    between(from, to) {
      const out: NameOccurrence[] = [];
      for (let i = firstStatementTo(statements, from); i < statements.length && statements[i].start <= to; i++) {
        for (const n of namesOf(statements[i])) {
          const o = occurrence(statements[i], n);
          if (o) out.push(o);
        }
      }
      return out;
    },
  };
  cache.set(tree, idx);
  return idx;
}

/** Walks the names of `statements` from index `from` until `due()` (checked every few statements):
 *  the index reached. A later `nameIndex` of a tree holding them walks none of them again. */
export function warmNames(statements: readonly Statement[], from: number, due: () => boolean): number {
  let i = from;
  while (i < statements.length) {
    namesOf(statements[i++]);
    if ((i & 31) === 0 && due()) break;
  }
  return i;
}
