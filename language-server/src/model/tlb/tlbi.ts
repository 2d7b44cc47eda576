// What each CMD_TLBI_* removes from the TLB (IHI 0070 §4.4.2-4.4.3), as a predicate on entries: the
// one rule the model's Tlb and every shadow replaying a command use.

import type { TlbEntry, TlbiRange } from './types';

/** An invalidation's test of one entry. */
export type TlbiMatch = (e: TlbEntry) => boolean;

const TG_SHIFT = [0, 12, 14, 16];

/** CMD_TLBI_NSNH_ALL: every NS-EL1 entry, all VMIDs, stage 1, stage 2 and nested. */
export function nsnhAll(): TlbiMatch {
  return (e) => e.regime === 'nsel1';
}

/** CMD_TLBI_NH_ALL: NS-EL1 stage-1 and nested entries of one VMID (stage-2-only entries stay). */
export function nhAll(vmid: number): TlbiMatch {
  return (e) => e.regime === 'nsel1' && e.kind !== 's2' && e.vmid === vmid;
}

/** CMD_TLBI_S12_VMALL: every NS-EL1 entry of one VMID, all stages. */
export function s12VmAll(vmid: number): TlbiMatch {
  return (e) => e.regime === 'nsel1' && e.vmid === vmid;
}

/** CMD_TLBI_EL2_ALL: every EL2 and EL2-E2H entry. */
export function el2All(): TlbiMatch {
  return (e) => e.regime !== 'nsel1';
}

/** CMD_TLBI_NH_ASID: non-global NS-EL1 stage-1/nested entries with this VMID and ASID. */
export function nhAsid(vmid: number, asid: number): TlbiMatch {
  return (e) => e.regime === 'nsel1' && e.kind !== 's2' && e.vmid === vmid && !e.global && e.asid === asid;
}

/** CMD_TLBI_EL2_ASID: non-global EL2-E2H entries with this ASID. */
export function el2Asid(asid: number): TlbiMatch {
  return (e) => e.regime === 'el2-e2h' && !e.global && e.asid === asid;
}

/**
 * CMD_TLBI_NH_VA: NS-EL1 stage-1/nested entries of the VMID covering the address (or the range),
 * non-global with this ASID, and global ones. Leaf is accepted and has no effect: the TLB holds
 * only leaf entries (no walk caches modelled).
 */
export function nhVa(vmid: number, asid: number, addr: bigint, range?: TlbiRange): TlbiMatch {
  const hit = addrMatcher(addr, range);
  return (e) => e.regime === 'nsel1' && e.kind !== 's2' && e.vmid === vmid && (e.global || e.asid === asid) && hit(e);
}

/** CMD_TLBI_NH_VAA: as NH_VA for every ASID. */
export function nhVaa(vmid: number, addr: bigint, range?: TlbiRange): TlbiMatch {
  const hit = addrMatcher(addr, range);
  return (e) => e.regime === 'nsel1' && e.kind !== 's2' && e.vmid === vmid && hit(e);
}

/** CMD_TLBI_EL2_VA: EL2 entries covering the address (EL2-E2H: global, or non-global with this ASID). */
export function el2Va(asid: number, addr: bigint, range?: TlbiRange): TlbiMatch {
  const hit = addrMatcher(addr, range);
  return (e) => e.regime !== 'nsel1' && (e.global || e.asid === asid) && hit(e);
}

/** CMD_TLBI_EL2_VAA: EL2 entries covering the address, every ASID. */
export function el2Vaa(addr: bigint, range?: TlbiRange): TlbiMatch {
  const hit = addrMatcher(addr, range);
  return (e) => e.regime !== 'nsel1' && hit(e);
}

/**
 * CMD_TLBI_S2_IPA: stage-2-only entries of the VMID covering the IPA (or range). Model choice:
 * nested combined entries are NOT removed (IHI 0070 §4.4: S2_IPA need not affect combined S1+S2
 * entries; software follows it with CMD_TLBI_NH_ALL / S12_VMALL), so a missing follow-up stays visible.
 */
export function s2Ipa(vmid: number, ipa: bigint, range?: TlbiRange): TlbiMatch {
  const hit = addrMatcher(ipa, range);
  return (e) => e.kind === 's2' && e.vmid === vmid && hit(e);
}

function covers(e: TlbEntry, addr: bigint): boolean {
  return addr >= e.inputBase && addr - e.inputBase < 1n << BigInt(e.blockShift);
}

/**
 * Address matching of a TLBI by address. Without a range (TG=0): entries whose region contains the
 * address. With TG != 0: the range is (NUM+1) * 2^SCALE * granule bytes from Address (IHI 0070 §4.4.1,
 * range invalidation); entries overlapping it match, and TTL != 0 restricts to entries of that level.
 */
function addrMatcher(addr: bigint, range?: TlbiRange): TlbiMatch {
  if (!range || range.tg === 0) return (e) => covers(e, addr);
  const [start, end] = tlbiSpan(addr, range);
  const ttl = range.ttl;
  return (e) => {
    if (ttl !== 0 && e.level !== ttl) return false;
    const eEnd = e.inputBase + (1n << BigInt(e.blockShift));
    return e.inputBase < end && eEnd > start;
  };
}

/**
 * The input addresses a TLBI by address names: [start, end). With a range (TG != 0) the range of
 * IHI 0070 §4.4.1; without, the one address (entries containing it match).
 */
export function tlbiSpan(addr: bigint, range?: TlbiRange): [bigint, bigint] {
  if (!range || range.tg === 0) return [addr, addr + 1n];
  const gShift = TG_SHIFT[range.tg];
  const start = addr & ~((1n << BigInt(gShift)) - 1n);
  return [start, start + (BigInt(range.num + 1) << BigInt(range.scale + gShift))];
}

/** Range size in bytes of a TLBI range (for reports). */
export function tlbiRangeBytes(r: TlbiRange): bigint {
  return r.tg === 0 ? 0n : BigInt(r.num + 1) << BigInt(r.scale + TG_SHIFT[r.tg]);
}
