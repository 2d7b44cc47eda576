// Tree queries: children, walk, node / token at an offset, declarations and references.
import type { DeclKind, Leaf, NameDecl, NameRef, Node, Script, Span, Word } from './ast';
import { byEnd, lowerBound } from './lowerBound';

const TX_ALIASES: ReadonlySet<string> = new Set(['access', 'sid', 'ssid', 'iova', 'len']);

/** Direct children of a node, in source order. */
export function children(node: Node): Node[] {
  if (node.kind === 'script') return node.statements.slice(); // already in source order
  const out: Node[] = [];
  const tx = node.kind === 'dma' || node.kind === 'ats';
  for (const key in node) {
    if (key === 'lineStarts' || key === 'comments') continue;
    if (tx && TX_ALIASES.has(key)) continue; // shortcuts to nodes inside `options`
    if (node.kind === 'expect' && key === 'keyword') continue; // shared with its expectation
    const v = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(v)) {
      for (const x of v) if (isNode(x)) out.push(x);
    } else if (isNode(v)) out.push(v);
  }
  out.sort((a, b) => a.start - b.start || b.end - a.end);
  return out;
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && typeof (v as { kind?: unknown }).kind === 'string';
}

/** Visits every node depth-first in source order (iteratively: any depth is safe). The visitor
 *  gets the node and its ancestors (root first); returning `false` skips the node's children. */
export function walk(root: Node, visit: (node: Node, parents: readonly Node[]) => boolean | void): void {
  const stack: { node: Node; depth: number }[] = [{ node: root, depth: 0 }];
  const parents: Node[] = [];
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    parents.length = depth;
    if (visit(node, parents) === false) continue;
    parents.push(node);
    const kids = children(node);
    for (let i = kids.length - 1; i >= 0; i--) stack.push({ node: kids[i], depth: depth + 1 });
  }
}

function contains(n: Span, offset: number): boolean {
  return n.start <= offset && offset <= n.end;
}

/** The chain of nodes enclosing `offset`, root first, innermost last. An offset at the end of a
 *  token (the cursor right after it) counts as inside it. Statements are found by binary search. */
export function nodeAt(tree: Script, offset: number): Node[] {
  const chain: Node[] = [tree];
  const st = tree.statements;
  // The leftmost statement touching `offset`; the next if the cursor is at its start.
  let found = lowerBound(st, offset, byEnd);
  if (found === st.length || st[found].start > offset) found = -1;
  if (found < 0) return chain;
  if (found + 1 < st.length && st[found].end === offset && st[found + 1].start === offset) found++;
  let node: Node = st[found];
  chain.push(node);
  for (;;) {
    const kids: Node[] = children(node).filter((k) => contains(k, offset));
    if (kids.length === 0) return chain;
    // Prefer a child that strictly contains the offset, then the later one (cursor at its start).
    node = kids.find((k: Node) => k.start < offset && offset < k.end) ?? kids[kids.length - 1];
    chain.push(node);
  }
}

const LEAF_KINDS: ReadonlySet<string> = new Set(['word', 'keyword', 'nameDecl', 'nameRef', 'number', 'string']);

export function isLeaf(n: Node): n is Leaf {
  return LEAF_KINDS.has(n.kind);
}

/** The token node (word, keyword, name, number, string) at `offset`, with its enclosing chain
 *  (root first, the token last); undefined when the offset is on punctuation, space or a comment. */
export function tokenAt(tree: Script, offset: number): { token: Leaf; chain: Node[] } | undefined {
  const chain = nodeAt(tree, offset);
  const last = chain[chain.length - 1];
  return isLeaf(last) ? { token: last, chain } : undefined;
}

/** The comment containing `offset` (for completion: nothing to offer inside a comment). */
export function commentAt(tree: Script, offset: number): Span | undefined {
  const c = tree.comments;
  const k = lowerBound(c, offset, byEnd);
  return k < c.length && c[k].start < offset ? c[k] : undefined;
}

/** Every name declaration, in order (a name may be declared twice: later declarations of the
 *  same structure rewrite it in memory; the first one is the definition). */
export function declarations(tree: Script): NameDecl[] {
  const out: NameDecl[] = [];
  for (const s of tree.statements) {
    if ((s.kind === 'smmu' || s.kind === 'pagetable' || s.kind === 'cd' || s.kind === 'cdtable') && s.name) out.push(s.name);
  }
  return out;
}

export interface Reference {
  node: NameRef | Word;
  name: string;
  /** The kinds of declaration it may resolve to. */
  refers: DeclKind[];
}

/** Every place a name is used: NameRef nodes (fixed reference positions) and field values that
 *  are words equal to a declared name (`ttb0 nic`, `cd nic_cd`, `ssid 3 nic_cd`). */
export function references(tree: Script): Reference[] {
  const declared = new Set(declarations(tree).map((d) => d.name));
  const out: Reference[] = [];
  walk(tree, (n, parents) => {
    if (n.kind === 'nameRef') out.push({ node: n, name: n.name, refers: [n.refers] });
    else if (n.kind === 'word' && declared.has(n.text)) {
      const parent = parents[parents.length - 1];
      // A word is a value (not a field name) when it is not the field's `name`.
      if (parent && parent.kind === 'field' && parent.name !== n) out.push({ node: n, name: n.text, refers: ['pagetable', 'cd', 'cdtable', 'smmu'] });
    }
  });
  return out;
}

/** The declaration a name (NameRef or value word) refers to: the first declaration of that name
 *  whose kind fits. Names are case-sensitive. */
export function resolveName(tree: Script, name: string, kinds?: readonly DeclKind[]): NameDecl | undefined {
  for (const d of declarations(tree)) if (d.name === name && (!kinds || kinds.includes(d.declares))) return d;
  return undefined;
}
