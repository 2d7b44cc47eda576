// The scenario as the traffic a driver and its devices produce: every memory write, register
// write, command and transaction a run makes, recorded through the Runtime (TrafficSink), and
// printed as the low-level interchange lines (`iommu-lens lower`). SMMU-initiated writes (event
// queue records, HTTU updates) are not traffic: replaying the lines produces them again. A VM-layer
// line (`iommufd ...`, `vsmmu ...`) and a guest's `reg`/`cmd`/`dma` on a vSMMU or vIOMMU are traffic
// as they stand: what they make the kernel and the VMM do (parent tables, host STEs and commands,
// the physical transaction) is produced again by replaying them, so it is not recorded.

import { hex } from '../../model/bits';
import type { SmmuFeatures } from '../../model/smmu/features';
import type { PageRequest } from '../../model/smmu/pri';
import type { TransactionResult, TranslateRequest } from '../../model/smmu/result';
import { targetRegime, xtOf, type CpuTlbi } from '../../model/cpu/tlbi';

/** What the Runtime reports; `step` is the index of the step that made the access. */
export interface TrafficSink {
  /** An instance the scenario declares, with its features (before any step). */
  declare(smmu: string, features: SmmuFeatures): void;
  write(step: number, addr: bigint, value: bigint, width: 8 | 16 | 32 | 64): void;
  abort(step: number, addr: bigint, size: bigint): void;
  reg(step: number, smmu: string, reg: string, value: bigint): void;
  cmd(step: number, smmu: string, d0: bigint, d1: bigint): void;
  /** A transaction and what the model did with it. */
  txn(step: number, smmu: string, req: TranslateRequest, result: TransactionResult): void;
  pri(step: number, smmu: string, req: PageRequest): void;
  /** A VM-layer line, as written. */
  line(step: number, text: string): void;
  /** A PE's broadcast TLBI (reaches every SMMU). */
  cpuTlbi(step: number, op: CpuTlbi): void;
}

export type TrafficOp =
  | { op: 'write'; step: number; addr: bigint; value: bigint; width: 8 | 16 | 32 | 64 }
  | { op: 'abort'; step: number; addr: bigint; size: bigint }
  | { op: 'reg'; step: number; smmu: string; reg: string; value: bigint }
  | { op: 'cmd'; step: number; smmu: string; d0: bigint; d1: bigint }
  | { op: 'txn'; step: number; smmu: string; req: TranslateRequest; result: TransactionResult }
  | { op: 'pri'; step: number; smmu: string; req: PageRequest }
  | { op: 'line'; step: number; text: string }
  | { op: 'cpu'; step: number; tlbi: CpuTlbi };

/** Records the traffic in order. */
export class TrafficRecorder implements TrafficSink {
  readonly ops: TrafficOp[] = [];
  readonly smmus = new Map<string, SmmuFeatures>();
  declare(smmu: string, features: SmmuFeatures): void {
    this.smmus.set(smmu, features);
  }
  write(step: number, addr: bigint, value: bigint, width: 8 | 16 | 32 | 64): void {
    this.ops.push({ op: 'write', step, addr, value, width });
  }
  abort(step: number, addr: bigint, size: bigint): void {
    this.ops.push({ op: 'abort', step, addr, size });
  }
  reg(step: number, smmu: string, reg: string, value: bigint): void {
    this.ops.push({ op: 'reg', step, smmu, reg, value });
  }
  cmd(step: number, smmu: string, d0: bigint, d1: bigint): void {
    this.ops.push({ op: 'cmd', step, smmu, d0, d1 });
  }
  txn(step: number, smmu: string, req: TranslateRequest, result: TransactionResult): void {
    this.ops.push({ op: 'txn', step, smmu, req, result });
  }
  pri(step: number, smmu: string, req: PageRequest): void {
    this.ops.push({ op: 'pri', step, smmu, req });
  }
  line(step: number, text: string): void {
    this.ops.push({ op: 'line', step, text });
  }
  cpuTlbi(step: number, tlbi: CpuTlbi): void {
    this.ops.push({ op: 'cpu', step, tlbi });
  }
}

/** One op as its interchange line. */
export function opLine(o: TrafficOp): string {
  switch (o.op) {
    case 'write': return `write${o.width} ${hex(o.addr)} ${hex(o.value)}`;
    case 'abort': return `abort ${hex(o.addr)} ${hex(o.size)}`;
    case 'line': return o.text;
    case 'reg': return `reg ${o.smmu}.${o.reg} ${hex(o.value)}`;
    case 'cmd': return `cmd ${o.smmu} raw ${hex(o.d0)} ${hex(o.d1)}`;
    case 'txn': {
      const r = o.req;
      const kw = r.kind === 'ats' ? 'ats' : 'dma';
      const len = r.kind === undefined && r.len !== undefined ? ` len ${r.len}` : '';
      return `${kw} ${o.smmu} ${r.access.read ? 'read' : 'write'} sid ${hex(r.sid)}${r.ssid !== undefined ? ` ssid ${hex(r.ssid)}` : ''}` +
        ` iova ${hex(r.iova)}${len}${r.access.priv ? ' priv' : ''}${r.access.exec ? ' exec' : ''}${r.kind === 'translated' ? ' translated' : ''}`;
    }
    case 'cpu': return cpuTlbiLine(o.tlbi);
    case 'pri': {
      const r = o.req;
      return `pri ${o.smmu} ${r.write ? 'write' : 'read'} sid ${hex(r.sid)}${r.ssid !== undefined ? ` ssid ${hex(r.ssid)}` : ''} iova ${hex(r.addr)}` +
        ` prgi ${hex(r.prgi)}${r.last ? ' last' : ''}${r.priv ? ' priv' : ''}${r.exec ? ' exec' : ''}`;
    }
  }
}

/** `cpu tlbi <instr> [xt <Xt>] [vmid <n>] [vhe]`: the instruction with its register operand, as the
 *  PE executed it (the interchange form of a `cpu tlbi` line). */
export function cpuTlbiLine(t: CpuTlbi): string {
  const xt = t.def.operand ? ` xt ${hex(xtOf(t))}` : '';
  const vmid = targetRegime(t) === 'nsel1' && t.vmid !== 0 ? ` vmid ${t.vmid}` : '';
  return `cpu tlbi ${t.def.name.toLowerCase()}${xt}${vmid}${t.vhe ? ' vhe' : ''}`;
}
