// H_STE_TORN / H_CD_TORN: a live STE or CD (V == 1, used by a transaction) changed with writes to
// more than one dword, where a state the SMMU could fetch between two of the writes is, in the fields its own
// configuration reads, neither the entry before the update nor the entry after it (IHI 0070
// §3.21.3; the invariant of Linux's KUnit suite, model/update/torn.ts). The update is the writes
// to the entry between two transactions that use it; it is judged at the second one and reported
// at the write that created the mix, whether or not a transaction ran while it was mixed (the SMMU
// may fetch a valid entry at any time). Writes arrive in program order, one per dword.

import { hex } from '../bits';
import { getField } from '../fields/field';
import type { SmmuFeatures } from '../smmu/features';
import { tornMix, describeMix, planUpdate, structOf, type EntryKind } from '../update';

interface Written {
  step: number;
  dword: number;
  state: bigint[];
  /** Transactions run (anywhere) before this write, and the step of the last one. */
  txns: number;
  lastTxn: number;
}

interface Update {
  kind: EntryKind;
  what: string;
  smmu: string;
  before: bigint[];
  cur: bigint[];
  writes: Written[];
}

export interface TornFinding {
  /** The write that created the mix. */
  step: number;
  message: string;
  fix: string;
  /** The transaction that ended the update, and one that ran while the entry was mixed. */
  related: Array<{ step: number; message: string }>;
}

export class TornWatch {
  private readonly live = new Map<bigint, Update>();
  private txns = 0;
  private lastTxnStep = -1;
  private prevTxnStep = -1;

  constructor(private readonly lineOf: (step: number) => number) {}

  /** Whether `base` is a live entry being watched (writes to others cost nothing more). */
  watches(base: bigint): boolean {
    return this.live.has(base);
  }

  /** A software write to dword `dword` of the watched entry at `base` (value as written). */
  write(base: bigint, dword: number, value: bigint, step: number): void {
    const u = this.live.get(base);
    if (!u || u.cur[dword] === value) return;
    u.cur = u.cur.slice();
    u.cur[dword] = value;
    u.writes.push({ step, dword, state: u.cur, txns: this.txns, lastTxn: this.lastTxnStep });
  }

  /** A transaction ran (on any SMMU). O(1). */
  transaction(step: number): void {
    this.txns++;
    this.prevTxnStep = this.lastTxnStep;
    this.lastTxnStep = step;
  }

  /**
   * A transaction used the entry at `base` with these words: the update since the previous use (if
   * any) ends here and is judged; a valid entry is watched from now on.
   */
  used(kind: EntryKind, base: bigint, raw: readonly bigint[], what: string, smmu: string, step: number, f: SmmuFeatures): TornFinding | undefined {
    const u = this.live.get(base);
    // More than one dword written: rewriting one dword several times leaves whole values of it,
    // not mixes (an intermediate value is H_STALE_*'s business).
    const found = u && new Set(u.writes.map((w) => w.dword)).size > 1 ? this.judge(u, raw, step, f) : undefined;
    if (u && u.writes.length === 0) return undefined;
    if (getField(structOf(kind), raw, 'V') === 0n) this.live.delete(base);
    else this.live.set(base, { kind, what, smmu, before: raw.slice(), cur: raw.slice(), writes: [] });
    return found;
  }

  private judge(u: Update, after: readonly bigint[], step: number, f: SmmuFeatures): TornFinding | undefined {
    const ws = u.writes;
    for (let i = 0; i < ws.length; i++) {
      const mix = tornMix(u.kind, u.before, after, ws[i].state, f);
      if (!mix) continue;
      // The mix lasts until a write leaves the mixed states (or until this transaction).
      let j = i + 1;
      while (j < ws.length && tornMix(u.kind, u.before, after, ws[j].state, f)) j++;
      // (the transaction judging the update is not in the window)
      const ran = (j < ws.length ? ws[j].txns : this.txns - 1) - ws[i].txns;
      const last = j < ws.length ? ws[j].lastTxn : this.prevTxnStep;
      const L = this.lineOf(ws[i].step);
      const window = ran > 0
        ? `${ran} transaction${ran === 1 ? '' : 's'} ran while it was mixed (the last at line ${this.lineOf(last)})`
        : 'no transaction ran while it was mixed, but the SMMU may fetch a valid entry at any time';
      const plan = planUpdate(u.kind, u.before, after, f);
      const order = plan.ok
        ? `${plan.plan.phases.map((p) => `dword${p.writes.length > 1 ? 's' : ''} ${p.writes.map((w) => w.dword).join(', ')}`).join(', then ')} with CMD_CFGI_${u.kind} + CMD_SYNC after each group (${plan.plan.syncs} syncs${plan.plan.hitless ? '' : `, ${u.kind}.V = 0 in between`})`
        : 'V = 0 first, then dwords 1-7, then dword 0';
      return {
        step: ws[i].step,
        message: `${u.smmu}: the live ${u.what} was changed with ${ws.length} writes; after the write of dword ${ws[i].dword} at line ${L} an SMMU fetching it sees ${describeMix(u.kind, mix)} (IHI 0070 §3.21.3); ${window}.`,
        fix: `write it in Linux's order: ${order}; the code action "Write this ${u.kind} update in hitless order" inserts it, \`iommu-lens plan ${u.kind.toLowerCase()} ${u.before.map(hex).join(' ')} -- ${after.map(hex).join(' ')}\` prints it.`,
        related: [{ step, message: `transaction that used the updated ${u.kind}` }],
      };
    }
    return undefined;
  }
}
