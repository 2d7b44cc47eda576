// PRI: PCIe Page Requests written to the PRI queue, answered by CMD_PRI_RESP (IHI 0070 §8, §4.7.1).
// A request is a 2-dword PRI_PAGE_REQUEST record (fields/events.ts) written at SMMU_PRIQ_PROD; the
// Page Request Group (PRG: StreamID, SubstreamID, PRGI) stays outstanding until CMD_PRI_RESP names it.
//
// Choices (documented here, the spec leaves them to the implementation or to PCIe):
// - SMMU_CR0.PRIQEN == 0: the request is discarded (IHI 0070 §8); one with L == 1 gets an automatic
//   response (IHI 0070 §8.1), reported with code SUCC as for an overflow.
// - Queue full: the request is discarded and SMMU_PRIQ_PROD.OVFLG toggled (unless an overflow is already
//   pending). While the overflow is active (OVFLG != SMMU_PRIQ_CONS.OVACKFLG) every request is discarded,
//   even with room in the queue; a discarded request with L == 1 is answered automatically with Success
//   (IHI 0070 §8.1; the model does not use SMMU_IDR3.PPS / STE.PPAR, so the answer is always Success),
//   so the device retries its ATS request.
// - The STE is not consulted (the SMMU forwards page requests to software; the model checks only
//   SMMU_IDR0.PRI).

import type { PhysicalMemory } from '../memory';
import { decode, encode, type FieldValues } from '../fields/field';
import { PRI_PAGE_REQUEST } from '../fields/events';
import { registerByName } from '../fields/registers';
import type { SmmuFeatures } from './features';
import { qFull, qInc, qval } from './queue';
import { hex } from '../bits';

export interface PageRequest {
  sid: number;
  ssid?: number;
  /** Page address (low 12 bits ignored). */
  addr: bigint;
  read: boolean;
  write: boolean;
  exec?: boolean;
  priv?: boolean;
  /** Page Request Group Index, 9 bits. */
  prgi: number;
  /** Last request of the group (L). */
  last: boolean;
}

export type PriRespCode = 'DENY' | 'FAIL' | 'SUCC';

export interface PriResult {
  request: PageRequest;
  /** The record as built (2 dwords) and its fields. */
  raw: bigint[];
  fields: FieldValues;
  /** Written to the PRI queue at `queueIndex` / `addr`. */
  recorded: boolean;
  queueIndex?: number;
  queueAddr?: bigint;
  notRecordedBecause?: string;
  /** Set when the SMMU answered the group itself (discarded L == 1 request). */
  autoResponse?: PriRespCode;
  message: string;
}

/** An outstanding Page Request Group: its requests so far. */
export interface PendingPrg {
  sid: number;
  ssid?: number;
  prgi: number;
  requests: PageRequest[];
  /** The L == 1 request has arrived. */
  complete: boolean;
  step: number;
}

export interface PriResponse {
  sid: number;
  ssid?: number;
  prgi: number;
  resp: PriRespCode;
  /** The group answered (undefined: no such outstanding group). */
  group?: PendingPrg;
}

export interface PriCtx {
  readonly features: SmmuFeatures;
  readonly mem: PhysicalMemory;
  readonly step: number;
  reg(name: string): bigint;
  /** SMMU-side register update (PROD is written by the SMMU). */
  hwSetReg(name: string, value: bigint): void;
}

const PRI_SIZE = 16n;
const R = (n: string) => registerByName(n)!;
const bit = (reg: string, field: string): bigint => encode(R(reg), { [field]: 1n })[0];
const CR0_PRIQEN = bit('CR0', 'PRIQEN');
const PRIQ_OVFLG = bit('PRIQ_PROD', 'OVFLG');
const PRIQ_OVACKFLG = bit('PRIQ_CONS', 'OVACKFLG');

const key = (sid: number, ssid: number | undefined, prgi: number) => `${sid}:${ssid ?? '-'}:${prgi}`;

/** The PRI state of one SMMU instance: outstanding groups and answered ones. */
export class PriState {
  readonly pending = new Map<string, PendingPrg>();
  readonly responses: PriResponse[] = [];

  clear(): void {
    this.pending.clear();
    this.responses.length = 0;
  }

  /** Build the page request record (IHI 0070 §8.1, PRI_PAGE_REQUEST). */
  static record(r: PageRequest): bigint[] {
    const v: Record<string, bigint> = {
      StreamID: BigInt(r.sid) & 0xffff_ffffn,
      Read: r.read ? 1n : 0n, Write: r.write ? 1n : 0n, Exec: r.exec ? 1n : 0n, Priv: r.priv ? 1n : 0n,
      L: r.last ? 1n : 0n, PRGI: BigInt(r.prgi) & 0x1ffn,
      Page_Address: r.addr & ~0xfffn,
    };
    if (r.ssid !== undefined) {
      v.SSV = 1n;
      v.SubstreamID = BigInt(r.ssid) & 0xfffffn;
    }
    return encode(PRI_PAGE_REQUEST, v);
  }

  /** A page request arrives from a device (IHI 0070 §8). */
  request(ctx: PriCtx, r: PageRequest): PriResult {
    const raw = PriState.record(r);
    const res: PriResult = { request: r, raw, fields: decode(PRI_PAGE_REQUEST, raw), recorded: false, message: '' };
    const discard = (why: string): PriResult => {
      res.notRecordedBecause = why;
      if (r.last) res.autoResponse = 'SUCC';
      res.message = `page request discarded: ${why}${r.last ? '; L == 1: the SMMU answers the group itself (Success) (IHI 0070 §8.1)' : ''}`;
      return res;
    };
    if (!ctx.features.pri) return discard('PRI is not implemented (SMMU_IDR0.PRI == 0)');
    if ((ctx.reg('SMMU_CR0') & CR0_PRIQEN) === 0n) return discard('SMMU_CR0.PRIQEN == 0');
    const base = decode(R('PRIQ_BASE'), [ctx.reg('SMMU_PRIQ_BASE')]);
    const log2 = Math.min(Number(base.LOG2SIZE), ctx.features.priqs);
    const prodReg = ctx.reg('SMMU_PRIQ_PROD');
    const consReg = ctx.reg('SMMU_PRIQ_CONS');
    const prod = qval(prodReg, log2);
    const cons = qval(consReg, log2);
    // IHI 0070 §8.1: an active overflow condition inhibits new entries until software acknowledges it.
    const pendingOv = ((prodReg & PRIQ_OVFLG) !== 0n) !== ((consReg & PRIQ_OVACKFLG) !== 0n);
    if (pendingOv) return discard('PRI queue overflow condition active (SMMU_PRIQ_PROD.OVFLG != SMMU_PRIQ_CONS.OVACKFLG)');
    if (qFull(prod, cons, log2)) {
      // IHI 0070 §8.1: a request arriving at a full queue toggles PROD.OVFLG (overflow becomes active).
      ctx.hwSetReg('SMMU_PRIQ_PROD', prodReg ^ PRIQ_OVFLG);
      return discard('PRI queue full: overflow flagged (SMMU_PRIQ_PROD.OVFLG)');
    }
    const idx = prod & ((1 << log2) - 1);
    const addr = base.ADDR + BigInt(idx) * PRI_SIZE;
    ctx.mem.write64(addr, raw[0]);
    ctx.mem.write64(addr + 8n, raw[1]);
    ctx.hwSetReg('SMMU_PRIQ_PROD', (prodReg & PRIQ_OVFLG) | BigInt(qInc(prod, log2)));
    res.recorded = true;
    res.queueIndex = idx;
    res.queueAddr = addr;
    const k = key(r.sid, r.ssid, r.prgi);
    let g = this.pending.get(k);
    if (!g) {
      g = { sid: r.sid, ssid: r.ssid, prgi: r.prgi, requests: [], complete: false, step: ctx.step };
      this.pending.set(k, g);
    }
    g.requests.push(r);
    if (r.last) g.complete = true;
    res.message = `page request written to the PRI queue slot ${idx} at ${hex(addr)} (StreamID ${hex(r.sid)}${r.ssid !== undefined ? `, SubstreamID ${hex(r.ssid)}` : ''}, PRGI ${hex(r.prgi)}${r.last ? ', last' : ''})`;
    return res;
  }

  /** CMD_PRI_RESP (IHI 0070 §4.7.1): answer the group StreamID/SubstreamID/PRGI. */
  respond(sid: number, ssid: number | undefined, prgi: number, resp: PriRespCode): PriResponse {
    const k = key(sid, ssid, prgi);
    const g = this.pending.get(k);
    const out: PriResponse = { sid, ssid, prgi, resp };
    if (g) {
      this.pending.delete(k);
      out.group = g;
    }
    this.responses.push(out);
    if (this.responses.length > 1000) this.responses.shift();
    return out;
  }
}

export const PRI_RESP_CODES: readonly PriRespCode[] = ['DENY', 'FAIL', 'SUCC'];
