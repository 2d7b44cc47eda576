// Configuration cache (IHI 0070 §3.21 "structure and configuration caches"): STEs tagged by
// StreamID, CDs tagged by StreamID + SubstreamID. Its size and replacement policy are an
// implementation choice, declared per instance (features.configCache).
// Only valid, legal structures are cached: a structure that raised C_BAD_* is fetched again
// on the next transaction (IHI 0070 §3.21: invalid/illegal structures are not cached).
// When the instance honours STE.CONT (IHI 0070 §5.2), an STE with CONT != 0 is cached once for its
// aligned span of 2^CONT StreamIDs; a lookup may then match more than one STE entry, a configuration
// cache conflict (IHI 0070 §3.20.2) unless the matching STEs are identical except for CONT.

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
  /** STEs: log2 of the StreamIDs the entry is used for, from spanBase (STE.CONT, IHI 0070 §5.2); 0: its own StreamID. */
  span: number;
  spanBase: number;
}

/** STE.CONT, bits [80:77] = dword 1 bits [16:13]: the one field allowed to differ across a span (IHI 0070 §5.2). */
const CONT_MASK = ~(0xfn << 13n);

/** Two cached STEs are identical for a span when every dword but CONT's matches. */
function sameSte(a: bigint[], b: bigint[]): boolean {
  for (let i = 0; i < a.length; i++) if ((i === 1 ? a[i] & CONT_MASK : a[i]) !== (i === 1 ? b[i] & CONT_MASK : b[i])) return false;
  return true;
}

/** Keys in one exact double: STEs by sid (< 2^32); CDs by 2^52 + sid * 2^20 + ssid (< 2^53). */
function steKey(sid: number): number {
  return sid;
}

function cdKey(sid: number, ssid: number): number {
  return 0x10_0000_0000_0000 + sid * 0x100000 + ssid;
}

/**
 * One store for STEs and CDs, so that capacity and replacement order are shared. Map insertion
 * order gives the FIFO/LRU order (an LRU hit moves the entry to the end).
 */
export class ConfigCache<S, C> {
  private nextId = 1;
  private readonly map = new Map<number, ConfigCacheEntry<S> | ConfigCacheEntry<C>>();
  /** The STE entries with a span (few): looked at only when a StreamID has no entry of its own. */
  private spans: ConfigCacheEntry<S>[] = [];
  /** xorshift32 state: deterministic 'random' policy (a number, so a snapshot copies it). */
  private seed: number;

  constructor(readonly cfg: CacheConfig) {
    this.seed = (cfg.seed ?? 1) >>> 0 || 1;
  }

  private rnd(): number {
    let seed = this.seed;
    seed ^= seed << 13; seed >>>= 0;
    seed ^= seed >>> 17;
    seed ^= seed << 5; seed >>>= 0;
    this.seed = seed;
    return seed / 0x100000000;
  }

  get size(): number {
    return this.map.size;
  }

  private get<T>(key: number, count: boolean): ConfigCacheEntry<T> | undefined {
    const e = this.map.get(key) as ConfigCacheEntry<T> | undefined;
    if (e !== undefined && count) {
      e.hits++;
      if (this.cfg.policy === 'lru') {
        this.map.delete(key);
        this.map.set(key, e as unknown as ConfigCacheEntry<S>);
      }
    }
    return e;
  }

  /** The STE entry used for `sid`: its own, else one whose STE.CONT span covers it. */
  getSte(sid: number): ConfigCacheEntry<S> | undefined {
    const e = this.get<S>(steKey(sid), true);
    if (e !== undefined || this.spans.length === 0) return e;
    const s = this.spanOf(sid);
    return s && this.get<S>(steKey(s.sid), true);
  }

  /**
   * Every STE entry a lookup of `sid` matches, when there is more than one and they are not all
   * identical but for CONT: a configuration cache conflict (IHI 0070 §3.20.2, §7.3.18).
   */
  steConflict(sid: number): ConfigCacheEntry<S>[] | undefined {
    if (this.spans.length === 0) return undefined;
    const own = this.map.get(steKey(sid)) as ConfigCacheEntry<S> | undefined;
    const all = own ? [own] : [];
    for (const e of this.spans) if (e !== own && covers(e, sid)) all.push(e);
    if (all.length < 2 || all.every((e) => sameSte(e.raw, all[0].raw))) return undefined;
    return all;
  }

  private spanOf(sid: number): ConfigCacheEntry<S> | undefined {
    for (const e of this.spans) if (covers(e, sid)) return e;
    return undefined;
  }

  getCd(sid: number, ssid: number): ConfigCacheEntry<C> | undefined {
    return this.get<C>(cdKey(sid, ssid), true);
  }

  /** Lookups without side effects (no hit count, no LRU update): dry runs. */
  peekSte(sid: number): ConfigCacheEntry<S> | undefined {
    const e = this.get<S>(steKey(sid), false);
    if (e !== undefined || this.spans.length === 0) return e;
    return this.spanOf(sid);
  }

  peekCd(sid: number, ssid: number): ConfigCacheEntry<C> | undefined {
    return this.get<C>(cdKey(sid, ssid), false);
  }

  /** Insert, evicting per policy when full; returns the entry and the one evicted, if any. */
  private put<T>(key: number, entry: ConfigCacheEntry<T>): { entry: ConfigCacheEntry<T>; evicted?: ConfigCacheEntry<unknown> } {
    let evicted: ConfigCacheEntry<unknown> | undefined;
    const old = this.map.get(key);
    if (old) this.dropSpan(old);
    this.map.delete(key);
    if (this.cfg.policy !== 'unbounded' && this.map.size >= this.cfg.capacity && this.map.size > 0) {
      let victim: number;
      if (this.cfg.policy === 'random') {
        const keys = [...this.map.keys()];
        victim = keys[Math.floor(this.rnd() * keys.length)];
      } else victim = this.map.keys().next().value as number;
      evicted = this.map.get(victim) as ConfigCacheEntry<unknown>;
      this.dropSpan(evicted);
      this.map.delete(victim);
    }
    this.map.set(key, entry as unknown as ConfigCacheEntry<S>);
    if (entry.span > 0) this.spans.push(entry as unknown as ConfigCacheEntry<S>);
    return { entry, evicted };
  }

  private dropSpan(e: ConfigCacheEntry<unknown>): void {
    if (e.span > 0) this.spans = this.spans.filter((x) => x !== e);
  }

  /** Cache the STE of `sid`; with `span` > 0 it is used for the aligned 2^span StreamIDs around `sid`. */
  putSte(sid: number, addr: bigint, raw: bigint[], value: S, step: number, span = 0): { entry: ConfigCacheEntry<S>; evicted?: ConfigCacheEntry<unknown> } {
    const spanBase = span > 0 ? sid - (sid % 2 ** span) : sid;
    return this.put(steKey(sid), { id: this.nextId++, kind: 'STE', sid, addr, raw, value, hits: 0, insertedAt: step, span, spanBase });
  }

  putCd(sid: number, ssid: number, addr: bigint, raw: bigint[], value: C, step: number): { entry: ConfigCacheEntry<C>; evicted?: ConfigCacheEntry<unknown> } {
    return this.put(cdKey(sid, ssid), { id: this.nextId++, kind: 'CD', sid, ssid, addr, raw, value, hits: 0, insertedAt: step, span: 0, spanBase: sid });
  }

  /** CMD_CFGI_STE / CMD_CFGI_STE_RANGE: STE entries used for any StreamID in [lo, hi] (span entries included). */
  invalidateSteRange(lo: number, hi: number): ConfigCacheEntry<unknown>[] {
    return this.removeWhere((e) => e.kind === 'STE' && e.spanBase <= hi && e.spanBase + 2 ** e.span - 1 >= lo);
  }

  /** CMD_CFGI_CD (ssid given) / CMD_CFGI_CD_ALL (ssid undefined) for one StreamID. */
  invalidateCds(sid: number, ssid?: number): ConfigCacheEntry<unknown>[] {
    return this.removeWhere((e) => e.kind === 'CD' && e.sid === sid && (ssid === undefined || e.ssid === ssid));
  }

  /** CDs of streams in [lo, hi] (CD caching is tagged by the STE that located them). */
  invalidateCdsOfRange(lo: number, hi: number): ConfigCacheEntry<unknown>[] {
    return this.removeWhere((e) => e.kind === 'CD' && e.sid >= lo && e.sid <= hi);
  }

  clear(): ConfigCacheEntry<unknown>[] {
    const out = this.entries();
    this.map.clear();
    this.spans = [];
    return out;
  }

  /** Entries in replacement order (oldest / least recently used first). */
  entries(): ConfigCacheEntry<unknown>[] {
    return [...this.map.values()] as ConfigCacheEntry<unknown>[];
  }

  private removeWhere(pred: (e: ConfigCacheEntry<unknown>) => boolean): ConfigCacheEntry<unknown>[] {
    const out: ConfigCacheEntry<unknown>[] = [];
    for (const [k, e] of this.map) {
      if (pred(e as ConfigCacheEntry<unknown>)) {
        out.push(e as ConfigCacheEntry<unknown>);
        this.dropSpan(e as ConfigCacheEntry<unknown>);
        this.map.delete(k);
      }
    }
    return out;
  }
}

function covers(e: ConfigCacheEntry<unknown>, sid: number): boolean {
  return sid >= e.spanBase && sid - e.spanBase < 2 ** e.span;
}
