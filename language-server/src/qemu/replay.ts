// Replays a planned scenario in QEMU through qtest: PCI enumeration of the edu devices, the
// scenario's memory writes, register writes and commands (StreamIDs remapped, the stream table
// mirrored), and each comparable DMA issued by its edu device. QEMU's side of a DMA is read from
// its trace (the translated address) and its event queue (the records, IHI 0070 §7.3).

import { hex } from '../model/bits';
import { registerByName } from '../model/fields/registers';
import { decode } from '../model/fields/field';
import { STE } from '../model/fields/ste';
import { PhysicalMemory } from '../model/memory';
import { decodeEvent } from '../model/smmu/events';
import type { EventType } from '../model/types';
import type { TrafficOp } from '../engine/index';
import { wireEvent } from '../engine/output/convert';
import type { DmaSide } from './compare';
import { bytesOf, RAM_BASE, type Plan } from './plan';
import type { Qtest } from './qtest';
import { remapCommand, sidOfSlot, steBytes, streamTableOf } from './streams';

export const SMMU_BASE = 0x0905_0000n;
const ECAMS = [0x40_1000_0000n, 0x3f00_0000n];
const PCIE_MMIO = 0x1000_0000n;
const EDU_ID = 0x11e81234n;
const EDU_BUF = 0x40000n;

const off = (name: string) => BigInt(registerByName(name)!.offset);

/** The events and PAs QEMU produced, per comparable transaction (by op position). */
export type QemuResults = Map<number, DmaSide>;

// QEMU's trace lines (hw/arm/trace-events): a successful translation, a bypass, a failure.
const RE_SUCCESS = /smmuv3_translate_success \S+ sid=0x([0-9a-f]+) iova=0x([0-9a-f]+) translated=0x([0-9a-f]+)/;
const RE_BYPASS = /smmuv3_translate_(bypass|disable)\b/;

export class Replay {
  private readonly shadow = new PhysicalMemory();
  private readonly mirror = new Map<number, string>();
  private readonly bars = new Map<number, bigint>();
  private regs = new Map<string, bigint>();
  private cmdProd = 0n;
  private evCons = 0n;
  readonly results: QemuResults = new Map();
  /** The STE each compared DMA used (by op position). */
  readonly stes = new Map<number, Record<string, bigint> | undefined>();

  constructor(private readonly q: Qtest, private readonly plan: Plan, private readonly mirrorLog2 = plan.map.log2) {}

  async setup(): Promise<void> {
    let ecam: bigint | undefined;
    for (const e of ECAMS) if (((await this.q.readl(e)) & 0xffffn) === 0x1b36n) { ecam = e; break; }
    if (ecam === undefined) throw new Error('no PCIe host bridge (ECAM) found on the virt machine');
    const slots = [...new Set(this.plan.map.slot.values())].sort((a, b) => a - b);
    for (const [k, slot] of slots.entries()) {
      const cfg = ecam + (BigInt(slot << 3) << 12n);
      const id = await this.q.readl(cfg);
      if (id !== EDU_ID) throw new Error(`PCI slot ${slot} holds ${hex(id)}, not an edu device`);
      const bar = PCIE_MMIO + BigInt(k) * 0x10_0000n;
      this.q.writel(cfg + 0x10n, bar);
      this.q.send(`writew 0x${(cfg + 4n).toString(16)} 0x6`); // COMMAND: MEM | BUS_MASTER
      this.bars.set(slot, bar);
    }
    await this.q.sync();
  }

  async op(o: TrafficOp, i: number): Promise<void> {
    if (o.op === 'write') {
      this.shadow.writeBytes(o.addr, bytesOf(o.value, o.width));
      if (o.addr >= RAM_BASE) this.q.write(o.addr, o.value, o.width);
    } else if (o.op === 'reg' && o.smmu === this.plan.smmu) {
      this.regs.set(o.reg, o.value);
      if (o.reg === 'SMMU_STRTAB_BASE') this.q.writeq(SMMU_BASE + off(o.reg), this.plan.mirrorBase);
      else if (o.reg === 'SMMU_STRTAB_BASE_CFG') this.q.writel(SMMU_BASE + off(o.reg), BigInt(this.mirrorLog2));
      else {
        if (o.reg === 'SMMU_CMDQ_PROD') this.cmdProd = o.value;
        if (o.reg === 'SMMU_EVENTQ_CONS') this.evCons = o.value;
        const def = registerByName(o.reg)!;
        if (def.size === 64) this.q.writeq(SMMU_BASE + BigInt(def.offset), o.value);
        else this.q.writel(SMMU_BASE + BigInt(def.offset), o.value);
      }
    } else if (o.op === 'cmd' && o.smmu === this.plan.smmu) {
      this.syncMirror();
      for (const [d0, d1] of remapCommand(o.d0, o.d1, this.plan.map)) await this.command(d0, d1);
    } else if (o.op === 'txn') {
      const t = this.plan.txns.find((x) => x.op === i);
      if (t && !t.notComparable) {
        this.results.set(i, await this.dma(t.sid, t.iova, t.len, t.read));
        this.stes.set(i, this.ste(t.sid));
      }
    }
  }

  /** The scenario's STE of `sid` as it is now, decoded (IHI 0070 §5.2), or undefined when out of range. */
  ste(sid: number): Record<string, bigint> | undefined {
    const t = streamTableOf(this.regs.get('SMMU_STRTAB_BASE') ?? 0n, this.regs.get('SMMU_STRTAB_BASE_CFG') ?? 0n);
    const b = steBytes(this.shadow, t, sid);
    return b ? decode(STE, [0, 1, 2, 3, 4, 5, 6, 7].map((k) => Buffer.from(b).readBigUInt64LE(k * 8))) : undefined;
  }

  /** Copies the STE of every mapped StreamID to its edu StreamID's entry of the mirror table. */
  private syncMirror(): void {
    const t = streamTableOf(this.regs.get('SMMU_STRTAB_BASE') ?? 0n, this.regs.get('SMMU_STRTAB_BASE_CFG') ?? 0n);
    for (const [sid, slot] of this.plan.map.slot) {
      const qsid = sidOfSlot(slot);
      if (qsid >= 2 ** this.mirrorLog2) continue;
      const ste = steBytes(this.shadow, t, sid) ?? new Uint8Array(64);
      const key = Buffer.from(ste).toString('base64');
      if (this.mirror.get(qsid) === key) continue;
      this.mirror.set(qsid, key);
      this.q.writeBytes(this.plan.mirrorBase + BigInt(qsid) * 64n, ste);
    }
  }

  /** One command into the scenario's command queue (IHI 0070 §3.5), PROD rung; a CERROR is skipped as the oracle does. */
  private async command(d0: bigint, d1: bigint): Promise<void> {
    const base = this.regs.get('SMMU_CMDQ_BASE') ?? 0n;
    const log2 = base & 0x1fn;
    const addr = base & 0x000f_ffff_ffff_ffe0n;
    const wrap = (1n << (log2 + 1n)) - 1n;
    const idx = this.cmdProd & ((1n << log2) - 1n);
    const slot = addr + idx * 16n;
    this.q.writeq(slot, d0);
    this.q.writeq(slot + 8n, d1);
    this.cmdProd = (this.cmdProd + 1n) & wrap;
    this.q.writel(SMMU_BASE + off('SMMU_CMDQ_PROD'), this.cmdProd);
    const gerror = await this.q.readl(SMMU_BASE + off('SMMU_GERROR'));
    const gerrorn = await this.q.readl(SMMU_BASE + off('SMMU_GERRORN'));
    if ((gerror ^ gerrorn) & 1n) {
      // CMDQ_ERR (IHI 0070 §7.1): the bad command becomes a CMD_SYNC, GERRORN acknowledges, PROD restarts the queue.
      this.q.writeq(slot, 0x46n);
      this.q.writeq(slot + 8n, 0n);
      this.q.writel(SMMU_BASE + off('SMMU_GERRORN'), gerrorn ^ 1n);
      this.q.writel(SMMU_BASE + off('SMMU_CMDQ_PROD'), this.cmdProd);
    }
  }

  private async dma(sid: number, iova: bigint, len: bigint, read: boolean): Promise<DmaSide> {
    this.syncMirror();
    const slot = this.plan.map.slot.get(sid)!;
    const bar = this.bars.get(slot)!;
    this.q.newLog();
    // edu (hw/misc/edu.c): 0x80 source, 0x88 destination, 0x90 count, 0x98 command (bit 0 run, bit 1 buffer -> RAM).
    this.q.writeq(bar + 0x80n, read ? iova : EDU_BUF);
    this.q.writeq(bar + 0x88n, read ? EDU_BUF : iova);
    this.q.writeq(bar + 0x90n, len);
    this.q.writeq(bar + 0x98n, read ? 1n : 3n);
    for (let n = 0; (await this.q.readq(bar + 0x98n)) & 1n; n++) {
      if (n > 200000) throw new Error('the edu DMA did not complete');
    }
    const side: DmaSide = { outcome: 'fault', events: [], read, reason: '' };
    let failed = false;
    for (const l of this.q.newLog()) {
      const m = RE_SUCCESS.exec(l);
      if (m && side.pa === undefined) side.pa = hex(BigInt(`0x${m[3]}`));
      else if (RE_BYPASS.test(l) && side.pa === undefined) side.pa = hex(iova);
      else if (/translation failed|smmuv3_translate_abort|smmuv3_record_event/.test(l)) failed = true;
    }
    if (side.pa !== undefined && !failed) side.outcome = 'ok';
    else delete side.pa;
    side.events = await this.events(sid);
    if (side.events.length) side.outcome = 'fault';
    // A write DMA changed memory at the PA: the scenario's contents are put back (the model's DMAs move no data).
    if (!read && side.pa !== undefined && BigInt(side.pa) >= RAM_BASE) this.q.writeBytes(BigInt(side.pa), this.shadow.readBytes(BigInt(side.pa), Number(len)));
    return side;
  }

  /** The records QEMU wrote to the scenario's event queue since the last look, StreamIDs mapped back. */
  private async events(sid: number): Promise<DmaSide['events']> {
    const base = this.regs.get('SMMU_EVENTQ_BASE') ?? 0n;
    const log2 = base & 0x1fn;
    const addr = base & 0x000f_ffff_ffff_ffe0n;
    const wrap = (1n << (log2 + 1n)) - 1n;
    const prod = (await this.q.readl(SMMU_BASE + off('SMMU_EVENTQ_PROD'))) & wrap;
    const out: DmaSide['events'] = [];
    for (let n = 0; this.evCons !== prod && n < 1 << Number(log2); n++) {
      const b = await this.q.read(addr + (this.evCons & ((1n << log2) - 1n)) * 32n, 32);
      const raw = [0, 1, 2, 3].map((k) => Buffer.from(b).readBigUInt64LE(k * 8));
      const ev = decodeEvent(raw);
      const w = wireEvent({ type: ev.type as EventType, code: ev.code, fields: ev.fields, raw, recorded: true, reason: '' }, this.plan.smmu ?? '');
      const back = [...this.plan.map.slot].find(([, s]) => sidOfSlot(s) === Number(BigInt(w.sid)));
      w.sid = hex(back ? back[0] : sid);
      out.push(w);
      this.evCons = (this.evCons + 1n) & wrap;
    }
    return out;
  }
}
