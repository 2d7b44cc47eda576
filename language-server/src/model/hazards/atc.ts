// Shadow of the device ATCs (IHI 0070 §3.9.1, §4.6.1): every translation of a stream with STE.EATS
// may be held by its function's ATC. Records live in a model `Atc` (keeping overlaps), so CMD_ATC_INV
// is replayed with the model's own `Atc.invalidate` (SSV, Global, Size); what it removes is pending
// until CMD_SYNC. A record whose translation was invalidated or changed (the TLB shadow says so) and is
// used again before CMD_ATC_INV + CMD_SYNC is H_ATC_STALE.

import { Atc } from '../smmu/ats';
import type { TransactionResult } from '../smmu/result';
import type { CommandResult } from '../smmu/commands';
import { syncOnly, withSync } from './finding';
import { Pending } from './pending';
import { replay } from './replay';
import { PerSmmu, type HazardEnv, type Shadow, type SmmuCtx } from './shadow';
import type { TlbShadow } from './tlb';

interface AtcRec {
  id: number;
  sid: number;
  ssid?: number;
  base: bigint;
  shift: number;
  /** The output address of the TLB shadow record it was fetched from. */
  output: bigint;
  /** That record's uid (TlbShadow: records are copy-on-write, named by uid). */
  cached: number;
  /** Step at which the backing translation was invalidated or changed. */
  needsInvAt?: number;
  reports: number;
}

interface State {
  atc: Atc;
  bySid: Map<number, AtcRec[]>;
  byId: Map<number, AtcRec>;
  pending: Pending<AtcRec>;
}

export class AtcShadow implements Shadow {
  private readonly states = new PerSmmu<State>(() => ({ atc: new Atc(true), bySid: new Map(), byId: new Map(), pending: new Pending() }));
  private readonly byCached = new Map<number, AtcRec[]>();
  /** Records on every SMMU (the hot path skips everything at 0). */
  private count = 0;

  constructor(private readonly env: HazardEnv, private readonly tlb: TlbShadow) {
    tlb.onGone.push(this);
  }

  /** A TLB shadow entry was invalidated or changed: the translations fetched from it need a CMD_ATC_INV. */
  tlbGone(uid: number): void {
    for (const a of this.byCached.get(uid) ?? []) a.needsInvAt ??= this.env.step;
  }

  transaction(s: SmmuCtx, r: TransactionResult): void {
    if (this.count === 0) return;
    const st = this.states.get(s);
    for (const a of st.bySid.get(r.sid) ?? []) {
      // The function looks its ATC up by StreamID and SubstreamID (Atc.lookup).
      if (a.needsInvAt === undefined || a.ssid !== r.ssid || a.reports >= this.env.maxReports) continue;
      a.reports++;
      const at = st.pending.at(a);
      const inv = withSync(s.name, 'CMD_ATC_INV', {
        StreamID: BigInt(a.sid), ...(a.ssid !== undefined ? { SSV: 1n, SubstreamID: BigInt(a.ssid) } : {}), Address: a.base, Size: BigInt(Math.max(0, a.shift - 12)),
      });
      this.env.report({
        state: 'atc', code: 'H_ATC_STALE', severity: 'warning', step: this.env.step, smmu: s.name, sid: a.sid, ssid: a.ssid, base: a.base,
        output: a.output, changedAt: a.needsInvAt, invalidatedAt: at, missing: at !== undefined ? syncOnly(s.name) : inv, insertAfter: at ?? a.needsInvAt,
      });
    }
  }

  page(s: SmmuCtx, r: TransactionResult, _p: TransactionResult, ats: boolean): void {
    const c = ats ? this.tlb.current : undefined;
    if (!c) return;
    const known = this.byCached.get(c.uid);
    if (known?.some((a) => a.ssid === r.ssid && a.sid === r.sid)) return;
    const st = this.states.get(s);
    const e = c.entry;
    const entry = st.atc.insert({ sid: r.sid, ssid: r.ssid, base: e.inputBase, sizeLog2: e.blockShift, output: e.outputBase, split: false, perms: e.perms, step: this.env.step });
    const a: AtcRec = { id: entry.id, sid: r.sid, ssid: r.ssid, base: e.inputBase, shift: e.blockShift, output: e.outputBase, cached: c.uid, reports: 0 };
    st.byId.set(a.id, a);
    push(st.bySid, a.sid, a);
    push(this.byCached, c.uid, a);
    this.count++;
  }

  command(s: SmmuCtx, c: CommandResult): void {
    if (this.count === 0 || c.invalidated !== 'atc') return;
    const st = this.states.get(s);
    for (const e of replay(s, c, { atc: st.atc }).atc ?? []) {
      const a = st.byId.get(e.id);
      if (a) st.pending.add(a, this.env.step);
    }
  }

  sync(s: SmmuCtx): void {
    const st = this.states.get(s);
    for (const a of st.pending.sync()) {
      st.byId.delete(a.id);
      drop(st.bySid, a.sid, a);
      drop(this.byCached, a.cached, a);
      this.count--;
    }
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

function drop<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k)?.filter((x) => x !== v);
  if (l?.length) m.set(k, l);
  else m.delete(k);
}
