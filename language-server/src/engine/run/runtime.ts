// A compiled scenario (Program: the ordered steps and the diagnostics found while compiling) and
// one run of it (Runtime: the model, SMMU instances over one PhysicalMemory, plus what the steps
// produced). A step is data about its place in the text plus a `run` closure over a fresh Runtime,
// so the same Program can be replayed any number of times (goto = new Runtime + run N steps).

import { faultMessage } from '../output/faultText';
import { PhysicalMemory } from '../../model/memory';
import { snapshot } from '../../model/snapshot';
import { hex } from '../../model/bits';
import { makeFeatures, type SmmuFeatures } from '../../model/smmu/features';
import { SmmuInstance } from '../../model/smmu/instance';
import type { TransactionResult, TranslateRequest } from '../../model/smmu/result';
import type { ShadowingView } from '../../model/hazards';
import type { WireDiagnostic, WireHazard, WireRange, WireState, WireStep } from '../output/wire';
import { diag, stepEvents, stepHazards, transactionWalks, wireEvent, wireOutcome } from '../output/convert';
import { setWalks } from '../output/lazyWalks';
import { stateWalks, type LastTransaction } from '../output/walkContext';
import { buildState } from '../output/state';
import { defaultHazardHook } from './hazards';
import type { HazardHook, StepLogEntry } from './hooks';
import { VirtState } from './virt';
import type { IommufdContext } from '../../model/iommufd/context';
import type { TrafficSink } from '../output/traffic';
import type { PageRequest, PriResult } from '../../model/smmu/pri';
import { broadcastTo } from '../../model/smmu/broadcast';
import type { CpuTlbi } from '../../model/cpu/tlbi';
import type { ModelState, RunSnapshot } from './modelState';
import { RunRecords, type TxnRecord } from './records';
import type { MemWrite, RunAccess } from './access';

export type { TxnRecord } from './records';

export interface StepDef {
  range: WireRange;
  kind: string;
  label: string;
  smmu?: string;
  /** Everything `run` depends on besides the model state and `range` (run/checkpoints.ts): equal keys and ranges, equal steps. */
  key: string;
  /** Executes the step: changes the model in `rt`, fills the results into `out`. May throw (caught by the session). */
  run(rt: Runtime, out: WireStep): void;
  /** Set when `run` is only `rt.writeMany(writes)` (a declaration laid out in memory): an edit that
   *  changes only these values may be patched into a resumed run (declPatch.ts). */
  writes?: readonly MemWrite[];
}

export interface Program {
  uri: string;
  steps: StepDef[];
  diagnostics: WireDiagnostic[];
  /** SMMU instances the scenario declares, created in this order on every run. */
  setup: Array<(rt: Runtime) => void>;
  /** What `setup` depends on: runs of Programs with the same setupKey start from the same state. */
  setupKey: string;
  partial?: boolean;
  /** StreamIDs the scenario names per SMMU (the state view lists their STEs first). */
  sids?: Map<string, number[]>;
  /** Page-table roots by address -> scenario name (for the memory map). */
  tableNames?: Map<bigint, string>;
  /** Transaction steps an expectation looks at (their results are kept). */
  watched?: { has(step: number): boolean };
  /** smmu -> VMID -> StreamID of the `ste` declarations with stage 2 (the VM layer's VMID allocation skips them). */
  steVmids?: Map<string, Map<number, bigint>>;
}

const NONE_RECORDED: readonly boolean[] = Object.freeze([]);

export class Runtime {
  readonly mem: PhysicalMemory;
  readonly smmus: Map<string, SmmuInstance>;
  /** The same instances as an array (beginStep tells each the step number). */
  private readonly instances: SmmuInstance[];
  /** Run diagnostics of the current step. */
  diags: WireDiagnostic[] = [];
  index = -1;
  private current?: StepDef;
  /** Transaction records, hazards and intended faults for later steps (records.ts). */
  readonly records = new RunRecords();
  private lastTraces?: LastTransaction;
  /** Features of declared instances (created on first use). */
  readonly declared: Map<string, SmmuFeatures>;
  /** What the hazard hook keeps for this run (copied with the model by snapshot()). */
  hookState: unknown;
  static hazardHook?: HazardHook = defaultHazardHook;
  /** Commands and transactions of the current step, in order (for the hazard hook); kept only between beginStep and endStep. */
  readonly stepLog: StepLogEntry[] = [];
  private inStep = false;
  private virtState?: VirtState;
  /** Which step first used each declaration word (access.ts), for a run an edit may resume. */
  access?: RunAccess;

  /** Notes this run's accesses in `a` from now on. */
  watch(a: RunAccess): void {
    this.access = this.mem.watch = a;
  }

  /** The VM layer (iommufd objects, vSMMUs), created by the first line that uses it. */
  get virt(): VirtState {
    return (this.virtState ??= new VirtState(this));
  }

  /** The iommufd objects, once a line created the VM layer. */
  get vmContext(): IommufdContext | undefined {
    return this.virtState?.fd;
  }

  /** The shadowing vIOMMUs of the run, for the hazard hook. */
  get shadowing(): ShadowingView | undefined {
    return this.virtState?.shadowing;
  }

  /** Sees the scenario's memory, register, command and transaction traffic (`iommu-lens lower`); unset while a VM-layer line runs. */
  private traffic?: TrafficSink;

  /** A run of `program` from its start, or from a copy of `from` (a snapshot of a run of a program
   *  whose steps so far had the same keys and ranges: checkpoints.ts), or from `from` itself when `own`. */
  constructor(readonly program: Program, traffic?: TrafficSink, from?: RunSnapshot, own = false) {
    this.traffic = traffic;
    // (`own`: the state of an ended run, taken as it is: neither run steps it again)
    const m = from ? (own ? from.model : snapshot(from.model)?.copy) : undefined;
    this.mem = m?.mem ?? new PhysicalMemory();
    this.smmus = m?.smmus ?? new Map();
    this.declared = m?.declared ?? new Map();
    this.instances = [...this.smmus.values()];
    this.hookState = m?.hookState;
    this.lastTraces = m?.lastTraces;
    if (from) this.index = from.index;
    if (m) return;
    for (const s of program.setup) s(this);
    if (traffic) for (const [name, f] of this.declared) traffic.declare(name, f);
  }

  /** Whether model() is the whole state (no VM layer, no traffic sink): a snapshot can copy it. */
  get copyable(): boolean {
    return !this.virtState && !this.traffic;
  }

  /** A copy of the model state, or undefined when it cannot be copied (the VM layer, a traffic sink). */
  snapshot(): RunSnapshot | undefined {
    if (!this.copyable) return undefined;
    const c = snapshot<ModelState>(this.model());
    return c && { model: c.copy, index: this.index, objects: c.objects };
  }

  /** The model state itself, for a run that has ended (no step changes it; a run resumed from it copies it). */
  finalState(objects: number): RunSnapshot | undefined {
    if (!this.copyable) return undefined;
    return { model: this.model(), index: this.index, objects };
  }

  /** The live model state (converge.ts compares it with a checkpoint's). */
  model(): ModelState {
    return { mem: this.mem, smmus: this.smmus, declared: this.declared, hookState: this.hookState, lastTraces: this.lastTraces };
  }

  /** This run was restored at `position` from a snapshot of `prev`'s run (records.ts adopt). */
  adopt(prev: Runtime, position: number, diags: WireDiagnostic[][]): void {
    this.records.adopt(prev.records, position, diags);
  }

  // Last instance looked up by name (transactions repeat the same SMMU): skips the Map lookup.
  private lastName?: string;
  private lastSmmu?: SmmuInstance;

  smmu(name: string): SmmuInstance {
    let s = name === this.lastName ? this.lastSmmu : this.smmus.get(name);
    if (!s) {
      s = new SmmuInstance(name, this.mem, this.declared.get(name) ?? makeFeatures());
      this.smmus.set(name, s);
      this.instances.push(s);
    }
    this.lastName = name;
    this.lastSmmu = s;
    s.step = this.index;
    return s;
  }

  beginStep(index: number, def: StepDef): void {
    this.index = index;
    this.current = def;
    // A step's diagnostics are kept (Session) only when there are some: an empty list is reused.
    if (this.diags.length) this.diags = [];
    this.lastTraces = undefined;
    if (this.stepLog.length) this.stepLog.length = 0;
    this.inStep = true;
    if (this.access) this.access.step = index;
    for (const s of this.instances) s.step = index;
  }

  endStep(out: WireStep): void {
    this.inStep = false;
    const hook = Runtime.hazardHook;
    if (hook && this.current) {
      try {
        const hz = hook.afterStep(this, this.current, out);
        if (hz.length) {
          stepHazards(out).push(...hz);
          this.records.setHazards(this.index, hz);
          // A hazard found later than the step that caused it (H_STE_TORN: at the write) is shown there.
          const rangeOf = (line: number) => (line === this.current!.range.line ? this.current!.range : this.program.steps.find((s) => s.range.line === line)?.range ?? this.current!.range);
          for (const h of hz) this.diags.push({ ...diag(rangeOf(h.line), h.severity, h.code, `${h.message} Fix: ${h.fix}`), related: h.related });
        }
      } catch (e) {
        this.report('warning', 'E_INTERNAL', `hazard analysis failed on this step: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (this.stepLog.length) this.stepLog.length = 0;
    // (accesses between steps, the views' and the debugger's, change no state: not noted)
    if (this.access) this.access.step = -1;
  }

  report(severity: WireDiagnostic['severity'], code: string, message: string): WireDiagnostic {
    const d = diag(this.current!.range, severity, code, message);
    this.diags.push(d);
    return d;
  }

  // ---- what steps do ----

  /** Runs a VM-layer action recorded as `line`: what it makes the kernel and the VMM do is not traffic. */
  vmLayer<T>(line: string | undefined, run: () => T): T {
    const sink = this.traffic;
    if (sink && line !== undefined) sink.line(this.index, line);
    this.traffic = undefined;
    try {
      return run();
    } finally {
      this.traffic = sink;
    }
  }

  writeMem(addr: bigint, value: bigint, width: 8 | 16 | 32 | 64): void {
    this.traffic?.write(this.index, addr, value, width);
    if (width === 64) this.mem.write64(addr, value);
    else if (width === 32) this.mem.write32(addr, value);
    else {
      const bytes = new Uint8Array(width / 8);
      for (let i = 0; i < bytes.length; i++) bytes[i] = Number((value >> BigInt(8 * i)) & 0xffn);
      this.mem.writeBytes(addr, bytes);
    }
  }

  writeMany(writes: readonly MemWrite[]): void {
    if (this.access !== undefined && this.current?.writes === writes) this.access.declare(this.mem, writes);
    else for (const w of writes) this.mem.write64(w.addr, w.value);
    if (this.traffic) for (const w of writes) this.traffic.write(this.index, w.addr, w.value, 64);
  }

  abortRange(addr: bigint, size: bigint): void {
    this.traffic?.abort(this.index, addr, size);
    this.mem.addAbort(addr, size);
  }

  pageRequest(smmu: string, req: PageRequest): PriResult {
    this.traffic?.pri(this.index, smmu, req);
    return this.smmu(smmu).pageRequest(req);
  }

  readMem(addr: bigint): bigint {
    return this.mem.read64(addr);
  }

  writeReg(smmu: string, reg: string, value: bigint, out?: WireStep): void {
    this.traffic?.reg(this.index, smmu, reg, value);
    if (this.virtState?.owns(smmu) && out) return this.vmLayer(undefined, () => this.virtState!.writeReg(smmu, reg, value, out));
    const r = this.smmu(smmu).writeReg(reg, value);
    for (const w of r.warnings) this.report('warning', 'W_REGISTER', `${smmu}: ${w}`);
    if (r.commands?.length && out) this.noteCommands(smmu, r.commands, out);
  }

  command(smmu: string, dwords: bigint[], out: WireStep): void {
    this.traffic?.cmd(this.index, smmu, dwords[0], dwords[1]);
    if (this.virtState?.owns(smmu)) return this.vmLayer(undefined, () => this.virtState!.command(smmu, dwords, out));
    const r = this.smmu(smmu).submitCommand([dwords[0], dwords[1]]);
    for (const w of r.warnings) this.report('warning', 'W_COMMAND', `${smmu}: ${w}`);
    this.noteCommands(smmu, r.commands, out);
  }

  /** A PE's broadcast TLBI: every SMMU of the run sees it and takes it or not (model/smmu/broadcast.ts). */
  cpuTlbi(op: CpuTlbi, out: WireStep): void {
    this.traffic?.cpuTlbi(this.index, op);
    const seen = (out.broadcast ??= []);
    for (const [name, inst] of this.smmus) {
      const b = broadcastTo(inst, op);
      if (this.inStep) this.stepLog.push({ smmu: name, broadcast: b });
      if (b.removed.length) (out.removed ??= { tlb: [], config: [] }).tlb.push(...b.removed.map((e) => e.id));
      seen.push({ smmu: name, taken: b.refusal === undefined, ...(b.refusal ? { why: b.refusal } : {}), removed: b.removed.map((e) => e.id), kept: b.kept.map((k) => ({ id: k.entry.id, why: k.why })) });
    }
  }

  noteCommands(smmu: string, cmds: ReturnType<SmmuInstance['consumeCommands']>, out: WireStep): void {
    for (const c of cmds) {
      if (this.inStep) this.stepLog.push({ smmu, cmd: c });
      if (c.invalidated) {
        const removed = (out.removed ??= { tlb: [], config: [] });
        for (const e of c.removed.tlb) removed.tlb.push(e.id);
        for (const e of c.removed.config) removed.config.push(e.id);
      }
      if (c.error) this.report('error', c.error, `${smmu}: ${c.name}: ${c.message}`);
      for (const t of c.resumed ?? []) this.noteTransaction(smmu, t, out);
    }
  }

  transaction(smmu: string, req: TranslateRequest, out: WireStep): TransactionResult | undefined {
    if (this.virtState?.vsmmus.has(smmu)) {
      const sink = this.traffic;
      const g = this.vmLayer(undefined, () => this.virtState!.transaction(smmu, req, out));
      if (g) sink?.txn(this.index, smmu, req, g);
      return g;
    }
    const r = this.smmu(smmu).translate(req);
    this.traffic?.txn(this.index, smmu, req, r);
    this.noteTransaction(smmu, r, out);
    this.virtState?.afterTransaction(smmu, r, out);
    return r;
  }

  /** Fills the transaction's results into the step and reports a fault as an error. */
  private noteTransaction(smmu: string, r: TransactionResult, out: WireStep): void {
    if (this.inStep) this.stepLog.push({ smmu, txn: r });
    out.smmu = smmu;
    out.sid = this.sidHex(r.sid);
    if (r.ssid !== undefined) out.ssid = hex(r.ssid);
    out.iova = hex(r.iova);
    wireOutcome(r, out);
    if (r.tlb !== 'n/a') out.tlb = r.tlb;
    if (r.events.length) {
      const evs = stepEvents(out);
      for (const e of r.events) evs.push(wireEvent(e, smmu));
    }
    // Most transactions (TLB hits) walked nothing and raised nothing: no record to build.
    // (The walks checked here are the ones transactionWalks lists: keep the two in step.)
    const faulted = r.outcome === 'fault' || r.outcome === 'stalled' || r.outcome === 'aborted';
    const watched = this.program.watched?.has(this.index) === true;
    const w = r.walks;
    if (!faulted && !watched && !w.cdFetch && !w.stage1 && !w.stage2) return;
    const walks = transactionWalks(r);
    // Step results carry the walks without decoded descriptor fields, built on first read
    // (lazyWalks.ts: cheap for long runs);
    // state() decodes the current step's walks in full.
    if (walks.length) {
      setWalks(out, walks);
      this.lastTraces = { smmu, result: r, traces: walks };
    }
    if (!faulted && !watched) return;
    const fw = walks.find((w) => w.fault);
    const reason = r.reason ?? r.events[0]?.reason ?? '';
    const rec: TxnRecord = { outcome: r.outcome, pa: r.pa, recorded: r.events.length ? r.events.map((e) => e.recorded) : NONE_RECORDED, wire: out, reason };
    if (fw?.fault) rec.faultLevel = fw.fault.level;
    if (faulted) rec.faultDiag = this.report('error', r.events[0]?.type ?? 'F_ABORT', faultMessage(r, fw, reason, out));
    // Results are kept only for transactions an expectation looks at (long runs stay small).
    if (watched) this.records.setTxn(this.index, rec);
  }

  // StreamIDs repeat: their hex text is cached (a handful per scenario).
  private readonly sidText = new Map<number, string>();

  private sidHex(sid: number): string {
    let t = this.sidText.get(sid);
    if (t === undefined) {
      t = hex(sid);
      if (this.sidText.size < 4096) this.sidText.set(sid, t);
    }
    return t;
  }

  txn(step: number): TxnRecord | undefined {
    return this.records.txn(step, this.index);
  }

  /** A passing expectation says the fault was intended: it is shown as information. */
  markFaultIntended(step: number): void {
    this.records.markIntended(step, this.index);
  }

  stepHazards(step: number): readonly WireHazard[] {
    return this.records.stepHazards(step);
  }

  allHazards(): WireHazard[] {
    return this.records.allHazards();
  }

  state(last: WireStep | undefined): WireState {
    const st = buildState(this, last);
    if (this.lastTraces) {
      const w = stateWalks(this.lastTraces, this.program.tableNames);
      st.walks = w.walks;
      st.walkContext = w.context;
    }
    if (this.virtState) st.vm = this.virtState.view();
    return st;
  }
}
