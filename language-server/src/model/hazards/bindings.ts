// ASID and VMID bindings (IHI 0070 §3.17: the TLB tells address spaces apart by ASID and VMID only):
// per SMMU, the stage-1 table (CD.TTB0) each VMID/ASID was last used with and the stage-2 table
// (STE.S2TTB) of each VMID. Another table under the same tag before the tag was invalidated is
// H_ASID_REUSE / H_VMID_REUSE. Whole-ASID/VMID TLBIs end a binding once a CMD_SYNC completes them;
// a CPU's broadcast ASIDE1IS / VMALLE1IS / VMALLS12E1IS the SMMU takes ends it at once (its DSB).

import type { TransactionResult } from '../smmu/result';
import type { CommandResult } from '../smmu/commands';
import type { BroadcastResult } from '../smmu/broadcast';
import { withSync } from './finding';
import { vmidOf } from './lookup';
import { Pending } from './pending';
import { PerSmmu, type HazardEnv, type Shadow, type SmmuCtx } from './shadow';

interface Binding {
  ttb: bigint;
  step: number;
  /** CD.ASET of the CD that bound the ASID (a broadcast by ASID does not reach it, IHI 0070 §5.4). */
  aset?: boolean;
}

/** Which bindings an invalidation ends: (vmid, asid) for ASIDs, (vmid) for VMIDs. */
interface Ends {
  asid?: (vmid: number, asid: number, aset: boolean) => boolean;
  vmid?: (vmid: number) => boolean;
}

interface State {
  asids: Map<string, Binding>;
  vmids: Map<number, Binding>;
  pending: Pending<Ends>;
}

/**
 * The TLBIs that invalidate every entry of an ASID or a VMID (IHI 0070 §4.4): NSNH_ALL all of them,
 * NH_ALL every ASID of its VMID, S12_VMALL its VMID and ASIDs, NH_ASID one ASID.
 */
function ends(c: CommandResult): Ends | undefined {
  const vmid = Number(c.fields.VMID ?? 0n);
  const asid = Number(c.fields.ASID ?? 0n);
  switch (c.name) {
    case 'CMD_TLBI_NSNH_ALL': return { asid: () => true, vmid: () => true };
    case 'CMD_TLBI_NH_ALL': return { asid: (v) => v === vmid };
    case 'CMD_TLBI_S12_VMALL': return { asid: (v) => v === vmid, vmid: (v) => v === vmid };
    case 'CMD_TLBI_NH_ASID': return { asid: (v, a) => v === vmid && a === asid };
    default: return undefined;
  }
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
    const e = c.invalidated === 'tlb' ? ends(c) : undefined;
    if (e) this.states.get(s).pending.add(e, this.env.step);
  }

  sync(s: SmmuCtx): void {
    this.end(this.states.get(s), this.states.get(s).pending.sync());
  }

  /** The EL1&0 broadcasts that invalidate a whole ASID or VMID, when the SMMU takes them (smmu/broadcast.ts). */
  broadcast(s: SmmuCtx, b: BroadcastResult): void {
    if (b.refusal !== undefined || b.regime !== 'nsel1') return;
    const { vmid, asid } = b.op;
    const scope = b.op.def.scope;
    const e: Ends | undefined = scope === 'asid' ? { asid: (v, a, aset) => v === vmid && a === asid && !aset }
      : scope === 'all' ? { asid: (v) => v === vmid }
      : scope === 's12all' ? { asid: (v) => v === vmid, vmid: (v) => v === vmid } : undefined;
    if (e) this.end(this.states.get(s), [e]);
  }

  private end(st: State, done: readonly Ends[]): void {
    if (!done.length) return;
    for (const [k, b] of [...st.asids]) {
      const [v, a] = k.split('/').map(Number);
      if (done.some((e) => e.asid?.(v, a, b.aset === true))) st.asids.delete(k);
    }
    for (const v of [...st.vmids.keys()]) if (done.some((e) => e.vmid?.(v))) st.vmids.delete(v);
  }
}
