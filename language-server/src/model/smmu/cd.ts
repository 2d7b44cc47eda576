// CD interpretation (IHI 0070 §5.4): raw dwords -> a checked stage-1 configuration, or the rule
// that makes the CD ILLEGAL (C_BAD_CD). Decoding goes through the fields tables.

import { decode, type FieldValues } from '../fields/field';
import { CD } from '../fields';
import { checkS1Config, ipsBits, tg0Granule, tg1Granule, type S1Regime, type S1WalkConfig } from '../walk/config';
import type { SmmuFeatures } from './features';
import type { ConfigRule } from './ste';

export interface CdConfig {
  fields: FieldValues;
  asid: number;
  walk: S1WalkConfig;
  /** CD.R: record faults; CD.S: stall faults (IHI 0070 §5.4). */
  record: boolean;
  stall: boolean;
  /** CD.ASET (IHI 0070 §5.4): 1 = ASID outside the set shared with the PEs' broadcast TLB maintenance. */
  aset: boolean;
}

export type CdCheck = { ok: true; config: CdConfig } | { ok: false; rule: ConfigRule; fields: FieldValues };

const S54 = 'IHI 0070 §5.4';

function bad(fields: FieldValues, field: string, message: string): CdCheck {
  return { ok: false, rule: { field, message, spec: S54 }, fields };
}

/** Interpret a CD for the given stage-1 regime (from STE.STRW and SMMU_CR2.E2H). */
export function interpretCd(raw: readonly bigint[], f: SmmuFeatures, regime: S1Regime): CdCheck {
  const d = decode(CD, raw);
  if (d.V === 0n) return bad(d, 'CD.V', 'CD.V == 0: the CD is invalid');
  if (d.AA64 === 0n) return bad(d, 'CD.AA64', 'CD.AA64 == 0: AArch32 stage-1 tables are not supported (SMMU_IDR0.TTF)');
  // The model implements SMMU_IDR0.TERM_MODEL == 1 (terminate with abort only): CD.A == 0 is ILLEGAL.
  if (d.A === 0n) return bad(d, 'CD.A', 'CD.A == 0 but SMMU_IDR0.TERM_MODEL == 1 (terminated transactions always abort; RAZ/WI not implemented)');
  if (d.ENDI !== 0n) return bad(d, 'CD.ENDI', 'CD.ENDI == 1: big-endian tables are not supported (SMMU_IDR0.TTENDIAN)');
  const asid = Number(d.ASID);
  if (asid >> f.asidBits !== 0) return bad(d, 'CD.ASID', `CD.ASID=${asid} needs 16-bit ASIDs but SMMU_IDR0.ASID16 == 0`);
  if (d.S !== 0n && f.stall === 'none') return bad(d, 'CD.S', 'CD.S == 1 but stalling is not supported (SMMU_IDR0.STALL_MODEL == 0b01)');
  if (d.S === 0n && f.stall === 'forced') return bad(d, 'CD.S', 'CD.S == 0 but SMMU_IDR0.STALL_MODEL == 0b10 (stall forced)');
  // IHI 0070 §5.4.2: HA or HD set with SMMU_IDR0.HTTU == 0b00, or HD with HTTU == 0b01, is ILLEGAL.
  if (d.HA !== 0n && f.httu === 'none') return bad(d, 'CD.HA', 'CD.HA == 1 but SMMU_IDR0.HTTU == 0b00 (no hardware Access flag update)');
  if (d.HD !== 0n && f.httu !== 'hd') return bad(d, 'CD.HD', `CD.HD == 1 but SMMU_IDR0.HTTU == ${f.httu === 'none' ? '0b00' : '0b01'} (no hardware dirty state update)`);
  // IHI 0070 §5.4 CD.IPS: values above SMMU_IDR5.OAS are treated as OAS.
  const ips = Math.min(ipsBits(Number(d.IPS)) ?? f.oas, f.oas);
  const epd0 = d.EPD0 !== 0n;
  const epd1 = d.EPD1 !== 0n;
  const g0 = tg0Granule(Number(d.TG0));
  const g1 = tg1Granule(Number(d.TG1));
  if (!epd0) {
    if (g0 === undefined) return bad(d, 'CD.TG0', 'CD.TG0 == 0b11 is Reserved');
    if (!f.granules.includes(g0)) return bad(d, 'CD.TG0', `CD.TG0 selects the ${g0}K granule, not implemented (SMMU_IDR5.GRAN${g0}K == 0)`);
    if (d.TTB0 >> BigInt(ips) !== 0n) return bad(d, 'CD.TTB0', `CD.TTB0 0x${d.TTB0.toString(16)} is beyond the ${ips}-bit effective CD.IPS`);
  }
  const twoRanges = regime !== 'el2';
  if (twoRanges && !epd1) {
    if (g1 === undefined) return bad(d, 'CD.TG1', 'CD.TG1 == 0b00 is Reserved');
    if (!f.granules.includes(g1)) return bad(d, 'CD.TG1', `CD.TG1 selects the ${g1}K granule, not implemented (SMMU_IDR5.GRAN${g1}K == 0)`);
    if (d.TTB1 >> BigInt(ips) !== 0n) return bad(d, 'CD.TTB1', `CD.TTB1 0x${d.TTB1.toString(16)} is beyond the ${ips}-bit effective CD.IPS`);
  }
  const walk: S1WalkConfig = {
    tt0: { ttb: d.TTB0, tsz: Number(d.T0SZ), granule: g0 ?? 4, epd: epd0, tbi: d.TBI0 !== 0n, had: d.HAD0 !== 0n },
    ips,
    regime,
    // CD.HA/HD beyond SMMU_IDR0.HTTU are ILLEGAL (checked above).
    ha: f.httu !== 'none' && d.HA !== 0n,
    hd: f.httu === 'hd' && d.HD !== 0n,
    affd: d.AFFD !== 0n,
    wxn: d.WXN !== 0n,
    uwxn: d.UWXN !== 0n,
    lpa: f.oas === 52,
    va52: f.oas === 52,
  };
  if (twoRanges) {
    walk.tt1 = { ttb: d.TTB1, tsz: Number(d.T1SZ), granule: g1 ?? 4, epd: epd1, tbi: d.TBI1 !== 0n, had: d.HAD1 !== 0n };
  }
  const issues = checkS1Config(walk);
  if (issues.length) return bad(d, issues[0].field, issues[0].message);
  return { ok: true, config: { fields: d, asid, walk, record: d.R !== 0n, stall: d.S !== 0n, aset: d.ASET !== 0n } };
}
