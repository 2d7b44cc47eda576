// The event queue in memory (IHI 0070 §7.2): writing a record at EVENTQ_PROD, overflow when full
// (PROD.OVFLG against CONS.OVACKFLG), and the records software has not read yet.

import { decode, type FieldValues } from '../fields/field';
import { decodeEvent } from './events';
import type { EventRecord } from './result';
import { qFull, qInc, qval, type QueueHost } from './queue';
import { CR0_EVENTQEN, EVENTQ_OVACKFLG, EVENTQ_OVFLG, OFF, R, type RegFile } from './registerFile';

const EVT_SIZE = 32n;

/** A record between EVENTQ_CONS and EVENTQ_PROD, decoded. */
export interface EventQueueRecord {
  index: number;
  type: string;
  code: number;
  fields: FieldValues;
  raw: bigint[];
}

/**
 * IHI 0070 §7.2: records were lost: PROD.OVFLG is toggled so it differs from CONS.OVACKFLG (only
 * if no overflow is already pending). A full queue does this; so does a VMM that lost vEVENTs.
 */
export function signalEventOverflow(regs: RegFile): void {
  const prodReg = regs.get(OFF.EVENTQ_PROD) ?? 0n;
  const consReg = regs.get(OFF.EVENTQ_CONS) ?? 0n;
  const pending = ((prodReg & EVENTQ_OVFLG) !== 0n) !== ((consReg & EVENTQ_OVACKFLG) !== 0n);
  if (!pending) regs.set(OFF.EVENTQ_PROD, prodReg ^ EVENTQ_OVFLG);
}

/** Write an event record to the event queue (sets recorded / queueIndex / notRecordedBecause). */
export function writeEvent(h: QueueHost, regs: RegFile, cr0: bigint, ev: EventRecord): void {
  if ((cr0 & CR0_EVENTQEN) === 0n) {
    ev.notRecordedBecause = 'SMMU_CR0.EVENTQEN == 0 (event discarded)';
    return;
  }
  const base = decode(R('EVENTQ_BASE'), [regs.get(OFF.EVENTQ_BASE) ?? 0n]);
  const log2 = Math.min(Number(base.LOG2SIZE), h.features.eventqs);
  const prodReg = regs.get(OFF.EVENTQ_PROD) ?? 0n;
  const consReg = regs.get(OFF.EVENTQ_CONS) ?? 0n;
  const prod = qval(prodReg, log2);
  const cons = qval(consReg, log2);
  if (qFull(prod, cons, log2)) {
    signalEventOverflow(regs);
    ev.notRecordedBecause = 'event queue full: record lost, overflow flagged (SMMU_EVENTQ_PROD.OVFLG)';
    return;
  }
  const idx = prod & ((1 << log2) - 1);
  const addr = base.ADDR + BigInt(idx) * EVT_SIZE;
  for (let i = 0; i < 4; i++) h.mem.write64(addr + BigInt(i * 8), ev.raw[i]);
  const next = qInc(prod, log2);
  regs.set(OFF.EVENTQ_PROD, (prodReg & EVENTQ_OVFLG) | BigInt(next));
  ev.recorded = true;
  ev.queueIndex = idx;
}

/** Records between EVENTQ_CONS and EVENTQ_PROD, decoded. */
export function unreadEvents(h: QueueHost, regs: RegFile): EventQueueRecord[] {
  const base = decode(R('EVENTQ_BASE'), [regs.get(OFF.EVENTQ_BASE) ?? 0n]);
  const log2 = Math.min(Number(base.LOG2SIZE), h.features.eventqs);
  const prod = qval(regs.get(OFF.EVENTQ_PROD) ?? 0n, log2);
  let cons = qval(regs.get(OFF.EVENTQ_CONS) ?? 0n, log2);
  const out: EventQueueRecord[] = [];
  let guard = 0;
  while (cons !== prod && guard++ < 4096) {
    const idx = cons & ((1 << log2) - 1);
    const addr = base.ADDR + BigInt(idx) * EVT_SIZE;
    const raw = [0, 1, 2, 3].map((i) => h.mem.read64(addr + BigInt(i * 8)));
    out.push({ index: idx, ...decodeEvent(raw), raw });
    cons = qInc(cons, log2);
  }
  return out;
}
