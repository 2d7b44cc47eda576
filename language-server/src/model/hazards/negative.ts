// Negative records: an invalid descriptor a faulting walk read (IHI 0070 §3.17: real SMMUs do not
// cache invalid entries, but a caching-mode vIOMMU that shadows the tables only learns of a new
// mapping through the TLBI). Kept in an unbounded `Tlb` so that TLBIs are replayed with the model's
// matching; a record made valid and walked again without a TLBI + CMD_SYNC is H_CM_INVALID_TO_VALID.

import { Tlb } from '../tlb/tlb';
import { type TlbEntry, type TlbInsert } from '../tlb/types';
import type { TransactionResult } from '../smmu/result';
import type { CommandResult } from '../smmu/commands';
import { granuleShift } from '../fields/pte';
import { Descriptors, isValid } from './descriptors';
import { syncOnly } from './finding';
import { tagsOf } from './lookup';
import { Pending } from './pending';
import { replay } from './replay';
import { PerSmmu, type HazardEnv, type Shadow, type SmmuCtx } from './shadow';

interface NegRec {
  /** Its id as a user of descriptors (NegativeShadow.users resolves it). */
  uid: number;
  s: SmmuCtx;
  entry: TlbEntry;
  addr: bigint;
  madeValidAt?: number;
}

interface State {
  neg: Tlb;
  negs: Map<number, NegRec>;
  pending: Pending<NegRec>;
}

const NO_PERMS = { ur: false, uw: false, ux: false, pr: false, pw: false, px: false };

export class NegativeShadow implements Shadow {
  private readonly descs: Descriptors;
  /** The records that use descriptors, by uid. */
  private readonly users = new Map<number, NegRec>();
  private uids = 0;
  /** Records made valid since their walk (on any SMMU): only these can be reported, so none means no check. */
  private armed = 0;
  private readonly states = new PerSmmu<State>(() => ({ neg: new Tlb({ capacity: Infinity, policy: 'unbounded', frozen: true }), negs: new Map(), pending: new Pending() }));

  constructor(private readonly env: HazardEnv) {
    this.descs = new Descriptors(env.watch);
  }

  get tracked(): number {
    return this.descs.size;
  }

  page(s: SmmuCtx, r: TransactionResult, p: TransactionResult): void {
    if (p.tlb === 'hit') return;
    const st = this.states.get(s);
    if (this.armed > 0 && st.negs.size > 0) this.check(s, st, p);
    if (p.outcome === 'fault') this.record(s, st, r, p);
  }

  private record(s: SmmuCtx, st: State, r: TransactionResult, p: TransactionResult): void {
    const w = [p.walks.stage1, p.walks.stage2].find((x) => x?.fault);
    const last = w?.steps[w.steps.length - 1];
    if (!w || !last || last.kind !== 'invalid' || w.fault?.kind !== 'F_TRANSLATION') return;
    const t = tagsOf(s, r, p);
    if (!t) return;
    const ins: TlbInsert = {
      kind: t.kind, regime: t.regime, vmid: t.vmid, asid: t.asid, global: false, granule: w.granule, blockShift: granuleShift(w.granule), level: last.level,
      inputBase: t.va, outputBase: 0n, perms: NO_PERMS, attrs: { sh: 0, nG: true, af: false, contiguous: false, dbm: false },
    };
    const { entry, evicted } = st.neg.insert(ins, this.env.step);
    for (const x of evicted) this.drop(st, x.id);
    const n: NegRec = { uid: ++this.uids, s, entry, addr: last.descPa };
    st.negs.set(entry.id, n);
    this.users.set(n.uid, n);
    this.descs.use(last.descPa, last.desc, w.stage, w.granule, last.level, n.uid);
  }

  private drop(st: State, id: number): void {
    const n = st.negs.get(id);
    if (!n) return;
    st.negs.delete(id);
    if (n.madeValidAt !== undefined) this.armed--;
    this.descs.release(n.addr, n.uid);
    this.users.delete(n.uid);
  }

  private check(s: SmmuCtx, st: State, p: TransactionResult): void {
    const read = new Set<bigint>();
    for (const w of [p.walks.stage1, p.walks.stage2]) for (const x of w?.steps ?? []) read.add(x.descPa);
    for (const n of [...st.negs.values()]) {
      if (n.madeValidAt === undefined || !read.has(n.addr)) continue;
      const at = n.madeValidAt;
      this.drop(st, n.entry.id);
      this.env.report({
        state: 'negative', code: 'H_CM_INVALID_TO_VALID', severity: 'information', step: this.env.step, smmu: s.name,
        addr: n.addr, walkStep: n.entry.insertedAt, madeValidAt: at, va: n.entry.inputBase, missing: syncOnly(s.name), insertAfter: at,
      });
    }
  }

  written(a: bigint, now: bigint, byHardware: boolean): void {
    const d = this.descs.get(a);
    if (!d || d.value === now) return;
    if (!byHardware && !isValid(d.value, d.sel) && isValid(now, d.sel)) {
      for (const uid of d.users) {
        const n = this.users.get(uid)!;
        if (n.madeValidAt !== undefined) continue;
        n.madeValidAt = this.env.step;
        this.armed++;
      }
    }
    this.descs.own(a)!.value = now;
  }

  command(s: SmmuCtx, c: CommandResult): void {
    if (c.invalidated !== 'tlb') return;
    const st = this.states.get(s);
    for (const e of replay(s, c, { tlb: st.neg }).removed.tlb) {
      const n = st.negs.get(e.id);
      if (n) st.pending.add(n, this.env.step);
    }
  }

  sync(s: SmmuCtx): void {
    const st = this.states.get(s);
    for (const n of st.pending.sync()) this.drop(st, n.entry.id);
  }
}
