// A hardware-accelerated guest command queue (IOMMU_HW_QUEUE_ALLOC, Tegra241 CMDQV VCMDQ): the
// guest writes commands at a guest-physical address and the hardware consumes them directly,
// substituting the vIOMMU's VMID and the vDEVICEs' StreamIDs. A command the queue does not accept
// stops that queue with CERROR_ILL for the guest; the host's command queue is not involved.

import { hex } from '../bits';
import { commandByOpcode } from '../fields/commands';
import { VCMDQ_COMMANDS, convertGuestCommand, type UapiError } from './uapi';

/** One guest command the queue consumed, and the host command it became. */
export interface HwQueueEntry {
  index: number;
  guest: [bigint, bigint];
  host?: [bigint, bigint];
  error?: UapiError;
}

export class HwQueue {
  /** Consumer index (wrap bit included), as the guest reads VCMDQ CONS. */
  cons = 0;
  /** Producer index (wrap bit included) the guest last wrote. */
  prod = 0;
  /** Set when the queue stopped: CONS.ERR = CERROR_ILL, at this index. */
  stopped?: { index: number; reason: string };

  constructor(
    readonly viommu: string,
    readonly index: number,
    /** Guest-physical base (nesting_parent_iova) and the host PA it was pinned at. */
    readonly ipa: bigint,
    readonly pa: bigint,
    readonly log2size: number,
  ) {}

  get entries(): number {
    return 1 << this.log2size;
  }

  /** Host PA of slot `i` (16-byte commands). */
  slotAddr(i: number): bigint {
    return this.pa + BigInt((i & (this.entries - 1)) * 16);
  }

  /**
   * The guest advanced PROD to `prod`: consume CONS..PROD. Each accepted command is returned with
   * its host form for the caller to execute on the physical SMMU; the first rejected one stops
   * the queue (CERROR_ILL) and nothing after it runs until the queue is re-allocated.
   */
  consume(prod: number, read: (addr: bigint) => bigint, vmid: number, vsidToSid: (v: number) => number | undefined): HwQueueEntry[] {
    const out: HwQueueEntry[] = [];
    const wrap = this.entries * 2;
    prod %= wrap;
    this.prod = prod;
    while (!this.stopped && this.cons !== prod) {
      const a = this.slotAddr(this.cons);
      const guest: [bigint, bigint] = [read(a), read(a + 8n)];
      const conv = convertGuestCommand(guest, vmid, vsidToSid, VCMDQ_COMMANDS);
      if (!conv.ok) {
        const name = commandByOpcode(guest[0] & 0xffn)?.name ?? `opcode ${hex(guest[0] & 0xffn)}`;
        this.stopped = { index: this.cons, reason: `CERROR_ILL: ${name} at VCMDQ${this.index} slot ${this.cons & (this.entries - 1)}: ${conv.error.message}` };
        out.push({ index: this.cons, guest, error: conv.error });
        break;
      }
      out.push({ index: this.cons, guest, host: conv.host });
      this.cons = (this.cons + 1) % wrap;
    }
    return out;
  }
}
