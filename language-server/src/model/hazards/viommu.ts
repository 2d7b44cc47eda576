// The guest's view of the hazards (iommufd scenarios only): findings on state a vIOMMU owns are
// worded in the guest's and the VMM's terms, one finding per problem, instead of the host's:
// - a stale nested translation becomes H_VIOMMU_WRONG_INSTANCE when a guest TLBI that covers it
//   went to the vIOMMU of another physical SMMU, H_TLBI_NO_SYNC when the guest's TLBI awaits the
//   guest's CMD_SYNC (on a vCMDQ, or batched by its vSMMU's VMM), else H_STALE_TLB with the guest's fix;
// - a stale translation through a nesting parent's stage 2 becomes H_PARENT_S2_NOT_INVALIDATED;
// - H_VMID_REUSE of a parent's VMID becomes H_VMID_REUSED_PARENTS;
// and the VM layer's facts (model/iommufd/facts.ts) give H_VDEVICE_MISSING. Coverage is decided by
// the model's own code: the guest command converted by the uAPI rule (convertGuestCommand) and
// replayed on a TLB holding the entry.

import { OPCODES, commandByOpcode, encodeCommand } from '../fields/commands';
import { decode } from '../fields/field';
import type { IommufdContext } from '../iommufd/context';
import type { VmFact } from '../iommufd/facts';
import type { Viommu } from '../iommufd/objects';
import { GUEST_INVALIDATIONS, VCMDQ_COMMANDS, convertGuestCommand } from '../iommufd/uapi';
import { Tlb } from '../tlb';
import type { BindingFinding, Finding, GuestCommand, GuestRoute, SentElsewhere, TlbFinding } from './finding';
import { replay } from './replay';
import type { HazardEnv } from './shadow';
import type { CommandResult } from '../smmu/commands';
import { toInsert } from './cached';

/** A guest command's fields as a person writes them: the non-zero ones, without the opcode. */
function guestFields(raw: [bigint, bigint]): Record<string, bigint> {
  const all = decode(commandByOpcode(raw[0] & 0xffn)!, raw);
  const set = Object.entries(all).filter(([k, v]) => k !== 'Opcode' && v !== 0n);
  return Object.fromEntries(set.sort(([a], [b]) => Number(a === 'Leaf') - Number(b === 'Leaf')));
}

/** The guest's CMD_SYNC on a route. */
const syncOn = (route: GuestRoute): GuestCommand => ({ route, name: 'CMD_SYNC', fields: {}, raw: encodeCommand('CMD_SYNC') });

type GuestCmdFact = Extract<VmFact, { kind: 'guestCmd' }> & { step: number };
type UnmapFact = Extract<VmFact, { kind: 'unmap' }> & { step: number };
type QueuedFact = Extract<VmFact, { kind: 'guestQueued' }> & { step: number };

/** Guest invalidations remembered for the wrong-instance check (the most recent ones). */
const KEEP = 1024;

export class ViommuLens {
  private readonly guestCmds: GuestCmdFact[] = [];
  private readonly unmaps: UnmapFact[] = [];
  /** Guest invalidations vSMMUs batched and have not forwarded yet. */
  private queued: QueuedFact[] = [];

  constructor(private readonly fd: IommufdContext, private readonly env: HazardEnv) {}

  /** The step's findings in the guest's terms, after the VM layer's facts of the step. */
  apply(found: Finding[]): Finding[] {
    const facts = this.fd.facts.take();
    if (facts.length === 0 && found.length === 0) return found;
    const out: Finding[] = [];
    for (const f of facts) this.fact(f, out);
    for (const f of found) out.push(f.state === 'tlb' ? this.tlb(f) : f.state === 'vmid' ? this.vmid(f) : f);
    return out;
  }

  private fact(f: VmFact, out: Finding[]): void {
    const step = this.env.step;
    if (f.kind === 'guestCmd') {
      if (this.guestCmds.length >= KEEP) this.guestCmds.shift();
      this.guestCmds.push({ ...f, step });
      // The VMM forwarded its batch for this vIOMMU (IOMMU_HWPT_INVALIDATE at the guest's CMD_SYNC).
      if (f.via === 'invalidate' && this.queued.length) this.queued = this.queued.filter((q) => q.viommu !== f.viommu);
    } else if (f.kind === 'guestQueued') {
      if (this.queued.length >= KEEP) this.queued.shift();
      this.queued.push({ ...f, step });
    } else if (f.kind === 'unmap') {
      if (this.unmaps.length >= KEEP) this.unmaps.shift();
      this.unmaps.push({ ...f, step });
    } else {
      out.push({
        state: 'vdevice', code: 'H_VDEVICE_MISSING', severity: 'warning', step, smmu: f.smmu, missing: [],
        viommu: f.viommu, vsmmu: f.vsmmu, sid: f.sid ?? this.candidateSid(f.viommu), vsid: f.vsid, guest: f.guest,
      });
    }
  }

  /** The one device on the vIOMMU's SMMU attached to its parent without a vDEVICE (the VMM's usual order), if exactly one. */
  private candidateSid(viommu: string): number | undefined {
    const v = this.fd.viommus.get(viommu)!;
    const taken = new Set(v.vdevices.values());
    const c = [...this.fd.attachments.values()].filter((a) => a.smmu === v.smmu && a.hwpt === v.parent && !taken.has(a.sid));
    return c.length === 1 ? c[0].sid : undefined;
  }

  private tlb(f: TlbFinding): Finding {
    const e = f.entry;
    const parent = this.fd.vmidOwner(f.smmu, e.vmid);
    if (!parent) return f;
    const viommus = [...this.fd.viommus.values()].filter((v) => v.smmu === f.smmu && v.vmid === e.vmid);
    const at = this.fd.attachments.get(`${f.smmu}:${f.sid}`)?.vmaster;
    const v = (at && this.fd.viommus.get(at.viommu)) ?? viommus[0];
    if (f.code === 'H_TLBI_NO_SYNC') return this.noSync(f, v, at?.vsid);
    if (f.changedStage === 2 || e.kind === 's2') {
      const u = this.unmaps.find((x) => x.step === f.write.step && x.skipped.includes(f.smmu));
      return {
        state: 'parentS2', code: 'H_PARENT_S2_NOT_INVALIDATED', severity: 'warning', step: f.step, smmu: f.smmu, missing: f.missing, insertAfter: f.insertAfter,
        host: f, parent: parent.name, ioas: parent.ioas, vmid: e.vmid, viommus: viommus.map((v) => v.name), unmap: u && { ioas: u.ioas, iova: u.iova, length: u.length },
      };
    }
    if (e.kind !== 'nested') return f;
    const need = f.missing[0];
    const op = need && OPCODES[need.name as keyof typeof OPCODES];
    if (!v || op === undefined || !GUEST_INVALIDATIONS.has(op)) return f;
    const base = { state: 'guestTlb' as const, severity: 'warning' as const, step: f.step, smmu: f.smmu, missing: [], host: f, viommu: v.name, vsid: at?.vsid };
    // The guest's TLBI for `v` is batched by its vSMMU until a guest CMD_SYNC that has not come.
    const q = this.queuedFor(f, v);
    if (q) return { ...base, code: 'H_TLBI_NO_SYNC', insertAfter: q.step, unsynced: q, fix: syncOn({ via: 'vsmmu', name: q.vsmmu! }) };
    const sent = this.sentElsewhere(f, v);
    // The fix: the guest's own command again (to the right vIOMMU), else the TLBI the entry needs, without the VMID.
    const fields = sent ? guestFields(sent.guest) : Object.fromEntries(Object.entries(need.fields).filter(([k]) => k !== 'VMID'));
    const name = sent?.name ?? need.name;
    const fix: GuestCommand = { route: this.route(v, OPCODES[name as keyof typeof OPCODES], sent?.via), name, fields, raw: sent?.guest ?? encodeCommand(name, fields) };
    return { ...base, code: sent ? 'H_VIOMMU_WRONG_INSTANCE' : 'H_STALE_TLB', insertAfter: sent?.step ?? f.write.step, sent, fix };
  }

  /** A TLBI awaiting its CMD_SYNC that the guest issued on a vCMDQ: the guest's CMD_SYNC on that queue. */
  private noSync(f: TlbFinding, v: Viommu | undefined, vsid?: number): Finding {
    const g = this.guestCmds.find((x) => x.step === f.invalidatedAt && x.smmu === f.smmu && x.via === 'vcmdq');
    if (!v || !g || f.invalidatedAt === undefined) return f;
    const name = this.covers(f, v, g.guest)?.name ?? 'a TLBI';
    return {
      state: 'guestTlb', code: 'H_TLBI_NO_SYNC', severity: 'warning', step: f.step, smmu: f.smmu, missing: [], insertAfter: f.invalidatedAt, host: f, viommu: g.viommu, vsid,
      unsynced: { step: g.step, viommu: g.viommu, smmu: g.smmu, via: 'vcmdq', name, guest: g.guest }, fix: syncOn({ via: 'vcmdq', name: g.viommu }),
    };
  }

  /** The host command `guest` becomes on `v` if it removes the entry (the uAPI's conversion, then the model's TLBI). */
  private covers(f: TlbFinding, v: Viommu, guest: [bigint, bigint]): CommandResult | undefined {
    const inst = this.fd.sys.get(f.smmu);
    const c = convertGuestCommand(guest, v.vmid, (vs) => v.vdevices.get(vs));
    if (!inst || !c.ok) return undefined;
    const tlb = new Tlb({ capacity: Infinity, policy: 'unbounded' });
    tlb.insert(toInsert(f.entry), f.entry.insertedAt);
    const r = replay({ name: f.smmu, inst, epoch: 0 }, { raw: c.host, index: 0 }, { tlb });
    return r.removed.tlb.length ? r : undefined;
  }

  /** A guest TLBI for `v` since the change, batched by its vSMMU and not yet forwarded (no guest CMD_SYNC). */
  private queuedFor(f: TlbFinding, v: Viommu): SentElsewhere | undefined {
    for (const q of this.queued) {
      if (q.viommu !== v.name || q.step < f.write.step) continue;
      const r = this.covers(f, v, q.guest);
      if (r) return { step: q.step, viommu: q.viommu, smmu: q.smmu, via: 'invalidate', vsmmu: q.vsmmu, name: r.name, guest: q.guest };
    }
    return undefined;
  }

  /** A guest invalidation since the change that would have removed the entry had it gone to `v`. */
  private sentElsewhere(f: TlbFinding, v: Viommu): SentElsewhere | undefined {
    for (let i = this.guestCmds.length - 1; i >= 0 && this.guestCmds[i].step >= f.write.step; i--) {
      const g = this.guestCmds[i];
      if (g.viommu === v.name || g.smmu === f.smmu) continue;
      const r = this.covers(f, v, g.guest);
      if (r) return { step: g.step, viommu: g.viommu, smmu: g.smmu, via: g.via, vsmmu: this.fd.viommus.get(g.viommu)?.vsmmu, name: r.name, guest: g.guest };
    }
    return undefined;
  }

  /** How the guest reaches `v`: the vSMMU presenting it, else its vCMDQ (when the command is one it takes), else the ioctl. */
  private route(v: Viommu, op: number, wrongVia?: string): GuestRoute {
    if (v.vsmmu) return { via: 'vsmmu', name: v.vsmmu };
    if (v.hwQueues.has(0) && VCMDQ_COMMANDS.has(op) && wrongVia !== 'invalidate') return { via: 'vcmdq', name: v.name };
    return { via: 'invalidate', name: v.name };
  }

  private vmid(f: BindingFinding): Finding {
    if (f.code !== 'H_VMID_REUSE') return f;
    const parent = this.fd.vmidOwner(f.smmu, f.vmid);
    if (!parent) return f;
    const parentOf = (ttb: bigint) => [...this.fd.hwpts.values()].find((h) => h.kind === 'parent' && h.table.ttb === ttb)?.name;
    const parentIsNew = parent.table.ttb === f.ttb;
    if (!parentIsNew && parent.table.ttb !== f.oldTtb) return f;
    const viommus = [...this.fd.viommus.values()].filter((v) => v.smmu === f.smmu && v.vmid === f.vmid).map((v) => v.name);
    return {
      state: 'vmidParents', code: 'H_VMID_REUSED_PARENTS', severity: 'warning', step: f.step, smmu: f.smmu, missing: f.missing,
      host: f, parent: parent.name, viommus, parentIsNew, otherParent: parentOf(parentIsNew ? f.oldTtb : f.ttb),
    };
  }
}
