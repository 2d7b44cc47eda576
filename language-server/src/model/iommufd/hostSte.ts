// The host STEs the kernel installs for iommufd HWPTs (facts from Linux arm-smmu-v3.c
// arm_smmu_make_s2_domain_ste / arm_smmu_make_abort_ste and arm-smmu-v3-iommufd.c
// arm_smmu_make_nested_domain_ste), encoded with the STE field table (IHI 0070 §5.2).

import { encode, type FieldValues } from '../fields/field';
import { STE, STE_CONFIG } from '../fields/ste';
import { oasEncoding } from '../smmu/idr';
import { s2Sl0Encoding, tg0Encoding } from '../walk/config';
import type { Granule } from '../types';
import type { ValidVste } from './uapi';

/** A stage-2 translation table as an STE points at it. */
export interface S2Table {
  /** STE.S2TTB: the root (first concatenated) table. */
  ttb: bigint;
  granule: Granule;
  /** IPA size in bits (64 - STE.S2T0SZ). */
  inputSize: number;
  startLevel: number;
  /** Output size in bits, before the SMMU's OAS cap. */
  outputSize: number;
}

/**
 * The STE fields that select a stage-2 table with `vmid` on an SMMU of `oas` bits: the one rule for
 * every stage-2 STE the tool writes (declared `ste ... s2`, iommufd parents). Walks are Write-Back
 * Inner Shareable, stage-2 faults recorded (S2R), AArch64 tables.
 */
export function stage2SteFields(t: S2Table, vmid: bigint, oas: number): FieldValues {
  return {
    S2VMID: vmid, S2T0SZ: BigInt(64 - t.inputSize), S2SL0: BigInt(s2Sl0Encoding(t.granule, t.startLevel)),
    S2TG: BigInt(tg0Encoding(t.granule)), S2PS: oasEncoding(Math.min(t.outputSize, oas)), S2AA64: 1n, S2R: 1n,
    S2IR0: 1n, S2OR0: 1n, S2SH0: 3n, S2TTB: t.ttb,
  };
}

/** STE.EATS 0b01: full ATS (the kernel sets it when ATS is enabled for the master). */
const EATS_TRANS = 1n;
/** STE.SHCFG 0b01: use incoming shareability (arm_smmu_make_s2_domain_ste). */
const SHCFG_INCOMING = 1n;

/** The abort STE (V == 1, Config == abort): arm_smmu_make_abort_ste. */
export function abortSte(): bigint[] {
  return encode(STE, { V: 1n, Config: STE_CONFIG.ABORT });
}

/** The stage-2-only STE of a nesting parent, as attaching a device to the parent HWPT installs. */
export function s2DomainSte(t: S2Table, vmid: number, oas: number, ats: boolean): bigint[] {
  return encode(STE, {
    V: 1n, Config: STE_CONFIG.S2_TRANS, SHCFG: SHCFG_INCOMING, EATS: ats ? EATS_TRANS : 0n,
    ...stage2SteFields(t, BigInt(vmid), oas),
  });
}

/**
 * The host STE for a nested HWPT: an invalid or abort vSTE gives the abort STE; a bypass vSTE the
 * parent's stage-2 STE; a stage-1 vSTE the stage-2 STE turned nested, with the guest's words 0-1
 * (Config replaced) and STE.MEV set (merge events, the driver's DoS mitigation).
 */
export function nestedHostSte(v: ValidVste, t: S2Table, vmid: number, oas: number, ats: boolean): bigint[] {
  if (v.kind === 'abort') return abortSte();
  const s2 = s2DomainSte(t, vmid, oas, ats && v.kind === 's1');
  if (v.kind === 'bypass') return s2;
  const cfg = encode(STE, { Config: 7n })[0];
  const out = [...s2];
  out[0] = encode(STE, { V: 1n, Config: STE_CONFIG.NESTED })[0] | (v.ste[0] & ~cfg);
  out[1] = out[1] | v.ste[1] | encode(STE, { MEV: 1n })[1];
  return out;
}
