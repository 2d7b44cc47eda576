// STE interpretation (IHI 0070 §5.2): raw dwords -> a checked stream configuration, or the rule
// that makes the STE ILLEGAL (C_BAD_STE). Decoding goes through the fields tables.

import { decode, type FieldValues } from '../fields/field';
import { STE } from '../fields';
import { checkS2Config, ipsBits, tg0Granule, type S2WalkConfig } from '../walk/config';
import type { SmmuFeatures } from './features';

export type StreamMode = 'abort' | 'bypass' | 's1' | 's2' | 'nested';

/** A problem that makes a structure ILLEGAL: which rule fired. */
export interface ConfigRule {
  /** Field the rule is about, e.g. 'STE.S1CDMax'. */
  field: string;
  message: string;
  spec: string;
}

export interface SteConfig {
  mode: StreamMode;
  fields: FieldValues;
  /** Stage 1 (mode s1 / nested). */
  s1?: {
    contextPtr: bigint;
    /** STE.S1Fmt: 0 linear, 1 2-level with 4K leaf tables (SPLIT 6), 2 2-level with 64K leaves (SPLIT 10). */
    fmt: number;
    cdMax: number;
    /** STE.S1DSS: 0 terminate, 1 bypass, 2 substream 0. */
    dss: number;
    stalld: boolean;
    /** STE.STRW: 0 NS-EL1, 2 EL2 (E2H per SMMU_CR2.E2H). */
    strw: number;
  };
  /** Stage 2 (mode s2 / nested). */
  s2?: {
    vmid: number;
    walk: S2WalkConfig;
    /** STE.S2R: record faults; STE.S2S: stall faults. */
    record: boolean;
    stall: boolean;
  };
  /** VMID tag of this stream's TLB entries: STE.S2VMID with stage 2 implemented, else 0 (IHI 0070 §5.2 STE.S2VMID). */
  tlbVmid?: number;
}

export type SteCheck = { ok: true; config: SteConfig } | { ok: false; rule: ConfigRule; fields: FieldValues };

const S52 = 'IHI 0070 §5.2';

function bad(fields: FieldValues, field: string, message: string): SteCheck {
  return { ok: false, rule: { field, message, spec: S52 }, fields };
}

/**
 * Interpret an STE. `e2h` is SMMU_CR2.E2H. The returned rule names the field and the reason for
 * C_BAD_STE. Config 0b0xx is not an error: it aborts with no event (IHI 0070 §5.2 STE.Config).
 */
export function interpretSte(raw: readonly bigint[], f: SmmuFeatures): SteCheck {
  const d = decode(STE, raw);
  if (d.V === 0n) return bad(d, 'STE.V', 'STE.V == 0: the STE is invalid');
  const cfg = Number(d.Config);
  // IHI 0070 §5.2 STE.Config: 0b0xx abort, 0b100 bypass, 0b101 S1, 0b110 S2, 0b111 S1+S2.
  if ((cfg & 0b100) === 0) return { ok: true, config: { mode: 'abort', fields: d } };
  if (cfg === 0b100) return { ok: true, config: { mode: 'bypass', fields: d } };
  const s1en = (cfg & 1) !== 0;
  const s2en = (cfg & 2) !== 0;
  if (s1en && s2en && !f.nested) return bad(d, 'STE.Config', 'STE.Config=0b111 (nested) but the SMMU does not implement nesting');
  if (s1en && !f.stage1) return bad(d, 'STE.Config', 'STE.Config enables stage 1 but SMMU_IDR0.S1P == 0');
  if (s2en && !f.stage2) return bad(d, 'STE.Config', 'STE.Config enables stage 2 but SMMU_IDR0.S2P == 0');
  if (d.EATS !== 0n && !f.ats) return bad(d, 'STE.EATS', 'STE.EATS != 0 but ATS is not implemented (SMMU_IDR0.ATS == 0)');
  if (d.EATS === 3n) return bad(d, 'STE.EATS', 'STE.EATS == 0b11 is Reserved');
  // Stage-1-only streams are tagged with STE.S2VMID too when stage 2 is implemented (IHI 0070 §5.2 STE.S2VMID).
  const config: SteConfig = { mode: s1en && s2en ? 'nested' : s1en ? 's1' : 's2', fields: d, tlbVmid: f.stage2 ? Number(d.S2VMID) : 0 };

  if (s1en) {
    const fmt = Number(d.S1Fmt);
    const cdMax = Number(d.S1CDMax);
    const dss = Number(d.S1DSS);
    const strw = Number(d.STRW);
    if (cdMax > f.ssidBits) return bad(d, 'STE.S1CDMax', `STE.S1CDMax=${cdMax} exceeds SMMU_IDR1.SSIDSIZE=${f.ssidBits}`);
    if (cdMax !== 0) {
      if (fmt === 3) return bad(d, 'STE.S1Fmt', 'STE.S1Fmt == 0b11 is Reserved');
      if (fmt !== 0 && !f.cd2l) return bad(d, 'STE.S1Fmt', 'STE.S1Fmt selects a 2-level CD table but SMMU_IDR0.CD2L == 0');
      if (dss === 3) return bad(d, 'STE.S1DSS', 'STE.S1DSS == 0b11 is Reserved');
    }
    if (d.S1STALLD !== 0n && f.stall !== 'supported') {
      return bad(d, 'STE.S1STALLD', `STE.S1STALLD == 1 but SMMU_IDR0.STALL_MODEL is ${f.stall === 'none' ? '0b01 (no stall)' : '0b10 (stall forced)'}`);
    }
    if (!s2en) {
      // STE.STRW applies when stage 2 is not enabled: 0b00 NS-EL1, 0b10 EL2; 0b01 (EL3) and 0b11 are not available.
      if (strw === 2 && !f.hyp) return bad(d, 'STE.STRW', 'STE.STRW == 0b10 (EL2) but SMMU_IDR0.HYP == 0');
      if (strw === 1 || strw === 3) return bad(d, 'STE.STRW', `STE.STRW == ${strw === 1 ? '0b01 (EL3)' : '0b11'} is not valid for a Non-secure stream`);
    }
    config.s1 = { contextPtr: d.S1ContextPtr, fmt: cdMax === 0 ? 0 : fmt, cdMax, dss, stalld: d.S1STALLD !== 0n, strw: s2en ? 0 : strw };
  }

  if (s2en) {
    if (d.S2AA64 === 0n) return bad(d, 'STE.S2AA64', 'STE.S2AA64 == 0: AArch32 stage-2 tables are not supported (SMMU_IDR0.TTF)');
    if (d.S2ENDI !== 0n) return bad(d, 'STE.S2ENDI', 'STE.S2ENDI == 1: big-endian tables are not supported (SMMU_IDR0.TTENDIAN)');
    const vmid = Number(d.S2VMID);
    if (vmid >> f.vmidBits !== 0) return bad(d, 'STE.S2VMID', `STE.S2VMID=${vmid} needs 16-bit VMIDs but SMMU_IDR0.VMID16 == 0`);
    const g = tg0Granule(Number(d.S2TG));
    if (g === undefined) return bad(d, 'STE.S2TG', 'STE.S2TG == 0b11 is Reserved');
    if (!f.granules.includes(g)) return bad(d, 'STE.S2TG', `STE.S2TG selects the ${g}K granule, not implemented (SMMU_IDR5.GRAN${g}K == 0)`);
    // IHI 0070 §5.2 STE.S2PS: values above SMMU_IDR5.OAS are treated as OAS.
    const ps = Math.min(ipsBits(Number(d.S2PS)) ?? f.oas, f.oas);
    if (d.S2S !== 0n && f.stall === 'none') return bad(d, 'STE.S2S', 'STE.S2S == 1 but stalling is not supported (SMMU_IDR0.STALL_MODEL == 0b01)');
    if (d.S2S === 0n && f.stall === 'forced') return bad(d, 'STE.S2S', 'STE.S2S == 0 but SMMU_IDR0.STALL_MODEL == 0b10 (stall forced)');
    if (d.S2TTB >> BigInt(ps) !== 0n) return bad(d, 'STE.S2TTB', `STE.S2TTB ${'0x' + d.S2TTB.toString(16)} is beyond the ${ps}-bit effective S2PS`);
    const httuHa = f.httu !== 'none';
    // IHI 0070 §5.2: S2HA set with SMMU_IDR0.HTTU == 0b00, or S2HD with HTTU == 0b00/0b01, is ILLEGAL.
    if (d.S2HA !== 0n && !httuHa) return bad(d, 'STE.S2HA', 'STE.S2HA == 1 but SMMU_IDR0.HTTU == 0b00 (no hardware Access flag update)');
    if (d.S2HD !== 0n && f.httu !== 'hd') return bad(d, 'STE.S2HD', `STE.S2HD == 1 but SMMU_IDR0.HTTU == ${httuHa ? '0b01' : '0b00'} (no hardware dirty state update)`);
    const walk: S2WalkConfig = {
      ttb: d.S2TTB,
      tsz: Number(d.S2T0SZ),
      sl0: Number(d.S2SL0),
      granule: g,
      ps,
      affd: d.S2AFFD !== 0n,
      // S2HA/S2HD beyond SMMU_IDR0.HTTU are ILLEGAL (checked above).
      ha: httuHa && d.S2HA !== 0n,
      hd: f.httu === 'hd' && d.S2HD !== 0n,
      ptw: d.S2PTW !== 0n,
      lpa: f.oas === 52,
      va52: f.oas === 52,
    };
    // The IPA range S2T0SZ selects must fit the SMMU's input address size (IAS, IHI 0070 §3.4, §5.2 STE.S2T0SZ).
    const issues = checkS2Config({ ...walk, ps: f.ias });
    if (issues.length) return bad(d, issues[0].field, issues[0].message);
    config.s2 = { vmid, walk, record: d.S2R !== 0n, stall: d.S2S !== 0n };
  }
  return { ok: true, config };
}
