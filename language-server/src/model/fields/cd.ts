// CD, Context Descriptor: 64 bytes, 8 dwords. IHI 0070 §5.4 (issue H.a field layout).
// Bit numbers are CD-wide as in the spec. Where SMMU_IDR5.D128 == 1 some bits are renamed
// (HAD0 -> DisCH0, HWU061/062 -> SKL0, ...); this table uses the VMSAv8-64 names.
// Note: the spec splits TBI into TBI0 [38] and TBI1 [39] (some sources show one TBI[1:0] field).

import { StructDef } from './field';
import { fld, res0, vals } from './define';
import { CACHE_WALK, ENDIAN, PA_SIZE, SHAREABILITY, TG0_VALUES, TG1_VALUES, bool } from './common';

const S = 'IHI 0070 §5.4';

export const CD: StructDef = {
  name: 'CD',
  dwords: 8,
  spec: S,
  summary: 'Context Descriptor: stage 1 translation configuration of one (sub)stream.',
  fields: [
    // dword 0
    fld('T0SZ', 5, 0, S, 'Size of the VA region covered by TTB0: 2^(64-T0SZ) bytes (as TCR_ELx.T0SZ).'),
    fld('TG0', 7, 6, S, 'TTB0 translation granule.', { values: TG0_VALUES, valuesComplete: true }),
    fld('IR0', 9, 8, S, 'Inner cacheability of TTB0 table walks.', { values: CACHE_WALK }),
    fld('OR0', 11, 10, S, 'Outer cacheability of TTB0 table walks.', { values: CACHE_WALK }),
    fld('SH0', 13, 12, S, 'Shareability of TTB0 table walks.', { values: SHAREABILITY }),
    fld('EPD0', 14, 14, S, 'TTB0 walk disable: a TLB miss through TTB0 is a Translation fault.',
      { values: bool('Walk TTB0', 'TTB0 walks disabled') }),
    fld('ENDI', 15, 15, S, 'Translation table endianness.', { values: ENDIAN }),
    fld('T1SZ', 21, 16, S, 'Size of the VA region covered by TTB1: 2^(64-T1SZ) bytes.'),
    fld('TG1', 23, 22, S, 'TTB1 translation granule (encoding differs from TG0, as TCR_ELx.TG1).', { values: TG1_VALUES, valuesComplete: true }),
    fld('IR1', 25, 24, S, 'Inner cacheability of TTB1 table walks.', { values: CACHE_WALK }),
    fld('OR1', 27, 26, S, 'Outer cacheability of TTB1 table walks.', { values: CACHE_WALK }),
    fld('SH1', 29, 28, S, 'Shareability of TTB1 table walks.', { values: SHAREABILITY }),
    fld('EPD1', 30, 30, S, 'TTB1 walk disable.', { values: bool('Walk TTB1', 'TTB1 walks disabled') }),
    fld('V', 31, 31, S, 'CD Valid. 0: a transaction using this CD is aborted and C_BAD_CD recorded.', { values: bool('Invalid', 'Valid') }),
    fld('IPS', 34, 32, S, 'Intermediate physical address size of stage 1 output, capped to SMMU_IDR5.OAS.', { values: PA_SIZE }),
    fld('AFFD', 35, 35, S, 'Access Flag Fault Disable: AF == 0 never faults (when HA == 0).'),
    fld('WXN', 36, 36, S, 'Write eXecute Never: instruction reads from writable pages fault.'),
    fld('UWXN', 37, 37, S, 'Unprivileged Write eXecute Never (VMSAv8-32 LPAE; IGNORED for VMSAv8-64).'),
    fld('TBI0', 38, 38, S, 'Top Byte Ignore for TTB0 addresses.'),
    fld('TBI1', 39, 39, S, 'Top Byte Ignore for TTB1 addresses.'),
    fld('PAN', 40, 40, S, 'Privileged Access Never: privileged data access to user-accessible pages faults.'),
    fld('AA64', 41, 41, S, 'Translation table format for TTB0 and TTB1.', {
      values: vals([0, 'AA32', 'VMSAv8-32 LPAE (or VMSAv9-128 when SMMU_IDR5.D128)'], [1, 'AA64', 'VMSAv8-64']),
    }),
    fld('HD', 42, 42, S, 'Hardware update of dirty state (with HA).'),
    fld('HA', 43, 43, S, 'Hardware update of the Access flag.'),
    fld('S', 44, 44, S, 'Stage 1 fault behaviour: Stall (IHI 0070 §5.5).'),
    fld('R', 45, 45, S, 'Stage 1 fault behaviour: Record (IHI 0070 §5.5).'),
    fld('A', 46, 46, S, 'Stage 1 fault behaviour: Abort, terminate with abort rather than RAZ/WI (IHI 0070 §5.5).'),
    fld('ASET', 47, 47, S, 'ASID Set: 0 shared with PE ASIDs (broadcast TLBI applies), 1 non-shared.'),
    fld('ASID', 63, 48, S, 'Address Space Identifier tagging TLB entries. [15:8] must be 0 without SMMU_IDR0.ASID16.'),
    // dword 1
    fld('NSCFG0', 64, 64, S, 'NS attribute of the TTB0 starting-level fetch (Secure streams only).'),
    fld('HAD0', 65, 65, S, 'Hierarchical Attribute Disable for TTB0 (DisCH0 when SMMU_IDR5.D128).'),
    fld('E0PD0', 66, 66, S, 'Unprivileged access to TTB0 addresses faults (F_TRANSLATION).'),
    fld('HAFT', 67, 67, S, 'Hardware update of the Access flag in stage 1 Table descriptors.'),
    fld('TTB0', 119, 68, S, 'TTB0 translation table base address (bits [55:4]; [51:4] for VMSAv8-64).', { address: true }),
    res0(121, 120, S),
    fld('PnCH', 122, 122, S, 'Stage 1 Protected attribute enable.'),
    fld('EPAN', 123, 123, S, 'Enhanced PAN.'),
    fld('HWU059', 124, 124, S, 'TTB0 final-level descriptor bit [59] has IMPLEMENTATION DEFINED use (PBHA, when HAD0).'),
    fld('HWU060', 125, 125, S, 'As HWU059, for descriptor bit [60].'),
    fld('HWU061', 126, 126, S, 'As HWU059, for descriptor bit [61] (SKL0[0] when SMMU_IDR5.D128).'),
    fld('HWU062', 127, 127, S, 'As HWU059, for descriptor bit [62] (SKL0[1] when SMMU_IDR5.D128).'),
    // dword 2
    fld('NSCFG1', 128, 128, S, 'NS attribute of the TTB1 starting-level fetch (Secure streams only).'),
    fld('HAD1', 129, 129, S, 'Hierarchical Attribute Disable for TTB1 (DisCH1 when SMMU_IDR5.D128).'),
    fld('E0PD1', 130, 130, S, 'Unprivileged access to TTB1 addresses faults (F_TRANSLATION).'),
    fld('AIE', 131, 131, S, 'Stage 1 attribute extension (4-bit AttrIndx).'),
    fld('TTB1', 183, 132, S, 'TTB1 translation table base address (bits [55:4]).', { address: true }),
    res0(185, 184, S),
    fld('DS', 186, 186, S, '52-bit addresses with 4KB/16KB granules (as TCR_ELx.DS).'),
    fld('PIE', 187, 187, S, 'Stage 1 permission indirection enable.'),
    fld('HWU159', 188, 188, S, 'TTB1 final-level descriptor bit [59] has IMPLEMENTATION DEFINED use (PBHA, when HAD1).'),
    fld('HWU160', 189, 189, S, 'As HWU159, for descriptor bit [60].'),
    fld('HWU161', 190, 190, S, 'As HWU159, for descriptor bit [61] (SKL1[0] when SMMU_IDR5.D128).'),
    fld('HWU162', 191, 191, S, 'As HWU159, for descriptor bit [62] (SKL1[1] when SMMU_IDR5.D128).'),
    // dword 3: MAIR = {MAIR1, MAIR0}, indexed by descriptor AttrIndx
    fld('MAIR0', 223, 192, S, 'Memory Attribute Indirection, bits [31:0] (Attr0..Attr3), as MAIR_ELx.'),
    fld('MAIR1', 255, 224, S, 'Memory Attribute Indirection, bits [63:32] (Attr4..Attr7).'),
    // dword 4
    fld('AMAIR0', 287, 256, S, 'Auxiliary MAIR, bits [31:0] (IMPLEMENTATION DEFINED).'),
    fld('AMAIR1', 319, 288, S, 'Auxiliary MAIR, bits [63:32].'),
    // dword 5
    fld('IMPL_DEF', 351, 320, S, 'IMPLEMENTATION DEFINED (e.g. QoS for table walks).'),
    fld('PARTID', 367, 352, S, 'MPAM PARTID (when STE.S1MPAM).'),
    fld('PMG', 375, 368, S, 'MPAM PMG (when STE.S1MPAM).'),
    res0(383, 376, S),
    // dword 6, 7
    fld('PIIU', 431, 384, S, 'Stage 1 unprivileged permission interpretations, 16 x 3 bits (permission indirection).'),
    res0(447, 432, S),
    fld('PIIP', 495, 448, S, 'Stage 1 privileged permission interpretations, 16 x 3 bits.'),
    res0(511, 496, S),
  ],
};

/** CD.MAIR as one 64-bit value ({MAIR1, MAIR0}), indexed by AttrIndx (8 bits per attribute). */
export function cdMair(dwords: readonly bigint[]): bigint {
  return dwords[3] ?? 0n;
}
