// The Xt operand of the PE's TLB invalidation instructions (DDI 0487 C5.5, "TLB maintenance
// instructions": TLBI VAE1IS, ASIDE1IS, VAAE1IS, ...), one 64-bit register. The instructions that
// take no address (VMALLE1IS, VMALLS12E1IS, ALLE2IS) ignore Xt.

import type { StructDef } from './field';
import { fld, res0 } from './define';

const S = 'DDI 0487 C5.5';

const asid = fld('ASID', 63, 48, S, 'ASID to match (the upper 8 bits are RES0 with 8-bit ASIDs; RES0 for VAE2IS/VALE2IS when HCR_EL2.E2H == 0).');
const ttl = fld('TTL', 47, 44, S, 'FEAT_TTL level hint: bits [3:2] the granule (0b00: no hint), [1:0] the level of the leaf.');
// VA[55:12] held in Xt[43:0]: an address field whose stored bits start at address bit 12.
const va = fld('VA', 43, 0, S, 'VA[55:12] of the address to invalidate (bits [63:56] of the VA follow VA[55]).', { addressShift: 12 });

/** TLBI VAE1IS / VALE1IS / VAE2IS / VALE2IS: by VA and ASID. */
export const TLBI_VA: StructDef = { name: 'TLBI_VA', dwords: 1, spec: S, summary: 'Xt of a TLBI by VA (and ASID).', fields: [va, ttl, asid] };

/** TLBI VAAE1IS / VAALE1IS: by VA, every ASID. */
export const TLBI_VAA: StructDef = { name: 'TLBI_VAA', dwords: 1, spec: S, summary: 'Xt of a TLBI by VA for all ASIDs.', fields: [va, ttl, res0(63, 48, S)] };

/** TLBI ASIDE1IS: by ASID. */
export const TLBI_ASID: StructDef = { name: 'TLBI_ASID', dwords: 1, spec: S, summary: 'Xt of a TLBI by ASID.', fields: [res0(47, 0, S), asid] };
