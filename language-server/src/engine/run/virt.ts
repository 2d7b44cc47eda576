// The virtualization layer of one run: the VM's iommufd objects (model/iommufd IommufdContext) over
// the run's physical SMMUs, and the guests' vSMMUs. The Runtime routes `reg`/`cmd`/`dma` lines that
// name a vSMMU or a vIOMMU here, and hands every physical transaction over so faults of vDEVICEs
// reach their vEVENTQ.

import { hex } from '../../model/bits';
import { IommufdContext, type IommufdEffects } from '../../model/iommufd/context';
import { VSmmu, type VsmmuOptions } from '../../model/iommufd/vsmmu';
import type { TransactionResult, TranslateRequest } from '../../model/smmu/result';
import type { WireStep } from '../output/wire';
import { addEffects, emptyIommufd, wireVEvent, wireVm } from '../output/iommufd';
import type { PhysicalMemory } from '../../model/memory';
import type { SmmuInstance } from '../../model/smmu/instance';
import type { CommandResult } from '../../model/smmu/commands';
import type { SmmuFeatures } from '../../model/smmu/features';
import type { WireDiagnostic } from '../output/wire';
import type { ShadowingView } from '../../model/hazards';

/** What the VM layer needs of the run (the Runtime; an interface, so run/ has no import circle). */
export interface VirtHost {
  /** The compiled scenario's StreamIDs per SMMU, and the VMIDs of its `ste` declarations (runtime.ts Program). */
  readonly program: { readonly sids?: ReadonlyMap<string, number[]>; readonly steVmids?: ReadonlyMap<string, ReadonlyMap<number, bigint>> };
  readonly mem: PhysicalMemory;
  readonly declared: ReadonlyMap<string, SmmuFeatures>;
  readonly diags: WireDiagnostic[];
  readonly index: number;
  smmu(name: string): SmmuInstance;
  report(severity: WireDiagnostic['severity'], code: string, message: string): WireDiagnostic;
  noteCommands(smmu: string, cmds: CommandResult[], out: WireStep): void;
  transaction(smmu: string, req: TranslateRequest, out: WireStep): TransactionResult | undefined;
}

export class VirtState {
  readonly fd: IommufdContext;
  readonly vsmmus = new Map<string, VSmmu>();
  /** Rejections per step, with the diagnostics they made (an `expect rejected` makes them information). */
  private readonly rejected = new Map<number, { errno: string; diag?: WireDiagnostic }[]>();
  /** Objects whose call failed in this run: calls that use them are skipped (their line has the error). */
  private readonly failed = new Set<string>();

  constructor(private readonly rt: VirtHost) {
    this.fd = new IommufdContext({ mem: rt.mem, get: (n) => rt.smmu(n) }, 1, (smmu) => rt.program.sids?.get(smmu) ?? []);
    // The scenario's `ste` declarations keep their VMIDs wherever they are in the file (docs/language.md, `viommu`).
    for (const [smmu, used] of rt.program.steVmids ?? []) for (const [vmid, sid] of used) this.fd.reserveVmid(smmu, vmid, `ste ${smmu} ${hex(sid)}`);
  }

  /** Runs a call unless it uses a failed object; a call that declares an object and fails marks it failed. */
  guarded(refs: readonly string[], decl: string | undefined, out: WireStep, run: () => void): void {
    if (refs.some((r) => this.failed.has(r))) {
      if (decl) this.failed.add(decl);
      return;
    }
    const before = this.rt.diags.length;
    run();
    if (decl && this.rt.diags.slice(before).some((d) => d.severity === 'error')) this.failed.add(decl);
  }

  /** Applies one iommufd call's effects to the step: wire record, host commands for the hazard analysis, rejections as errors. */
  apply(out: WireStep, fx: IommufdEffects, call?: string): void {
    const w = (out.iommufd ??= emptyIommufd());
    if (call) (w.calls ??= []).push(call);
    addEffects(w, fx);
    for (const c of fx.hostCommands) this.rt.noteCommands(c.smmu, c.results, out);
    for (const r of fx.rejections) {
      // A refusal the hazard analysis words in the guest's terms (H_VDEVICE_MISSING) has that one diagnostic.
      const diag = r.asHazard ? undefined : this.rt.report('error', 'E_IOMMUFD', `${call ? `${call}: ` : ''}${r.errno === 'CERROR_ILL' ? '' : `-${r.errno}: `}${r.message}${this.owner(r.vsid)}`);
      this.noteRejection(r.errno, diag);
    }
  }

  /** For a guest command with another vIOMMU's virtual StreamID: where the device is (the guest sent it to the wrong instance). */
  private owner(vsid: number | undefined): string {
    const v = vsid === undefined ? undefined : [...this.fd.viommus.values()].find((x) => x.vdevices.has(vsid));
    return v ? ` (virtual StreamID ${hex(vsid!)} is a vDEVICE of ${v.name} on ${v.smmu}: the guest must send it to ${v.name})` : '';
  }

  private noteRejection(errno: string, diag?: WireDiagnostic): void {
    const list = this.rejected.get(this.rt.index) ?? [];
    list.push({ errno, diag });
    this.rejected.set(this.rt.index, list);
  }

  rejectionsAt(step: number): readonly { errno: string }[] {
    return this.rejected.get(step) ?? [];
  }

  /** A passing `expect rejected`: the refusal was intended, shown as information. */
  markRejectionIntended(step: number): void {
    for (const r of this.rejected.get(step) ?? []) if (r.diag) r.diag.severity = 'information';
  }

  /** `vsmmu NAME VIOMMU... [mode shadow]`. */
  createVsmmu(name: string, viommus: string[], out: WireStep, opts: Omit<VsmmuOptions, 'features'> = {}): void {
    const vs = VSmmu.create(name, viommus, this.fd, { ...opts, features: this.rt.declared.get(name) ?? {} });
    if (!(vs instanceof VSmmu)) {
      this.rt.report('error', 'E_VSMMU', vs.error);
      return;
    }
    this.vsmmus.set(name, vs);
    this.drain(vs, out);
  }

  /** The VMM's calls and notes since the last step, into the step. */
  private drain(vs: VSmmu, out: WireStep): void {
    if (vs.memory.unmapped.length) {
      const bad = vs.memory.unmapped.splice(0);
      const u = bad[0];
      this.rt.report('warning', 'W_VSMMU_IPA', `${vs.name}: the guest ${u.write ? 'wrote' : 'read'} IPA ${hex(u.ipa)}${bad.length > 1 ? ` (and ${bad.length - 1} more accesses)` : ''}, not mapped by IOAS ${vs.ioas}: writes there are dropped, reads return zero`);
    }
    // Most guest DMAs make the VMM do nothing: no activity object is taken then.
    if (vs.idle) return;
    const a = vs.take();
    for (const c of a.calls) this.apply(out, { ...c.fx, rejections: [] }, c.line);
    if (a.calls.length === 0 && a.notes.length === 0) return;
    const w = (out.iommufd ??= emptyIommufd());
    for (const n of a.notes) {
      (w.notes ??= []).push(n);
      this.noteRejection(/-(E[A-Z]+):/.exec(n)?.[1] ?? 'NOT_FORWARDED', this.rt.report('warning', 'W_VSMMU_FORWARD', `${vs.name}: ${n}`));
    }
  }

  /** The shadowing vSMMUs for the hazard analysis (H_SHADOW_STALE); undefined while there is none. */
  get shadowing(): ShadowingView | undefined {
    if (this.shadowView?.count !== this.vsmmus.size) this.shadowView = { count: this.vsmmus.size, view: this.makeShadowing() };
    return this.shadowView.view;
  }

  private shadowView?: { count: number; view: ShadowingView | undefined };

  private makeShadowing(): ShadowingView | undefined {
    const shadows = [...this.vsmmus.values()].filter((v) => v.shadow);
    if (shadows.length === 0) return undefined;
    return {
      get serial() {
        return shadows.reduce((n, v) => n + v.shadow!.serial, 0);
      },
      tablePages: () => shadows.flatMap((v) => [...v.shadow!.tablePages]),
      access: (smmu, sid, ssid, iova, access) => {
        for (const v of shadows) {
          const d = v.shadow!.domainAt(smmu, sid, ssid);
          if (d) return { vsmmu: v.name, ...v.shadow!.translateGuest(d.vsid, ssid, iova, access) };
        }
        return undefined;
      },
    };
  }

  view(): ReturnType<typeof wireVm> {
    return wireVm(this.fd, this.vsmmus);
  }

  owns(name: string): boolean {
    return this.vsmmus.has(name) || this.fd.viommus.has(name);
  }

  /** `reg VSMMU.REG v` (the guest's register) or `reg VIOMMU.VCMDQn_PROD v` (a hardware queue's PROD). */
  writeReg(name: string, reg: string, value: bigint, out: WireStep): void {
    const vs = this.vsmmus.get(name);
    if (vs) {
      const r = vs.writeReg(reg, value);
      for (const w of r.warnings) this.rt.report('warning', 'W_REGISTER', `${name}: ${w}`);
      this.drain(vs, out);
      return;
    }
    const m = /^VCMDQ(\d+)_PROD$/i.exec(reg);
    if (!m) {
      this.rt.report('error', 'E_VIOMMU_REGISTER', `${name} is a vIOMMU: its registers are VCMDQn_PROD (a hardware queue's producer index)`);
      return;
    }
    this.apply(out, this.fd.hwQueueProd(name, Number(m[1]), Number(value)), `${name}.VCMDQ${m[1]}_PROD = ${hex(value)}`);
  }

  /** `cmd VSMMU ...` (the guest's command queue) or `cmd VIOMMU ...` (its hardware queue 0). */
  command(name: string, dwords: bigint[], out: WireStep): void {
    const vs = this.vsmmus.get(name);
    if (vs) {
      const r = vs.guest.submitCommand([dwords[0], dwords[1]]);
      for (const w of r.warnings) this.rt.report('warning', 'W_COMMAND', `${name}: ${w}`);
      for (const c of r.commands) if (c.error) this.rt.report('error', c.error, `${name}: ${c.name}: ${c.message}`);
      this.drain(vs, out);
      return;
    }
    const q = this.fd.viommus.get(name)!.hwQueues.get(0);
    if (!q) {
      this.rt.report('error', 'E_IOMMUFD', `${name} has no hardware queue 0 (iommufd hw_queue ${name} 0 IPA LOG2SIZE)`);
      return;
    }
    // The guest writes the command at its queue's PROD and advances PROD (the queue memory is the host PA it was pinned at).
    const a = q.slotAddr(q.prod);
    this.rt.mem.write64(a, dwords[0]);
    this.rt.mem.write64(a + 8n, dwords[1]);
    this.apply(out, this.fd.hwQueueProd(name, 0, (q.prod + 1) % (q.entries * 2)), `${name} VCMDQ0`);
  }

  /** A guest DMA by virtual StreamID: the physical SMMU and StreamID behind the vDEVICE. */
  transaction(name: string, req: TranslateRequest, out: WireStep): TransactionResult | undefined {
    const vs = this.vsmmus.get(name)!;
    const route = vs.route(Number(req.sid));
    if (!route) {
      this.rt.report('error', 'E_VSMMU', `${name}: virtual StreamID ${hex(req.sid)} has no vDEVICE on ${vs.viommus.join(', ')}`);
      return undefined;
    }
    const r = this.rt.transaction(route.smmu, { ...req, sid: route.sid }, out);
    const delivered = vs.deliverEvents();
    if (delivered.length) {
      const w = (out.iommufd ??= emptyIommufd());
      w.guestEvents = (out.vevents ?? []).filter((e) => e.delivered);
    }
    this.drain(vs, out);
    return r;
  }

  /** After a physical transaction: its faults that belong to a vDEVICE go to the vEVENTQ. */
  afterTransaction(smmu: string, r: TransactionResult, out: WireStep): void {
    for (const e of r.events) {
      const g = this.fd.reportEvent(smmu, e);
      if (!g) continue;
      (out.vevents ??= []).push(wireVEvent(g, smmu));
      if (!g.delivered) this.rt.report('warning', 'W_VEVENTQ_LOST', `${g.type} for virtual StreamID ${hex(g.vsid)} lost: ${g.reason}`);
    }
  }
}

