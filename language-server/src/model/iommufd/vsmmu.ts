// A guest's virtual SMMU as a VMM presents it with hardware nesting (QEMU's accelerated vSMMU):
// an SMMU whose registers, stream table, CD tables and queues live in guest memory (GuestMemory,
// through the IOAS), programmed by the guest driver exactly like a physical one. The VMM traps its
// command queue and turns each guest command into iommufd calls: CMD_CFGI_STE reads the guest STE
// and installs it (IOMMU_HWPT_ALLOC nested + attach), TLBIs and ATC/CD invalidations are batched
// per vIOMMU and forwarded at CMD_SYNC (IOMMU_HWPT_INVALIDATE); guest events come from the
// vEVENTQs into the guest's event queue. Every call is logged in the interchange syntax.
// In shadow mode (shadow.ts) the same guest is served by a shadowing VMM instead: stage-1 STEs get
// a shadow table the VMM updates on the guest's invalidations, nothing is nested.

import { hex } from '../bits';
import { decodeEvent } from '../smmu/events';
import { cfgiSteSpan, executeCommand, type CommandResult } from '../smmu/commands';
import { makeFeatures, type SmmuFeatures } from '../smmu/features';
import { SmmuInstance } from '../smmu/instance';
import type { EventRecord } from '../smmu/result';
import { locateSte, readStruct } from '../smmu/tables';
import type { EventType } from '../types';
import type { IommufdContext, IommufdEffects } from './context';
import { GuestMemory } from './guestMemory';
import type { Viommu } from './objects';
import { GUEST_INVALIDATIONS, validateVste } from './uapi';
import { ShadowVmm, type ShadowHost, type ShadowPlan, type VsmmuMode } from './shadow';

/** One iommufd call the VMM made, as its interchange line, with what it did. */
export interface KernelCall {
  line: string;
  fx: IommufdEffects;
}

/** What the VMM did for the guest since the last `take()`. */
export interface VmmActivity {
  calls: KernelCall[];
  /** Guest actions the layer could not forward, each a sentence. */
  notes: string[];
}

/** The guest's vSMMU depth of vEVENTQ the VMM allocates when a vIOMMU has none (QEMU uses a page). */
const DEFAULT_VEVENTQ_DEPTH = 64;

/** `vsmmu` options: hardware nesting (default) or a shadowing VMM with its table plan. */
export interface VsmmuOptions {
  features?: Partial<SmmuFeatures>;
  mode?: VsmmuMode;
  shadow?: ShadowPlan;
}

export class VSmmu implements ShadowHost {
  readonly guest: SmmuInstance;
  /** The shadowing VMM (mode shadow), else undefined (hardware nesting). */
  readonly shadow?: ShadowVmm;
  readonly memory: GuestMemory;
  private activity: VmmActivity = { calls: [], notes: [] };
  private readonly batch = new Map<string, [bigint, bigint][]>();
  private hwptSerial = 0;

  private constructor(readonly name: string, readonly viommus: string[], readonly fd: IommufdContext, readonly ioas: string, opts: VsmmuOptions) {
    this.memory = new GuestMemory(fd.sys.mem, (ipa) => fd.ipaToPa(ioas, ipa));
    // The guest sees a stage-1-only SMMU: stage 2 belongs to the host (IDR0.S2P == 0).
    this.guest = new SmmuInstance(name, this.memory, makeFeatures({ ...opts.features, stage2: false }));
    this.guest.commandHook = (raw, index) => this.trap(raw, index);
    if (opts.shadow) this.shadow = new ShadowVmm(this, opts.shadow);
  }

  get mode(): VsmmuMode {
    return this.shadow ? 'shadow' : 'nested';
  }

  /** `vsmmu NAME VIOMMU... [mode shadow]`: every vIOMMU must exist and share one IOAS (the VM's memory). */
  static create(name: string, viommus: string[], fd: IommufdContext, opts: VsmmuOptions = {}): VSmmu | { error: string } {
    if (viommus.length === 0) return { error: 'a vsmmu needs at least one vIOMMU' };
    if (opts.mode === 'shadow' && !opts.shadow) return { error: 'a shadowing vsmmu needs memory for its shadow tables' };
    let ioas: string | undefined;
    for (const v of viommus) {
      const vi = fd.viommus.get(v);
      if (!vi) return { error: `no vIOMMU named ${v}` };
      const p = fd.hwpts.get(vi.parent);
      if (p?.kind !== 'parent') return { error: `vIOMMU ${v} has no nesting parent` };
      if (ioas !== undefined && p.ioas !== ioas) return { error: `vIOMMU ${v} is over IOAS ${p.ioas}, the others over ${ioas}: a vsmmu is one VM's memory` };
      ioas = p.ioas;
    }
    const vs = new VSmmu(name, viommus, fd, ioas!, opts.mode === 'shadow' ? opts : { features: opts.features });
    for (const v of viommus) {
      fd.viommus.get(v)!.vsmmu ??= name;
      // A shadow's faults are stage-2 faults of the host: nothing reaches a vEVENTQ.
      if (!vs.shadow && !fd.viommus.get(v)!.veventq) vs.call(`iommufd veventq ${v} ${DEFAULT_VEVENTQ_DEPTH}`, fd.allocVeventq(v, DEFAULT_VEVENTQ_DEPTH));
    }
    return vs;
  }

  /** A guest register write (the guest driver's MMIO to its vSMMU). */
  writeReg(reg: string, value: bigint): ReturnType<SmmuInstance['writeReg']> {
    this.shadow?.guestChanged();
    return this.guest.writeReg(reg, value);
  }

  /** Nothing done since the last take(). */
  get idle(): boolean {
    return this.activity.calls.length === 0 && this.activity.notes.length === 0;
  }

  /** The activity since the last call (the engine takes it once per step). */
  take(): VmmActivity {
    const a = this.activity;
    this.activity = { calls: [], notes: [] };
    return a;
  }

  /** Logs one iommufd call the VMM made (also for the shadowing VMM). */
  call(line: string, fx: IommufdEffects): IommufdEffects {
    this.activity.calls.push({ line, fx });
    for (const r of fx.rejections) this.activity.notes.push(`${line}: -${r.errno}: ${r.message}`);
    return fx;
  }

  /** What the shadowing VMM did on a physical SMMU itself (no iommufd call: its own host STE and CDs). */
  record(fx: IommufdEffects): void {
    this.activity.calls.push({ line: '', fx });
  }

  /** A guest action the layer could not forward. */
  note(message: string): void {
    this.activity.notes.push(message);
  }

  private routes?: { version: number; byVsid: Map<number, Viommu> };

  /** The vIOMMU of this vSMMU with a vDEVICE for virtual StreamID `vsid` (indexed until a vDEVICE is added). */
  viommuOf(vsid: number): Viommu | undefined {
    if (this.routes?.version !== this.fd.vdeviceVersion) {
      const byVsid = new Map<number, Viommu>();
      for (const n of this.viommus) {
        const v = this.fd.viommus.get(n);
        if (v) for (const vs of v.vdevices.keys()) if (!byVsid.has(vs)) byVsid.set(vs, v);
      }
      this.routes = { version: this.fd.vdeviceVersion, byVsid };
    }
    return this.routes.byVsid.get(vsid);
  }

  /** Where a guest DMA by virtual StreamID really goes: the physical SMMU and StreamID. */
  route(vsid: number): { smmu: string; sid: number; viommu: string } | undefined {
    const v = this.viommuOf(vsid);
    return v && { smmu: v.smmu, sid: v.vdevices.get(vsid)!, viommu: v.name };
  }

  /** The VMM's trap of one guest command: the guest-visible result, plus the forwarding. */
  private trap(raw: [bigint, bigint], index: number): CommandResult {
    const r = executeCommand(this.guest, raw, index);
    if (r.error) return r;
    const f = r.fields;
    switch (r.name) {
      case 'CMD_CFGI_STE':
        this.configure(Number(f.StreamID));
        break;
      case 'CMD_CFGI_STE_RANGE': {
        const [lo, hi] = cfgiSteSpan(Number(f.StreamID), Number(f.Range));
        for (const vsid of this.vsids()) if (vsid >= lo && vsid <= hi) this.configure(vsid);
        break;
      }
      case 'CMD_SYNC':
        this.flush();
        break;
      case 'CMD_PREFETCH_CONFIG':
      case 'CMD_PREFETCH_ADDR':
        break;
      default: {
        if (this.shadow?.trap(r)) break;
        if (this.shadow && r.name === 'CMD_CFGI_ALL') {
          for (const vsid of this.vsids()) this.configure(vsid);
          break;
        }
        const conv = GUEST_INVALIDATIONS.get(r.opcode);
        if (conv === undefined) {
          this.note(`guest ${r.name} cannot be forwarded: iommufd has no call for it on an SMMUv3 vIOMMU`);
          break;
        }
        if (conv === 'sid') {
          const v = this.viommuOf(Number(f.StreamID));
          if (!v) this.note(`guest ${r.name} for virtual StreamID ${hex(f.StreamID)}: no vDEVICE on ${this.viommus.join(', ')}; not forwarded`);
          else this.queue(v.name, raw);
        } else for (const v of this.viommus) this.queue(v, raw); // VMID/ASID-tagged: every vIOMMU behind the vSMMU
      }
    }
    return r;
  }

  private queue(viommu: string, cmd: [bigint, bigint]): void {
    let b = this.batch.get(viommu);
    if (!b) this.batch.set(viommu, (b = []));
    b.push(cmd);
    this.fd.facts.add({ kind: 'guestQueued', vsmmu: this.name, viommu, smmu: this.fd.viommus.get(viommu)!.smmu, guest: cmd });
  }

  /** At the guest's CMD_SYNC: one IOMMU_HWPT_INVALIDATE per vIOMMU with its batch. */
  private flush(): void {
    for (const [v, cmds] of this.batch) {
      this.call(`iommufd invalidate ${v} ${cmds.map((c) => `${hex(c[0])} ${hex(c[1])}`).join(' ')}`, this.fd.invalidate(v, cmds));
    }
    this.batch.clear();
  }

  private vsids(): number[] {
    return this.viommus.flatMap((n) => [...(this.fd.viommus.get(n)?.vdevices.keys() ?? [])]);
  }

  /** Guest CFGI_STE: a shadowing VMM shadows a stage-1 STE; anything else is installed as under nesting. */
  private configure(vsid: number): void {
    if (!this.shadow?.configure(vsid)) this.installSte(vsid);
  }

  /** Guest CFGI_STE: read the guest STE (through the IOAS) and install it for the device behind it. */
  private installSte(vsid: number): void {
    const v = this.viommuOf(vsid);
    const loc = locateSte(this.memory, this.guest.streamTable(), vsid);
    if (!loc.ok) {
      this.note(`guest CMD_CFGI_STE for virtual StreamID ${hex(vsid)}: ${loc.reason}`);
      return;
    }
    const [w0, w1] = readStruct(this.memory, loc.addr, 2);
    if (!v) {
      // A translating one is a hazard the analysis words (H_VDEVICE_MISSING); others are only not forwarded.
      const first = this.fd.viommus.get(this.viommus[0])!;
      const vste = validateVste(w0, w1);
      if (vste.ok && vste.kind === 's1') this.fd.facts.add({ kind: 'noVdevice', viommu: first.name, smmu: first.smmu, vsid, vsmmu: this.name, guest: [w0, w1] });
      else this.note(`guest STE of virtual StreamID ${hex(vsid)} (${hex(w0)}) cannot be installed: no vDEVICE on ${this.viommus.join(', ')} (IOMMU_VDEVICE_ALLOC)`);
      return;
    }
    const hwpt = `${this.name}_s${vsid.toString(16)}_${++this.hwptSerial}`;
    const fx = this.call(`iommufd hwpt_nested ${hwpt} ${v.name} ${hex(w0)} ${hex(w1)}`, this.fd.allocNested(hwpt, v.name, w0, w1));
    if (fx.rejections.length) return;
    this.call(`iommufd attach ${v.smmu} ${hex(v.vdevices.get(vsid)!)} ${hwpt}`, this.fd.attach(v.smmu, v.vdevices.get(vsid)!, hwpt));
  }

  /**
   * The VMM reads every vEVENTQ and writes the records into the guest's event queue (through the
   * guest instance, so SMMU_CR0.EVENTQEN, a full queue and PROD.OVFLG behave as on hardware); a
   * lost-events header becomes a guest overflow. Returns the records written or lost.
   */
  private seenSerial = -1;

  deliverEvents(): EventRecord[] {
    const out: EventRecord[] = [];
    if (this.fd.veventSerial === this.seenSerial) return out;
    this.seenSerial = this.fd.veventSerial;
    for (const n of this.viommus) {
      const q = this.fd.viommus.get(n)?.veventq;
      if (!q || q.length === 0) continue;
      for (const e of q.read()) {
        if (e.lost) {
          this.note(`vEVENTQ of ${n} lost events before sequence ${e.sequence} (IOMMU_VEVENTQ_FLAG_LOST_EVENTS): the guest sees an event queue overflow`);
          this.guest.signalEventOverflow();
          continue;
        }
        const d = decodeEvent(e.record!);
        const ev: EventRecord = { type: d.type as EventType, code: d.code, fields: d.fields, raw: e.record!, recorded: false, reason: `vEVENT ${e.sequence} from ${n}` };
        this.guest.recordEvent(ev);
        out.push(ev);
      }
    }
    return out;
  }
}
