// A list of entries (statements, comments, a program's steps) an edit moved, shifted when read: the tree made by a
// re-parse (incremental.ts) holds the statements after the edit as they were, each with the
// offset delta still to apply, and makes the shifted copy of one the first time it is read (then
// keeps it). A line-shifting edit (Enter, a paste, a line deleted) so costs the statements it
// re-parsed plus a copy of references and deltas at memory speed, not a copy of every following
// statement; a reader sees exactly the offsets a full parse gives. The list is an array (a Proxy
// over its own array of not yet shifted entries): indexing, length, iteration, slice, find...
// work unchanged. `spanReader` reads positions without making copies (a walk over many entries:
// compile/edit.ts editOf); `spliced` makes the next tree's list from the entries and their deltas.

interface Spanned {
  start: number;
  end: number;
}

class Pending<T> {
  /** Shifted copies made. */
  made = 0;

  constructor(readonly base: T[], readonly deltas: Int32Array, private readonly shift: (x: T, delta: number) => T) {}

  at(k: number): T {
    const d = this.deltas[k];
    if (d === 0) return this.base[k];
    const c = this.shift(this.base[k], d);
    this.base[k] = c;
    this.deltas[k] = 0;
    this.made++;
    return c;
  }
}

const pendingOf = new WeakMap<object, Pending<unknown>>();

function indexOf(prop: string | symbol, n: number): number {
  if (typeof prop !== 'string') return -1;
  const c = prop.charCodeAt(0);
  if (c < 48 || c > 57) return -1;
  const k = Number(prop);
  return Number.isInteger(k) && k < n ? k : -1;
}

/** `base[k]` moved by `deltas[k]` for each k (the arrays become the list's own), `shift` making a
 *  moved copy. */
function shiftedList<T>(base: T[], deltas: Int32Array, shift: (x: T, delta: number) => T): T[] {
  const p = new Pending(base, deltas, shift);
  const read = (prop: string | symbol): void => {
    const k = indexOf(prop, base.length);
    if (k >= 0 && deltas[k] !== 0) p.at(k);
  };
  const list = new Proxy(base, {
    get(target, prop, receiver) {
      read(prop);
      return Reflect.get(target, prop, receiver);
    },
    getOwnPropertyDescriptor(target, prop) {
      read(prop);
      return Reflect.getOwnPropertyDescriptor(target, prop);
    },
    set() {
      throw new Error('a syntax tree is not changed');
    },
  });
  pendingOf.set(list, p as Pending<unknown>);
  return list;
}

/** Reads of `list`'s entries as made (`raw`: unshifted) and the delta each still has to move by. */
export interface EntryReader<T> {
  raw(k: number): T;
  delta(k: number): number;
}

const NO_DELTA = () => 0;

export function entryReader<T>(list: readonly T[]): EntryReader<T> {
  const p = pendingOf.get(list) as Pending<T> | undefined;
  if (!p) return { raw: (k) => list[k], delta: NO_DELTA };
  const { base, deltas } = p;
  return { raw: (k) => base[k], delta: (k) => deltas[k] };
}

/** Reads of `list`'s positions without making shifted copies: `raw(k)` is the entry as made,
 *  unshifted (for what a shift does not change: its kind). */
export interface SpanReader<T> {
  start(k: number): number;
  end(k: number): number;
  raw(k: number): T;
}

export function spanReader<T extends Spanned>(list: readonly T[]): SpanReader<T> {
  const { raw, delta } = entryReader(list);
  return { start: (k) => raw(k).start + delta(k), end: (k) => raw(k).end + delta(k), raw };
}

/** How many entries of `list` still wait for their shifted copy (tests: copies made). */
export function pendingCount(list: readonly unknown[]): number {
  const p = pendingOf.get(list);
  let n = 0;
  if (p) for (const d of p.deltas) if (d !== 0) n++;
  return n;
}

/** How many shifted copies reads of `list` made (tests: an edit copies no following statement). */
export function copiesMade(list: readonly unknown[]): number {
  return pendingOf.get(list)?.made ?? 0;
}

/** Entries [a, b) of `list` as made (unshifted: their deltas are `list`'s). */
export function rawSlice<T>(list: readonly T[], a: number, b: number): T[] {
  const p = pendingOf.get(list) as Pending<T> | undefined;
  return (p ? p.base : list).slice(a, b);
}

/** The list for a new tree (or program): `list`'s entries [0, i), `mid`, then `list`'s entries
 *  from `j` on moved by `delta`. */
export function spliced<T>(list: readonly T[], i: number, j: number, mid: readonly T[], delta: number, shift: (x: T, delta: number) => T): T[] {
  const p = pendingOf.get(list) as Pending<T> | undefined;
  const base = p ? p.base : list;
  const deltas = p?.deltas;
  const nb = base.slice(0, i).concat(mid, base.slice(j));
  // (a plain array when nothing moves)
  if (!deltas && (delta === 0 || j === base.length)) return nb;
  const nd = new Int32Array(nb.length);
  if (deltas) nd.set(deltas.subarray(0, i));
  const at = i + mid.length;
  for (let k = j; k < base.length; k++) nd[at + k - j] = (deltas ? deltas[k] : 0) + delta;
  return shiftedList(nb, nd, shift);
}
