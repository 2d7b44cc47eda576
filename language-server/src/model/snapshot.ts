// Snapshots of model state (checkpoints of a run, the debugger's step back): a deep copy of an
// object graph that keeps its shape (prototypes, shared references, cycles, Maps, Sets, typed
// arrays). A class that needs more than a field-by-field copy (PhysicalMemory: copy-on-write
// frames) implements `[SNAPSHOT]`. Functions are state the copy cannot see into: only those marked
// `stateless` are shared; any other makes the snapshot fail (`undefined`), so a caller falls back
// to replaying instead of resuming from a wrong copy.

/** Method a class implements to copy itself: `(c) => copy` (use `c.copy` for its fields). */
export const SNAPSHOT = Symbol('snapshot');

export interface Snapshotable {
  [SNAPSHOT](c: Copier): object;
}

/** Method a class implements when a copy may differ from its original in bookkeeping only (lookup
 *  memos, a representation a copy normalises): `(other, same) => equal`, where `same` compares
 *  the values it holds (engine/run/converge.ts: a live run compared with a checkpoint). */
export const SAME = Symbol('same');

export type SameFn = (a: unknown, b: unknown) => boolean;

export interface Comparable {
  [SAME](other: object, same: SameFn): boolean;
}

let generations = 0;
/** A new generation for copy-on-write state (tlb/copy.ts, hazards/descriptors.ts): an object that
 *  shares parts with a snapshot of it, and each snapshot, take new ones; a part of another
 *  generation than its owner's is copied before the owner changes it. */
export const newGeneration = (): number => ++generations;

/** Objects copy-on-write state copied so far (a part of a map counts its entries; a 4K memory frame
 *  8): the cost a checkpoint leaves to the steps after it, which the checkpoints' spacing counts
 *  with the copy (engine/run/checkpoints.ts). Only differences are read. */
export const cowCopied = { n: 0 };

const statelessFns = new WeakSet<object>();

/** The mark of an object every snapshot shares instead of copying (`[KEPT]: true` in its literal,
 *  so the mark costs no shape change and no lookup table: a TLB fills one per miss). Its
 *  copy-on-write owner copies it before changing it while a snapshot may hold it (tlb/copy.ts: a
 *  TLB's entries), so every reference to it, in the TLB or elsewhere (an SMMU's last transaction),
 *  is the same object in a copy, as a copy by value would have it, without listing the entries at
 *  each snapshot. JSON, Object.keys and structured clone do not see a symbol key. */
export const KEPT = Symbol('kept by snapshots');
export interface Kept {
  readonly [KEPT]?: true;
}

/** Marks a function that captures nothing mutable (it may be shared between copies). */
export function stateless<F extends (...args: never[]) => unknown>(fn: F): F {
  statelessFns.add(fn);
  return fn;
}

class NotCopyable extends Error {}

export class Copier {
  private readonly memo = new Map<object, unknown>();

  /** Objects shared, not copied (immutable program data, frozen tables). */
  constructor(private readonly shared: ReadonlySet<object> = new Set()) {}

  /** Objects copied so far. */
  get size(): number {
    return this.memo.size;
  }

  /** Remembers `copy` as the copy of `orig` (before copying its fields: cycles). */
  note<T extends object>(orig: T, copy: T): T {
    this.memo.set(orig, copy);
    return copy;
  }

  /** A shallow copy of `o` with its prototype, remembered as its copy (a `[SNAPSHOT]` method starts
   *  with it, then replaces the fields it must copy deeper). */
  clone<T extends object>(o: T): T {
    return this.note(o, Object.assign(Object.create(Object.getPrototypeOf(o) as object | null) as T, o));
  }

  /** The copy of `o` made by `make` (once per snapshot: a later call returns the same copy). For
   *  objects a `[SNAPSHOT]` method copies by shape (faster than field by field), with no cycles. */
  copyWith<T extends object>(o: T, make: (o: T) => T): T {
    const done = this.memo.get(o);
    return done !== undefined ? (done as T) : this.note(o, make(o));
  }

  copy<T>(x: T): T {
    if (x === null || (typeof x !== 'object' && typeof x !== 'function')) return x;
    const o = x as unknown as object;
    const done = this.memo.get(o);
    if (done !== undefined) return done as T;
    if (typeof x === 'function') {
      if (statelessFns.has(o)) return x;
      throw new NotCopyable(`function ${(x as unknown as { name?: string }).name || '(anonymous)'}`);
    }
    if ((o as Kept)[KEPT] === true || this.shared.has(o) || Object.isFrozen(o)) return x;
    const custom = (o as Partial<Snapshotable>)[SNAPSHOT];
    if (custom) return this.note(o, custom.call(o, this)) as T;
    if (Array.isArray(o)) {
      const a: unknown[] = this.note(o, new Array(o.length));
      for (let i = 0; i < o.length; i++) a[i] = this.copy(o[i]);
      return a as T;
    }
    // A subclass (RegFile extends Map with a version) keeps its prototype and own fields.
    const proto = Object.getPrototypeOf(o) as object | null;
    if (o instanceof Map) {
      const m = this.note(o, proto === Map.prototype ? new Map() : (Reflect.construct(Map, [], o.constructor) as Map<unknown, unknown>));
      for (const [k, v] of o) Map.prototype.set.call(m, this.copy(k), this.copy(v));
      return this.fields(o, m) as T;
    }
    if (o instanceof Set) {
      const s = this.note(o, proto === Set.prototype ? new Set() : (Reflect.construct(Set, [], o.constructor) as Set<unknown>));
      for (const v of o) Set.prototype.add.call(s, this.copy(v));
      return this.fields(o, s) as T;
    }
    if (ArrayBuffer.isView(o)) {
      const v = o as unknown as { slice(): object };
      return this.note(o, v.slice()) as T;
    }
    if (o instanceof WeakMap || o instanceof WeakSet || o instanceof Promise) throw new NotCopyable(o.constructor.name);
    return this.fields(o, this.note(o, (proto === Object.prototype ? {} : Object.create(proto)) as object)) as T;
  }

  /** Copies the own enumerable fields (plain assignment keeps the copy's shape fast: model objects
   *  have only enumerable data fields). */
  private fields(o: object, c: object): object {
    const src = o as Record<string, unknown>;
    const dst = c as Record<string, unknown>;
    for (const k of Object.keys(src)) dst[k] = this.copy(src[k]);
    return c;
  }
}

/**
 * A deep copy of `root` (shared references and cycles kept) with the number of objects copied, or
 * undefined when the graph holds state that cannot be copied (a function not marked `stateless`,
 * a WeakMap, a Promise).
 */
export function snapshot<T>(root: T, shared?: ReadonlySet<object>): { copy: T; objects: number } | undefined {
  try {
    const c = new Copier(shared);
    return { copy: c.copy(root), objects: c.size };
  } catch (e) {
    if (e instanceof NotCopyable) return undefined;
    throw e;
  }
}
