// STEs and CDs shaped like the ones Linux's KUnit suite (drivers/iommu/arm/arm-smmu-v3/
// arm-smmu-v3-test.c) builds with its make functions: the same fields set, with values that are
// legal on the model's full-featured SMMU (the suite's fake addresses and VTCR are not).

import { STE, CD, encode } from '../../../../language-server/src/model/fields';

export interface Feat { ats?: boolean; stall?: boolean }

/** STE.Config: 0b000 abort, 0b100 bypass, 0b101 S1, 0b110 S2, 0b111 nested (IHI 0070 §5.2). */
export const ABORT = encode(STE, { V: 1n, Config: 0n });
/** Bypass with SHCFG = INCOMING (Linux sets it when the SMMU has the attribute overrides). */
export const BYPASS = encode(STE, { V: 1n, Config: 4n, SHCFG: 1n });

export const SSID0 = 2n;
export const DSS_BYPASS = 1n;
export const CDTAB = 0x4000_0000n;

/** A stage-1 STE with a 2-level CD table of 2^8 CDs (arm_smmu_make_cdtable_ste). */
export function cdtableSte(s1dss: bigint, cdtab = CDTAB, f: Feat = { ats: true }): bigint[] {
  return encode(STE, {
    V: 1n, Config: 5n, S1Fmt: 2n, S1ContextPtr: cdtab, S1CDMax: 8n,
    S1DSS: s1dss, S1CIR: 1n, S1COR: 1n, S1CSH: 3n, S1STALLD: f.stall ? 0n : 1n,
    EATS: f.ats ? 1n : 0n, SHCFG: s1dss === DSS_BYPASS ? 1n : 0n,
  });
}

const S2 = { S2T0SZ: 25n, S2SL0: 1n, S2IR0: 1n, S2OR0: 1n, S2SH0: 3n, S2TG: 0n, S2PS: 5n, S2AA64: 1n, S2PTW: 1n, S2R: 1n, S2TTB: 0x4010_0000n };

/** A stage-2 STE (arm_smmu_make_s2_domain_ste): VMID, VTCR, S2TTB, SHCFG INCOMING, EATS with ATS. */
export function s2Ste(f: Feat = { ats: true }, vmid = 0n): bigint[] {
  return encode(STE, { V: 1n, Config: 6n, SHCFG: 1n, EATS: f.ats ? 1n : 0n, S2VMID: vmid, S2S: f.stall ? 1n : 0n, ...S2 });
}

/** A nested STE: the stage-2 STE (with ATS), Config 0b111, the CD-table STE's stage-1 fields, MEV. */
export function nestedSte(s1dss: bigint, f: Feat = { ats: true }): bigint[] {
  const s1 = cdtableSte(s1dss, CDTAB, f);
  const s2 = s2Ste({ ats: true });
  const out = s2.map((w, i) => w | s1[i]);
  return encode(STE, { Config: 7n, MEV: 1n }, out);
}

/** A stage-1 CD (arm_smmu_make_s1_cd): TTB0, T0SZ/TG0/IR0/OR0/SH0, EPD1, IPS, MAIR, ASID. */
export function s1Cd(asid: bigint, ttb0 = 0x4020_0000n): bigint[] {
  return encode(CD, {
    V: 1n, AA64: 1n, A: 1n, R: 1n, T0SZ: 25n, TG0: 0n, IR0: 1n, OR0: 1n, SH0: 3n, EPD1: 1n, IPS: 5n,
    ASID: asid, TTB0: ttb0, MAIR0: 0x0004ffn,
  });
}

/** An SVA CD (arm_smmu_make_sva_cd) and the one it becomes when the process exits: EPD0 = 1 and no
 * TTB0 (the CD stays valid, so PASID traffic faults quietly instead of raising C_BAD_CD). */
export function svaCd(asid: bigint, live = true): bigint[] {
  const base = { V: 1n, AA64: 1n, A: 1n, R: 1n, EPD1: 1n, IPS: 5n, ASID: asid, MAIR0: 0x0004ffn };
  return live
    ? encode(CD, { ...base, T0SZ: 16n, TG0: 0n, IR0: 1n, OR0: 1n, SH0: 3n, TTB0: 0x4030_0000n })
    : encode(CD, { ...base, EPD0: 1n });
}

export const ZERO = [0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n];
