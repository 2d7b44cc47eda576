// The SMMU TLB: leaf translations tagged as IHI 0070 §3.17 allows (translation regime, VMID, ASID or
// global), with a declared capacity and replacement policy, and invalidation operations mirroring the
// CMD_TLBI_* commands (IHI 0070 §4.4). Every invalidation returns exactly the entries it removed.
//
// Lookup is by hash: entries live in per-tag buckets, each with one level per block size present. A
// level maps the page key (input address >> blockShift, a number < 2^52) in chunks of CHUNK
// consecutive pages: a Map from chunk key to a small array, plus the last chunk used, so that lookups
// with locality (DMA buffers, consecutive pages) index an array instead of hashing into a large Map.
// A lookup tries the (few) block sizes of the ASID bucket and of the global bucket. Only successful
// walks are cached (a fault is never cached).

import type { Attrs, Perms } from '../types';

export type TlbPolicy = 'lru' | 'fifo' | 'random' | 'unbounded';

/** Translation regime of an entry (STE.STRW, IHI 0070 §5.2): NS-EL1, EL2, or EL2 with E2H. */
export type TlbRegime = 'nsel1' | 'el2' | 'el2-e2h';

/** What an entry caches: stage 1 only, stage 2 only (IPA input), or a combined nested VA -> PA entry. */
export type TlbEntryKind = 's1' | 's2' | 'nested';

export interface TlbEntry {
  /** Unique, increasing. */
  readonly id: number;
  readonly kind: TlbEntryKind;
  readonly regime: TlbRegime;
  /** VMID tag (0 in the EL2 regimes, which are not VMID-tagged). */
  readonly vmid: number;
  /** ASID tag; meaningless when `global`. */
  readonly asid: number;
  /** nG=0 (or a regime without ASIDs): matches every ASID. Always false for stage-2 entries. */
  readonly global: boolean;
  /** Granule of the walk that produced it, and log2 of the region it maps. */
  readonly granule: 4 | 16 | 64;
  readonly blockShift: number;
  /** Lookup level of the leaf (of the smaller stage for nested entries). */
  readonly level: number;
  /** Region base: VA (s1, nested; canonical) or IPA (s2). */
  readonly inputBase: bigint;
  readonly outputBase: bigint;
  /** Nested: the IPA of inputBase. */
  readonly ipaBase?: bigint;
  /** Effective permissions (nested: both stages intersected). */
  readonly perms: Perms;
  readonly s1Perms?: Perms;
  readonly s2Perms?: Perms;
  readonly attrs: Attrs;
  readonly s2Attrs?: Attrs;
  /** Scenario step that inserted it. */
  readonly insertedAt: number;
  /** Lookups that hit it. */
  hits: number;
}

/** What the caller provides to insert an entry (the TLB assigns id, hits). */
export type TlbInsert = Omit<TlbEntry, 'id' | 'hits' | 'insertedAt'>;

export interface TlbOptions {
  /** Maximum number of entries (ignored for 'unbounded'). */
  capacity: number;
  policy: TlbPolicy;
  /** Seed of the 'random' policy's generator (deterministic replay). */
  seed?: number;
}

/** Range part of a TLBI by address (IHI 0070 §4.4.1: TG, TTL, NUM, SCALE; SMMUv3.2 range invalidation). */
export interface TlbiRange {
  /** TG: 0 = not a range (single address), 1 = 4K, 2 = 16K, 3 = 64K. */
  tg: number;
  /** TTL: level hint, 0 = any level; with TG != 0, 1..3 = only entries of that level. */
  ttl: number;
  num: number;
  scale: number;
}

interface Slot {
  e: TlbEntry;
  key: number; // full page key (input base >> blockShift)
  bucket: Bucket;
  pos: number; // index in `all`; -1 once removed
  lastUse: number;
  seq: number;
}

/** CHUNK consecutive page keys of one level (at most one slot per key: same tag and region replace). */
interface Chunk {
  key: number; // full chunk key (page key / CHUNK); the level's map is keyed by its low 30 bits (SMI keys)
  chain: Chunk | undefined; // next chunk with the same low 30 bits (rare)
  slots: (Slot | undefined)[];
  count: number;
}

/** The entries of one tag and block size. */
interface Level {
  shift: number;
  map: Map<number, Chunk>;
  /** The chunk of the last lookup that found one (-1: none). */
  lastKey: number;
  last: Chunk | undefined;
}

interface Bucket {
  tag: number;
  /** Ascending shifts: the smallest block is found first. */
  levels: Level[];
}

const CHUNK = 32;
const INV_CHUNK = 1 / CHUNK; // exact

const REGIME_IDX: Record<TlbRegime, number> = { nsel1: 0, el2: 1, 'el2-e2h': 2 };
const S2_SPACE = 3; // stage-2 entries have their own (IPA) tag space
const GLOBAL = 0x10000;

/** Tag: regime (2 bits) | VMID (16 bits) | ASID or GLOBAL (17 bits); < 2^35, exact as a number. */
function tagOf(space: number, vmid: number, asid: number): number {
  return (space * 0x10000 + (vmid & 0xffff)) * 0x20000 + asid;
}

/** Address >> shift as a number, from the address halves (shift >= 12 keeps it below 2^52). */
function pageKey(hi: number, lo: number, shift: number): number {
  if (shift >= 32) return hi >>> (shift - 32);
  return hi * 2 ** (32 - shift) + (lo >>> shift);
}

const TG_SHIFT = [0, 12, 14, 16];
const TWO53 = 1n << 53n;
const INV_POW2 = Array.from({ length: 65 }, (_, i) => 2 ** -i); // exact: multiply instead of divide
/** BASE_MASK[n] clears the offset within a 2^n block (precomputed: no BigInt temporaries per insert). */
const BASE_MASK = Array.from({ length: 65 }, (_, n) => ~((1n << BigInt(n)) - 1n));

const K30 = 0x3fff_ffff;

/** The chunk of key `ck` in a level's map, if any. */
function chunkOf(m: Map<number, Chunk>, ck: number): Chunk | undefined {
  let c = m.get(ck & K30);
  while (c !== undefined && c.key !== ck) c = c.chain;
  return c;
}

/** The slot of page key `k` in a level, if any. */
function slotAt(l: Level, k: number): Slot | undefined {
  const ck = Math.floor(k * INV_CHUNK);
  const c = chunkOf(l.map, ck);
  return c === undefined ? undefined : c.slots[k - ck * CHUNK];
}

/** Find the slot covering address `n` * 2^d (n exact, d <= 11) in a bucket, smallest block first. */
function findN(b: Bucket, n: number, d: number): Slot | undefined {
  const levels = b.levels;
  for (let i = 0; i < levels.length; i++) {
    const l = levels[i];
    const k = Math.floor(n * INV_POW2[l.shift - d]);
    const ck = Math.floor(k * INV_CHUNK);
    let c = l.last;
    if (ck !== l.lastKey) {
      c = chunkOf(l.map, ck);
      if (c === undefined) continue;
      l.lastKey = ck;
      l.last = c;
    }
    const s = c!.slots[k - ck * CHUNK];
    if (s !== undefined) return s;
  }
  return undefined;
}

/** Append the entry of each block size of a bucket that covers `addr` (a level holds one per region). */
function collect(b: Bucket, addr: bigint, out: TlbEntry[]): void {
  for (const l of b.levels) {
    const k = addr < TWO53 ? Math.floor(Number(addr) * INV_POW2[l.shift]) : Number(addr >> BigInt(l.shift));
    const s = slotAt(l, k);
    if (s !== undefined) out.push(s.e);
  }
}

/** Deterministic PRNG (mulberry32) for the 'random' policy. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Tlb {
  readonly capacity: number;
  readonly policy: TlbPolicy;
  private readonly buckets = new Map<number, Bucket>();
  private readonly all: Slot[] = [];
  /** Slots in id order (ids increase), removed ones included until compacted: get/remove by id is a
   *  binary search, and an insert appends instead of growing a 100k-entry Map. */
  private order: Slot[] = [];
  private dead = 0;
  private nextId = 1;
  private clock = 0;
  private readonly rand: () => number;
  /** Lookups and hits since creation (for statistics panels). */
  lookups = 0;
  hitCount = 0;

  constructor(opts: TlbOptions) {
    this.policy = opts.policy;
    this.capacity = opts.policy === 'unbounded' ? Infinity : Math.max(1, opts.capacity);
    this.rand = prng(opts.seed ?? 1);
  }

  get size(): number {
    return this.all.length;
  }

  /**
   * Stage-1 or nested lookup of input address `va` (canonical) for a stream's regime/VMID/ASID.
   * Non-global entries must match the ASID; global entries match any ASID (IHI 0070 §3.17).
   * If several entries match (stale overlapping entries), the smallest block wins.
   */
  lookup(regime: TlbRegime, vmid: number, asid: number, va: bigint): TlbEntry | undefined {
    this.lookups++;
    const s = this.findVa(regime, vmid, asid, va);
    return s ? this.hit(s) : undefined;
  }

  /** As lookup, without side effects (no hit count, no LRU update): for dry runs and hovers. */
  peek(regime: TlbRegime, vmid: number, asid: number, va: bigint): TlbEntry | undefined {
    return this.findVa(regime, vmid, asid, va)?.e;
  }

  /** Stage-2-only lookup of an IPA for a VMID. */
  lookupS2(vmid: number, ipa: bigint): TlbEntry | undefined {
    this.lookups++;
    const s = this.findIpa(vmid, ipa);
    return s ? this.hit(s) : undefined;
  }

  /** As lookupS2, without side effects. */
  peekS2(vmid: number, ipa: bigint): TlbEntry | undefined {
    return this.findIpa(vmid, ipa)?.e;
  }

  private findVa(regime: TlbRegime, vmid: number, asid: number, va: bigint): Slot | undefined {
    if (regime !== 'nsel1') vmid = 0;
    const space = REGIME_IDX[regime];
    const b = this.bucketOf(tagOf(space, vmid, regime === 'el2' ? GLOBAL : asid & 0xffff));
    const g = regime === 'el2' ? undefined : this.bucketOf(tagOf(space, vmid, GLOBAL));
    if (b === undefined && g === undefined) return undefined;
    // The address as an exact double: itself below 2^53, else bits [63:11] (every block is >= 4 KB).
    const low = va < TWO53;
    const n = low ? Number(va) : Number(va >> 11n);
    const d = low ? 0 : 11;
    return (b && findN(b, n, d)) || (g && findN(g, n, d)) || undefined;
  }

  private findIpa(vmid: number, ipa: bigint): Slot | undefined {
    const b = this.bucketOf(tagOf(S2_SPACE, vmid, GLOBAL));
    if (b === undefined) return undefined;
    return ipa < TWO53 ? findN(b, Number(ipa), 0) : findN(b, Number(ipa >> 11n), 11);
  }

  // One-entry cache of the last two tags looked up (lookups repeat the same stream's tags).
  private lastTag = -1;
  private lastBucket: Bucket | undefined;
  private lastTag2 = -1;
  private lastBucket2: Bucket | undefined;

  private bucketOf(tag: number): Bucket | undefined {
    if (tag === this.lastTag) return this.lastBucket;
    if (tag === this.lastTag2) return this.lastBucket2;
    const b = this.buckets.get(tag);
    this.lastTag2 = this.lastTag;
    this.lastBucket2 = this.lastBucket;
    this.lastTag = tag;
    this.lastBucket = b;
    return b;
  }

  private dropTagCache(): void {
    this.lastTag = this.lastTag2 = -1;
    this.lastBucket = this.lastBucket2 = undefined;
  }

  /**
   * Every entry a VA lookup matches, smallest block first, ASID entries before global ones. More than
   * one is a TLB conflict (IHI 0070 §3.20.1). No hit counting.
   */
  lookupAll(regime: TlbRegime, vmid: number, asid: number, va: bigint): TlbEntry[] {
    if (regime !== 'nsel1') vmid = 0;
    const space = REGIME_IDX[regime];
    const out: TlbEntry[] = [];
    const b = this.buckets.get(tagOf(space, vmid, regime === 'el2' ? GLOBAL : asid & 0xffff));
    if (b) collect(b, va, out);
    if (regime !== 'el2') {
      const g = this.buckets.get(tagOf(space, vmid, GLOBAL));
      if (g) collect(g, va, out);
    }
    return out;
  }

  /** Every stage-2-only entry an IPA lookup matches, smallest block first. No hit counting. */
  lookupAllS2(vmid: number, ipa: bigint): TlbEntry[] {
    const out: TlbEntry[] = [];
    const b = this.buckets.get(tagOf(S2_SPACE, vmid, GLOBAL));
    if (b) collect(b, ipa, out);
    return out;
  }

  private hit(s: Slot): TlbEntry {
    s.lastUse = ++this.clock;
    s.e.hits++;
    this.hitCount++;
    return s.e;
  }

  /**
   * Insert an entry (after a successful walk: faulting walks are never cached). Returns the new entry
   * and the entries evicted to make room (and any entry with the same tag and region it replaces).
   */
  insert(ins: TlbInsert, step: number): { entry: TlbEntry; evicted: TlbEntry[] } {
    const global = ins.kind === 's2' || ins.regime === 'el2' ? true : ins.global;
    const vmid = ins.regime === 'nsel1' ? ins.vmid : 0;
    const space = ins.kind === 's2' ? S2_SPACE : REGIME_IDX[ins.regime];
    const tag = tagOf(space, vmid, global ? GLOBAL : ins.asid & 0xffff);
    const m64 = BASE_MASK[ins.blockShift];
    // Every entry gets the same shape, fields in one order (no spread): lookups and hit counting stay
    // monomorphic and fast.
    const e: TlbEntry = {
      id: this.nextId++,
      kind: ins.kind,
      regime: ins.regime,
      vmid,
      asid: global ? 0 : ins.asid,
      global,
      granule: ins.granule,
      blockShift: ins.blockShift,
      level: ins.level,
      inputBase: ins.inputBase & m64,
      outputBase: ins.outputBase,
      ipaBase: ins.ipaBase,
      perms: ins.perms,
      s1Perms: ins.s1Perms,
      s2Perms: ins.s2Perms,
      attrs: ins.attrs,
      s2Attrs: ins.s2Attrs,
      insertedAt: step,
      hits: 0,
    };
    // Below 2^53 the base is an exact double and scaling by 2^-shift is exact: no BigInt temporaries.
    const key = e.inputBase < TWO53 ? Math.floor(Number(e.inputBase) * INV_POW2[e.blockShift])
      : pageKey(Number(e.inputBase >> 32n), Number(e.inputBase & 0xffff_ffffn), e.blockShift);
    const evicted: TlbEntry[] = [];
    const l0 = this.level(tag, e.blockShift, false);
    const old = l0 && slotAt(l0, key);
    if (old) evicted.push(this.removeSlot(old)); // same tag and region: replaced
    while (this.all.length >= this.capacity) evicted.push(this.removeSlot(this.victim()));
    const l = this.level(tag, e.blockShift, true)!;
    const ck = Math.floor(key * INV_CHUNK);
    let c = chunkOf(l.map, ck);
    if (c === undefined) {
      c = { key: ck, chain: l.map.get(ck & K30), slots: new Array<Slot | undefined>(CHUNK), count: 0 };
      l.map.set(ck & K30, c);
    }
    const s: Slot = { e, key, bucket: this.buckets.get(tag)!, pos: this.all.length, lastUse: ++this.clock, seq: e.id };
    c.slots[key - ck * CHUNK] = s;
    c.count++;
    this.all.push(s);
    this.order.push(s);
    return { entry: e, evicted };
  }

  /** The level of one tag and block size (created on demand; kept ascending: smallest block found first). */
  private level(tag: number, shift: number, create: boolean): Level | undefined {
    let b = this.buckets.get(tag);
    if (!b) {
      if (!create) return undefined;
      b = { tag, levels: [] };
      this.buckets.set(tag, b);
      this.dropTagCache();
    }
    const levels = b.levels;
    let i = levels.findIndex((l) => l.shift >= shift);
    if (i >= 0 && levels[i].shift === shift) return levels[i];
    if (!create) return undefined;
    if (i < 0) i = levels.length;
    const l: Level = { shift, map: new Map(), lastKey: -1, last: undefined };
    levels.splice(i, 0, l);
    return l;
  }

  private victim(): Slot {
    const all = this.all;
    if (this.policy === 'random') return all[Math.floor(this.rand() * all.length)];
    let best = all[0];
    for (let i = 1; i < all.length; i++) {
      const s = all[i];
      if (this.policy === 'lru' ? s.lastUse < best.lastUse : s.seq < best.seq) best = s;
    }
    return best;
  }

  private removeSlot(s: Slot): TlbEntry {
    const b = s.bucket;
    const i = b.levels.findIndex((l) => l.shift === s.e.blockShift);
    const l = b.levels[i];
    const m = l.map;
    const ck = Math.floor(s.key * INV_CHUNK);
    const c = chunkOf(m, ck)!;
    c.slots[s.key - ck * CHUNK] = undefined;
    if (--c.count === 0) {
      const k30 = ck & K30;
      const head = m.get(k30)!;
      if (head === c) {
        if (c.chain) m.set(k30, c.chain);
        else m.delete(k30);
      } else {
        let p = head;
        while (p.chain !== c) p = p.chain!;
        p.chain = c.chain;
      }
      if (l.last === c) {
        l.last = undefined;
        l.lastKey = -1;
      }
      if (m.size === 0) {
        b.levels.splice(i, 1);
        if (b.levels.length === 0) {
          this.buckets.delete(b.tag);
          this.dropTagCache();
        }
      }
    }
    const last = this.all.pop()!;
    if (last !== s) {
      this.all[s.pos] = last;
      last.pos = s.pos;
    }
    s.pos = -1;
    if (++this.dead > 64 && this.dead * 2 > this.order.length) {
      this.order = this.order.filter((o) => o.pos >= 0);
      this.dead = 0;
    }
    return s.e;
  }

  /** Remove every entry matching `pred`; returns them in insertion order. */
  invalidateWhere(pred: (e: TlbEntry) => boolean): TlbEntry[] {
    const victims = this.all.filter((s) => pred(s.e)).sort((a, b) => a.seq - b.seq);
    return victims.map((s) => this.removeSlot(s));
  }

  /** Remove one entry by id (e.g. a hazard-model eviction). */
  remove(id: number): TlbEntry | undefined {
    const s = this.byId(id);
    return s ? this.removeSlot(s) : undefined;
  }

  // --- Invalidation commands (IHI 0070 §4.4.2-4.4.3) ---

  /** CMD_TLBI_NSNH_ALL: every NS-EL1 entry, all VMIDs, stage 1, stage 2 and nested. */
  nsnhAll(): TlbEntry[] {
    return this.invalidateWhere((e) => e.regime === 'nsel1');
  }

  /** CMD_TLBI_NH_ALL: NS-EL1 stage-1 and nested entries of one VMID (stage-2-only entries stay). */
  nhAll(vmid: number): TlbEntry[] {
    return this.invalidateWhere((e) => e.regime === 'nsel1' && e.kind !== 's2' && e.vmid === vmid);
  }

  /** CMD_TLBI_S12_VMALL: every NS-EL1 entry of one VMID, all stages. */
  s12VmAll(vmid: number): TlbEntry[] {
    return this.invalidateWhere((e) => e.regime === 'nsel1' && e.vmid === vmid);
  }

  /** CMD_TLBI_EL2_ALL: every EL2 and EL2-E2H entry. */
  el2All(): TlbEntry[] {
    return this.invalidateWhere((e) => e.regime !== 'nsel1');
  }

  /** CMD_TLBI_NH_ASID: non-global NS-EL1 stage-1/nested entries with this VMID and ASID. */
  nhAsid(vmid: number, asid: number): TlbEntry[] {
    return this.invalidateWhere((e) => e.regime === 'nsel1' && e.kind !== 's2' && e.vmid === vmid && !e.global && e.asid === asid);
  }

  /** CMD_TLBI_EL2_ASID: non-global EL2-E2H entries with this ASID. */
  el2Asid(asid: number): TlbEntry[] {
    return this.invalidateWhere((e) => e.regime === 'el2-e2h' && !e.global && e.asid === asid);
  }

  /**
   * CMD_TLBI_NH_VA: NS-EL1 stage-1/nested entries of the VMID covering the address (or the range),
   * non-global with this ASID, and global ones. Leaf is accepted and has no effect: the TLB holds
   * only leaf entries (no walk caches modelled).
   */
  nhVa(vmid: number, asid: number, addr: bigint, range?: TlbiRange, _leaf = false): TlbEntry[] {
    const hit = addrMatcher(addr, range);
    return this.invalidateWhere((e) => e.regime === 'nsel1' && e.kind !== 's2' && e.vmid === vmid && (e.global || e.asid === asid) && hit(e));
  }

  /** CMD_TLBI_NH_VAA: as NH_VA for every ASID. */
  nhVaa(vmid: number, addr: bigint, range?: TlbiRange, _leaf = false): TlbEntry[] {
    const hit = addrMatcher(addr, range);
    return this.invalidateWhere((e) => e.regime === 'nsel1' && e.kind !== 's2' && e.vmid === vmid && hit(e));
  }

  /** CMD_TLBI_EL2_VA: EL2 entries covering the address (EL2-E2H: global, or non-global with this ASID). */
  el2Va(asid: number, addr: bigint, range?: TlbiRange, _leaf = false): TlbEntry[] {
    const hit = addrMatcher(addr, range);
    return this.invalidateWhere((e) => e.regime !== 'nsel1' && (e.global || e.asid === asid) && hit(e));
  }

  /** CMD_TLBI_EL2_VAA: EL2 entries covering the address, every ASID. */
  el2Vaa(addr: bigint, range?: TlbiRange, _leaf = false): TlbEntry[] {
    const hit = addrMatcher(addr, range);
    return this.invalidateWhere((e) => e.regime !== 'nsel1' && hit(e));
  }

  /**
   * CMD_TLBI_S2_IPA: stage-2-only entries of the VMID covering the IPA (or range). Model choice:
   * nested combined entries are NOT removed (IHI 0070 §4.4: S2_IPA need not affect combined S1+S2
   * entries; software follows it with CMD_TLBI_NH_ALL / S12_VMALL), so a missing follow-up stays visible.
   */
  s2Ipa(vmid: number, ipa: bigint, range?: TlbiRange, _leaf = false): TlbEntry[] {
    const hit = addrMatcher(ipa, range);
    return this.invalidateWhere((e) => e.kind === 's2' && e.vmid === vmid && hit(e));
  }

  /** Remove everything (SMMU reset / CMD_TLBI_NSNH_ALL plus EL2_ALL). */
  clear(): TlbEntry[] {
    return this.invalidateWhere(() => true);
  }

  /** All entries as plain data, in insertion order (cheap: the entries themselves, copied shallowly). */
  snapshot(): TlbEntry[] {
    return this.all.slice().sort((a, b) => a.seq - b.seq).map((s) => ({ ...s.e }));
  }

  get(id: number): TlbEntry | undefined {
    return this.byId(id)?.e;
  }

  /** The live slot of an id (binary search of `order`, sorted by seq == id). */
  private byId(id: number): Slot | undefined {
    const o = this.order;
    let lo = 0;
    let hi = o.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const s = o[mid];
      if (s.seq === id) return s.pos >= 0 ? s : undefined;
      if (s.seq < id) lo = mid + 1;
      else hi = mid - 1;
    }
    return undefined;
  }
}

function covers(e: TlbEntry, addr: bigint): boolean {
  return addr >= e.inputBase && addr - e.inputBase < 1n << BigInt(e.blockShift);
}

/**
 * Address matching of a TLBI by address. Without a range (TG=0): entries whose region contains the
 * address. With TG != 0: the range is (NUM+1) * 2^SCALE * granule bytes from Address (IHI 0070 §4.4.1,
 * range invalidation); entries overlapping it match, and TTL != 0 restricts to entries of that level.
 */
function addrMatcher(addr: bigint, range?: TlbiRange): (e: TlbEntry) => boolean {
  if (!range || range.tg === 0) return (e) => covers(e, addr);
  const gShift = TG_SHIFT[range.tg];
  const start = addr & ~((1n << BigInt(gShift)) - 1n);
  const len = BigInt(range.num + 1) << BigInt(range.scale + gShift);
  const end = start + len; // exclusive
  const ttl = range.ttl;
  return (e) => {
    if (ttl !== 0 && e.level !== ttl) return false;
    const eEnd = e.inputBase + (1n << BigInt(e.blockShift));
    return e.inputBase < end && eEnd > start;
  };
}

/** Range size in bytes of a TLBI range (for reports). */
export function tlbiRangeBytes(r: TlbiRange): bigint {
  return r.tg === 0 ? 0n : BigInt(r.num + 1) << BigInt(r.scale + TG_SHIFT[r.tg]);
}
