// Page-table descriptors for the layout and the walk panel, through the model's descriptor
// field tables (model/fields/pte.ts; DDI 0487 D8.3 formats, D8.4 permissions). No bit positions here.

import { decode, encode, fieldByName, type StructDef } from '../model/fields/field';
import { decodePte, pteDef } from '../model/fields/pte';
import type { Granule, Stage, WalkStep } from '../model/types';
import type { DescCodec } from './pagetable';
import type { LeafAttrs } from './mapAttrs';

/** Leaf field values for the attributes (DDI 0487 D8.4 permission encodings). */
export function leafValues(stage: Stage, a: LeafAttrs): Record<string, bigint> {
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
  return {
    table: (next, level) => encode(descDef(stage, granule, level, 'table')!, { Valid: 1n, Type: 1n, NLTA: next })[0],
    leaf: (level, oa) => encode(descDef(stage, granule, level, 'leaf')!, { ...vals, Valid: 1n, Type: level === 3 ? 1n : 0n, OA: oa })[0],
  };
}

/** Whether every name is a field of the format (for `pte ... field value` edits). */
export function hasFields(def: StructDef, names: string[]): boolean {
  return names.every((n) => fieldByName(def, n) !== undefined);
}

/** Decoded fields of a walk step's descriptor, for the walk panel. */
export function decodeDescriptor(s: WalkStep, granule: Granule): Record<string, bigint> {
  const d = decodePte(s.desc, { stage: s.stage, granule, level: s.level });
  return d.def ? decode(d.def, [s.desc]) : {};
}
