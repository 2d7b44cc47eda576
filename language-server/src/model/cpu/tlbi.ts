// The PE's broadcast TLB invalidation instructions that can reach an SMMU (DDI 0487 C5.5, D8.13
// "TLB maintenance"): the Inner Shareable forms for the EL1&0, EL2 and EL2&0 translation regimes,
// their Xt operand (fields/tlbi.ts) and the regime they act on. An SMMU's handling of them is
// smmu/broadcast.ts.

import { decode, encode, type StructDef } from '../fields/field';
import { TLBI_ASID, TLBI_VA, TLBI_VAA } from '../fields/tlbi';
import type { TlbRegime } from '../tlb/types';
import { hex } from '../bits';

/** What an instruction matches: by VA (+ASID), by VA for all ASIDs, by ASID, everything of the
 *  regime (stage 1, or stage 1 and 2 for VMALLS12E1IS). */
export type TlbiScope = 'va' | 'vaa' | 'asid' | 'all' | 's12all';

export interface CpuTlbiDef {
  /** Instruction name as the Arm ARM writes it (VAE1IS). */
  name: string;
  /** The EL1 forms act on EL1&0 (EL2&0 when executed at EL2 with HCR_EL2.{E2H,TGE} == {1,1}); the
   *  EL2 forms on EL2, or EL2&0 when HCR_EL2.E2H == 1. */
  el: 1 | 2;
  scope: TlbiScope;
  /** Last level only (the ...L... forms): the TLB model holds leaf entries only, so it removes the same. */
  last: boolean;
  /** Layout of Xt; none: the instruction ignores Xt. */
  operand?: StructDef;
  summary: string;
}

const def = (name: string, el: 1 | 2, scope: TlbiScope, last: boolean, operand: StructDef | undefined, summary: string): CpuTlbiDef =>
  operand ? { name, el, scope, last, operand, summary } : { name, el, scope, last, summary };

/** DDI 0487 C5.5: the Inner Shareable TLBIs an SMMU with SMMU_IDR0.BTM may receive. */
export const CPU_TLBIS: readonly CpuTlbiDef[] = [
  def('VAE1IS', 1, 'va', false, TLBI_VA, 'TLB Invalidate by VA, EL1, Inner Shareable: the ASID\'s (and global) entries of the VA, current VMID.'),
  def('VALE1IS', 1, 'va', true, TLBI_VA, 'TLB Invalidate by VA, Last level, EL1, Inner Shareable.'),
  def('VAAE1IS', 1, 'vaa', false, TLBI_VAA, 'TLB Invalidate by VA, All ASID, EL1, Inner Shareable.'),
  def('VAALE1IS', 1, 'vaa', true, TLBI_VAA, 'TLB Invalidate by VA, All ASID, Last level, EL1, Inner Shareable.'),
  def('ASIDE1IS', 1, 'asid', false, TLBI_ASID, 'TLB Invalidate by ASID, EL1, Inner Shareable: the ASID\'s non-global entries, current VMID.'),
  def('VMALLE1IS', 1, 'all', false, undefined, 'TLB Invalidate by VMID, All at stage 1, EL1, Inner Shareable: every stage-1 entry of the current VMID.'),
  def('VMALLS12E1IS', 1, 's12all', false, undefined, 'TLB Invalidate by VMID, All at Stage 1 and 2, EL1, Inner Shareable (executed at EL2).'),
  def('VAE2IS', 2, 'va', false, TLBI_VA, 'TLB Invalidate by VA, EL2, Inner Shareable (with the ASID when HCR_EL2.E2H == 1).'),
  def('VALE2IS', 2, 'va', true, TLBI_VA, 'TLB Invalidate by VA, Last level, EL2, Inner Shareable.'),
  def('ALLE2IS', 2, 'all', false, undefined, 'TLB Invalidate All, EL2, Inner Shareable: every EL2 (or EL2&0) entry.'),
];

export function cpuTlbiByName(name: string): CpuTlbiDef | undefined {
  const k = name.toUpperCase();
  return CPU_TLBIS.find((d) => d.name === k);
}

/** One executed TLBI, its operand decoded. */
export interface CpuTlbi {
  def: CpuTlbiDef;
  /** Xt.ASID (0 when the form takes none, or ignores it: VAE2IS without E2H). */
  asid: number;
  /** The VA, from Xt.VA = VA[55:12], bits [63:56] copied from VA[55]. */
  va: bigint;
  /** The current VMID (VTTBR_EL2.VMID) for the EL1&0 regime. */
  vmid: number;
  /** HCR_EL2.E2H == 1 (VHE), and for the EL1 forms also HCR_EL2.TGE == 1 (executed by the host at EL2). */
  vhe: boolean;
}

/** The translation regime the instruction acts on, as the SMMU tags its TLB (IHI 0070 §5.2 STE.STRW). */
export function targetRegime(op: Pick<CpuTlbi, 'def' | 'vhe'>): TlbRegime {
  if (op.def.scope === 's12all') return 'nsel1';
  if (op.def.el === 1) return op.vhe ? 'el2-e2h' : 'nsel1';
  return op.vhe ? 'el2-e2h' : 'el2';
}

/** Whether it matches by ASID (so the SMMU filters on CD.ASET): by VA or by ASID in an ASID-tagged regime. */
export function asidSpecific(op: Pick<CpuTlbi, 'def' | 'vhe'>): boolean {
  return (op.def.scope === 'va' || op.def.scope === 'asid') && targetRegime(op) !== 'el2';
}

const BIT55 = 1n << 55n;
const TOP = 0xff00_0000_0000_0000n;

/** VA[55:12] as a 64-bit VA: bits [63:56] copies of bit 55 (DDI 0487 D8.13: TLBI VA operands ignore the top byte). */
export function canonicalVa(va: bigint): bigint {
  const v = va & ~TOP & ~0xfffn;
  return (v & BIT55) !== 0n ? v | TOP : v;
}

/** The instruction from its Xt value (`vmid`, `vhe`: the PE's state when it ran). */
export function fromXt(d: CpuTlbiDef, xt: bigint, vmid: number, vhe: boolean): CpuTlbi {
  const f = d.operand ? decode(d.operand, [xt]) : {};
  const usesAsid = d.scope === 'asid' || (d.scope === 'va' && (d.el === 1 || vhe));
  return { def: d, asid: usesAsid ? Number(f.ASID ?? 0n) : 0, va: f.VA === undefined ? 0n : canonicalVa(f.VA), vmid, vhe };
}

/** The Xt an instruction is written with (the interchange form, `iommu-lens lower`). */
export function xtOf(op: CpuTlbi): bigint {
  if (!op.def.operand) return 0n;
  const v: Record<string, bigint> = {};
  if (op.def.scope !== 'asid') v.VA = op.va & 0x00ff_ffff_ffff_f000n;
  if (op.def.operand.fields.some((f) => f.name === 'ASID')) v.ASID = BigInt(op.asid);
  return encode(op.def.operand, v)[0];
}

/** `TLBI VAE1IS ASID 0x5 VA 0x40000000 (VMID 0)` for messages. */
export function cpuTlbiText(op: CpuTlbi): string {
  const s = op.def.scope;
  const parts = [`TLBI ${op.def.name}`];
  if (s === 'asid' || (s === 'va' && targetRegime(op) !== 'el2')) parts.push(`ASID ${hex(op.asid)}`);
  if (s === 'va' || s === 'vaa') parts.push(`VA ${hex(op.va)}`);
  const r = targetRegime(op);
  parts.push(r === 'nsel1' ? `(EL1&0, VMID ${op.vmid})` : r === 'el2' ? '(EL2)' : '(EL2&0)');
  return parts.join(' ');
}
