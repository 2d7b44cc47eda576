// Building one transaction's result: what it used (configuration entries, TLB entries, descriptors),
// its walks and events, its outcome. Shared frozen empties keep a TLB hit free of allocations.

import type { Access, WalkTrace } from '../../types';
import type { EventRecord, TransactionResult } from '../result';

/** OFFSET_MASK[n] = 2^n - 1: offset within a block of 2^n bytes (precomputed: no BigInt allocation per hit). */
export const OFFSET_MASK: bigint[] = Array.from({ length: 65 }, (_, n) => (1n << BigInt(n)) - 1n);

/**
 * The address `addr` translates to in a block of 2^`shift` bytes mapped at `outputBase`: outputBase +
 * (addr mod 2^shift). Plain BigInt operations: the optimizing compiler keeps 64-bit BigInt arithmetic
 * in registers, cheaper than converting to doubles and back (Number(bigint) and BigInt(number) are calls).
 */
export function blockAddr(outputBase: bigint, addr: bigint, shift: number): bigint {
  return outputBase + (addr & OFFSET_MASK[shift]);
}

/** Whether [addr, addr + len) lies inside the block of 2^`shift` bytes that holds `addr` (the region a translation covers). */
export function inOneBlock(addr: bigint, len: bigint, shift: number): boolean {
  return addr + len <= (addr | OFFSET_MASK[shift]) + 1n;
}

/** Shared empty containers of results that walked nothing / raised nothing (most TLB hits): never mutated. */
const NO_WALKS: TransactionResult['walks'] = Object.freeze({});
const NO_EVENTS: EventRecord[] = Object.freeze([]) as unknown as EventRecord[];

// `used` lists start as shared frozen empties and become exact-size literals on their first ids (a push
// onto [] allocates a 17-slot backing store; a TLB hit would pay for three of them).
const NO_IDS: number[] = Object.freeze([]) as unknown as number[];
const NO_PAS: bigint[] = Object.freeze([]) as unknown as bigint[];

// Every field a translation sets is declared here (undefined until set): the result is allocated with
// room for them, instead of growing an out-of-object property store two or three times per transaction.
export function newResult(sid: number, ssid: number | undefined, iova: bigint, access: Access): TransactionResult {
  return {
    outcome: 'fault', pa: undefined, sid, ssid, iova, access, tlb: 'n/a', tlbEntry: undefined, configCache: 'n/a',
    ste: undefined, cd: undefined, walks: NO_WALKS, events: NO_EVENTS, perms: undefined, attrs: undefined,
    blockShift: undefined, reason: undefined, used: { configEntries: NO_IDS, tlbEntries: NO_IDS, descriptors: NO_PAS },
  };
}

export function walksOf(res: TransactionResult): TransactionResult['walks'] {
  if (res.walks === NO_WALKS) res.walks = {};
  return res.walks;
}

// Transactions repeat the same configuration entries (STE, then CD): their lists are shared frozen
// arrays from a small direct-mapped cache by id, not two new arrays per transaction. A shared list
// is never changed: a third entry makes a new one.
const SHARED = 256;
const ones: Array<number[] | undefined> = new Array<number[] | undefined>(SHARED).fill(undefined);
const pairs: Array<number[] | undefined> = new Array<number[] | undefined>(SHARED).fill(undefined);

export function useConfig(res: TransactionResult, id: number): void {
  const u = res.used;
  const a = u.configEntries;
  const i = id & (SHARED - 1);
  if (a === NO_IDS) {
    let s = ones[i];
    if (s === undefined || s[0] !== id) ones[i] = s = Object.freeze([id]) as number[];
    u.configEntries = s;
  } else if (a.length === 1) {
    const a0 = a[0];
    let s = pairs[i];
    if (s === undefined || s[1] !== id || s[0] !== a0) pairs[i] = s = Object.freeze([a0, id]) as number[];
    u.configEntries = s;
  } else u.configEntries = [...a, id];
}

export function useTlb(res: TransactionResult, id: number): void {
  const u = res.used;
  if (u.tlbEntries === NO_IDS) u.tlbEntries = [id];
  else u.tlbEntries.push(id);
}

export function useDesc(res: TransactionResult, pa: bigint): void {
  const u = res.used;
  if (u.descriptors === NO_PAS) u.descriptors = [pa];
  else u.descriptors.push(pa);
}

export function addEvent(res: TransactionResult, ev: EventRecord): void {
  if (res.events === NO_EVENTS) res.events = [];
  res.events.push(ev);
}

/** Every descriptor a walk read (those of the stage-2 walks it made first). */
export function collectDescs(res: TransactionResult, t: WalkTrace | undefined): void {
  if (!t || t.steps.length === 0) return;
  const steps = t.steps;
  if (res.used.descriptors === NO_PAS) {
    // The common case (the first walk, no stage-2 fetches in it): one exact-size list.
    let nested = false;
    for (let i = 0; i < steps.length; i++) if (steps[i].s2Walk) nested = true;
    if (!nested) {
      res.used.descriptors = steps.map((s) => s.descPa);
      return;
    }
  }
  for (const s of steps) {
    if (s.s2Walk) collectDescs(res, s.s2Walk);
    useDesc(res, s.descPa);
  }
}

export function done(res: TransactionResult, outcome: TransactionResult['outcome'], reason?: string): TransactionResult {
  res.outcome = outcome;
  if (reason !== undefined) res.reason = reason;
  return res;
}
