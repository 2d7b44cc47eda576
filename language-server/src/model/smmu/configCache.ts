// Configuration cache (IHI 0070 §3.21 "structure and configuration caches"): STEs tagged by
// StreamID, CDs tagged by StreamID + SubstreamID. Its size and replacement policy are an
// implementation choice, declared per instance (features.configCache).
// Only valid, legal structures are cached: a structure that raised C_BAD_* is fetched again
// on the next transaction (IHI 0070 §3.21.1: invalid/illegal configuration is not cached).

import type { CacheConfig } from './features';

export interface ConfigCacheEntry<T> {
  /** Unique id (for the editor and the hazard tracker). */
  id: number;
  kind: 'STE' | 'CD';
  sid: number;
  ssid?: number;
  /** Address the structure was fetched from. */
  addr: bigint;
  /** Raw dwords as fetched. */
  raw: bigint[];
  value: T;
  hits: number;
  /** The view transactions report for it (built once, shared by every hit). */
  view?: { addr: bigint; raw: bigint[]; fields: Record<string, bigint>; config?: T; cacheId?: number };
  /** Step index of the fetch that inserted it. */
  insertedAt: number;
}

/** SID and SSID packed in one exact double: sid * 2^20 + ssid (< 2^52). */
function cdKey(sid: number, ssid: number): number {
  return sid * 0x100000 + ssid;
}

/** One keyed store with capacity and policy. Map insertion order gives FIFO/LRU order. */
class Store<T> {
  readonly map = new Map<number, ConfigCacheEntry<T>>();
  constructor(private readonly cfg: CacheConfig, private readonly rnd: () => number) {}

  get(key: number): ConfigCacheEntry<T> | undefined {
    const e = this.map.get(key);
    if (e !== undefined && this.cfg.policy === 'lru') {
      this.map.delete(key);
      this.map.set(key, e);
    }
    return e;
  }

  /** Insert; returns the entry evicted to make room, if any. */
  set(key: number, e: ConfigCacheEntry<T>, total: () => number): ConfigCacheEntry<T> | undefined {
    let evicted: ConfigCacheEntry<T> | undefined;
    this.map.delete(key);
    if (this.cfg.policy !== 'unbounded' && total() >= this.cfg.capacity && this.map.size > 0) {
      let victimKey: number;
      if (this.cfg.policy === 'random') {
        const keys = [...this.map.keys()];
        victimKey = keys[Math.floor(this.rnd() * keys.length)];
      } else {
        victimKey = this.map.keys().next().value as number;
      }
      evicted = this.map.get(victimKey);
      this.map.delete(victimKey);
    }
    this.map.set(key, e);
    return evicted;
  }
}

export class ConfigCache<S, C> {
  private nextId = 1;
  private readonly stes: Store<S>;
  private readonly cds: Store<C>;

  constructor(readonly cfg: CacheConfig) {
    let seed = (cfg.seed ?? 1) >>> 0 || 1;
    // xorshift32: deterministic 'random' policy.
    const rnd = () => {
      seed ^= seed << 13; seed >>>= 0;
      seed ^= seed >>> 17;
      seed ^= seed << 5; seed >>>= 0;
      return seed / 0x100000000;
    };
    this.stes = new Store<S>(cfg, rnd);
    this.cds = new Store<C>(cfg, rnd);
  }

  get size(): number {
    return this.stes.map.size + this.cds.map.size;
  }

  getSte(sid: number): ConfigCacheEntry<S> | undefined {
    const e = this.stes.get(sid);
    if (e) e.hits++;
    return e;
  }

  /** Lookups without side effects (no hit count, no LRU update): dry runs. */
  peekSte(sid: number): ConfigCacheEntry<S> | undefined {
    return this.stes.map.get(sid);
  }

  peekCd(sid: number, ssid: number): ConfigCacheEntry<C> | undefined {
    return this.cds.map.get(cdKey(sid, ssid));
  }

  getCd(sid: number, ssid: number): ConfigCacheEntry<C> | undefined {
    const e = this.cds.get(cdKey(sid, ssid));
    if (e) e.hits++;
    return e;
  }

  /** Insert an STE; returns [entry, evicted?]. Evictions are per store, the capacity is shared. */
  putSte(sid: number, addr: bigint, raw: bigint[], value: S, step: number): { entry: ConfigCacheEntry<S>; evicted?: ConfigCacheEntry<unknown> } {
    const entry: ConfigCacheEntry<S> = { id: this.nextId++, kind: 'STE', sid, addr, raw, value, hits: 0, insertedAt: step };
    const evicted = this.stes.set(sid, entry, () => this.size);
    return { entry, evicted };
  }

  putCd(sid: number, ssid: number, addr: bigint, raw: bigint[], value: C, step: number): { entry: ConfigCacheEntry<C>; evicted?: ConfigCacheEntry<unknown> } {
    const entry: ConfigCacheEntry<C> = { id: this.nextId++, kind: 'CD', sid, ssid, addr, raw, value, hits: 0, insertedAt: step };
    const evicted = this.cds.set(cdKey(sid, ssid), entry, () => this.size);
    return { entry, evicted };
  }

  /** CMD_CFGI_STE / CMD_CFGI_STE_RANGE: STEs with sid in [lo, hi]. */
  invalidateSteRange(lo: number, hi: number): ConfigCacheEntry<unknown>[] {
    return this.removeWhere(this.stes.map, (e) => e.sid >= lo && e.sid <= hi);
  }

  /** CMD_CFGI_CD (ssid given) / CMD_CFGI_CD_ALL (ssid undefined) for one StreamID. */
  invalidateCds(sid: number, ssid?: number): ConfigCacheEntry<unknown>[] {
    return this.removeWhere(this.cds.map, (e) => e.sid === sid && (ssid === undefined || e.ssid === ssid));
  }

  /** CDs of streams in [lo, hi] (CD caching is tagged by the STE that located them). */
  invalidateCdsOfRange(lo: number, hi: number): ConfigCacheEntry<unknown>[] {
    return this.removeWhere(this.cds.map, (e) => e.sid >= lo && e.sid <= hi);
  }

  clear(): ConfigCacheEntry<unknown>[] {
    const out = [...this.stes.map.values(), ...this.cds.map.values()] as ConfigCacheEntry<unknown>[];
    this.stes.map.clear();
    this.cds.map.clear();
    return out;
  }

  entries(): ConfigCacheEntry<unknown>[] {
    return [...this.stes.map.values(), ...this.cds.map.values()] as ConfigCacheEntry<unknown>[];
  }

  private removeWhere<T>(map: Map<number, ConfigCacheEntry<T>>, pred: (e: ConfigCacheEntry<T>) => boolean): ConfigCacheEntry<unknown>[] {
    const out: ConfigCacheEntry<unknown>[] = [];
    for (const [k, e] of map) {
      if (pred(e)) {
        out.push(e as ConfigCacheEntry<unknown>);
        map.delete(k);
      }
    }
    return out;
  }
}
