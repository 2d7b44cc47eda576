// H_STE_TORN / H_CD_TORN: a live STE or CD (V == 1, used by a transaction) changed with writes to
// more than one dword, where a state the SMMU could fetch between two of the writes is, in the fields its own
// configuration reads, neither the entry before the update nor the entry after it (IHI 0070
// §3.21.3; the invariant of Linux's KUnit suite, model/update/torn.ts). The update is the writes
// to the entry between two transactions that use it; it is judged at the second one and reported
// at the write that created the mix, whether or not a transaction ran while it was mixed (the SMMU
// may fetch a valid entry at any time). Writes arrive in program order, one per dword; they are
// seen while the configuration shadow watches the entry.

import { getField } from '../fields/field';
import type { TransactionResult } from '../smmu/result';
import { readStruct } from '../smmu/tables';
import { tornMix, planUpdate, structOf, type EntryKind } from '../update';
import type { ConfigShadow } from './config';
import type { TornFinding } from './finding';
import type { HazardEnv, Shadow, SmmuCtx } from './shadow';

interface Written {
  step: number;
  dword: number;
  state: bigint[];
  /** Transactions run (anywhere) before this write, and the step of the last one. */
  txns: number;
  lastTxn: number;
}

interface Update {
  before: bigint[];
  cur: bigint[];
  writes: Written[];
}

const STRUCT = ~63n;

export class TornShadow implements Shadow {
  private readonly live = new Map<bigint, Update>();
  private txns = 0;
  private lastTxnStep = -1;
  private prevTxnStep = -1;

  constructor(private readonly env: HazardEnv, private readonly cfg: ConfigShadow) {}

  written(a: bigint, now: bigint, byHardware: boolean): void {
    const base = a & STRUCT;
    const u = byHardware ? undefined : this.live.get(base);
    if (!u || !this.cfg.watches(base)) return;
    const dword = Number((a & 63n) >> 3n);
    if (u.cur[dword] === now) return;
    u.cur = u.cur.slice();
    u.cur[dword] = now;
    u.writes.push({ step: this.env.step, dword, state: u.cur, txns: this.txns, lastTxn: this.lastTxnStep });
  }

  /** A transaction ran (on any SMMU). O(1). */
  transaction(): void {
    this.txns++;
    this.prevTxnStep = this.lastTxnStep;
    this.lastTxnStep = this.env.step;
  }

  config(s: SmmuCtx, r: TransactionResult): void {
    if (r.ste) this.used(s, 'STE', r.sid, undefined, r.ste.addr);
    if (r.cd) this.used(s, 'CD', r.sid, r.ssid ?? 0, r.cd.addr);
  }

  /** A transaction used the entry at `base`: the update since the previous use (if any) ends here and is judged; a valid entry is watched from now on. */
  private used(s: SmmuCtx, kind: EntryKind, sid: number, ssid: number | undefined, base: bigint): void {
    const u = this.live.get(base);
    // Nothing written since the previous use (the hot path): nothing to judge or to read.
    if (u && u.writes.length === 0) return;
    const raw = readStruct(this.env.mem, base, 8);
    // More than one dword written: rewriting one dword several times leaves whole values of it,
    // not mixes (an intermediate value is H_STALE_*'s business).
    if (u && new Set(u.writes.map((w) => w.dword)).size > 1) this.judge(s, kind, sid, ssid, base, u, raw);
    if (getField(structOf(kind), raw, 'V') === 0n) this.live.delete(base);
    else this.live.set(base, { before: raw.slice(), cur: raw.slice(), writes: [] });
  }

  private judge(s: SmmuCtx, kind: EntryKind, sid: number, ssid: number | undefined, addr: bigint, u: Update, after: bigint[]): void {
    const f = s.inst.features;
    const ws = u.writes;
    for (let i = 0; i < ws.length; i++) {
      const mix = tornMix(kind, u.before, after, ws[i].state, f);
      if (!mix) continue;
      // The mix lasts until a write leaves the mixed states (or until this transaction).
      let j = i + 1;
      while (j < ws.length && tornMix(kind, u.before, after, ws[j].state, f)) j++;
      // (the transaction judging the update is not in the window)
      const ran = (j < ws.length ? ws[j].txns : this.txns - 1) - ws[i].txns;
      const plan = planUpdate(kind, u.before, after, f);
      const finding: TornFinding = {
        state: 'torn', code: kind === 'STE' ? 'H_STE_TORN' : 'H_CD_TORN', severity: 'warning', step: ws[i].step, smmu: s.name, kind, sid, ssid, addr,
        writes: ws.length, dword: ws[i].dword, mix, ran, lastTxn: j < ws.length ? ws[j].lastTxn : this.prevTxnStep, usedAt: this.env.step,
        before: u.before, after, plan: plan.ok ? plan.plan : undefined, missing: [],
      };
      this.env.report(finding);
      return;
    }
  }
}
