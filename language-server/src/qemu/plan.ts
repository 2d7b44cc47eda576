// What of a scenario's traffic QEMU can replay: one SMMU (the one with most transactions), its
// register writes and commands, every memory write, and the DMAs an edu device can issue. Every
// other transaction is kept with the reason it is "not comparable".

import { hex } from '../model/bits';
import { PhysicalMemory } from '../model/memory';
import type { TrafficOp } from '../engine/index';
import { mapStreamIds, steBytes, streamTableOf, type SidMap } from './streams';

/** edu's DMA buffer is 4 KiB and its range check rejects 4096 bytes (QEMU hw/misc/edu.c). */
export const EDU_MAX_LEN = 4095n;
const PAGE = 4096n;
export const RAM_BASE = 0x4000_0000n;

export interface PlannedTxn {
  /** Position of the op in the traffic. */
  op: number;
  step: number;
  smmu: string;
  sid: number;
  iova: bigint;
  len: bigint;
  read: boolean;
  notComparable?: string;
}

export interface Plan {
  smmu?: string;
  txns: PlannedTxn[];
  map: SidMap;
  /** Stage 2 is used (STE.Config with stage 2): QEMU 9.1 or later. */
  needsStage2: boolean;
  /** RAM QEMU needs so that every address the scenario writes is memory. */
  ramSize: bigint;
  /** Where QEMU's own (mirror) stream table goes: above everything the scenario writes. */
  mirrorBase: bigint;
}

/** Scenarios with iommufd / vsmmu lines: their VM-layer traffic is not lowered, so not replayed (yet). */
export function vmLayerReason(text: string): string | undefined {
  return /^\s*(iommufd|vsmmu)\b/m.test(text) ? 'iommufd / vSMMU lines: the VM layer is not replayed in QEMU yet' : undefined;
}

export function makePlan(ops: readonly TrafficOp[], notComparable?: string): Plan {
  const counts = new Map<string, number>();
  for (const o of ops) if (o.op === 'txn' || o.op === 'pri') counts.set(o.smmu, (counts.get(o.smmu) ?? 0) + 1);
  const smmu = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0];
  const mem = new PhysicalMemory();
  let base = 0n;
  let cfg = 0n;
  let top = RAM_BASE;
  let aborted = false;
  let belowRam = false;
  const inRange: number[] = [];
  const outRange: number[] = [];
  const txns: PlannedTxn[] = [];
  let needsStage2 = false;
  let broadcast = false;
  ops.forEach((o, i) => {
    if (o.op === 'cpu') broadcast = true;
    else if (o.op === 'write') {
      if (o.addr < RAM_BASE) belowRam = true;
      if (o.addr + 8n > top) top = o.addr + 8n;
      mem.writeBytes(o.addr, bytesOf(o.value, o.width));
    } else if (o.op === 'abort') aborted = true;
    else if (o.op === 'reg' && o.smmu === smmu) {
      if (o.reg === 'SMMU_STRTAB_BASE') base = o.value;
      else if (o.reg === 'SMMU_STRTAB_BASE_CFG') cfg = o.value;
    } else if (o.op === 'pri') {
      txns.push({ op: i, step: o.step, smmu: o.smmu, sid: o.req.sid, iova: o.req.addr, len: 0n, read: o.req.read, notComparable: 'PRI page requests: QEMU models no PRI queue' });
    } else if (o.op === 'txn') {
      const r = o.req;
      const t: PlannedTxn = { op: i, step: o.step, smmu: o.smmu, sid: Number(r.sid), iova: r.iova, len: r.len ?? 4n, read: r.access.read };
      const res = o.result;
      if (res.walks.stage2 || res.events.some((e) => e.fields.S2 === 1n)) needsStage2 = true;
      t.notComparable = notComparable ?? (o.smmu !== smmu ? `several SMMU instances: QEMU's virt machine has one SMMUv3 (compared: ${smmu})`
        : r.kind === 'ats' || r.kind === 'translated' ? 'ATS: edu issues no ATS Translation Requests or translated transactions'
        : r.ssid !== undefined ? 'SubstreamIDs: edu issues no PASID'
        : r.access.priv || r.access.exec ? 'privileged or instruction accesses: edu issues unprivileged data accesses'
        : t.len > EDU_MAX_LEN ? `a DMA of ${t.len} bytes: edu's buffer takes at most ${EDU_MAX_LEN}`
        : (r.iova % PAGE) + t.len > PAGE ? 'a DMA that crosses a 4 KiB page: QEMU and the model split it differently'
        : res.outcome === 'stalled' ? 'stall: QEMU models no stalled transactions'
        : res.httu?.length ? 'HTTU: QEMU does not update descriptors'
        : aborted ? 'external aborts (`abort` ranges): QEMU memory never aborts'
        : broadcast ? 'after a `cpu tlbi`: QEMU\'s SMMUv3 takes no broadcast TLB maintenance (SMMU_IDR0.BTM == 0)'
        : belowRam ? `the scenario writes below QEMU's RAM (${hex(RAM_BASE)})`
        : undefined);
      if (!t.notComparable) (steBytes(mem, streamTableOf(base, cfg), t.sid) ? inRange : outRange).push(t.sid);
      txns.push(t);
    }
  });
  const map = mapStreamIds(inRange, outRange);
  for (const t of txns) {
    if (!t.notComparable && !map.slot.has(t.sid)) t.notComparable = `StreamID ${hex(t.sid)}: no PCI slot left for another edu device`;
  }
  // A StreamID is either in or out of the stream table's range for the whole run.
  const inSet = new Set(inRange);
  const outSet = new Set(outRange);
  for (const t of txns) if (!t.notComparable && inSet.has(t.sid) && outSet.has(t.sid)) t.notComparable = `StreamID ${hex(t.sid)} moves in and out of the stream table's range`;
  const mirrorBase = (top + 0xffffn) & ~0xffffn;
  const ramSize = ((mirrorBase + 0x10000n - RAM_BASE + (64n << 20n) - 1n) / (64n << 20n)) * (64n << 20n);
  return { smmu, txns, map, needsStage2, ramSize: ramSize < 512n << 20n ? 512n << 20n : ramSize, mirrorBase };
}

export function bytesOf(value: bigint, width: 8 | 16 | 32 | 64): Uint8Array {
  const b = new Uint8Array(width / 8);
  for (let i = 0; i < b.length; i++) b[i] = Number((value >> BigInt(8 * i)) & 0xffn);
  return b;
}
