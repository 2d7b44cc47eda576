// One SMMUv3 instance: its registers, caches, queues and the transaction pipeline, over a
// PhysicalMemory it shares with other instances (IHI 0070 §6 registers, §4 command queue,
// §7.2 event queue, §3.21 caches). Plain data out: every result is serialisable.

import type { PhysicalMemory } from '../memory';
import { decode, encode, type FieldValues } from '../fields/field';
import { registerByName, registerByOffset, REGISTERS, type RegisterDef } from '../fields/registers';
import type { EventType } from '../types';
import type { SmmuFeatures } from './features';
import { idrValues } from './idr';
import { ConfigCache, type ConfigCacheEntry } from './configCache';
import type { SteConfig } from './ste';
import type { CdConfig } from './cd';
import type { StreamTableCfg } from './tables';
import { makeEvent, decodeEvent, type EventInfo } from './events';
import type { EventRecord, StalledTransaction, TransactionResult, TranslateRequest } from './result';
import { translate, type PipelineCtx, type TranslateOptions } from './translate';
import { executeCommand, type CommandCtx, type CommandResult } from './commands';
import { qCount, qFull, qInc, qval } from './queue';
import { Tlb, type TlbEntry } from '../tlb/tlb';
import { Atc, atsAsTransaction, atsRequest, translatedTransaction, type AtcEntry, type AtsResult, type TranslatedResult } from './ats';
import { PriState, type PageRequest, type PendingPrg, type PriRespCode, type PriResponse, type PriResult } from './pri';
import type { Access } from '../types';
import { hex } from '../bits';

export interface RegAccessResult {
  /** Register name (SMMU_ prefixed). */
  name: string;
  offset: number;
  /** Value read, or the register's value after the write. */
  value: bigint;
  fields: FieldValues;
  /** CONSTRAINED UNPREDICTABLE or ignored writes, read-only writes, etc. */
  warnings: string[];
  /** The write did not change the register. */
  ignored?: boolean;
  /** Commands consumed because of this write (CMDQ_PROD, CR0.CMDQEN). */
  commands?: CommandResult[];
}

const CMD_SIZE = 16n;
const EVT_SIZE = 32n;

const R = (name: string): RegisterDef => registerByName(name)!;
const OFF = {
  CR0: R('CR0').offset, CR0ACK: R('CR0ACK').offset, CR1: R('CR1').offset, CR2: R('CR2').offset,
  GBPA: R('GBPA').offset, IRQ_CTRL: R('IRQ_CTRL').offset, IRQ_CTRLACK: R('IRQ_CTRLACK').offset,
  GERROR: R('GERROR').offset, GERRORN: R('GERRORN').offset,
  STRTAB_BASE: R('STRTAB_BASE').offset, STRTAB_BASE_CFG: R('STRTAB_BASE_CFG').offset,
  CMDQ_BASE: R('CMDQ_BASE').offset, CMDQ_PROD: R('CMDQ_PROD').offset, CMDQ_CONS: R('CMDQ_CONS').offset,
  EVENTQ_BASE: R('EVENTQ_BASE').offset, EVENTQ_PROD: R('EVENTQ_PROD').offset, EVENTQ_CONS: R('EVENTQ_CONS').offset,
  PRIQ_BASE: R('PRIQ_BASE').offset, PRIQ_PROD: R('PRIQ_PROD').offset, PRIQ_CONS: R('PRIQ_CONS').offset,
};
// Bit positions used on hot paths, taken from the register tables.
const bitOf = (reg: string, field: string): bigint => encode(R(reg), { [field]: 1n })[0];
const CR0_SMMUEN = bitOf('CR0', 'SMMUEN');
const CR0_EVENTQEN = bitOf('CR0', 'EVENTQEN');
const CR0_CMDQEN = bitOf('CR0', 'CMDQEN');
const CR0_PRIQEN = bitOf('CR0', 'PRIQEN');
const CR0_ATSCHK = bitOf('CR0', 'ATSCHK');
const CR2_E2H = bitOf('CR2', 'E2H');
const CR2_RECINVSID = bitOf('CR2', 'RECINVSID');
const GBPA_ABORT = bitOf('GBPA', 'ABORT');
const GBPA_UPDATE = bitOf('GBPA', 'UPDATE');
const GERROR_CMDQ_ERR = bitOf('GERROR', 'CMDQ_ERR');
const EVENTQ_OVFLG = bitOf('EVENTQ_PROD', 'OVFLG');
const EVENTQ_OVACKFLG = bitOf('EVENTQ_CONS', 'OVACKFLG');

/** Registers guarded by an enable (IHI 0070 §6.3: "writes while ... == 1 are CONSTRAINED UNPREDICTABLE"). */
const GUARDS: Record<string, { mask: bigint; what: string }> = {
  SMMU_STRTAB_BASE: { mask: CR0_SMMUEN, what: 'SMMU_CR0.SMMUEN == 1' },
  SMMU_STRTAB_BASE_CFG: { mask: CR0_SMMUEN, what: 'SMMU_CR0.SMMUEN == 1' },
  SMMU_CR2: { mask: CR0_SMMUEN, what: 'SMMU_CR0.SMMUEN == 1' },
  SMMU_CR1: { mask: CR0_SMMUEN | CR0_CMDQEN | CR0_EVENTQEN | CR0_PRIQEN, what: 'SMMU_CR0.{SMMUEN,CMDQEN,EVENTQEN,PRIQEN} != 0' },
  SMMU_CMDQ_BASE: { mask: CR0_CMDQEN, what: 'SMMU_CR0.CMDQEN == 1' },
  SMMU_CMDQ_CONS: { mask: CR0_CMDQEN, what: 'SMMU_CR0.CMDQEN == 1' },
  SMMU_EVENTQ_BASE: { mask: CR0_EVENTQEN, what: 'SMMU_CR0.EVENTQEN == 1' },
  SMMU_EVENTQ_PROD: { mask: CR0_EVENTQEN, what: 'SMMU_CR0.EVENTQEN == 1' },
  SMMU_PRIQ_BASE: { mask: CR0_PRIQEN, what: 'SMMU_CR0.PRIQEN == 1' },
  SMMU_PRIQ_PROD: { mask: CR0_PRIQEN, what: 'SMMU_CR0.PRIQEN == 1' },
};

/** Bits of each register software can change: the union of its fields (RES0 ranges excluded). */
function writableMask(def: RegisterDef): bigint {
  let m = 0n;
  for (const f of def.fields) if (!f.reserved) m |= ((1n << BigInt(f.hi - f.lo + 1)) - 1n) << BigInt(f.lo);
  return m;
}

export interface SmmuSnapshot {
  name: string;
  features: SmmuFeatures;
  enabled: boolean;
  registers: Array<{ name: string; offset: number; value: bigint; fields: FieldValues }>;
  configCache: ConfigCacheEntry<unknown>[];
  tlb: TlbEntry[];
  /** Event queue records between CONS and PROD (unread by software), decoded. */
  eventQueue: Array<{ index: number; type: string; code: number; fields: FieldValues; raw: bigint[] }>;
  /** Every event the instance produced, recorded or not (most recent last, capped). */
  eventLog: EventRecord[];
  stalled: StalledTransaction[];
  lastTransaction?: TransactionResult;
  /** The functions' ATCs (ats.ts). */
  atc: AtcEntry[];
  /** Outstanding PRI Page Request Groups (pri.ts). */
  priPending: PendingPrg[];
}

const EVENT_LOG_CAP = 1000;

export class SmmuInstance implements PipelineCtx, CommandCtx {
  readonly configCache: ConfigCache<SteConfig, CdConfig>;
  readonly tlb: Tlb;
  readonly stalled: StalledTransaction[] = [];
  readonly eventLog: EventRecord[] = [];
  /** ATCs of the PCIe functions behind this SMMU (ats.ts). */
  readonly atc = new Atc();
  /** PRI state: outstanding Page Request Groups (pri.ts). */
  readonly pri = new PriState();
  lastTransaction?: TransactionResult;
  /** Step index of the scenario (set by the engine; recorded in cache entries). */
  step = 0;
  /**
   * Consulted for each command the queue consumes before the instance executes it: a VMM's trap
   * for a guest's virtual SMMU (iommufd/vsmmu.ts). Undefined for a physical SMMU.
   */
  commandHook?: (raw: [bigint, bigint], index: number) => CommandResult;
  private readonly regs = new RegFile();
  private readonly idr: Record<string, bigint>;
  private stagCounter = 0;
  // Hot-path copies of register state.
  private cr0 = 0n;

  constructor(readonly name: string, readonly mem: PhysicalMemory, readonly features: SmmuFeatures) {
    this.configCache = new ConfigCache<SteConfig, CdConfig>(features.configCache);
    this.tlb = new Tlb({ capacity: features.tlb.capacity, policy: features.tlb.policy, seed: features.tlb.seed });
    this.idr = idrValues(features);
    this.reset();
  }

  /** Reset state (IHI 0070 §6.3: CR0 = 0, GBPA.ABORT's reset value is IMPLEMENTATION DEFINED: 0 here). */
  reset(): void {
    this.regs.clear();
    for (const def of REGISTERS) this.regs.set(def.offset, this.idr[def.name] ?? 0n);
    this.cr0 = 0n;
    this.configCache.clear();
    this.tlb.clear();
    this.stalled.length = 0;
    this.eventLog.length = 0;
    this.atc?.clear();
    this.pri?.clear();
    this.lastTransaction = undefined;
  }

  // ---------------- registers ----------------

  private resolve(reg: string | number): { def: RegisterDef; half?: 0 | 1 } | undefined {
    if (typeof reg === 'string') {
      const def = registerByName(reg);
      return def ? { def } : undefined;
    }
    const def = registerByOffset(reg);
    if (def) return { def };
    // Upper half of a 64-bit register accessed as 32 bits.
    const lo = registerByOffset(reg - 4);
    if (lo && lo.size === 64) return { def: lo, half: 1 };
    return undefined;
  }

  /** Raw register value by name (no side effects). */
  reg(name: string): bigint {
    return this.regs.get(R(name).offset) ?? 0n;
  }

  readReg(reg: string | number, size?: 32 | 64): RegAccessResult {
    const r = this.resolve(reg);
    if (!r) return { name: String(reg), offset: typeof reg === 'number' ? reg : -1, value: 0n, fields: {}, warnings: [`no SMMU register ${typeof reg === 'number' ? hex(reg) : reg}: reads as zero`] };
    const warnings: string[] = [];
    let value = this.regs.get(r.def.offset) ?? 0n;
    if (r.half === 1) value >>= 32n;
    else if (size === 32 && r.def.size === 64) value &= 0xffff_ffffn;
    if (size === 64 && r.def.size === 32) warnings.push(`${r.def.name} is a 32-bit register: 64-bit access is CONSTRAINED UNPREDICTABLE (IHI 0070 §6)`);
    return { name: r.def.name, offset: r.def.offset + (r.half ? 4 : 0), value, fields: decode(r.def, [this.regs.get(r.def.offset) ?? 0n]), warnings };
  }

  writeReg(reg: string | number, valueIn: bigint, size?: 32 | 64): RegAccessResult {
    const r = this.resolve(reg);
    if (!r) return { name: String(reg), offset: typeof reg === 'number' ? reg : -1, value: 0n, fields: {}, warnings: [`no SMMU register ${typeof reg === 'number' ? hex(reg) : reg}: write ignored`], ignored: true };
    const def = r.def;
    const warnings: string[] = [];
    const old = this.regs.get(def.offset) ?? 0n;
    const result = (ignored: boolean, commands?: CommandResult[]): RegAccessResult => {
      const v = this.regs.get(def.offset) ?? 0n;
      const out: RegAccessResult = { name: def.name, offset: def.offset, value: v, fields: decode(def, [v]), warnings };
      if (ignored) out.ignored = true;
      if (commands) out.commands = commands;
      return out;
    };
    if (def.access === 'RO') {
      warnings.push(`${def.name} is read-only: write of ${hex(valueIn)} ignored (IHI 0070 §6.3)`);
      return result(true);
    }
    let value = valueIn;
    if (r.half === 1) value = (old & 0xffff_ffffn) | ((valueIn & 0xffff_ffffn) << 32n);
    else if (size === 32 && def.size === 64) value = (old & ~0xffff_ffffn) | (valueIn & 0xffff_ffffn);
    if (def.size === 32 && value >> 32n !== 0n) {
      warnings.push(`${def.name} is 32 bits: bits [63:32] of ${hex(value)} ignored`);
      value &= 0xffff_ffffn;
    }
    const wm = writableMask(def);
    if ((value & ~wm) !== 0n) warnings.push(`${def.name}: RES0 bits ${hex(value & ~wm)} written as non-zero (ignored)`);
    value &= wm;
    const guard = GUARDS[def.name];
    if (guard && (this.cr0 & guard.mask) !== 0n && value !== old) {
      warnings.push(`${def.name} written while ${guard.what}: CONSTRAINED UNPREDICTABLE; the model ignores the write (IHI 0070 §6.3)`);
      return result(true);
    }
    switch (def.name) {
      case 'SMMU_CR0': {
        this.regs.set(def.offset, value);
        // CR0ACK follows CR0 at once: the model completes updates immediately (IHI 0070 §6.3.10).
        this.regs.set(OFF.CR0ACK, value);
        this.cr0 = value;
        const commands = (value & CR0_CMDQEN) !== 0n && (old & CR0_CMDQEN) === 0n ? this.consumeCommands() : undefined;
        return result(false, commands && commands.length ? commands : undefined);
      }
      case 'SMMU_GBPA':
        // IHI 0070 §6.3.14: software writes the new attributes with UPDATE = 1; the SMMU clears UPDATE
        // when done (at once here). A write with UPDATE = 0 does not change the attributes.
        if ((value & GBPA_UPDATE) === 0n) {
          warnings.push('SMMU_GBPA written with UPDATE == 0: the attributes are not updated (IHI 0070 §6.3.14)');
          return result(true);
        }
        this.regs.set(def.offset, value & ~GBPA_UPDATE);
        return result(false);
      case 'SMMU_IRQ_CTRL':
        this.regs.set(def.offset, value);
        this.regs.set(OFF.IRQ_CTRLACK, value);
        return result(false);
      case 'SMMU_CMDQ_PROD': {
        this.regs.set(def.offset, value);
        const commands = this.consumeCommands();
        return result(false, commands);
      }
      case 'SMMU_CMDQ_BASE':
      case 'SMMU_EVENTQ_BASE':
      case 'SMMU_PRIQ_BASE': {
        const cap = def.name === 'SMMU_CMDQ_BASE' ? this.features.cmdqs : def.name === 'SMMU_EVENTQ_BASE' ? this.features.eventqs : this.features.priqs;
        const d = decode(def, [value]);
        if (Number(d.LOG2SIZE) > cap) warnings.push(`${def.name}.LOG2SIZE=${d.LOG2SIZE} exceeds the maximum ${cap} (SMMU_IDR1): treated as ${cap} (IHI 0070 §6.3)`);
        this.regs.set(def.offset, value);
        return result(false);
      }
      case 'SMMU_STRTAB_BASE_CFG': {
        const d = decode(def, [value]);
        if (d.FMT === 1n && this.features.stLevel === 'linear') warnings.push('SMMU_STRTAB_BASE_CFG.FMT == 2-level but SMMU_IDR0.ST_LEVEL is linear only: treated as linear (CONSTRAINED UNPREDICTABLE)');
        if (d.FMT === 1n && ![6n, 8n, 10n].includes(d.SPLIT)) warnings.push(`SMMU_STRTAB_BASE_CFG.SPLIT=${d.SPLIT} is not 6, 8 or 10: CONSTRAINED UNPREDICTABLE, the model uses the next legal value`);
        if (Number(d.LOG2SIZE) > this.features.sidBits) warnings.push(`SMMU_STRTAB_BASE_CFG.LOG2SIZE=${d.LOG2SIZE} exceeds SMMU_IDR1.SIDSIZE=${this.features.sidBits}: treated as SIDSIZE`);
        this.regs.set(def.offset, value);
        return result(false);
      }
      default:
        this.regs.set(def.offset, value);
        return result(false);
    }
  }

  // ---------------- pipeline context ----------------

  // Memos of register bits the pipeline reads per transaction: re-derived only when the register value
  // changes (a BigInt comparison allocates nothing; `&` would allocate on every transaction).
  private enFor = -1n;
  private en = false;
  private cr2For = -1n;
  private e2hBit = false;

  smmuEnabled(): boolean {
    if (this.cr0 !== this.enFor) {
      this.enFor = this.cr0;
      this.en = (this.cr0 & CR0_SMMUEN) !== 0n;
    }
    return this.en;
  }

  gbpaAbort(): boolean {
    return ((this.regs.get(OFF.GBPA) ?? 0n) & GBPA_ABORT) !== 0n;
  }

  recInvSid(): boolean {
    return ((this.regs.get(OFF.CR2) ?? 0n) & CR2_RECINVSID) !== 0n;
  }

  e2h(): boolean {
    const cr2 = this.regs.get(OFF.CR2) ?? 0n;
    if (cr2 !== this.cr2For) {
      this.cr2For = cr2;
      this.e2hBit = (cr2 & CR2_E2H) !== 0n;
    }
    return this.e2hBit;
  }

  private stCache?: { base: bigint; cfg: bigint; t: StreamTableCfg };
  private stVersion = -1;

  streamTable(): StreamTableCfg {
    // No register written since the last call: the memo holds (two Map reads saved per transaction).
    if (this.stVersion === this.regs.version && this.stCache) return this.stCache.t;
    this.stVersion = this.regs.version;
    const base = this.regs.get(OFF.STRTAB_BASE) ?? 0n;
    const cfg = this.regs.get(OFF.STRTAB_BASE_CFG) ?? 0n;
    if (this.stCache && this.stCache.base === base && this.stCache.cfg === cfg) return this.stCache.t;
    const b = decode(R('STRTAB_BASE'), [base]);
    const c = decode(R('STRTAB_BASE_CFG'), [cfg]);
    let split = Number(c.SPLIT);
    if (split !== 6 && split !== 8 && split !== 10) split = split < 6 ? 6 : split < 8 ? 8 : 10;
    const t: StreamTableCfg = {
      base: b.ADDR,
      log2size: Math.min(Number(c.LOG2SIZE), this.features.sidBits),
      twoLevel: c.FMT === 1n && this.features.stLevel === '2lvl',
      split,
    };
    this.stCache = { base, cfg, t };
    return t;
  }

  makeEvent(type: EventType, info: EventInfo, reason: string): EventRecord {
    return makeEvent(type, info, reason);
  }

  nextStag(): number {
    this.stagCounter = (this.stagCounter + 1) & 0xffff;
    return this.stagCounter;
  }

  stall(res: TransactionResult, ev: EventRecord): number {
    this.stalled.push({ stag: res.stag!, sid: res.sid, ssid: res.ssid, iova: res.iova, access: res.access, event: ev, step: this.step });
    return res.stag!;
  }

  /** Write an event record to the event queue (IHI 0070 §7.2). */
  /**
   * IHI 0070 §7.2: records were lost: PROD.OVFLG is toggled so it differs from CONS.OVACKFLG (only
   * if no overflow is already pending). A full queue does this; so does a VMM that lost vEVENTs.
   */
  signalEventOverflow(): void {
    const prodReg = this.regs.get(OFF.EVENTQ_PROD) ?? 0n;
    const consReg = this.regs.get(OFF.EVENTQ_CONS) ?? 0n;
    const pending = ((prodReg & EVENTQ_OVFLG) !== 0n) !== ((consReg & EVENTQ_OVACKFLG) !== 0n);
    if (!pending) this.regs.set(OFF.EVENTQ_PROD, prodReg ^ EVENTQ_OVFLG);
  }

  recordEvent(ev: EventRecord): void {
    this.eventLog.push(ev);
    if (this.eventLog.length > EVENT_LOG_CAP) this.eventLog.shift();
    if ((this.cr0 & CR0_EVENTQEN) === 0n) {
      ev.notRecordedBecause = 'SMMU_CR0.EVENTQEN == 0 (event discarded)';
      return;
    }
    const base = decode(R('EVENTQ_BASE'), [this.regs.get(OFF.EVENTQ_BASE) ?? 0n]);
    const log2 = Math.min(Number(base.LOG2SIZE), this.features.eventqs);
    const prodReg = this.regs.get(OFF.EVENTQ_PROD) ?? 0n;
    const consReg = this.regs.get(OFF.EVENTQ_CONS) ?? 0n;
    const prod = qval(prodReg, log2);
    const cons = qval(consReg, log2);
    if (qFull(prod, cons, log2)) {
      this.signalEventOverflow();
      ev.notRecordedBecause = 'event queue full: record lost, overflow flagged (SMMU_EVENTQ_PROD.OVFLG)';
      return;
    }
    const idx = prod & ((1 << log2) - 1);
    const addr = base.ADDR + BigInt(idx) * EVT_SIZE;
    for (let i = 0; i < 4; i++) this.mem.write64(addr + BigInt(i * 8), ev.raw[i]);
    const next = qInc(prod, log2);
    this.regs.set(OFF.EVENTQ_PROD, (prodReg & EVENTQ_OVFLG) | BigInt(next));
    ev.recorded = true;
    ev.queueIndex = idx;
  }

  // ---------------- transactions ----------------

  translate(req: TranslateRequest, opts?: TranslateOptions): TransactionResult {
    // PCIe ATS (ats.ts): Translation Requests and translated transactions (not as dry runs).
    if (req.kind === 'ats' && !opts?.dryRun) {
      const q = atsAsTransaction(this.atsRequest(Number(req.sid), req.ssid, req.iova, req.access), req.access);
      this.lastTransaction = q;
      return q;
    }
    if (req.kind === 'translated' && !opts?.dryRun) return this.translated(req);
    const r = translate(this, req, opts);
    if (!opts?.dryRun) this.lastTransaction = r;
    return r;
  }

  /** An ATS Translation Request (ats.ts, IHI 0070 §3.9.1). */
  atsRequest(sid: number, ssid: number | undefined, iova: bigint, access: Access): AtsResult {
    return atsRequest(this, sid, ssid, iova, access);
  }

  /** A translated transaction through the function's ATC (ats.ts). */
  translated(req: TranslateRequest): TranslatedResult {
    const r = translatedTransaction(this, (sid) => this.steConfig(sid), req);
    this.lastTransaction = r;
    return r;
  }

  /** The STE of `sid` as the SMMU sees it now (config cache, else memory), without side effects. */
  steConfig(sid: number): SteConfig | undefined {
    return this.translate({ sid, iova: 0n, access: { read: true, exec: false, priv: false } }, { dryRun: true }).ste?.config;
  }

  /** A PCIe Page Request (pri.ts, IHI 0070 §8). */
  pageRequest(r: PageRequest): PriResult {
    return this.pri.request(this, r);
  }

  atsChk(): boolean {
    return (this.cr0 & CR0_ATSCHK) !== 0n;
  }

  /** SMMU-side register update (queue PROD pointers written by the SMMU). */
  hwSetReg(name: string, value: bigint): void {
    this.regs.set(R(name).offset, value);
  }

  atcInvalidate(sid: number, ssid: number | undefined, global: boolean, addr: bigint, size: number): AtcEntry[] {
    return this.atc.invalidate(sid, ssid, global, addr, size);
  }

  priRespond(sid: number, ssid: number | undefined, prgi: number, resp: PriRespCode): PriResponse {
    return this.pri.respond(sid, ssid, prgi, resp);
  }

  // ---------------- command queue ----------------

  private cmdqError(): boolean {
    const g = this.regs.get(OFF.GERROR) ?? 0n;
    const gn = this.regs.get(OFF.GERRORN) ?? 0n;
    return ((g ^ gn) & GERROR_CMDQ_ERR) !== 0n;
  }

  private cmdqGeom(): { base: bigint; log2: number } {
    const d = decode(R('CMDQ_BASE'), [this.regs.get(OFF.CMDQ_BASE) ?? 0n]);
    return { base: d.ADDR, log2: Math.min(Number(d.LOG2SIZE), this.features.cmdqs) };
  }

  /**
   * Consume commands between CONS and PROD while CR0.CMDQEN == 1 and no command error is active
   * (IHI 0070 §4, §7.1: an illegal command sets CMDQ_CONS.ERR, toggles GERROR.CMDQ_ERR and stops the
   * queue with CONS pointing at it, until software acknowledges in GERRORN and writes PROD again).
   */
  consumeCommands(): CommandResult[] {
    const out: CommandResult[] = [];
    if ((this.cr0 & CR0_CMDQEN) === 0n || this.cmdqError()) return out;
    const { base, log2 } = this.cmdqGeom();
    const prod = qval(this.regs.get(OFF.CMDQ_PROD) ?? 0n, log2);
    let consReg = this.regs.get(OFF.CMDQ_CONS) ?? 0n;
    let cons = qval(consReg, log2);
    const errBits = consReg & ~((2n << BigInt(log2)) - 1n);
    let guard = 0;
    while (cons !== prod && guard++ <= 2 ** log2) {
      const idx = cons & ((1 << log2) - 1);
      const addr = base + BigInt(idx) * CMD_SIZE;
      const raw: [bigint, bigint] = [this.mem.read64(addr), this.mem.read64(addr + 8n)];
      const r = this.commandHook ? this.commandHook(raw, idx) : executeCommand(this, raw, idx);
      out.push(r);
      if (r.error) {
        const consDef = R('CMDQ_CONS');
        consReg = encode(consDef, { ERR: 1n }, [BigInt(cons)])[0]; // CERROR_ILL
        this.regs.set(OFF.CMDQ_CONS, consReg);
        this.regs.set(OFF.GERROR, (this.regs.get(OFF.GERROR) ?? 0n) ^ GERROR_CMDQ_ERR);
        return out;
      }
      cons = qInc(cons, log2);
    }
    // CONS.ERR keeps its last value (QEMU and the spec: it is only meaningful while CMDQ_ERR is active).
    this.regs.set(OFF.CMDQ_CONS, errBits | BigInt(cons));
    return out;
  }

  /**
   * Driver-style submission: write the command at CMDQ_PROD in queue memory, advance PROD
   * (which consumes it when CMDQEN == 1). Returns the commands consumed by that PROD write.
   */
  submitCommand(dwords: [bigint, bigint]): { commands: CommandResult[]; warnings: string[] } {
    const { base, log2 } = this.cmdqGeom();
    const prodReg = this.regs.get(OFF.CMDQ_PROD) ?? 0n;
    const prod = qval(prodReg, log2);
    const cons = qval(this.regs.get(OFF.CMDQ_CONS) ?? 0n, log2);
    const warnings: string[] = [];
    if (qFull(prod, cons, log2)) {
      warnings.push(`command queue full (PROD ${hex(prod)}, CONS ${hex(cons)}): command not written`);
      return { commands: [], warnings };
    }
    if ((this.cr0 & CR0_CMDQEN) === 0n) warnings.push('SMMU_CR0.CMDQEN == 0: the command is queued but not consumed');
    else if (this.cmdqError()) warnings.push('SMMU_GERROR.CMDQ_ERR is active: the queue is stopped until SMMU_GERRORN acknowledges it');
    const idx = prod & ((1 << log2) - 1);
    const addr = base + BigInt(idx) * CMD_SIZE;
    this.mem.write64(addr, dwords[0]);
    this.mem.write64(addr + 8n, dwords[1]);
    const w = this.writeReg('SMMU_CMDQ_PROD', BigInt(qInc(prod, log2)));
    return { commands: w.commands ?? [], warnings: [...warnings, ...w.warnings] };
  }

  /** Number of commands waiting (PROD - CONS). */
  pendingCommands(): number {
    const { log2 } = this.cmdqGeom();
    return qCount(qval(this.regs.get(OFF.CMDQ_PROD) ?? 0n, log2), qval(this.regs.get(OFF.CMDQ_CONS) ?? 0n, log2), log2);
  }

  // ---------------- command context ----------------

  invalidateSteRange(lo: number, hi: number): ConfigCacheEntry<unknown>[] {
    return [...this.configCache.invalidateSteRange(lo, hi), ...this.configCache.invalidateCdsOfRange(lo, hi)];
  }

  invalidateCds(sid: number, ssid?: number): ConfigCacheEntry<unknown>[] {
    return this.configCache.invalidateCds(sid, ssid);
  }

  invalidateAllConfig(): ConfigCacheEntry<unknown>[] {
    return this.configCache.clear();
  }

  resume(sid: number, stag: number, retry: boolean): TransactionResult | 'terminated' | undefined {
    const i = this.stalled.findIndex((s) => s.sid === sid && s.stag === stag);
    if (i < 0) return undefined;
    const [s] = this.stalled.splice(i, 1);
    if (!retry) return 'terminated';
    return this.translate({ sid: s.sid, ssid: s.ssid, iova: s.iova, access: s.access });
  }

  stallTerm(sid: number): number {
    let n = 0;
    for (let i = this.stalled.length - 1; i >= 0; i--) {
      if (this.stalled[i].sid === sid) {
        this.stalled.splice(i, 1);
        n++;
      }
    }
    return n;
  }

  // ---------------- state ----------------

  /** Records between EVENTQ_CONS and EVENTQ_PROD, decoded. */
  eventQueue(): SmmuSnapshot['eventQueue'] {
    const base = decode(R('EVENTQ_BASE'), [this.regs.get(OFF.EVENTQ_BASE) ?? 0n]);
    const log2 = Math.min(Number(base.LOG2SIZE), this.features.eventqs);
    const prod = qval(this.regs.get(OFF.EVENTQ_PROD) ?? 0n, log2);
    let cons = qval(this.regs.get(OFF.EVENTQ_CONS) ?? 0n, log2);
    const out: SmmuSnapshot['eventQueue'] = [];
    let guard = 0;
    while (cons !== prod && guard++ < 4096) {
      const idx = cons & ((1 << log2) - 1);
      const addr = base.ADDR + BigInt(idx) * EVT_SIZE;
      const raw = [0, 1, 2, 3].map((i) => this.mem.read64(addr + BigInt(i * 8)));
      out.push({ index: idx, ...decodeEvent(raw), raw });
      cons = qInc(cons, log2);
    }
    return out;
  }

  /** Plain-data state for the editor; cheap enough to call after every step. */
  snapshot(): SmmuSnapshot {
    return {
      name: this.name,
      features: this.features,
      enabled: this.smmuEnabled(),
      registers: REGISTERS.map((def) => {
        const value = this.regs.get(def.offset) ?? 0n;
        return { name: def.name, offset: def.offset, value, fields: decode(def, [value]) };
      }),
      configCache: this.configCache.entries(),
      tlb: this.tlb.snapshot(),
      eventQueue: this.eventQueue(),
      eventLog: [...this.eventLog],
      stalled: [...this.stalled],
      lastTransaction: this.lastTransaction,
      atc: this.atc.snapshot(),
      priPending: [...this.pri.pending.values()],
    };
  }
}

/** The register file: a Map that counts its writes, so per-transaction memos can tell it is unchanged. */
class RegFile extends Map<number, bigint> {
  version = 0;

  override set(k: number, v: bigint): this {
    this.version++;
    return super.set(k, v);
  }

  override delete(k: number): boolean {
    this.version++;
    return super.delete(k);
  }

  override clear(): void {
    this.version++;
    super.clear();
  }
}
