// Page-table descriptors for the layout and the walk panel, through the model's descriptor
// field tables (model/fields/pte.ts; DDI 0487 D8.3 formats, D8.4 permissions). No bit positions here.

import { decode, encode, fieldByName, type StructDef } from '../../../model/fields/field';
import { pteDef } from '../../../model/fields/pte';
import type { Granule, Stage } from '../../../model/types';
import type { DescCodec } from '../../../model/layout/pagetable';

/** A mapping's permissions and attributes (from `map ... -> PA rw device global`, lowering/mapAttrs.ts). */
export interface LeafAttrs {
  r: boolean;
  w: boolean;
  x: boolean;
  /** Stage 1: accessible to unprivileged transactions (AP[1] = 1). Default true: DMA is unprivileged unless `priv`. */
  user: boolean;
  attrIndx: number;
  memAttr: number;
  sh: number;
  nG: boolean;
  af: boolean;
  dbm: boolean;
  contiguous: boolean;
  /** Extra descriptor fields by spec name (`pte`-style overrides in a mapping). */
  extra: Record<string, bigint>;
}

/** Leaf field values for the attributes (DDI 0487 D8.4 permission encodings). */
function leafValues(stage: Stage, a: LeafAttrs): Record<string, bigint> {
  const b = (x: boolean) => (x ? 1n : 0n);
  if (stage === 1) {
    // AP[2:1]: AP[2] read-only, AP[1] unprivileged access (DDI 0487 D8.4.1). A write-only
    // mapping cannot be expressed at stage 1: it is read-write. Executable by the privileged side
    // only when not user-writable (the architecture makes that PXN anyway).
    return {
      AttrIndx: BigInt(a.attrIndx), AP: (b(!a.w) << 1n) | b(a.user), SH: BigInt(a.sh), AF: b(a.af), nG: b(a.nG),
      DBM: b(a.dbm), Contiguous: b(a.contiguous), PXN: b(!a.x || (a.user && a.w)), UXN: b(!a.x || !a.user), ...a.extra,
    };
  }
  // S2AP: bit 0 read, bit 1 write; XN 0b10 execute-never (DDI 0487 D8.4.2).
  return {
    MemAttr: BigInt(a.memAttr), S2AP: (b(a.w) << 1n) | b(a.r), SH: BigInt(a.sh), AF: b(a.af),
    DBM: b(a.dbm), Contiguous: b(a.contiguous), XN: a.x ? 0n : 0b10n, ...a.extra,
  };
}

/** Descriptor format at a walk position (undefined where that kind cannot occur). */
export function descDef(stage: Stage, granule: Granule, level: number, kind: 'table' | 'leaf'): StructDef | undefined {
  return pteDef({ stage, granule, level }, kind === 'table' ? 'table' : level === 3 ? 'page' : 'block');
}

/**
 * Codec of one mapping. A `none` mapping is still a valid descriptor (so access faults with
 * F_PERMISSION, not F_TRANSLATION): stage 1 read-only + PXN/UXN is the closest; stage 2 S2AP 0b00.
 */
export function makeCodec(stage: Stage, granule: Granule, a: LeafAttrs): DescCodec {
  const vals = leafValues(stage, a);
  // Per level: the descriptor with every field but the address encoded once through the field
  // table, and the address field's mask (from the same table) to place each address.
  const leaves: Array<{ tpl: bigint; mask: bigint } | undefined> = [];
  const tables: Array<{ tpl: bigint; mask: bigint } | undefined> = [];
  const prep = (level: number, kind: 'table' | 'leaf') => {
    const def = descDef(stage, granule, level, kind);
    if (!def) throw new Error(`no ${kind} descriptor at level ${level} for the ${granule}K granule`);
    const addrField = kind === 'table' ? 'NLTA' : 'OA';
    const f = def.fields.find((x) => x.name === addrField)!;
    const tpl = encode(def, kind === 'table' ? { Valid: 1n, Type: 1n } : { ...vals, Valid: 1n, Type: level === 3 ? 1n : 0n })[0];
    return { tpl, mask: ((1n << BigInt(f.hi - f.lo + 1)) - 1n) << BigInt(f.lo), def, addrField };
  };
  const place = (p: { tpl: bigint; mask: bigint }, addr: bigint, level: number, kind: 'table' | 'leaf'): bigint => {
    if ((addr & ~p.mask) === 0n) return p.tpl | addr;
    // Out of the field (misaligned or too wide): let the codec report it.
    const q = prep(level, kind) as ReturnType<typeof prep>;
    const def = descDef(stage, granule, level, kind)!;
    // 64KB granule with a 52-bit address: bits [51:48] go to the OA/NLTA[51:48] field (DDI 0487 D8.3, FEAT_LPA).
    const hiField = `${q.addrField}_51_48`;
    if (addr >> 48n !== 0n && def.fields.some((x) => x.name === hiField)) {
      const LO48 = (1n << 48n) - 1n;
      return encode(def, { [q.addrField]: addr & LO48, [hiField]: addr & ~LO48 }, [p.tpl])[0];
    }
    return encode(def, { [q.addrField]: addr }, [p.tpl])[0];
  };
  // A leaf's output address: the OA field (and OA[51:48] with the 64KB granule, FEAT_LPA).
  const oaOf = (level: number, desc: bigint): bigint => {
    const v = decode(descDef(stage, granule, level, 'leaf')!, [desc]);
    return (v.OA_51_48 ?? 0n) | (v.OA ?? 0n); // address fields decode in place
  };
  return {
    table: (next, level) => place((tables[level] ??= prep(level, 'table')), next, level, 'table'),
    leaf: (level, oa) => place((leaves[level] ??= prep(level, 'leaf')), oa, level, 'leaf'),
    oa: oaOf,
    // Same attribute fields, another level's format, a new output address (a block split into
    // the next level's blocks or pages keeps its attributes).
    relevel: (desc, from, to, oa) => {
      const v = decode(descDef(stage, granule, from, 'leaf')!, [desc]);
      const def = descDef(stage, granule, to, 'leaf')!;
      const keep: Record<string, bigint> = {};
      for (const f of def.fields) if (!f.name.startsWith('OA') && !f.reserved && v[f.name] !== undefined) keep[f.name] = v[f.name]!;
      const tpl = encode(def, { ...keep, Valid: 1n, Type: to === 3 ? 1n : 0n })[0];
      return place({ tpl, mask: addrMask(def) }, oa, to, 'leaf');
    },
  };
}

function addrMask(def: StructDef): bigint {
  const f = def.fields.find((x) => x.name === 'OA')!;
  return ((1n << BigInt(f.hi - f.lo + 1)) - 1n) << BigInt(f.lo);
}

/** Whether every name is a field of the format (for `pte ... field value` edits). */
export function hasFields(def: StructDef, names: string[]): boolean {
  return names.every((n) => fieldByName(def, n) !== undefined);
}
