// One SMMUv3 instance: its registers, caches, queues and the transaction pipeline, over a
// PhysicalMemory it shares with other instances (IHI 0070 §6 registers, §4 command queue,
// §7.2 event queue, §3.21 caches). Plain data out: every result is serialisable.

import type { PhysicalMemory } from '../memory';
import { decode, type FieldValues } from '../fields/field';
import { REGISTERS } from '../fields/registers';
import type { EventType } from '../types';
import type { SmmuFeatures } from './features';
import { idrValues } from './idr';
import { ConfigCache, type ConfigCacheEntry } from './configCache';
import type { SteConfig } from './ste';
import type { CdConfig } from './cd';
import type { StreamTableCfg } from './tables';
import { makeEvent, type EventInfo } from './events';
import type { EventRecord, StalledTransaction, TransactionResult, TranslateRequest } from './result';
import { translate, type PipelineCtx, type TranslateOptions } from './translate';
import { executeCommand, type CommandCtx, type CommandResult } from './commands';
import { Tlb } from '../tlb/tlb';
import type { TlbEntry } from '../tlb/types';
import { Atc, atsAsTransaction, atsRequest, translatedTransaction, type AtcEntry, type AtsResult, type TranslatedResult } from './ats';
import { PriState, type PageRequest, type PendingPrg, type PriRespCode, type PriResponse, type PriResult } from './pri';
import type { Access } from '../types';
import { CR0_ATSCHK, CR0_CMDQEN, CR0_SMMUEN, CR2_E2H, CR2_RECINVSID, GBPA_ABORT, GBPA_UPDATE, OFF, R, RegFile } from './registerFile';
import { prepareWrite, readRegister, sizeWarnings, writeResult, type RegAccessResult } from './regAccess';
import { signalEventOverflow, unreadEvents, writeEvent, type EventQueueRecord } from './eventQueue';
import { consumeCommands, pendingCommands, submitCommand } from './commandQueue';

export type { RegAccessResult } from './regAccess';

export interface SmmuSnapshot {
  name: string;
  features: SmmuFeatures;
  enabled: boolean;
  registers: Array<{ name: string; offset: number; value: bigint; fields: FieldValues }>;
  configCache: ConfigCacheEntry<unknown>[];
  tlb: TlbEntry[];
  /** Event queue records between CONS and PROD (unread by software), decoded. */
  eventQueue: EventQueueRecord[];
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
  /** The step that set lastTransaction (engine/run/session.ts: a run that rejoins another keeps its own when the other set none since). */
  lastTransactionStep = -1;
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
    this.setLast(undefined);
  }

  // ---------------- registers ----------------

  /** Raw register value by name (no side effects). */
  reg(name: string): bigint {
    return this.regs.get(R(name).offset) ?? 0n;
  }

  readReg(reg: string | number, size?: 32 | 64): RegAccessResult {
    return readRegister(this.regs, reg, size);
  }

  writeReg(reg: string | number, valueIn: bigint, size?: 32 | 64): RegAccessResult {
    const w = prepareWrite(this.regs, this.cr0, reg, valueIn, size);
    if (!('def' in w)) return w;
    const { def, old, value } = w;
    switch (def.name) {
      case 'SMMU_CR0': {
        this.regs.set(def.offset, value);
        // CR0ACK follows CR0 at once: the model completes updates immediately (IHI 0070 §6.3.10).
        this.regs.set(OFF.CR0ACK, value);
        this.cr0 = value;
        const commands = (value & CR0_CMDQEN) !== 0n && (old & CR0_CMDQEN) === 0n ? this.consumeCommands() : undefined;
        return writeResult(this.regs, w, false, commands && commands.length ? commands : undefined);
      }
      case 'SMMU_GBPA':
        // IHI 0070 §6.3.14: software writes the new attributes with UPDATE = 1; the SMMU clears UPDATE
        // when done (at once here). A write with UPDATE = 0 does not change the attributes.
        if ((value & GBPA_UPDATE) === 0n) {
          w.warnings.push('SMMU_GBPA written with UPDATE == 0: the attributes are not updated (IHI 0070 §6.3.14)');
          return writeResult(this.regs, w, true);
        }
        this.regs.set(def.offset, value & ~GBPA_UPDATE);
        return writeResult(this.regs, w, false);
      case 'SMMU_IRQ_CTRL':
        this.regs.set(def.offset, value);
        this.regs.set(OFF.IRQ_CTRLACK, value);
        return writeResult(this.regs, w, false);
      case 'SMMU_CMDQ_PROD': {
        this.regs.set(def.offset, value);
        return writeResult(this.regs, w, false, this.consumeCommands());
      }
      default:
        sizeWarnings(def, value, this.features, w.warnings);
        this.regs.set(def.offset, value);
        return writeResult(this.regs, w, false);
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

  /** IHI 0070 §7.2: records were lost: flag an event queue overflow (eventQueue.ts). */
  signalEventOverflow(): void {
    signalEventOverflow(this.regs);
  }

  recordEvent(ev: EventRecord): void {
    this.eventLog.push(ev);
    if (this.eventLog.length > EVENT_LOG_CAP) this.eventLog.shift();
    writeEvent(this, this.regs, this.cr0, ev);
  }

  // ---------------- transactions ----------------

  translate(req: TranslateRequest, opts?: TranslateOptions): TransactionResult {
    // PCIe ATS (ats.ts): Translation Requests and translated transactions (not as dry runs).
    if (req.kind === 'ats' && !opts?.dryRun) {
      const q = atsAsTransaction(this.atsRequest(Number(req.sid), req.ssid, req.iova, req.access), req.access);
      this.setLast(q);
      return q;
    }
    if (req.kind === 'translated' && !opts?.dryRun) return this.translated(req);
    const r = translate(this, req, opts);
    if (!opts?.dryRun) this.setLast(r);
    return r;
  }

  /** An ATS Translation Request (ats.ts, IHI 0070 §3.9.1). */
  atsRequest(sid: number, ssid: number | undefined, iova: bigint, access: Access): AtsResult {
    return atsRequest(this, sid, ssid, iova, access);
  }

  /** A translated transaction through the function's ATC (ats.ts). */
  translated(req: TranslateRequest): TranslatedResult {
    const r = translatedTransaction(this, (sid) => this.steConfig(sid), req);
    this.setLast(r);
    return r;
  }

  private setLast(r: TransactionResult | undefined): void {
    this.lastTransaction = r;
    this.lastTransactionStep = this.step;
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

  /** Consume the commands between CONS and PROD (commandQueue.ts). */
  consumeCommands(): CommandResult[] {
    return consumeCommands(this, this.regs, this.cr0, (raw, idx) => (this.commandHook ? this.commandHook(raw, idx) : executeCommand(this, raw, idx)));
  }

  /**
   * Driver-style submission: write the command at CMDQ_PROD in queue memory, advance PROD
   * (which consumes it when CMDQEN == 1). Returns the commands consumed by that PROD write.
   */
  submitCommand(dwords: [bigint, bigint]): { commands: CommandResult[]; warnings: string[] } {
    return submitCommand(this, this.regs, this.cr0, dwords, (prod) => this.writeReg('SMMU_CMDQ_PROD', prod));
  }

  /** Number of commands waiting (PROD - CONS). */
  pendingCommands(): number {
    return pendingCommands(this, this.regs);
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
  eventQueue(): EventQueueRecord[] {
    return unreadEvents(this, this.regs);
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
