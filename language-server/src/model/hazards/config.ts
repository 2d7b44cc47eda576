// Shadow of the configuration entries an SMMU may hold (IHI 0070 §3.21.1, §4.3): every STE (by
// StreamID) and CD (by StreamID + SubstreamID) a transaction used, with the words fetched, kept in an
// unbounded `ConfigCache` so that CMD_CFGI_* are replayed with the model's own matching; what they
// remove is pending until CMD_SYNC. A write counts only when it changes a field the SMMU reads
// (`fields/used` changedUsedFields). Reports H_STALE_STE, H_STALE_CD and H_TLBI_NO_SYNC.

import type { TransactionResult } from '../smmu/result';
import type { CommandResult } from '../smmu/commands';
import { ConfigCache } from '../smmu/configCache';
import { readStruct, STE_SIZE } from '../smmu/tables';
import { changedUsedFields } from '../fields/used';
import { STE } from '../fields/ste';
import { CD } from '../fields/cd';
import { syncOnly, withSync } from './finding';
import { Pending } from './pending';
import { replay } from './replay';
import { PerSmmu, type HazardEnv, type Shadow, type SmmuCtx } from './shadow';

interface CfgUse {
  s: SmmuCtx;
  kind: 'STE' | 'CD';
  sid: number;
  ssid: number;
  addr: bigint;
  raw: bigint[];
  /** Words as last seen in memory. */
  cur: bigint[];
  /** Id in the shadow cache while not invalidated. */
  id?: number;
  stale?: { step: number; fields: string[] };
  reports: number;
}

interface State {
  cache: ConfigCache<unknown, unknown>;
  byId: Map<number, CfgUse>;
  uses: Map<number, CfgUse>;
  pending: Pending<CfgUse>;
}

const STRUCT = ~(STE_SIZE - 1n);
/** STE: the StreamID; CD: below zero, StreamID and SubstreamID (20 bits) together (exact below 2^53). */
const key = (kind: 'STE' | 'CD', sid: number, ssid: number): number => (kind === 'STE' ? sid : -1 - (sid * 0x10_0000 + ssid));

export class ConfigShadow implements Shadow {
  private readonly states = new PerSmmu<State>(() => ({ cache: new ConfigCache({ capacity: Infinity, policy: 'unbounded' }), byId: new Map(), uses: new Map(), pending: new Pending() }));
  /** Uses by structure address (the 64-byte STE/CD). */
  private readonly addrs = new Map<bigint, Set<CfgUse>>();

  constructor(private readonly env: HazardEnv) {}

  get tracked(): number {
    return this.addrs.size;
  }

  /** The 64-byte STE/CD at `base` may be cached by some SMMU. */
  watches(base: bigint): boolean {
    return this.addrs.has(base);
  }

  config(s: SmmuCtx, r: TransactionResult): void {
    this.check(s, 'STE', r.sid, 0, r.ste);
    if (r.cd) this.check(s, 'CD', r.sid, r.ssid ?? 0, r.cd);
  }

  private check(s: SmmuCtx, kind: 'STE' | 'CD', sid: number, ssid: number, view: { addr: bigint; raw: bigint[] } | undefined): void {
    if (!view) return;
    const st = this.states.get(s);
    const u = st.uses.get(key(kind, sid, ssid));
    if (u) {
      if (!u.stale || u.reports >= this.env.maxReports) return;
      u.reports++;
      const at = st.pending.at(u);
      const base = { state: 'config' as const, severity: 'warning' as const, step: this.env.step, smmu: s.name, kind, sid, ssid, addr: u.addr, fields: u.stale.fields, writeStep: u.stale.step };
      if (at !== undefined) this.env.report({ ...base, code: 'H_TLBI_NO_SYNC', invalidatedAt: at, missing: syncOnly(s.name), insertAfter: at });
      else {
        const cfgi = kind === 'STE' ? withSync(s.name, 'CMD_CFGI_STE', { StreamID: BigInt(sid) }) : withSync(s.name, 'CMD_CFGI_CD', { StreamID: BigInt(sid), SubstreamID: BigInt(ssid) });
        this.env.report({ ...base, code: kind === 'STE' ? 'H_STALE_STE' : 'H_STALE_CD', missing: cfgi, insertAfter: u.stale.step });
      }
      return;
    }
    const n: CfgUse = { s, kind, sid, ssid, addr: view.addr, raw: [...view.raw], cur: [...view.raw], reports: 0 };
    st.uses.set(key(kind, sid, ssid), n);
    this.shadow(st, n);
    let set = this.addrs.get(view.addr);
    if (!set) {
      this.addrs.set(view.addr, (set = new Set()));
      for (let i = 0n; i < STE_SIZE; i += 8n) this.env.watch.add(view.addr + i);
    }
    set.add(n);
  }

  /** (Re)enter `u` in the shadow cache. */
  private shadow(st: State, u: CfgUse): void {
    const e = u.kind === 'STE' ? st.cache.putSte(u.sid, u.addr, u.raw, undefined, this.env.step).entry : st.cache.putCd(u.sid, u.ssid, u.addr, u.raw, undefined, this.env.step).entry;
    u.id = e.id;
    st.byId.set(e.id, u);
  }

  written(a: bigint, _now: bigint, byHardware: boolean): void {
    const base = a & STRUCT;
    const uses = this.addrs.get(base);
    if (!uses || byHardware) return;
    for (const u of uses) u.s.epoch++;
    const raw = readStruct(this.env.mem, base, Number(STE_SIZE / 8n));
    for (const u of uses) {
      const def = u.kind === 'STE' ? STE : CD;
      const st = this.states.get(u.s);
      // Changed again after its CMD_CFGI_*: that invalidation may have refetched the older words.
      if (st.pending.at(u) !== undefined && changedUsedFields(def, u.cur, raw).length && st.pending.void(u)) this.shadow(st, u);
      u.cur = raw;
      const fields = changedUsedFields(def, u.raw, raw);
      if (fields.length === 0) u.stale = undefined; // same value, or only fields the SMMU ignores
      else if (!u.stale) u.stale = { step: this.env.step, fields };
      else u.stale.fields = fields;
    }
  }

  command(s: SmmuCtx, c: CommandResult): void {
    if (c.invalidated !== 'config') return;
    const st = this.states.get(s);
    const removed = replay(s, c, { config: st.cache }).removed.config;
    if (!removed.length) return;
    s.epoch++;
    for (const e of removed) {
      const u = st.byId.get(e.id);
      if (!u) continue;
      st.byId.delete(e.id);
      u.id = undefined;
      st.pending.add(u, this.env.step);
    }
  }

  sync(s: SmmuCtx): void {
    const st = this.states.get(s);
    for (const u of st.pending.sync()) {
      const k = key(u.kind, u.sid, u.ssid);
      if (st.uses.get(k) === u) st.uses.delete(k);
      const set = this.addrs.get(u.addr);
      if (!set) continue;
      set.delete(u);
      if (set.size === 0) {
        this.addrs.delete(u.addr);
        for (let i = 0n; i < STE_SIZE; i += 8n) this.env.watch.delete(u.addr + i);
      }
    }
  }
}
