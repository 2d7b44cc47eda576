// VMSAv8-64 translation table descriptors as field tables (DDI 0487 D8.3: table, block and page
// descriptors; D8.4 access permissions; D8.6 memory attributes), for the page-table layout and
// the walk panel. Encoded and decoded through the model's field codec, never by hand.
// (Candidates to move into model/fields when the model grows its own descriptor tables.)

import { decode, encode, fld, type StructDef } from '../model/fields/field';
import type { Stage, WalkStep } from '../model/types';
import type { DescCodec } from './pagetable';
import type { LeafAttrs } from './mapAttrs';

const D83 = 'DDI 0487 D8.3';
const D84 = 'DDI 0487 D8.4';

/** Table descriptor (both stages; the hierarchical controls are stage-1 only). */
export const TABLE_DESC: StructDef = {
  name: 'TableDescriptor', dwords: 1, spec: D83, fields: [
    fld('Valid', 0, 0, D83, 'Valid descriptor.'),
    fld('Type', 1, 1, D83, '1: table (at levels 0-2).'),
    fld('NextLevelTable', 47, 12, D83, 'Address of the next-level table (granule aligned).', { address: true }),
    fld('PXNTable', 59, 59, D84, 'Stage 1: privileged execute-never for everything below.'),
    fld('UXNTable', 60, 60, D84, 'Stage 1: unprivileged execute-never for everything below.'),
    fld('APTable', 62, 61, D84, 'Stage 1: access permission limits for everything below.'),
    fld('NSTable', 63, 63, D83, 'Stage 1: Non-secure table (Secure state only).'),
  ],
};

/** Stage-1 block (levels 1-2) and page (level 3) descriptor. */
export const S1_LEAF: StructDef = {
  name: 'S1Descriptor', dwords: 1, spec: D83, fields: [
    fld('Valid', 0, 0, D83, 'Valid descriptor.'),
    fld('Type', 1, 1, D83, '0: block (levels 1-2); 1: page (level 3).'),
    fld('AttrIndx', 4, 2, 'DDI 0487 D8.6', 'Index into CD.MAIR.'),
    fld('NS', 5, 5, D83, 'Non-secure output (Secure state only).'),
    fld('AP', 7, 6, D84, 'AP[2:1]: bit 7 read-only, bit 6 unprivileged access.'),
    fld('SH', 9, 8, 'DDI 0487 D8.6', 'Shareability.'),
    fld('AF', 10, 10, D83, 'Access flag.'),
    fld('nG', 11, 11, D83, 'Not global: the TLB entry is tagged with the ASID.'),
    fld('OA', 47, 12, D83, 'Output address (aligned to the block/page size).', { address: true }),
    fld('DBM', 51, 51, D83, 'Dirty bit modifier (hardware dirty state, with CD.HD).'),
    fld('Contiguous', 52, 52, D83, 'Contiguous hint.'),
    fld('PXN', 53, 53, D84, 'Privileged execute-never.'),
    fld('UXN', 54, 54, D84, 'Unprivileged execute-never.'),
    fld('SW', 58, 55, D83, 'Reserved for software use.'),
  ],
};

/** Stage-2 block and page descriptor. */
export const S2_LEAF: StructDef = {
  name: 'S2Descriptor', dwords: 1, spec: D83, fields: [
    fld('Valid', 0, 0, D83, 'Valid descriptor.'),
    fld('Type', 1, 1, D83, '0: block; 1: page (level 3).'),
    fld('MemAttr', 5, 2, 'DDI 0487 D8.6', 'Stage-2 memory attributes.'),
    fld('S2AP', 7, 6, D84, 'Stage-2 access: bit 6 read, bit 7 write.'),
    fld('SH', 9, 8, 'DDI 0487 D8.6', 'Shareability.'),
    fld('AF', 10, 10, D83, 'Access flag.'),
    fld('OA', 47, 12, D83, 'Output address (aligned to the block/page size).', { address: true }),
    fld('DBM', 51, 51, D83, 'Dirty bit modifier (hardware dirty state, with STE.S2HD).'),
    fld('Contiguous', 52, 52, D83, 'Contiguous hint.'),
    fld('XN', 54, 53, D84, 'Execute-never: 0b00 executable, 0b10 execute-never (0b01/0b11 with FEAT_XNX).'),
    fld('SW', 58, 55, D83, 'Reserved for software use.'),
  ],
};

export function leafDef(stage: Stage): StructDef {
  return stage === 1 ? S1_LEAF : S2_LEAF;
}

/** Field values of a leaf for the given attributes (DDI 0487 D8.4 permission encodings). */
export function leafValues(stage: Stage, a: LeafAttrs): Record<string, bigint> {
  const b = (x: boolean) => (x ? 1n : 0n);
  if (stage === 1) {
    // AP[2] (bit 7) = read-only, AP[1] (bit 6) = unprivileged access. A write-only mapping is not
    // expressible at stage 1: it maps read-write.
    const ap = (b(!a.w) << 1n) | b(a.user);
    return {
      Valid: b(a.r || a.w || a.x), AttrIndx: BigInt(a.attrIndx), AP: ap, SH: BigInt(a.sh), AF: b(a.af), nG: b(a.nG),
      DBM: b(a.dbm), Contiguous: b(a.contiguous), PXN: b(!a.x || a.user && a.w), UXN: b(!a.x || !a.user), ...a.extra,
    };
  }
  return {
    Valid: b(a.r || a.w || a.x), MemAttr: BigInt(a.memAttr), S2AP: (b(a.w) << 1n) | b(a.r), SH: BigInt(a.sh), AF: b(a.af),
    DBM: b(a.dbm), Contiguous: b(a.contiguous), XN: a.x ? 0n : 0b10n, ...a.extra,
  };
}

/**
 * Descriptor codec of one mapping. A mapping with no access at all (`none`) still needs a valid
 * descriptor to fault with F_PERMISSION rather than F_TRANSLATION: it is written valid with no
 * permissions (stage 1: read-only + PXN/UXN is the closest; stage 2: S2AP = 0b00).
 */
export function makeCodec(stage: Stage, a: LeafAttrs): DescCodec {
  const vals = leafValues(stage, a);
  vals.Valid = 1n;
  const def = leafDef(stage);
  return {
    table: (next) => encode(TABLE_DESC, { Valid: 1n, Type: 1n, NextLevelTable: next })[0],
    leaf: (level, oa) => encode(def, { ...vals, Type: level === 3 ? 1n : 0n, OA: oa })[0],
  };
}

/** Decoded fields of a walk step's descriptor, for the walk panel. */
export function decodeDescriptor(s: WalkStep): Record<string, bigint> {
  if (s.kind === 'table') return decode(TABLE_DESC, [s.desc]);
  if (s.kind === 'block' || s.kind === 'page') return decode(leafDef(s.stage), [s.desc]);
  return {};
}
