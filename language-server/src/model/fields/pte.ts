// VMSAv8-64 translation table descriptors (stage 1 and stage 2, 4KB/16KB/64KB granules) as field
// tables, generated from a little data (granule size, block size per level). DDI 0487 D8.3.
// Scope: 48-bit output addresses, plus the 52-bit OA[51:48] field of the 64KB granule (FEAT_LPA).
// FEAT_LPA2 (DS == 1) layouts, 128-bit descriptors and permission indirection are not described.

import { FieldDef, StructDef } from './field';
import { fld, res0, vals } from './define';
import { SHAREABILITY } from './common';
import type { DescKind, Granule, Stage } from '../types';

const D = 'DDI 0487 D8.3';

/** log2 of the granule size. */
export function granuleShift(g: Granule): number {
  return g === 4 ? 12 : g === 16 ? 14 : 16;
}

/** Walk levels that exist for a granule without LPA2 (DDI 0487 D8.2): 4K/16K 0..3, 64K 1..3. */
export function firstLevel(g: Granule): number {
  return g === 64 ? 1 : 0;
}

/**
 * log2 of the region one block/page descriptor maps at `level`, or undefined when no block is
 * allowed there (DDI 0487 D8.3: 4K blocks at L1, L2; 16K at L2; 64K at L2 (L1 only with 52-bit OA)).
 */
export function blockShift(g: Granule, level: number): number | undefined {
  const gs = granuleShift(g);
  if (level === 3) return gs;
  const stride = gs - 3;
  const shift = gs + (3 - level) * stride;
  const allowed = g === 4 ? level === 1 || level === 2 : level === 2;
  return allowed ? shift : undefined;
}

export type PteKind = 'table' | 'block' | 'page';

export interface PteSelector {
  stage: Stage;
  granule: Granule;
  level: number;
}

/** Descriptor kind from bits [1:0] and the level (DDI 0487 D8.3). */
export function classifyPte(desc: bigint, sel: PteSelector): DescKind {
  if ((desc & 1n) === 0n) return 'invalid';
  const type = (desc >> 1n) & 1n;
  if (sel.level === 3) return type === 1n ? 'page' : 'reserved';
  if (type === 1n) return 'table';
  return blockShift(sel.granule, sel.level) !== undefined ? 'block' : 'reserved';
}

const validType = (kind: PteKind): FieldDef[] => [
  fld('Valid', 0, 0, D, 'Valid descriptor. 0: any access through it gives a Translation fault.'),
  fld('Type', 1, 1, D, kind === 'block' ? '0: Block descriptor (levels 0-2).' : kind === 'page' ? '1: Page descriptor (level 3).' : '1: Table descriptor (levels 0-2).'),
];

/** Output / next-level address: bits [47:shift] in place; 64KB granule: OA[51:48] in bits [15:12]. */
function addressFields(name: 'OA' | 'NLTA', g: Granule, shift: number, what: string): FieldDef[] {
  const f: FieldDef[] = [fld(name, 47, shift, D, `${what} (address bits [47:${shift}]).`, { address: true })];
  if (g === 64) f.push(fld(`${name}_51_48`, 15, 12, D, `${what}, bits [51:48] (52-bit PA with the 64KB granule, FEAT_LPA; else RES0).`, { addressShift: 48 }));
  return f;
}

/** RES0 range [hi:lo] if not empty. */
function gap(hi: number, lo: number): FieldDef[] {
  return hi >= lo ? [res0(hi, lo, D)] : [];
}

function tableDef(stage: Stage, g: Granule): StructDef {
  const gs = granuleShift(g);
  const f: FieldDef[] = [
    ...validType('table'),
    fld('IGNORED_11_2', 11, 2, D, 'Ignored by the walk (bit [10] is AF with FEAT_HAFT).'),
    ...(g === 64 ? [] : gap(gs - 1, 12)),
    ...addressFields('NLTA', g, gs, 'Next-level table address'),
    ...res0Upto(g, gs),
    res0(50, 48, D),
    fld('IGNORED_58_51', 58, 51, D, 'Ignored by the walk.'),
  ];
  if (stage === 1) {
    f.push(
      fld('PXNTable', 59, 59, D, 'Hierarchical: privileged execute-never for the next levels.'),
      fld('UXNTable', 60, 60, D, 'Hierarchical: unprivileged execute-never for the next levels (XNTable in EL2/EL3 regimes).'),
      fld('APTable', 62, 61, D, 'Hierarchical access permission limit for the next levels.', {
        values: vals([0, 'NONE', 'No effect'], [1, 'NO_EL0', 'No unprivileged access'], [2, 'RO', 'No write at any level'], [3, 'RO_NO_EL0', 'No write, no unprivileged access']),
      }),
      fld('NSTable', 63, 63, D, 'Secure regimes only: the next-level table is in Non-secure PA space.'),
    );
  } else {
    f.push(res0(63, 59, D));
  }
  return { name: `S${stage}_TABLE_${g}K`, dwords: 1, spec: D, summary: `Stage ${stage} table descriptor, ${g}KB granule (levels ${firstLevel(g)}-2).`, fields: f };
}

// 64KB granule: [15:12] hold address bits [51:48]; RES0 between them and the address field.
function res0Upto(g: Granule, shift: number): FieldDef[] {
  return g === 64 ? gap(shift - 1, 16) : [];
}

function leafDef(stage: Stage, g: Granule, level: number, kind: 'block' | 'page', bs: number): StructDef {
  const f: FieldDef[] = [...validType(kind)];
  if (stage === 1) {
    f.push(
      fld('AttrIndx', 4, 2, D, 'Index of the memory attributes in MAIR (CD.MAIR for the SMMU).'),
      fld('NS', 5, 5, D, 'Secure regimes only: output address is in Non-secure PA space.'),
      fld('AP', 7, 6, D, 'AP[2:1] data access permissions.', {
        values: vals([0, 'RW_EL1', 'Privileged read/write, no unprivileged access'], [1, 'RW', 'Read/write at all levels'], [2, 'RO_EL1', 'Privileged read-only, no unprivileged access'], [3, 'RO', 'Read-only at all levels']),
      }),
    );
  } else {
    f.push(
      fld('MemAttr', 5, 2, D, 'Stage 2 memory attributes (with S2FWB == 0: [3:2] outer, [1:0] inner; 0b00xx Device).'),
      fld('S2AP', 7, 6, D, 'Stage 2 access permissions.', {
        values: vals([0, 'NONE', 'No access'], [1, 'RO', 'Read-only'], [2, 'WO', 'Write-only'], [3, 'RW', 'Read/write']),
      }),
    );
  }
  f.push(
    fld('SH', 9, 8, D, 'Shareability of Normal cacheable memory.', { values: SHAREABILITY }),
    fld('AF', 10, 10, D, 'Access flag: 0 gives an Access flag fault on first use (unless HTTU or AFFD).'),
  );
  f.push(stage === 1
    ? fld('nG', 11, 11, D, 'not Global: the translation is ASID-specific.')
    : fld('FnXS', 11, 11, D, 'FEAT_XS: XS attribute override (RES0 otherwise).'));
  // Low address bits between bit 12 and the block size: RES0, except nT at bit 16 of blocks
  // (FEAT_BBM) and, for the 64KB granule, OA[51:48] at [15:12].
  const lowStart = g === 64 ? 16 : 12;
  if (kind === 'block' && bs > 16) {
    f.push(...gap(15, lowStart), fld('nT', 16, 16, D, 'Block translation entry (FEAT_BBM level 1; RES0 otherwise).'), ...gap(bs - 1, 17));
  } else {
    f.push(...gap(bs - 1, lowStart));
  }
  f.push(...addressFields('OA', g, bs, kind === 'page' ? 'Output address of the page' : 'Output address of the block'));
  f.push(
    res0(49, 48, D),
    stage === 1 ? fld('GP', 50, 50, D, 'Guarded page (FEAT_BTI; RES0 otherwise).') : res0(50, 50, D),
    fld('DBM', 51, 51, D, 'Dirty Bit Modifier: with HTTU dirty-state update, a write clears AP[2]/sets S2AP[1] instead of faulting.'),
    fld('Contiguous', 52, 52, D, 'Contiguous hint: one of a contiguous set of entries that can be cached as one.'),
  );
  if (stage === 1) {
    f.push(
      fld('PXN', 53, 53, D, 'Privileged execute-never.'),
      fld('UXN', 54, 54, D, 'Unprivileged execute-never (XN in EL2/EL3 regimes).'),
    );
  } else {
    f.push(fld('XN', 54, 53, D, 'Stage 2 execute-never; XN[0] is only used with FEAT_XNX (SMMU_IDR3.XNX).', {
      values: vals([0, 'X', 'Executable at EL0 and EL1'], [1, 'PXN', 'Not executable at EL1 (FEAT_XNX)'], [2, 'XN', 'Not executable'], [3, 'UXN', 'Not executable at EL0 (FEAT_XNX)']),
    }));
  }
  f.push(
    fld('SW', 58, 55, D, 'Reserved for software use; ignored by the walk.'),
    fld('PBHA', 62, 59, D, 'Page-based hardware attributes (IMPLEMENTATION DEFINED use when enabled by HWU bits; else ignored).'),
    fld('IGNORED_63', 63, 63, D, 'Ignored by the walk.'),
  );
  const name = `S${stage}_${kind.toUpperCase()}_L${level}_${g}K`;
  return { name, dwords: 1, spec: D, summary: `Stage ${stage} ${kind} descriptor, ${g}KB granule, level ${level} (maps 2^${bs} bytes).`, fields: f };
}

const cache = new Map<string, StructDef>();

/**
 * The descriptor format of a given kind at a given walk position, or undefined when that kind
 * cannot occur there (a block at level 0 with a 4KB granule, a table at level 3, ...).
 */
export function pteDef(sel: PteSelector, kind: PteKind): StructDef | undefined {
  const { stage, granule: g, level } = sel;
  if (level < firstLevel(g) || level > 3) return undefined;
  if ((kind === 'table' && level === 3) || (kind === 'page' && level !== 3)) return undefined;
  // Table descriptors have one format per stage and granule, whatever the level.
  const key = kind === 'table' ? `${stage}/${g}/table` : `${stage}/${g}/${level}/${kind}`;
  const hit = cache.get(key);
  if (hit) return hit;
  let def: StructDef | undefined;
  if (kind === 'table') {
    def = level < 3 ? tableDef(stage, g) : undefined;
  } else if (kind === 'page') {
    def = level === 3 ? leafDef(stage, g, 3, 'page', granuleShift(g)) : undefined;
  } else {
    const bs = level < 3 ? blockShift(g, level) : undefined;
    def = bs !== undefined ? leafDef(stage, g, level, 'block', bs) : undefined;
  }
  if (def) cache.set(key, def);
  return def;
}

/** Every descriptor format described here (for completeness tests and grammar keywords). */
export function allPteDefs(): StructDef[] {
  const out: StructDef[] = [];
  for (const stage of [1, 2] as Stage[]) {
    for (const g of [4, 16, 64] as Granule[]) {
      for (let level = firstLevel(g); level <= 3; level++) {
        for (const kind of ['table', 'block', 'page'] as PteKind[]) {
          const d = pteDef({ stage, granule: g, level }, kind);
          if (d && !out.includes(d)) out.push(d);
        }
      }
    }
  }
  return out;
}

export interface DecodedPte {
  kind: DescKind;
  def?: StructDef;
  /** Output address (block/page) or next-level table address (table), including OA[51:48]. */
  address?: bigint;
}

/** Classify a descriptor and pick its format; the address combines OA/NLTA with bits [51:48]. */
export function decodePte(desc: bigint, sel: PteSelector): DecodedPte {
  const kind = classifyPte(desc, sel);
  if (kind === 'invalid' || kind === 'reserved') return { kind };
  const def = pteDef(sel, kind)!;
  const gs = kind === 'table' ? granuleShift(sel.granule) : kind === 'page' ? granuleShift(sel.granule) : blockShift(sel.granule, sel.level)!;
  let address = desc & (((1n << 48n) - 1n) & ~((1n << BigInt(gs)) - 1n));
  if (sel.granule === 64) address |= ((desc >> 12n) & 0xfn) << 48n;
  return { kind, def, address };
}

/** Mask of bit `bit` of field `name` in the 32-bit half that holds it (`lo` = bits [31:0], `hi` = [63:32]). */
function halfMask(def: StructDef, name: string, half: 'lo' | 'hi', bit = 0): number {
  const f = def.fields.find((x) => x.name === name)!;
  const b = f.lo + bit - (half === 'hi' ? 32 : 0);
  if (b < 0 || b > 31) throw new Error(`${name} is not in the ${half} half`);
  return 1 << b;
}

// One-bit leaf fields as masks on the two 32-bit halves the walk's hot path reads, derived from
// the tables above (a stage-1 level-1 4KB block has them all) so the positions live here only.
const LEAF = leafDef(1, 4, 1, 'block', 30);

/** One-bit leaf descriptor fields in bits [31:0] (DDI 0487 D8.3). */
export const PTE_LO = {
  /** AF: access flag. */
  AF: halfMask(LEAF, 'AF', 'lo'),
  /** AP[2] (stage 1: read-only), the same bit as S2AP[1] (stage 2: write). */
  AP2: halfMask(LEAF, 'AP', 'lo', 1),
  /** AP[1] (stage 1: unprivileged access), the same bit as S2AP[0] (stage 2: read). */
  AP1: halfMask(LEAF, 'AP', 'lo'),
  /** nG: not global (stage 1). */
  nG: halfMask(LEAF, 'nG', 'lo'),
  /** nT: block translation entry (FEAT_BBM, blocks). */
  nT: halfMask(LEAF, 'nT', 'lo'),
} as const;

/** One-bit leaf descriptor fields in bits [63:32], as masks on that half (DDI 0487 D8.3). */
export const PTE_HI = {
  /** DBM: dirty bit modifier (HTTU dirty state). */
  DBM: halfMask(LEAF, 'DBM', 'hi'),
  /** Contiguous hint. */
  Contiguous: halfMask(LEAF, 'Contiguous', 'hi'),
  /** PXN: privileged execute-never (stage 1). */
  PXN: halfMask(LEAF, 'PXN', 'hi'),
  /** UXN (XN in single-privilege regimes, stage 1). */
  UXN: halfMask(LEAF, 'UXN', 'hi'),
} as const;
