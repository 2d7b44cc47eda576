// Walk configurations (what the CD / STE provide) and their legality checks.
// Geometry: DDI 0487 D8.2 (VMSAv8-64 translation granules, lookup levels, start level);
// SMMU field rules: IHI 0070 §5.4 (CD.T0SZ/T1SZ/TG0/TG1/IPS) and §5.2 (STE.S2T0SZ/S2SL0/S2TG/S2PS).

import type { Granule } from '../types';

/** One of the two stage-1 VA ranges (TTB0 / TTB1) of a CD. */
export interface S1RangeConfig {
  /** CD.TTBx: base of the start-level table (an IPA under nesting). */
  ttb: bigint;
  /** CD.TxSZ: the range covers 2^(64-TxSZ) bytes. */
  tsz: number;
  /** CD.TGx, decoded. */
  granule: Granule;
  /** CD.EPDx: walks of this range are disabled (F_TRANSLATION). */
  epd?: boolean;
  /** CD.TBI[x]: top byte ignored for this range. */
  tbi?: boolean;
  /** CD.HADx: hierarchical attribute (APTable/XNTable) disable. */
  had?: boolean;
}

/** Stage-1 regime the CD belongs to (STE.STRW). Changes permission decoding and ASID use. */
export type S1Regime = 'el1' | 'el2' | 'el2-e2h';

export interface S1WalkConfig {
  /** TTB0 range (VA[55]=0). */
  tt0: S1RangeConfig;
  /** TTB1 range (VA[55]=1); absent for a single-range regime (EL2 without E2H). */
  tt1?: S1RangeConfig;
  /** Effective output (IPA) size in bits: min(CD.IPS, SMMU_IDR5.OAS). Use {@link ipsBits} to decode. */
  ips: number;
  regime?: S1Regime;
  /** CD.HA / CD.HD: hardware update of the Access flag / dirty state (IHI 0070 §3.13). HD acts only with HA. */
  ha?: boolean;
  hd?: boolean;
  /** CD.AFFD: AF=0 does not fault (and is not updated). */
  affd?: boolean;
  /** CD.WXN: writable implies execute-never. CD.UWXN: unprivileged-writable implies PXN. */
  wxn?: boolean;
  uwxn?: boolean;
  /** 52-bit OA with the 64K granule (FEAT_LPA: OA[51:48] in descriptor bits [15:12], level-1 blocks). */
  lpa?: boolean;
  /** 52-bit VA with the 64K granule (SMMU_IDR5.VAX): TxSZ may be as low as 12. */
  va52?: boolean;
  /** SMMU_IDR3.STT (small translation tables): TxSZ may go up to 48 (4K/16K) or 47 (64K). */
  stt?: boolean;
}

export interface S2WalkConfig {
  /** STE.S2TTB: base of the (possibly concatenated) start-level tables, a PA. */
  ttb: bigint;
  /** STE.S2T0SZ: the IPA space is 2^(64-S2T0SZ) bytes. */
  tsz: number;
  /** STE.S2SL0: start level, encoding depends on the granule. */
  sl0: number;
  /** STE.S2TG, decoded. */
  granule: Granule;
  /** Effective output size in bits: min(STE.S2PS, SMMU_IDR5.OAS). */
  ps: number;
  /** STE.S2AFFD, STE.S2HA, STE.S2HD (HD acts only with HA). */
  affd?: boolean;
  ha?: boolean;
  hd?: boolean;
  /** STE.S2PTW: a stage-1 table walk that lands on stage-2 Device memory is a stage-2 permission fault. */
  ptw?: boolean;
  /** FEAT_XNX (SMMU_IDR3.XNX): S2 XN[1:0] distinguishes EL0 and EL1 execution. */
  xnx?: boolean;
  lpa?: boolean;
  va52?: boolean;
  stt?: boolean;
  /** SMMU IAS (input address size, from SMMU_IDR5.OAS): bounds S2T0SZ from below when given. */
  ias?: number;
}

/** One configuration problem, for C_BAD_CD / C_BAD_STE and for editor diagnostics. */
export interface ConfigIssue {
  /** Spec field name, e.g. 'CD.T0SZ', 'STE.S2SL0'. */
  field: string;
  message: string;
}

/** A configuration the SMMU rejects: the engine raises `event` for it. */
export interface ConfigError {
  event: 'C_BAD_CD' | 'C_BAD_STE';
  issues: ConfigIssue[];
}

/** A walk configuration as given when already compiled (it has a `kind`), else compiled now by `compile` (which caches). */
export function compiledOr<W extends object, C extends { readonly kind: string }>(cfg: W | C, compile: (w: W) => C | ConfigError): C | ConfigError {
  return 'kind' in cfg ? (cfg as C) : compile(cfg as W);
}

/** CD.IPS / STE.S2PS encoding to bits (DDI 0487 D8.2, TCR_ELx.IPS). undefined for reserved values. */
export function ipsBits(enc: number): number | undefined {
  return [32, 36, 40, 42, 44, 48, 52][enc];
}

/** CD.TGx / STE.S2TG encoding (TCR_ELx.TG0 order: 0b00 4K, 0b01 64K, 0b10 16K) to the granule. */
export function tg0Granule(enc: number): Granule | undefined {
  return ([4, 64, 16] as const)[enc];
}

/** CD.TG1 encoding (TCR_ELx.TG1 order: 0b01 16K, 0b10 4K, 0b11 64K) to the granule. */
export function tg1Granule(enc: number): Granule | undefined {
  return ([undefined, 16, 4, 64] as const)[enc];
}

/** log2 of the granule size in bytes: 12, 14, 16. */
export function granuleShift(g: Granule): number {
  return g === 4 ? 12 : g === 16 ? 14 : 16;
}

/** Bits resolved per lookup level: 9, 11, 13 (DDI 0487 D8.2). */
export function levelStride(g: Granule): number {
  return granuleShift(g) - 3;
}

/** Lowest input-address bit a descriptor at `level` resolves (log2 of the region it maps). */
export function levelShift(g: Granule, level: number): number {
  return granuleShift(g) + (3 - level) * levelStride(g);
}

/** Stage-1 start level for an input size (DDI 0487 D8.2: as many levels as needed, ending at level 3). */
export function s1StartLevel(g: Granule, inputSize: number): number {
  const s = levelStride(g);
  return 4 - Math.ceil((inputSize - granuleShift(g)) / s);
}

/**
 * Stage-2 start level from S2SL0 (IHI 0070 STE.S2SL0, DDI 0487 VTCR_EL2.SL0).
 * 4K: 0->L2, 1->L1, 2->L0, 3->L3 (only with small translation tables). 16K/64K: 0->L3, 1->L2, 2->L1,
 * 3->L0 (16K with 52-bit only, not modelled). undefined: reserved.
 */
export function s2StartLevel(g: Granule, sl0: number, stt = false): number | undefined {
  if (sl0 < 0 || sl0 > 3 || !Number.isInteger(sl0)) return undefined;
  if (g === 4) return sl0 === 3 ? (stt ? 3 : undefined) : 2 - sl0;
  if (sl0 === 3) return undefined;
  return 3 - sl0;
}

/** Number of concatenated start-level tables for a stage-2 input size and start level (1..16 legal). */
export function s2ConcatTables(g: Granule, inputSize: number, startLevel: number): number {
  const bitsAtStart = inputSize - levelShift(g, startLevel);
  const extra = bitsAtStart - levelStride(g);
  return extra > 0 ? 2 ** extra : 1;
}

/** Legal TxSZ range (IHI 0070 CD.T0SZ / STE.S2T0SZ): min 16 (12 with 52-bit VA/IPA and 64K), max 39 (48/47 with STT). */
function tszRange(g: Granule, opts: { va52?: boolean; stt?: boolean }): [number, number] {
  const min = opts.va52 && g === 64 ? 12 : 16;
  const max = opts.stt ? (g === 64 ? 47 : 48) : 39;
  return [min, max];
}

const OA_SIZES = [32, 36, 40, 42, 44, 48, 52];

function checkGranule(g: unknown, field: string, out: ConfigIssue[]): g is Granule {
  if (g === 4 || g === 16 || g === 64) return true;
  out.push({ field, message: `${field}: granule ${String(g)} is not 4K, 16K or 64K` });
  return false;
}

function checkOutSize(bitsN: number, field: string, out: ConfigIssue[]): void {
  if (!OA_SIZES.includes(bitsN)) out.push({ field, message: `${field}: ${bitsN}-bit output size is not a legal size (32,36,40,42,44,48,52)` });
}

/** Legality of a stage-1 configuration (IHI 0070 §5.4 CD). Empty list: legal. */
export function checkS1Config(cfg: S1WalkConfig): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  const ranges: [S1RangeConfig, string][] = [[cfg.tt0, '0']];
  if (cfg.tt1) ranges.push([cfg.tt1, '1']);
  for (const [r, n] of ranges) {
    if (r.epd) continue; // IHI 0070 §5.4: TxSZ/TGx of a disabled range are ignored
    if (!checkGranule(r.granule, `CD.TG${n}`, out)) continue;
    const [min, max] = tszRange(r.granule, cfg);
    if (!Number.isInteger(r.tsz) || r.tsz < min || r.tsz > max) {
      out.push({ field: `CD.T${n}SZ`, message: `CD.T${n}SZ=${r.tsz} is outside ${min}..${max} for the ${r.granule}K granule` });
    }
  }
  checkOutSize(cfg.ips, 'CD.IPS', out);
  return out;
}

/** Legality of a stage-2 configuration (IHI 0070 §5.2 STE). Empty list: legal. */
export function checkS2Config(cfg: S2WalkConfig): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  if (checkGranule(cfg.granule, 'STE.S2TG', out)) {
    let [min, max] = tszRange(cfg.granule, cfg);
    // IHI 0070 STE.S2T0SZ (after SMMUv3.0): minimum is MAX(16, 64-IAS) (4K/16K), 64-IAS (64K).
    if (cfg.ias !== undefined) min = Math.max(min, 64 - cfg.ias);
    if (!Number.isInteger(cfg.tsz) || cfg.tsz < min || cfg.tsz > max) {
      out.push({ field: 'STE.S2T0SZ', message: `STE.S2T0SZ=${cfg.tsz} is outside ${min}..${max} for the ${cfg.granule}K granule` });
    } else {
      const sl = s2StartLevel(cfg.granule, cfg.sl0, cfg.stt);
      if (sl === undefined) {
        out.push({ field: 'STE.S2SL0', message: `STE.S2SL0=${cfg.sl0} is reserved for the ${cfg.granule}K granule` });
      } else {
        // DDI 0487 D8.2 (AArch64.S2InconsistentSL): the start level must resolve at least one bit
        // and at most stride+4 bits (16 concatenated tables).
        const ia = 64 - cfg.tsz;
        const atStart = ia - levelShift(cfg.granule, sl);
        const stride = levelStride(cfg.granule);
        if (atStart < 1) {
          out.push({ field: 'STE.S2SL0', message: `STE.S2SL0=${cfg.sl0} (start level ${sl}) cannot start a ${ia}-bit IPA walk: level ${sl} would resolve no address bits (use a later start level)` });
        } else if (atStart > stride + 4) {
          const n = 2 ** (atStart - stride);
          out.push({ field: 'STE.S2SL0', message: `STE.S2SL0=${cfg.sl0} (start level ${sl}) with a ${ia}-bit IPA needs ${n} concatenated tables (at most 16)` });
        }
      }
    }
  }
  checkOutSize(cfg.ps, 'STE.S2PS', out);
  return out;
}

/** STE.S2SL0 encoding of a stage-2 start level: the inverse of `s2StartLevel` (4K: L3 needs STT). */
export function s2Sl0Encoding(g: Granule, level: number): number {
  return g === 4 ? (level === 3 ? 3 : 2 - level) : 3 - level;
}

/** CD.TG0 / STE.S2TG encoding of a granule: the inverse of `tg0Granule`. */
export function tg0Encoding(g: Granule): number {
  return g === 4 ? 0 : g === 64 ? 1 : 2;
}

/** CD.TG1 encoding of a granule: the inverse of `tg1Granule`. */
export function tg1Encoding(g: Granule): number {
  return g === 16 ? 1 : g === 4 ? 2 : 3;
}
