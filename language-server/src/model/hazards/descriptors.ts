// Translation-table descriptors a shadow depends on, with the value last seen in memory and the
// shadow items that use them (by id: the shadow resolves them). Watched through `Watch` while used;
// released with the last user. Copy-on-write: a snapshot shares the map (CowMap: a part is copied
// on either side's first change to it) and the descriptors; a descriptor either side then changes
// is copied first (its generation is not its owner's), so a checkpoint costs what changed since,
// and comparing two states skips the shared ones.

import { decodePte, type PteSelector } from '../fields/pte';
import type { Watch } from './watch';
import { Users } from './users';

export { Users } from './users';
import { SAME, SNAPSHOT, cowCopied, newGeneration, type Copier, type SameFn } from '../snapshot';
import { CowMap, addressPart } from '../cowMap';

/** The selectors of every stage, granule and level: one frozen record each (no allocation per descriptor). */
const SELECTORS = new Map<number, PteSelector>();

function selector(stage: PteSelector['stage'], granule: PteSelector['granule'], level: number): PteSelector {
  const k = (stage * 100 + granule) * 8 + level;
  let s = SELECTORS.get(k);
  if (!s) SELECTORS.set(k, (s = Object.freeze({ stage, granule, level })));
  return s;
}

/** A watched descriptor. Read-only for the shadows but through `Descriptors.own` (copy-on-write). */
export interface Desc {
  value: bigint;
  sel: PteSelector;
  users: Users;
  /** The valid value it had before software made it invalid (while its users may still cache it). */
  broken?: bigint;
  /** The generation of the Descriptors that may change it in place. */
  gen: number;
}

/** A valid descriptor kind (table, block or page: DDI 0487 D8.3). */
export const validKind = (k: string): boolean => k === 'table' || k === 'block' || k === 'page';

export function isValid(value: bigint, sel: PteSelector): boolean {
  return validKind(decodePte(value, sel).kind);
}

export class Descriptors {
  private map = new CowMap<bigint, Desc>(addressPart);
  private gen = newGeneration();

  constructor(private watch: Watch) {}

  /** A copy for a snapshot: the map and the descriptors shared by both until one changes them. */
  [SNAPSHOT](c: Copier): Descriptors {
    const d = c.clone(this);
    d.watch = c.copy(this.watch);
    d.map = c.copy(this.map);
    this.gen = newGeneration();
    d.gen = newGeneration();
    return d;
  }

  /** The same descriptors, values and users (shared descriptors are equal as they are). */
  [SAME](other: Descriptors, same: SameFn): boolean {
    if (this.map.size !== other.map.size || !same(this.watch, other.watch)) return false;
    return this.map.sameAs(other.map, (x, y) => x.value === y.value && x.sel === y.sel && x.broken === y.broken && x.users.same(y.users));
  }

  get size(): number {
    return this.map.size;
  }

  /** The descriptor at `addr`, to read (to change it: `own`). */
  get(addr: bigint): Desc | undefined {
    return this.map.get(addr);
  }

  /** The descriptor at `addr`, to change (copied first when a snapshot shares it). */
  own(addr: bigint): Desc | undefined {
    const d = this.map.get(addr);
    if (d === undefined || d.gen === this.gen) return d;
    cowCopied.n += 2;
    const o: Desc = { value: d.value, sel: d.sel, users: d.users.copy(), gen: this.gen };
    if (d.broken !== undefined) o.broken = d.broken;
    this.map.set(addr, o);
    return o;
  }

  /**
   * `user` depends on the descriptor at `addr` (read with `value` by a walk of `stage`, `granule`,
   * at `level`). The selector is only built for a descriptor not yet watched (hot path: no allocation).
   */
  use(addr: bigint, value: bigint, stage: PteSelector['stage'], granule: PteSelector['granule'], level: number, user: number): void {
    const d = this.map.get(addr);
    if (!d) {
      const users = new Users();
      users.add(user);
      this.map.set(addr, { value, sel: selector(stage, granule, level), users, gen: this.gen });
      this.watch.add(addr);
    } else if (!d.users.has(user)) this.own(addr)!.users.add(user);
  }

  release(addr: bigint, user: number): void {
    const d = this.map.get(addr);
    if (!d || !d.users.has(user)) return;
    if (d.users.size === 1) {
      // (a run iterating its own descriptor's users sees the user leave)
      if (d.gen === this.gen) d.users.delete(user);
      this.map.delete(addr);
      this.watch.delete(addr);
    } else this.own(addr)!.users.delete(user);
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
