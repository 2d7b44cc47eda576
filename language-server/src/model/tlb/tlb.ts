// The SMMU TLB: leaf translations tagged as IHI 0070 §3.17 allows (translation regime, VMID, ASID or
// global), with a declared capacity and replacement policy (policy.ts), and invalidation operations
// mirroring the CMD_TLBI_* commands (IHI 0070 §4.4; what each removes: tlbi.ts). Every invalidation
// returns exactly the entries it removed. Lookup is by hash (store.ts). Only successful walks are
// cached (a fault is never cached).

import type { TlbEntry, TlbInsert, TlbOptions, TlbPolicy, TlbRegime, TlbiRange } from './types';
import {
  BASE_MASK, CHUNK, GLOBAL, INV_CHUNK, INV_POW2, K30, REGIME_IDX, S2_SPACE, TWO53,
  chunkOf, collect, findN, pageKey, slotAt, tagOf, type Bucket, type Level, type Slot,
} from './store';
import { pickVictim, Prng } from './policy';
import { POW2 } from '../bits';
import * as tlbi from './tlbi';
import { KEPT, SAME, SNAPSHOT, newGeneration, type Copier, type SameFn } from '../snapshot';
import { ownChunk, ownSlot, sameStore, snapshotStore, type TlbStore } from './copy';

/** What an insert that evicted nothing returns (shared, never changed). */
const NO_EVICTIONS: TlbEntry[] = Object.freeze([]) as unknown as TlbEntry[];

export class Tlb {
  readonly capacity: number;
  readonly policy: TlbPolicy;
  private readonly frozen: boolean;
  /** Slots and chunks of another generation are shared with a snapshot: copied before a change (copy.ts). */
  private gen = newGeneration();
  private readonly buckets = new Map<number, Bucket>();
  private readonly all: Slot[] = [];
  /** Slots in id order (ids increase), removed ones included until compacted: get/remove by id is a
   *  binary search, and an insert appends instead of growing a 100k-entry Map. */
  private order: Slot[] = [];
  private dead = 0;
  private nextId = 1;
  private clock = 0;
  private readonly rand: Prng;
  /** Lookups and hits since creation (for statistics panels). */
  lookups = 0;
  hitCount = 0;

  constructor(opts: TlbOptions) {
    this.policy = opts.policy;
    this.frozen = opts.frozen === true;
    this.capacity = opts.policy === 'unbounded' ? Infinity : Math.max(1, opts.capacity);
    this.rand = new Prng(opts.seed ?? 1);
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
    if (s.gen !== this.gen) s = ownSlot(this as unknown as TlbStore, s);
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
    const shift = ins.blockShift;
    // Below 2^53 the base is an exact double: an aligned base (every walk's) is kept as it is, and
    // scaling by 2^-shift is exact: no BigInt temporaries.
    const low = ins.inputBase < TWO53;
    const n = low ? Number(ins.inputBase) : 0;
    const inputBase = low && n % POW2[shift] === 0 ? ins.inputBase : ins.inputBase & BASE_MASK[shift];
    // Every entry gets the same shape, fields in one order (no spread): lookups and hit counting stay
    // monomorphic and fast.
    const e: TlbEntry = {
      id: this.nextId++,
      kind: ins.kind,
      regime: ins.regime,
      vmid,
      asid: global ? 0 : ins.asid,
      global,
      aset: ins.aset === true,
      granule: ins.granule,
      blockShift: ins.blockShift,
      level: ins.level,
      inputBase,
      outputBase: ins.outputBase,
      ipaBase: ins.ipaBase,
      perms: ins.perms,
      s1Perms: ins.s1Perms,
      s2Perms: ins.s2Perms,
      attrs: ins.attrs,
      s2Attrs: ins.s2Attrs,
      insertedAt: step,
      hits: 0,
      [KEPT]: true,
    };
    if (this.frozen) Object.freeze(e);
    const key = low ? Math.floor(n * INV_POW2[shift]) : pageKey(Number(inputBase >> 32n), Number(inputBase & 0xffff_ffffn), shift);
    let evicted = NO_EVICTIONS;
    const l0 = this.level(tag, shift, false);
    const old = l0 && slotAt(l0, key);
    if (old) evicted = [this.removeSlot(old)]; // same tag and region: replaced
    while (this.all.length >= this.capacity) {
      if (evicted === NO_EVICTIONS) evicted = [];
      evicted.push(this.removeSlot(pickVictim(this.all, this.policy, this.rand)));
    }
    const l = this.level(tag, shift, true)!;
    const ck = Math.floor(key * INV_CHUNK);
    let c = chunkOf(l.map, ck);
    if (c === undefined) {
      c = { key: ck, chain: l.map.get(ck & K30), slots: new Array<Slot | undefined>(CHUNK), count: 0, gen: this.gen };
      l.map.set(ck & K30, c);
    } else if (c.gen !== this.gen) c = ownChunk(l, ck, this.gen);
    const s: Slot = { e, key, tag, pos: this.all.length, lastUse: ++this.clock, seq: e.id, gen: this.gen };
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
    let i = 0;
    while (i < levels.length && levels[i].shift < shift) i++;
    if (i < levels.length && levels[i].shift === shift) return levels[i];
    if (!create) return undefined;
    const l: Level = { shift, map: new Map(), lastKey: -1, last: undefined };
    levels.splice(i, 0, l);
    return l;
  }

  /** Removes slot `s` (the current one: owned first, as the slot `all` swaps into its place). */
  private removeSlot(shared: Slot): TlbEntry {
    const t = this as unknown as TlbStore;
    const s = ownSlot(t, shared);
    const b = this.buckets.get(s.tag)!;
    const i = b.levels.findIndex((l) => l.shift === s.e.blockShift);
    const l = b.levels[i];
    const m = l.map;
    const ck = Math.floor(s.key * INV_CHUNK);
    const c = ownChunk(l, ck, this.gen);
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
    const last = ownSlot(t, this.all[this.all.length - 1]);
    this.all.pop();
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
    // (owned before any is removed: a removal moves another slot, and changes its own)
    const victims = this.all.filter((s) => pred(s.e)).map((s) => ownSlot(this as unknown as TlbStore, s)).sort((a, b) => a.seq - b.seq);
    return victims.map((s) => this.removeSlot(s));
  }

  /** Remove one entry by id (e.g. a hazard-model eviction). */
  remove(id: number): TlbEntry | undefined {
    const s = this.byId(id);
    return s ? this.removeSlot(s) : undefined;
  }

  // --- Invalidation commands (IHI 0070 §4.4.2-4.4.3): what each removes is decided in tlbi.ts ---

  /** CMD_TLBI_NSNH_ALL: every NS-EL1 entry, all VMIDs, stage 1, stage 2 and nested. */
  nsnhAll(): TlbEntry[] {
    return this.invalidateWhere(tlbi.nsnhAll());
  }

  /** CMD_TLBI_NH_ALL: NS-EL1 stage-1 and nested entries of one VMID (stage-2-only entries stay). */
  nhAll(vmid: number): TlbEntry[] {
    return this.invalidateWhere(tlbi.nhAll(vmid));
  }

  /** CMD_TLBI_S12_VMALL: every NS-EL1 entry of one VMID, all stages. */
  s12VmAll(vmid: number): TlbEntry[] {
    return this.invalidateWhere(tlbi.s12VmAll(vmid));
  }

  /** CMD_TLBI_EL2_ALL: every EL2 and EL2-E2H entry. */
  el2All(): TlbEntry[] {
    return this.invalidateWhere(tlbi.el2All());
  }

  /** CMD_TLBI_NH_ASID: non-global NS-EL1 stage-1/nested entries with this VMID and ASID. */
  nhAsid(vmid: number, asid: number): TlbEntry[] {
    return this.invalidateWhere(tlbi.nhAsid(vmid, asid));
  }

  /** CMD_TLBI_EL2_ASID: non-global EL2-E2H entries with this ASID. */
  el2Asid(asid: number): TlbEntry[] {
    return this.invalidateWhere(tlbi.el2Asid(asid));
  }

  /**
   * CMD_TLBI_NH_VA: NS-EL1 stage-1/nested entries of the VMID covering the address (or the range),
   * non-global with this ASID, and global ones. Leaf is accepted and has no effect: the TLB holds
   * only leaf entries (no walk caches modelled).
   */
  nhVa(vmid: number, asid: number, addr: bigint, range?: TlbiRange, _leaf = false): TlbEntry[] {
    return this.invalidateWhere(tlbi.nhVa(vmid, asid, addr, range));
  }

  /** CMD_TLBI_NH_VAA: as NH_VA for every ASID. */
  nhVaa(vmid: number, addr: bigint, range?: TlbiRange, _leaf = false): TlbEntry[] {
    return this.invalidateWhere(tlbi.nhVaa(vmid, addr, range));
  }

  /** CMD_TLBI_EL2_VA: EL2 entries covering the address (EL2-E2H: global, or non-global with this ASID). */
  el2Va(asid: number, addr: bigint, range?: TlbiRange, _leaf = false): TlbEntry[] {
    return this.invalidateWhere(tlbi.el2Va(asid, addr, range));
  }

  /** CMD_TLBI_EL2_VAA: EL2 entries covering the address, every ASID. */
  el2Vaa(addr: bigint, range?: TlbiRange, _leaf = false): TlbEntry[] {
    return this.invalidateWhere(tlbi.el2Vaa(addr, range));
  }

  /**
   * CMD_TLBI_S2_IPA: stage-2-only entries of the VMID covering the IPA (or range). Model choice:
   * nested combined entries are NOT removed (IHI 0070 §4.4: S2_IPA need not affect combined S1+S2
   * entries; software follows it with CMD_TLBI_NH_ALL / S12_VMALL), so a missing follow-up stays visible.
   */
  s2Ipa(vmid: number, ipa: bigint, range?: TlbiRange, _leaf = false): TlbEntry[] {
    return this.invalidateWhere(tlbi.s2Ipa(vmid, ipa, range));
  }

  /** Remove everything (SMMU reset / CMD_TLBI_NSNH_ALL plus EL2_ALL). */
  clear(): TlbEntry[] {
    return this.invalidateWhere(() => true);
  }

  /** All entries as plain data, in insertion order (cheap: the entries themselves, copied shallowly). */
  snapshot(): TlbEntry[] {
    return this.all.slice().sort((a, b) => a.seq - b.seq).map((s) => ({ ...s.e }));
  }

  /** A copy for a snapshot (copy.ts): its own index, the slots and entries shared until changed. */
  [SNAPSHOT](c: Copier): Tlb {
    return snapshotStore(this as unknown as TlbStore, c.clone(this) as unknown as TlbStore, c) as unknown as Tlb;
  }

  [SAME](other: Tlb, same: SameFn): boolean {
    return sameStore(this as unknown as TlbStore, other as unknown as TlbStore, same);
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
