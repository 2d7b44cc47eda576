// Translation-table descriptors a shadow depends on, with the value last seen in memory and the
// shadow items that use them. Watched through `Watch` while used; released with the last user.

import { decodePte, type PteSelector } from '../fields/pte';
import type { Watch } from './watch';
import { SAME, SNAPSHOT, type Copier, type SameFn } from '../snapshot';

/**
 * The users of one descriptor, in the order a Set keeps them: most descriptors (the leaves) have one
 * for their whole life, held without a Set; a second user turns it into one.
 */
export class Users<U> implements Iterable<U> {
  private one: U | undefined;
  private set: Set<U> | undefined;

  get size(): number {
    return this.set ? this.set.size : this.one === undefined ? 0 : 1;
  }

  add(u: U): void {
    if (this.set) this.set.add(u);
    else if (this.one === undefined || this.one === u) this.one = u;
    else {
      this.set = new Set([this.one, u]);
      this.one = undefined;
    }
  }

  delete(u: U): void {
    if (this.set) this.set.delete(u);
    else if (this.one === u) this.one = undefined;
  }

  values(): IterableIterator<U> {
    return this.set ? this.set.values() : (this.one === undefined ? [] : [this.one]).values();
  }

  [Symbol.iterator](): IterableIterator<U> {
    return this.values();
  }

  /** The same users in the same order (one held alone or in a Set of one: a copy holds it alone). */
  [SAME](other: Users<U>, same: SameFn): boolean {
    if (this.size !== other.size) return false;
    if (!this.set && !other.set) return same(this.one, other.one);
    const it = other.values();
    for (const u of this) if (!same(u, it.next().value)) return false;
    return true;
  }
}

/** The selectors of every stage, granule and level: one frozen record each (no allocation per descriptor). */
const SELECTORS = new Map<number, PteSelector>();

function selector(stage: PteSelector['stage'], granule: PteSelector['granule'], level: number): PteSelector {
  const k = (stage * 100 + granule) * 8 + level;
  let s = SELECTORS.get(k);
  if (!s) SELECTORS.set(k, (s = Object.freeze({ stage, granule, level })));
  return s;
}

export interface Desc<U> {
  value: bigint;
  sel: PteSelector;
  users: Users<U>;
  /** The valid value it had before software made it invalid (while its users may still cache it). */
  broken?: bigint;
}

/** A valid descriptor kind (table, block or page: DDI 0487 D8.3). */
export const validKind = (k: string): boolean => k === 'table' || k === 'block' || k === 'page';

export function isValid(value: bigint, sel: PteSelector): boolean {
  return validKind(decodePte(value, sel).kind);
}

export class Descriptors<U> {
  private map = new Map<bigint, Desc<U>>();

  constructor(private watch: Watch) {}

  /** A copy for a snapshot: by shape, the selectors shared (never changed), the users copied. */
  [SNAPSHOT](c: Copier): Descriptors<U> {
    const d = c.clone(this);
    d.watch = c.copy(this.watch);
    d.map = new Map();
    for (const [a, x] of this.map) {
      const users = new Users<U>();
      for (const u of x.users) users.add(c.copy(u));
      const y: Desc<U> = { value: x.value, sel: x.sel, users };
      if (x.broken !== undefined) y.broken = x.broken;
      d.map.set(a, y);
    }
    return d;
  }

  /** The same descriptors, values and users, in the same order (a copy rebuilds the users). */
  [SAME](other: Descriptors<U>, same: SameFn): boolean {
    if (this.map.size !== other.map.size || !same(this.watch, other.watch)) return false;
    const it = other.map.entries();
    for (const [a, x] of this.map) {
      const [b, y] = it.next().value as [bigint, Desc<U>];
      if (a !== b || x.value !== y.value || x.sel !== y.sel || x.broken !== y.broken || !x.users[SAME](y.users, same)) return false;
    }
    return true;
  }

  get size(): number {
    return this.map.size;
  }

  get(addr: bigint): Desc<U> | undefined {
    return this.map.get(addr);
  }

  /**
   * `user` depends on the descriptor at `addr` (read with `value` by a walk of `stage`, `granule`,
   * at `level`). The selector is only built for a descriptor not yet watched (hot path: no allocation).
   */
  use(addr: bigint, value: bigint, stage: PteSelector['stage'], granule: PteSelector['granule'], level: number, user: U): Desc<U> {
    let d = this.map.get(addr);
    if (!d) {
      d = { value, sel: selector(stage, granule, level), users: new Users() };
      this.map.set(addr, d);
      this.watch.add(addr);
    }
    d.users.add(user);
    return d;
  }

  release(addr: bigint, user: U): void {
    const d = this.map.get(addr);
    if (!d) return;
    d.users.delete(user);
    if (d.users.size === 0) {
      this.map.delete(addr);
      this.watch.delete(addr);
    }
  }

  /** The table descriptor at `parent` (if watched) no longer points at the table holding `a`. */
  unlinked(parent: bigint, a: bigint): boolean {
    const d = this.map.get(parent);
    if (!d) return false;
    const p = decodePte(d.value, d.sel);
    if (p.kind !== 'table' || p.address === undefined) return true;
    return a < p.address || a >= p.address + BigInt(d.sel.granule * 1024);
  }
}
