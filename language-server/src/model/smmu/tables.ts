// Locating STEs in the stream table (IHI 0070 §3.3.2, §6.3.24) and CDs in a CD table
// (IHI 0070 §3.3.3, §5.3 L1CD). Pure address arithmetic plus the level-1 descriptor reads.

import { decode } from '../fields/field';
import { L1CD, L1STD } from '../fields/l1';
import type { PhysicalMemory } from '../memory';
import { hex } from '../bits';

export const STE_SIZE = 64n;
export const CD_SIZE = 64n;

export interface StreamTableCfg {
  /** SMMU_STRTAB_BASE.ADDR. */
  base: bigint;
  /** SMMU_STRTAB_BASE_CFG.LOG2SIZE, already capped to SMMU_IDR1.SIDSIZE. */
  log2size: number;
  /** SMMU_STRTAB_BASE_CFG.FMT: true for 2-level. */
  twoLevel: boolean;
  /** SMMU_STRTAB_BASE_CFG.SPLIT (6, 8 or 10). */
  split: number;
}

export type SteLocation =
  | { ok: true; addr: bigint; l1Addr?: bigint; l1Desc?: bigint; /** 2-level: log2 of the STEs of the level-2 array. */ l2Log2?: number }
  | { ok: false; reason: string; l1Addr?: bigint; l1Desc?: bigint };

/** Where the STE of `sid` lives, or why the StreamID is out of range (C_BAD_STREAMID). */
export function locateSte(mem: PhysicalMemory, t: StreamTableCfg, sid: number): SteLocation {
  // IHI 0070 §6.3.24: StreamIDs >= 2^LOG2SIZE are out of range.
  if (sid >= 2 ** t.log2size) {
    return { ok: false, reason: `StreamID 0x${sid.toString(16)} >= 2^SMMU_STRTAB_BASE_CFG.LOG2SIZE (2^${t.log2size})` };
  }
  if (!t.twoLevel) return { ok: true, addr: t.base + BigInt(sid) * STE_SIZE };
  const l1Index = Math.floor(sid / 2 ** t.split);
  const l1Addr = t.base + BigInt(l1Index) * 8n;
  const l1Desc = mem.read64(l1Addr);
  const d = decode(L1STD, [l1Desc]);
  let span = Number(d.Span);
  // IHI 0070 §3.3.2: Span 0 is invalid; 12..31 are Reserved and behave as 0.
  if (span === 0 || span > 11) {
    return { ok: false, l1Addr, l1Desc, reason: `L1STD[${l1Index}] at 0x${l1Addr.toString(16)} has Span=${span} (invalid)` };
  }
  // A Span larger than SPLIT+1 covers more than the level-2 range: CONSTRAINED UNPREDICTABLE, treated as SPLIT+1.
  span = Math.min(span, t.split + 1);
  const l2Index = sid % 2 ** t.split;
  // The level-2 array holds 2^(Span-1) STEs.
  if (l2Index >= 2 ** (span - 1)) {
    return { ok: false, l1Addr, l1Desc, reason: `StreamID 0x${sid.toString(16)}: index ${l2Index} is beyond L1STD[${l1Index}].Span=${span} (2^(Span-1) = ${2 ** (span - 1)} STEs)` };
  }
  return { ok: true, addr: d.L2Ptr + BigInt(l2Index) * STE_SIZE, l1Addr, l1Desc, l2Log2: span - 1 };
}

export function readStruct(mem: PhysicalMemory, addr: bigint, dwords: number): bigint[] {
  const out = new Array<bigint>(dwords);
  for (let i = 0; i < dwords; i++) out[i] = mem.read64(addr + BigInt(i * 8));
  return out;
}

/** Level-2 CD table index bits for STE.S1Fmt (IHI 0070 §5.2): 1 -> 4KB leaves (64 CDs), 2 -> 64KB leaves (1024 CDs). */
export function cdSplit(fmt: number): number {
  return fmt === 1 ? 6 : 10;
}

/** Decode an L1CD descriptor. */
export function decodeL1Cd(desc: bigint): { valid: boolean; l2Ptr: bigint } {
  const d = decode(L1CD, [desc]);
  return { valid: d.V !== 0n, l2Ptr: d.L2Ptr };
}

export interface CdTableCfg {
  /** STE.S1ContextPtr (an IPA under nesting). */
  contextPtr: bigint;
  /** STE.S1Fmt: 0 linear, 1 or 2 two-level. */
  fmt: number;
}

export type CdLocation =
  | { ok: true; /** The CD's address, as returned by `fetch`. */ addr: bigint; l1Addr?: bigint }
  | { ok: false; /** L1CD.V == 0: C_BAD_SUBSTREAMID. */ reason: string; l1Addr: bigint };

/**
 * Where the CD of `ssid` lives (IHI 0070 §3.3.3, §5.3), linear or 2-level. The SubstreamID is
 * assumed in range (< 2^STE.S1CDMax: the caller checks). Every table address goes through
 * `fetch(addr, what)` before it is read or returned: it maps an IPA to a PA under nesting and
 * checks the fetch, or returns undefined to stop (the caller has recorded why); then locateCd
 * returns undefined too. Without `fetch`, addresses are PAs read as they are.
 */
export function locateCd(mem: PhysicalMemory, t: CdTableCfg, ssid: number | bigint): CdLocation;
export function locateCd(
  mem: PhysicalMemory, t: CdTableCfg, ssid: number | bigint, fetch: (addr: bigint, what: 'L1CD' | 'CD') => bigint | undefined,
): CdLocation | undefined;
export function locateCd(
  mem: PhysicalMemory, t: CdTableCfg, ssid: number | bigint,
  fetch: (addr: bigint, what: 'L1CD' | 'CD') => bigint | undefined = (a) => a,
): CdLocation | undefined {
  const id = BigInt(ssid);
  if (t.fmt === 0) {
    const addr = fetch(t.contextPtr + id * CD_SIZE, 'CD');
    return addr === undefined ? undefined : { ok: true, addr };
  }
  const split = BigInt(cdSplit(t.fmt));
  const l1Addr = t.contextPtr + (id >> split) * 8n;
  const l1Pa = fetch(l1Addr, 'L1CD');
  if (l1Pa === undefined) return undefined;
  const l1 = decodeL1Cd(mem.read64(l1Pa));
  // IHI 0070 §5.3: L1CD.V == 0 -> C_BAD_SUBSTREAMID.
  if (!l1.valid) return { ok: false, l1Addr, reason: `L1CD at ${hex(l1Addr)} has V == 0 (SubstreamID ${hex(id)})` };
  const addr = fetch(l1.l2Ptr + (id & ((1n << split) - 1n)) * CD_SIZE, 'CD');
  return addr === undefined ? undefined : { ok: true, addr, l1Addr };
}
