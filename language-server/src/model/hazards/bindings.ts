// ASID and VMID bindings (IHI 0070 §3.17: the TLB tells address spaces apart by ASID and VMID only):
// per SMMU, the stage-1 table (CD.TTB0) each VMID/ASID was last used with and the stage-2 table
// (STE.S2TTB) of each VMID. Another table under the same tag before the tag was invalidated is
// H_ASID_REUSE / H_VMID_REUSE. A TLBI that invalidates every entry of the ASID/VMID (replayed with
// the model's own matching) ends the binding once a CMD_SYNC completes it; a CPU's broadcast the
// SMMU takes (smmu/broadcast.ts, the same matching) ends it at once (its DSB).

import type { TransactionResult } from '../smmu/result';
import type { CommandResult } from '../smmu/commands';
import { applyBroadcast, type BroadcastResult } from '../smmu/broadcast';
import { withSync } from './finding';
import { vmidOf } from './lookup';
import { Pending } from './pending';
import { replay } from './replay';
import { Tlb } from '../tlb/tlb';
import type { TlbEntry } from '../tlb/types';
import { PerSmmu, type HazardEnv, type Shadow, type SmmuCtx } from './shadow';

interface Binding {
  ttb: bigint;
  step: number;
  /** CD.ASET of the CD that bound the ASID (a broadcast by ASID does not reach it, IHI 0070 §5.4). */
  aset?: boolean;
}

interface State {
  asids: Map<string, Binding>;
  vmids: Map<number, Binding>;
  /** Completed TLBIs wait for a CMD_SYNC. */
  pending: Pending<CommandResult>;
}

// Which TLBIs end a binding is the model's TLBI matching (tlb/tlbi.ts), replayed on probes: each
// binding has two TLB entries of its tag, at the bottom and the top of the input space (stage 1 by
// VMID and ASID, with the binding's CD.ASET, stage 2 by VMID). An invalidation that removes both
// invalidated every entry of the tag (an address or range TLBI never covers both ends).
const PROBE_ADDRS = [0n, 0xffff_ffff_ffff_f000n];
const PROBE_PERMS = { ur: false, uw: false, ux: false, pr: false, pw: false, px: false };
const PROBE_ATTRS = { sh: 0, nG: true, af: true, contiguous: false, dbm: false };

function probe(tlb: Tlb, kind: 's1' | 's2', vmid: number, asid: number, aset: boolean, inputBase: bigint): void {
  tlb.insert({
    kind, regime: 'nsel1', vmid, asid, global: false, aset, granule: 4, blockShift: 12, level: 3,
    inputBase, outputBase: 0n, perms: PROBE_PERMS, attrs: PROBE_ATTRS,
  }, 0);
}

const keyOf = (e: TlbEntry): string => (e.kind === 's2' ? `${e.vmid}` : `${e.vmid}/${e.asid}`);

/** The bindings (ASID keys `vmid/asid`, VMID keys `vmid`) the invalidations end, in order: each removes from a probe TLB. */
function ended(st: State, invalidations: ReadonlyArray<(tlb: Tlb) => readonly TlbEntry[]>): Set<string> {
  const tlb = new Tlb({ capacity: 0, policy: 'unbounded' });
  for (const [k, b] of st.asids) {
    const [v, a] = k.split('/').map(Number);
    for (const addr of PROBE_ADDRS) probe(tlb, 's1', v, a, b.aset === true, addr);
  }
  for (const v of st.vmids.keys()) for (const addr of PROBE_ADDRS) probe(tlb, 's2', v, 0, false, addr);
  const out = new Set<string>();
  for (const invalidate of invalidations) {
    const hits = new Map<string, TlbEntry[]>();
    for (const e of invalidate(tlb)) {
      const k = keyOf(e);
      const l = hits.get(k);
      if (l) l.push(e);
      else hits.set(k, [e]);
    }
    for (const [k, es] of hits) {
      if (es.length === PROBE_ADDRS.length) out.add(k);
      else for (const e of es) probe(tlb, e.kind === 's2' ? 's2' : 's1', e.vmid, e.asid, e.aset, e.inputBase); // one end only: the tag lives on
    }
  }
  return out;
}

export class BindingShadow implements Shadow {
  private readonly states = new PerSmmu<State>(() => ({ asids: new Map(), vmids: new Map(), pending: new Pending() }));

  constructor(private readonly env: HazardEnv) {}

  config(s: SmmuCtx, r: TransactionResult): void {
    const st = this.states.get(s);
    const ste = r.ste?.config;
    const cd = r.cd?.config;
    const vmid = vmidOf(s, r);
    // A CD with EPD0 == 1 does not read TTB0 (IHI 0070 §5.4; an SVA CD after its process exits):
    // it makes no TTB0 translations, so it reuses the ASID with no other table.
    if (cd && cd.fields.EPD0 !== 1n) {
      const k = `${vmid}/${cd.asid}`;
      const ttb = cd.fields.TTB0 ?? 0n;
      const old = st.asids.get(k);
      if (old && old.ttb !== ttb) {
        this.env.report({
          state: 'asid', code: 'H_ASID_REUSE', severity: 'warning', step: this.env.step, smmu: s.name, vmid, asid: cd.asid, ttb, oldTtb: old.ttb, oldStep: old.step,
          missing: withSync(s.name, 'CMD_TLBI_NH_ASID', { VMID: BigInt(vmid), ASID: BigInt(cd.asid) }),
        });
      }
      st.asids.set(k, { ttb, step: this.env.step, aset: cd.aset });
    }
    if (ste?.s2) {
      const ttb = ste.s2.walk.ttb;
      const old = st.vmids.get(vmid);
      if (old && old.ttb !== ttb) {
        this.env.report({
          state: 'vmid', code: 'H_VMID_REUSE', severity: 'warning', step: this.env.step, smmu: s.name, vmid, ttb, oldTtb: old.ttb, oldStep: old.step,
          missing: withSync(s.name, 'CMD_TLBI_S12_VMALL', { VMID: BigInt(vmid) }),
        });
      }
      st.vmids.set(vmid, { ttb, step: this.env.step });
    }
  }

  command(s: SmmuCtx, c: CommandResult): void {
    if (c.invalidated === 'tlb') this.states.get(s).pending.add(c, this.env.step);
  }

  sync(s: SmmuCtx): void {
    const st = this.states.get(s);
    const done = st.pending.sync();
    if (done.length) this.end(st, done.map((c) => (tlb: Tlb) => replay(s, c, { tlb }).removed.tlb));
  }

  /** A CPU's broadcast TLBI, as this SMMU took it: the same matching (smmu/broadcast.ts) on the probes. */
  broadcast(s: SmmuCtx, b: BroadcastResult): void {
    if (b.refusal === undefined) this.end(this.states.get(s), [(tlb: Tlb) => applyBroadcast(tlb, b.op, undefined).removed]);
  }

  private end(st: State, invalidations: ReadonlyArray<(tlb: Tlb) => readonly TlbEntry[]>): void {
    if (!st.asids.size && !st.vmids.size) return;
    const gone = ended(st, invalidations);
    if (!gone.size) return;
    for (const k of [...st.asids.keys()]) if (gone.has(k)) st.asids.delete(k);
    for (const v of [...st.vmids.keys()]) if (gone.has(`${v}`)) st.vmids.delete(v);
  }
}
