// "Used" fields of an STE or CD: the fields the SMMU reads for the configuration the words encode,
// from the IGNORED rules of IHI 0070 §5.2 (STE) and §5.4 (CD). A change to a field that is not
// used before or after an update cannot affect translation; this is what a diagnostic for
// disruptive STE/CD updates needs (Linux's arm_smmu_get_ste_used() plays the same role).
// Field-level only: it does not depend on SMMU features (a field RES0 for lack of a feature is
// still reported as used when the configuration would read it).
// The attribute overrides follow IHI 0070 §13.5 as Linux reads it (arm_smmu_get_ste_used): STE.SHCFG
// (with MTCFG/MemAttr/ALLOCCFG) replaces incoming attributes only where stage 1 does not supply
// them: a bypass STE, any STE with stage 2, a stage-1 STE only for traffic S1DSS sends to bypass.
// `updateSafeMask` lists the bits whose order in an update does not matter (MEV, EATS 0b00<->0b01).

import { FieldValues, StructDef, decode, fieldByName } from './field';
import { STE } from './ste';
import { CD } from './cd';

/** A rule: when `when` holds for the decoded words, `fields` are read by the SMMU. */
interface UseRule {
  when: (v: FieldValues) => boolean;
  fields: readonly string[];
  why: string;
}

const S52 = 'IHI 0070 §5.2';
const S54 = 'IHI 0070 §5.4';

const cfg = (v: FieldValues) => Number(v.Config);
const s1 = (v: FieldValues) => (cfg(v) & 0b101) === 0b101; // Config == 0b1x1
const s2 = (v: FieldValues) => (cfg(v) & 0b110) === 0b110; // Config == 0b11x
const translating = (v: FieldValues) => (cfg(v) & 0b100) !== 0 && (cfg(v) & 0b011) !== 0;

/** Incoming memory-attribute overrides: read only where stage 1 supplies no attributes (IHI 0070 §13.5). */
const ATTR_OVERRIDES = ['MTCFG', 'MemAttr', 'ALLOCCFG', 'SHCFG'];
/** Stage 1 bypassed for some traffic: STE bypass, S1DSS == 0b01 with substreams (IHI 0070 §5.2 S1DSS). */
const s1Bypassed = (v: FieldValues) => cfg(v) === 0b100 || (cfg(v) === 0b101 && v.S1CDMax !== 0n && v.S1DSS === 1n);

const STE_RULES: readonly UseRule[] = [
  { when: () => true, fields: ['V'], why: 'V is always read' },
  // V == 1 from here on.
  { when: (v) => v.V === 1n, fields: ['Config', 'CONT'], why: `${S52}: CONT may be obeyed even when Config == 0b000` },
  { when: (v) => v.V === 1n && (cfg(v) & 0b100) !== 0, fields: ['NSCFG', 'PRIVCFG', 'INSTCFG', 'IMPL_DEF'],
    why: `${S52}, §13.5: NS/PRIV/INST overrides apply to bypass and translated traffic` },
  { when: (v) => v.V === 1n && (s1Bypassed(v) || s2(v)), fields: ATTR_OVERRIDES,
    why: 'IHI 0070 §13.5: SHCFG/MTCFG/ALLOCCFG are read by bypass and stage-2 STEs, by a stage-1 STE only when S1DSS selects bypass' },
  { when: (v) => v.V === 1n && translating(v), fields: ['MEV', 'DRE', 'DCP', 'PPAR', 'EATS', 'PARTID', 'PMG', 'MPAM_NS', 'IMPL_DEF_159_144', 'IMPL_DEF_271_256'],
    why: `${S52}: per-stream controls of translated traffic` },
  { when: (v) => v.V === 1n && s1(v), fields: ['S1ContextPtr', 'S1CDMax', 'S1CIR', 'S1COR', 'S1CSH', 'S1STALLD', 'S1PIE', 'S1MPAM'],
    why: `${S52}: S1* fields are IGNORED unless Config == 0b1x1` },
  { when: (v) => v.V === 1n && s1(v) && v.S1CDMax !== 0n, fields: ['S1Fmt', 'S1DSS'],
    why: `${S52}: S1Fmt and S1DSS are IGNORED when S1CDMax == 0` },
  { when: (v) => v.V === 1n && cfg(v) === 0b101, fields: ['STRW'], why: `${S52}: STRW is IGNORED when stage 2 translates or in bypass` },
  { when: (v) => v.V === 1n && (s2(v) || (cfg(v) === 0b101 && v.STRW === 0n)), fields: ['S2VMID'],
    why: `${S52}: S2VMID tags NS-EL1 translations of either stage` },
  { when: (v) => v.V === 1n && s2(v), fields: [
    'S2T0SZ', 'S2SL0', 'S2IR0', 'S2OR0', 'S2SH0', 'S2TG', 'S2PS', 'S2AA64', 'S2ENDI', 'S2AFFD', 'S2HD', 'S2HA', 'S2S', 'S2R',
    'S2TTB', 'S2HWU59', 'S2HWU60', 'S2HWU61', 'S2HWU62', 'S2FWB', 'S2HAFT', 'S2PIE', 'S2POE', 'S2POI', 'S2SL0_2', 'S2DS', 'S2SKL',
    'S2NSW', 'S2NSA', 'S2SW', 'S2SA', 'S_S2T0SZ', 'S_S2SL0', 'S_S2SL0_2', 'S_S2TG', 'S_S2TTB', 'S_S2SKL', 'AssuredOnly', 'TL0', 'TL1',
  ], why: `${S52}: S2* fields (but S2VMID) are IGNORED unless Config == 0b11x` },
  { when: (v) => v.V === 1n && cfg(v) === 0b111, fields: ['S2PTW', 'VMSPtr'], why: `${S52}: S2PTW and VMSPtr apply to nested translation` },
  { when: (v) => v.V === 1n && translating(v) && v.EATS === 3n, fields: ['DPT_VMATCH'], why: `${S52}: DPT_VMATCH is RES0 unless EATS == 0b11` },
  { when: (v) => v.V === 1n && translating(v), fields: ['MECID'], why: `${S52}: MECID (Realm STEs)` },
];

const CD_RULES: readonly UseRule[] = [
  { when: () => true, fields: ['V'], why: `${S54}: V is always read` },
  { when: (v) => v.V === 1n, fields: [
    'IPS', 'AFFD', 'WXN', 'UWXN', 'TBI0', 'TBI1', 'PAN', 'AA64', 'HD', 'HA', 'S', 'R', 'A', 'ASET', 'ASID', 'EPD0', 'EPD1',
    'MAIR0', 'MAIR1', 'AMAIR0', 'AMAIR1', 'IMPL_DEF', 'PARTID', 'PMG', 'DS', 'PIE', 'PIIU', 'PIIP', 'AIE', 'EPAN', 'PnCH', 'HAFT',
  ], why: `${S54}: translation controls of a valid CD` },
  { when: (v) => v.V === 1n && !(v.EPD0 === 1n && v.EPD1 === 1n), fields: ['ENDI'], why: `${S54}: ENDI is IGNORED when both EPD0 and EPD1 are 1` },
  { when: (v) => v.V === 1n && v.EPD0 === 0n, fields: ['T0SZ', 'TG0', 'IR0', 'OR0', 'SH0', 'TTB0', 'NSCFG0', 'HAD0', 'E0PD0', 'HWU059', 'HWU060', 'HWU061', 'HWU062'],
    why: `${S54}: EPD0 == 1 makes the TTB0 fields IGNORED` },
  { when: (v) => v.V === 1n && v.EPD1 === 0n, fields: ['T1SZ', 'TG1', 'IR1', 'OR1', 'SH1', 'TTB1', 'NSCFG1', 'HAD1', 'E0PD1', 'HWU159', 'HWU160', 'HWU161', 'HWU162'],
    why: `${S54}: EPD1 == 1 makes the TTB1 fields IGNORED` },
];

const RULES = new Map<StructDef, readonly UseRule[]>([[STE, STE_RULES], [CD, CD_RULES]]);

/** Whether usedFields() knows the structure (STE and CD). */
export function hasUseRules(def: StructDef): boolean {
  return RULES.has(def);
}

/**
 * Names of the fields the SMMU reads for this STE or CD (IHI 0070 §5.2, §5.4). For other
 * structures every non-RES0 field is reported as used.
 */
export function usedFields(def: StructDef, dwords: readonly bigint[]): Set<string> {
  const rules = RULES.get(def);
  if (!rules) return new Set(def.fields.filter((f) => !f.reserved).map((f) => f.name));
  const v = decode(def, dwords);
  const out = new Set<string>();
  for (const r of rules) if (r.when(v)) for (const f of r.fields) out.add(f);
  return out;
}

/**
 * Fields whose value differs between two versions of an STE or CD and that the SMMU reads in at
 * least one of them: the changes that matter to an update (IHI 0070 §3.21).
 */
export function changedUsedFields(def: StructDef, before: readonly bigint[], after: readonly bigint[]): string[] {
  const a = decode(def, before);
  const b = decode(def, after);
  const used = usedFields(def, before);
  for (const f of usedFields(def, after)) used.add(f);
  return def.fields.filter((f) => a[f.name] !== b[f.name] && used.has(f.name)).map((f) => f.name);
}

// ---- bit masks, for the hitless-update planner and the torn-update check ----

const fieldMask = (f: { hi: number; lo: number }) => ((1n << BigInt(f.hi - f.lo + 1)) - 1n) << BigInt(f.lo);

/** Per dword, the bits of the fields usedFields() reports (RES0 bits are never used). */
export function usedMask(def: StructDef, dwords: readonly bigint[]): bigint[] {
  const used = usedFields(def, dwords);
  const out = new Array<bigint>(def.dwords).fill(0n);
  for (const f of def.fields) if (used.has(f.name)) out[f.word] |= fieldMask(f);
  return out;
}

/**
 * Bits that may change in any order relative to the rest of an update from `cur` to `target`
 * (Linux arm_smmu_get_ste_update_safe): STE.MEV only changes how fault records merge (IHI 0070
 * §5.2: software must accept merged records even with MEV == 0); STE.EATS between 0b00 and 0b01,
 * unless either side uses 0b1x or S2S == 1 (EATS == 0b01 with S2S == 1 is ILLEGAL, §5.2). CDs: none.
 */
export function updateSafeMask(def: StructDef, cur: readonly bigint[], target: readonly bigint[]): bigint[] {
  const out = new Array<bigint>(def.dwords).fill(0n);
  if (def !== STE) return out;
  const get = (w: readonly bigint[], n: string) => {
    const f = fieldByName(STE, n)!;
    return { f, v: ((w[f.word] ?? 0n) & fieldMask(f)) >> BigInt(f.lo) };
  };
  const mev = get(cur, 'MEV').f;
  out[mev.word] |= fieldMask(mev);
  const ea = get(cur, 'EATS');
  const eb = get(target, 'EATS');
  if (((ea.v | eb.v) & 2n) === 0n && get(cur, 'S2S').v === 0n && get(target, 'S2S').v === 0n) {
    out[ea.f.word] |= 1n << BigInt(ea.f.lo);
  }
  return out;
}
