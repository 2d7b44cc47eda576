// Shadow of the TLB entries an SMMU may hold (IHI 0070 §3.17, §4.4): an unbounded `Tlb` of every
// translation a successful walk produced (an entry may be cached once a walk of an earlier
// transaction on that SMMU read it; no speculative fills). A changed descriptor moves its entries to a
// stale `Tlb` (so a fresh walk of the same page is shadowed too) and may break break-before-make
// (DDI 0487 D8.16.1); TLBIs are replayed on the shadows with the model's own command code and what
// they remove is pending until CMD_SYNC. A PE's broadcast TLBI (smmu/broadcast.ts) is replayed the
// same way and completes at once (its DSB); a changed entry it matched but the SMMU kept (BTM, PTM,
// CD.ASET) is reported, when used, as H_TLBI_NOT_BROADCAST. Reports H_STALE_TLB, H_TLBI_NO_SYNC,
// H_TLBI_NOT_BROADCAST and H_BBM. Its records: hazards/cached.ts.
// Copy-on-write (as hazards/descriptors.ts): the `Cached` records live in one map by uid (every
// other place names them by uid); a snapshot copies the maps, not the records, and a record of
// another generation is copied before this shadow changes it (`own`).

import { Tlb } from '../tlb/tlb';
import type { TlbEntry } from '../tlb/types';
import type { TransactionResult } from '../smmu/result';
import type { CommandResult } from '../smmu/commands';
import { applyBroadcast, type BroadcastResult } from '../smmu/broadcast';
import { cpuTlbiText } from '../cpu/tlbi';
import type { WalkTrace } from '../types';
import { bbmChanges, sizeChangeAllowed } from './bbm';
import { Descriptors, isValid, type Desc } from './descriptors';
import { withSync, syncOnly, type MissingCommand, type NowOutcome } from './finding';
import { sameCached, toInsert, type Cached, type Change } from './cached';
import { matching, tagsOf, type Tags } from './lookup';
import { Pending } from './pending';
import { replay } from './replay';
import { PerSmmu, type HazardEnv, type Shadow, type SmmuCtx } from './shadow';
import { sameFrame, type Watch } from './watch';
import { SAME, SNAPSHOT, cowCopied, newGeneration, type Copier, type SameFn } from '../snapshot';
import { CowMap, numberPart } from '../cowMap';

/** Uids of records by TLB entry id. */
type Ids = CowMap<number, number>;

interface State {
  shadow: Tlb;
  cached: Ids;
  /** Changed entries, by id in `staleTlb`. */
  staleTlb: Tlb;
  stale: Ids;
  /** Invalidated entries (uids) awaiting a CMD_SYNC; the changed ones also in `pendingTlb` for lookups. */
  pending: Pending<number>;
  pendingTlb: Tlb;
  pendingStale: Ids;
}

const unbounded = (): Tlb => new Tlb({ capacity: Infinity, policy: 'unbounded', frozen: true });

export class TlbShadow implements Shadow {
  private descs: Descriptors;
  /** The records, by uid (the only references to them). */
  private users = new CowMap<number, Cached>(numberPart);
  private uids = 0;
  private gen = newGeneration();
  /** The SMMUs of the records, by name. */
  private ctxs = new Map<string, SmmuCtx>();
  private states: PerSmmu<State, Watch>;
  /** The shadow entry behind the page just seen (for the ATC shadow on the same page; not state). */
  current: Cached | undefined;
  /** Told when an entry is invalidated or changed (the ATC shadow's translations go with it). */
  readonly onGone: Array<{ tlbGone(uid: number): void }> = [];

  constructor(private readonly env: HazardEnv) {
    this.descs = new Descriptors(env.watch);
    this.states = new PerSmmu((watch: Watch): State => ({
      shadow: unbounded(), cached: new CowMap(numberPart), staleTlb: unbounded(), stale: new CowMap(numberPart),
      pending: new Pending(watch), pendingTlb: unbounded(), pendingStale: new CowMap(numberPart),
    }), env.watch);
  }

  get tracked(): number {
    return this.descs.size;
  }

  /** A copy for a snapshot: the maps copied, the records shared by both until one changes them. */
  [SNAPSHOT](c: Copier): TlbShadow {
    const t = c.clone(this) as unknown as { -readonly [K in keyof TlbShadow]: TlbShadow[K] } & Record<string, unknown>;
    const self = t as unknown as TlbShadow;
    self.descs = c.copy(this.descs);
    self.users = c.copy(this.users);
    self.ctxs = c.copy(this.ctxs);
    self.states = c.copy(this.states);
    t.env = c.copy(this.env);
    t.onGone = c.copy(this.onGone);
    self.current = undefined;
    this.gen = newGeneration();
    self.gen = newGeneration();
    return self;
  }

  /** The same records (shared ones are equal as they are; generations and `current` are bookkeeping). */
  [SAME](o: TlbShadow, same: SameFn): boolean {
    if (this.uids !== o.uids || this.users.size !== o.users.size || !same(this.descs, o.descs) || !same(this.ctxs, o.ctxs)) return false;
    if (!this.users.sameAs(o.users, (x, y) => sameCached(x, y, same))) return false;
    return same(this.states, o.states) && same(this.env, o.env) && same(this.onGone, o.onGone);
  }

  /** Record `uid` (it must be live). */
  user(uid: number): Cached {
    return this.users.get(uid)!;
  }

  /** Record `uid`, to change (copied first when a snapshot shares it). */
  private own(uid: number): Cached {
    const c = this.users.get(uid)!;
    if (c.gen === this.gen) return c;
    cowCopied.n += 2;
    const o: Cached = { ...c, gen: this.gen };
    if (c.stale) o.stale = { ...c.stale };
    this.users.set(uid, o);
    if (this.current === c) this.current = o;
    return o;
  }

  private ctx(c: Cached): SmmuCtx {
    return this.ctxs.get(c.smmu)!;
  }

  // ---------------------------------------------------------------- transactions

  page(s: SmmuCtx, r: TransactionResult, p: TransactionResult, ats: boolean): void {
    this.current = undefined;
    const st = this.states.get(s);
    // Hot path: a TLB hit with nothing stale or pending on this SMMU has nothing to check or record.
    if (p.tlb === 'hit' && st.stale.size === 0 && st.pending.size === 0 && !ats) return;
    if (st.stale.size > 0 || st.pendingStale.size > 0) {
      const t = tagsOf(s, r, p);
      if (t) this.checkStale(s, st, t, p);
    }
    if (p.outcome !== 'ok' || !p.tlbEntry) return;
    if (p.tlb === 'miss') this.current = this.insert(s, st, p.tlbEntry, [p.walks.stage1, p.walks.stage2]);
    else if (ats) this.current = this.find(st, p.tlbEntry);
  }

  private checkStale(s: SmmuCtx, st: State, t: Tags, p: TransactionResult): void {
    const cands: number[] = [];
    for (const e of st.stale.size ? matching(st.staleTlb, t) : []) { const c = st.stale.get(e.id); if (c !== undefined) cands.push(c); }
    for (const e of st.pendingStale.size ? matching(st.pendingTlb, t) : []) { const c = st.pendingStale.get(e.id); if (c !== undefined) cands.push(c); }
    for (const uid of cands) {
      if (this.user(uid).reports >= this.env.maxReports) continue;
      const c = this.own(uid);
      c.reports++;
      const e = c.entry;
      const w = c.stale!;
      const now: NowOutcome = p.outcome === 'ok' && p.tlb === 'miss' ? { kind: 'pa', pa: p.pa ?? 0n, perms: p.perms }
        : p.outcome === 'fault' || p.outcome === 'stalled' ? { kind: 'fault', event: p.events[0]?.type ?? 'a fault' } : { kind: 'descriptor' };
      const at = st.pending.at(uid);
      const base = { state: 'tlb' as const, severity: 'warning' as const, step: this.env.step, smmu: s.name, sid: p.sid, entry: e, changedStage: w.stage, va: t.va, cachedPa: e.outputBase + (t.va - e.inputBase), cachedPerms: e.perms, now, write: { step: w.step, addr: w.addr, old: w.old, now: w.now, nowValid: w.nowValid }, walkStep: e.insertedAt };
      if (at !== undefined) this.env.report({ ...base, code: 'H_TLBI_NO_SYNC', missing: syncOnly(s.name), insertAfter: at, invalidatedAt: at });
      else if (c.missed) this.env.report({ ...base, code: 'H_TLBI_NOT_BROADCAST', missing: tlbiFor(c, w), insertAfter: c.missed.step, broadcast: { ...c.missed } });
      else this.env.report({ ...base, code: 'H_STALE_TLB', missing: tlbiFor(c, w), insertAfter: w.step });
    }
  }

  /** The shadow entry behind a model TLB hit (same tags and region). */
  private find(st: State, e: TlbEntry): Cached | undefined {
    const x = e.kind === 's2' ? st.shadow.peekS2(e.vmid, e.inputBase) : st.shadow.peek(e.regime, e.vmid, e.asid, e.inputBase);
    const uid = x && x.outputBase === e.outputBase ? st.cached.get(x.id) : undefined;
    return uid === undefined ? undefined : this.users.get(uid);
  }

  private insert(s: SmmuCtx, st: State, e: TlbEntry, walks: Array<WalkTrace | undefined>): Cached {
    const { entry, evicted } = st.shadow.insert(toInsert(e), this.env.step);
    for (const x of evicted) {
      const o = st.cached.get(x.id);
      if (o === undefined) continue;
      st.cached.delete(x.id);
      this.release(this.user(o));
    }
    if (this.ctxs.get(s.name) !== s) this.ctxs.set(s.name, s);
    const c: Cached = { uid: ++this.uids, smmu: s.name, entry, deps: [], leaves: [], reports: 0, gen: this.gen };
    this.users.set(c.uid, c);
    for (const w of walks) if (w) this.addDeps(c, w, true);
    // Never changed from here: a snapshot (checkpoints) shares them instead of copying.
    Object.freeze(c.deps);
    Object.freeze(c.leaves);
    if (c.s2Deps) Object.freeze(c.s2Deps);
    st.cached.set(entry.id, c.uid);
    return c;
  }

  /** Every descriptor a walk read becomes a dependency of the entry (the stage-2 walks of nested table fetches too). */
  private addDeps(c: Cached, tr: WalkTrace, main: boolean): void {
    const steps = tr.steps;
    for (let i = 0; i < steps.length; i++) {
      const x = steps[i];
      if (x.s2Walk) this.addDeps(c, x.s2Walk, false);
      this.descs.use(x.descPa, x.desc, tr.stage, tr.granule, x.level, c.uid);
      c.deps.push(x.descPa);
      if (tr.stage === 2) (c.s2Deps ??= []).push(x.descPa);
      if (main && i === steps.length - 1) c.leaves.push(x.descPa);
    }
  }

  /** Stop tracking an entry's descriptors (and the record). */
  private release(c: Cached): void {
    for (const a of c.deps) this.descs.release(a, c.uid);
    this.users.delete(c.uid);
  }

  /** Move record `uid` from `from` (its map `ids`) into `to`, under a new id in `toIds`; returns what it replaced there. */
  private rehome(uid: number, from: Tlb | undefined, ids: Ids | undefined, to: Tlb, toIds: Ids): Cached[] {
    const c = this.own(uid);
    from?.remove(c.entry.id);
    ids?.delete(c.entry.id);
    const { entry, evicted } = to.insert(toInsert(c.entry), c.entry.insertedAt);
    c.entry = entry;
    toIds.set(entry.id, uid);
    const out: Cached[] = [];
    for (const x of evicted) {
      const o = toIds.get(x.id);
      if (o !== undefined && o !== uid) { toIds.delete(x.id); out.push(this.user(o)); }
    }
    return out;
  }

  // ---------------------------------------------------------------- memory writes

  written(a: bigint, now: bigint, byHardware: boolean): void {
    const seen = this.descs.get(a);
    if (seen !== undefined && seen.value !== now) {
      const d = this.descs.own(a)!;
      if (!byHardware) this.changed(a, d, now);
      d.value = now;
    }
    if (this.env.watch.everyWrite > 0 && !byHardware) this.freedReuse(a);
  }

  private changed(a: bigint, d: Desc, now: bigint): void {
    const beforeValid = isValid(d.value, d.sel);
    const afterValid = isValid(now, d.sel);
    // DDI 0487 D8.16.1 break-before-make: a valid entry that may be cached is replaced by a valid
    // one with another output address, block size or memory attributes, either directly or after an
    // invalid write whose TLBI + CMD_SYNC has not completed (the old entry may still be cached).
    if (beforeValid && !afterValid) d.broken = d.value;
    if (d.users.size > 0 && afterValid) this.checkBbm(a, d, now, beforeValid);
    // (d is this run's own: a user released on the way leaves the iteration, as from a Set)
    for (const uid of d.users) {
      const u = this.own(uid);
      if (u.stale) {
        u.stale.now = now;
        u.stale.nowValid = afterValid;
        u.missed = undefined; // a PE TLBI before this change was not for it
        continue;
      }
      u.stale = { step: this.env.step, addr: a, old: d.value, now, nowValid: afterValid, leaf: u.leaves.includes(a), stage: u.s2Deps?.includes(a) ? 2 : d.sel.stage };
      const st = this.states.get(this.ctx(u));
      // Changed after its TLBI: the SMMU may have refetched the old entry since; that TLBI does not count.
      st.pending.void(uid);
      for (const o of this.rehome(uid, st.shadow, st.cached, st.staleTlb, st.stale)) this.release(o);
      for (const f of this.onGone) f.tlbGone(uid);
    }
  }

  private checkBbm(a: bigint, d: Desc, now: bigint, direct: boolean): void {
    const u = this.user(d.users.values().next().value!);
    // A slot of a table page that was unlinked and reused is not a remap of the same address
    // (freed-memory reuse is H_TLBI_NO_SYNC's business).
    const i = u.deps.indexOf(a);
    const reused = i > 0 && this.descs.unlinked(u.deps[i - 1], a);
    const old = direct ? d.value : reused ? undefined : d.broken;
    if (old === undefined) return;
    const changes = bbmChanges(old, now, d.sel);
    if (!changes.length || sizeChangeAllowed(old, now, d.sel, [...d.users].map((x) => this.ctx(this.user(x)).inst.features))) return;
    const ch: Change = { step: this.env.step, addr: a, old: d.value, now, nowValid: true, leaf: u.leaves.includes(a), stage: d.sel.stage };
    this.env.report({
      state: 'descriptor', code: 'H_BBM', severity: 'warning', step: this.env.step, smmu: u.smmu, stage: d.sel.stage, level: d.sel.level, addr: a,
      walkStep: u.entry.insertedAt, direct, changes, missing: tlbiFor(u, ch),
    });
  }

  /** IHI 0070 §4.7.3: until the CMD_SYNC, the invalidated translation may still be used: reusing its memory is unsafe. */
  private freedReuse(a: bigint): void {
    for (const st of this.states.values()) {
      for (const uid of st.pending.keys()) {
        const c = this.user(uid);
        if (c.freedReported || !c.stale) continue;
        const e = c.entry;
        const isData = a >= e.outputBase && a < e.outputBase + (1n << BigInt(e.blockShift));
        // A table page of the walk whose parent descriptor no longer points at it has been freed.
        const isTable = c.deps.some((dep, i) => i > 0 && sameFrame(dep, a) && this.descs.unlinked(c.deps[i - 1], a));
        if (!isData && !isTable) continue;
        this.own(uid).freedReported = true;
        const at = st.pending.at(uid)!;
        this.env.report({
          state: 'freed', code: 'H_TLBI_NO_SYNC', severity: 'warning', step: this.env.step, smmu: c.smmu, addr: a, page: isData ? 'data' : 'table',
          invalidatedAt: at, unmapStep: c.stale.step, missing: syncOnly(c.smmu), insertAfter: at,
        });
      }
    }
  }

  // ---------------------------------------------------------------- commands

  command(s: SmmuCtx, c: CommandResult): void {
    if (c.invalidated !== 'tlb') return;
    const st = this.states.get(s);
    const leaf = c.fields.Leaf !== undefined && c.fields.Leaf !== 0n;
    const pend = (x: Cached) => {
      st.pending.add(x.uid, this.env.step);
      if (x.stale) this.rehome(x.uid, undefined, undefined, st.pendingTlb, st.pendingStale);
    };
    for (const x of this.take(st, replay(s, c, { tlb: st.shadow }).removed.tlb, replay(s, c, { tlb: st.staleTlb }).removed.tlb, leaf)) pend(x);
  }

  /**
   * Entries an invalidation removed from the shadow and stale TLBs, taken out of their maps (and
   * told to `onGone`). A Leaf TLBI leaves walk-cache entries: a changed table descriptor is not
   * covered (IHI 0070 §4.4), its entry goes back into the stale TLB.
   */
  private take(st: State, fromShadow: readonly TlbEntry[], fromStale: readonly TlbEntry[], leaf: boolean): Cached[] {
    const out: Cached[] = [];
    for (const e of fromShadow) {
      const x = st.cached.get(e.id);
      if (x === undefined) continue;
      st.cached.delete(e.id);
      out.push(this.user(x));
    }
    for (const e of fromStale) {
      const uid = st.stale.get(e.id);
      if (uid === undefined) continue;
      st.stale.delete(e.id);
      const x = this.user(uid);
      if (leaf && x.stale && !x.stale.leaf) this.rehome(uid, undefined, undefined, st.staleTlb, st.stale);
      else out.push(x);
    }
    for (const x of out) for (const f of this.onGone) f.tlbGone(x.uid);
    return out;
  }

  /** A PE's broadcast TLBI, as this SMMU took it (`b`): replayed on the shadows, complete at once (DSB ISH). */
  broadcast(s: SmmuCtx, b: BroadcastResult): void {
    const st = this.states.get(s);
    const last = b.op.def.last;
    const stale = applyBroadcast(st.staleTlb, b.op, b.refusal);
    for (const x of this.take(st, applyBroadcast(st.shadow, b.op, b.refusal).removed, stale.removed, last)) this.release(x);
    for (const k of stale.kept) {
      const x = st.stale.get(k.entry.id);
      if (x !== undefined) this.own(x).missed = { step: this.env.step, instr: cpuTlbiText(b.op), why: k.why };
    }
    // An invalidation awaiting a CMD_SYNC that the broadcast also covers is complete now.
    for (const e of applyBroadcast(st.pendingTlb, b.op, b.refusal).removed) {
      const x = st.pendingStale.get(e.id);
      if (x === undefined) continue;
      st.pendingStale.delete(e.id);
      st.pending.void(x);
      this.release(this.user(x));
    }
  }

  sync(s: SmmuCtx): void {
    const st = this.states.get(s);
    for (const uid of st.pending.sync()) {
      const c = this.user(uid);
      if (st.pendingStale.get(c.entry.id) === uid) {
        st.pendingStale.delete(c.entry.id);
        st.pendingTlb.remove(c.entry.id);
      }
      this.release(c);
    }
  }
}

/** The TLBI (+ CMD_SYNC) that removes a cached entry made stale by `ch` (IHI 0070 §4.4). */
function tlbiFor(c: Cached, ch: Change): MissingCommand[] {
  const e = c.entry;
  const leaf: Record<string, bigint> = ch.leaf ? { Leaf: 1n } : {};
  const vm: Record<string, bigint> = e.vmid ? { VMID: BigInt(e.vmid) } : {};
  const at = { Address: e.inputBase, ...leaf };
  if (e.kind === 's2') return withSync(c.smmu, 'CMD_TLBI_S2_IPA', { VMID: BigInt(e.vmid), ...at });
  if (e.kind === 'nested' && ch.stage === 2) return withSync(c.smmu, 'CMD_TLBI_S12_VMALL', { VMID: BigInt(e.vmid) });
  if (e.regime !== 'nsel1') return e.global ? withSync(c.smmu, 'CMD_TLBI_EL2_VAA', at) : withSync(c.smmu, 'CMD_TLBI_EL2_VA', { ASID: BigInt(e.asid), ...at });
  if (e.global) return withSync(c.smmu, 'CMD_TLBI_NH_VAA', { ...vm, ...at });
  return withSync(c.smmu, 'CMD_TLBI_NH_VA', { ...vm, ASID: BigInt(e.asid), ...at });
}
