// Generic traversal of the DSL syntax tree (any object with a string `kind` and a `start`).
import type { Node, Script } from '../dsl/ast';

function isNode(v: unknown): v is Node {
  return !!v && typeof v === 'object' && typeof (v as { kind?: unknown }).kind === 'string' && typeof (v as { start?: unknown }).start === 'number';
}

/** Direct child nodes, in source order. */
export function children(node: Node): Node[] {
  const out: Node[] = [];
  for (const key of Object.keys(node)) {
    if (key === 'comments' || key === 'lineStarts') continue;
    const v = (node as unknown as Record<string, unknown>)[key];
    if (Array.isArray(v)) {
      for (const x of v) if (isNode(x)) out.push(x);
    } else if (isNode(v)) out.push(v);
  }
  out.sort((a, b) => a.start - b.start);
  return out;
}

/** Pre-order visit; return false from `fn` to skip a node's children. Iterative (no recursion). */
export function visit(root: Node, fn: (node: Node, parent: Node | undefined) => boolean | void): void {
  const stack: Array<[Node, Node | undefined]> = [[root, undefined]];
  while (stack.length) {
    const [n, p] = stack.pop()!;
    if (fn(n, p) === false) continue;
    const c = children(n);
    for (let i = c.length - 1; i >= 0; i--) stack.push([c[i], n]);
  }
}

/** The chain of nodes containing `offset`, outermost first (the Script, a statement, ...). */
export function pathAt(tree: Script, offset: number): Node[] {
  const path: Node[] = [tree];
  let cur: Node = tree;
  // Statements are sorted: binary search the top level, then descend.
  const st = tree.statements;
  let lo = 0;
  let hi = st.length - 1;
  let found: Node | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = st[mid];
    if (offset < s.start) hi = mid - 1;
    else if (offset > s.end) lo = mid + 1;
    else {
      found = s;
      // Prefer a later statement that starts exactly at offset (end-exclusive spans touch).
      if (mid + 1 < st.length && st[mid + 1].start <= offset) found = st[mid + 1];
      break;
    }
  }
  if (!found) return path;
  path.push(found);
  cur = found;
  for (;;) {
    const next: Node | undefined = children(cur).find((c) => c.start <= offset && offset <= c.end && c !== cur);
    if (!next) break;
    path.push(next);
    cur = next;
  }
  return path;
}
