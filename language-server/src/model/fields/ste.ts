// STE, Stream Table Entry: 64 bytes, 8 dwords. IHI 0070 §5.2 (issue H.a field layout).
// Bit numbers below are the spec's STE-wide numbers; fld() converts them to dword + range.
// Address fields are stored in place (see field.ts): S1ContextPtr decodes to the CD address.
// Note: Linux masks S1ContextPtr as [51:6] and S2TTB as [51:4]; the spec defines the fields up to
// bit 55 (56-bit PA, SMMUv3.4+), so this table follows the spec: bits above the OAS are RES0 there.

import { StructDef } from './field';
import { fld, res0, vals } from './define';
import { CACHE_RA, CACHE_WALK, ENDIAN, PA_SIZE, SHAREABILITY, TG0_VALUES, bool } from './common';

const S = 'IHI 0070 §5.2';

/** STE.Config encodings (IHI 0070 §5.2). */
export const STE_CONFIG = {
  ABORT: 0b000n,
  BYPASS: 0b100n,
  S1_TRANS: 0b101n,
  S2_TRANS: 0b110n,
  NESTED: 0b111n,
} as const;

export const STE: StructDef = {
  name: 'STE',
  dwords: 8,
  spec: S,
  summary: 'Stream Table Entry: configuration of one StreamID.',
  fields: [
    // dword 0
    fld('V', 0, 0, S, 'STE Valid. 0: the STE is invalid; a transaction selecting it is aborted and C_BAD_STE recorded.',
      { values: bool('Invalid', 'Valid') }),
    fld('Config', 3, 1, S, 'Stream configuration: abort, bypass, or which translation stages apply.', {
      values: vals(
        [0b000, 'ABORT', 'No traffic can pass; abort reported to the device, no event recorded'],
        [0b001, 'RSVD', 'Reserved (behaves as 0b000)', true],
        [0b010, 'RSVD', 'Reserved (behaves as 0b000)', true],
        [0b011, 'RSVD', 'Reserved (behaves as 0b000)', true],
        [0b100, 'BYPASS', 'Stage 1 bypass, stage 2 bypass'],
        [0b101, 'S1_TRANS', 'Stage 1 translate, stage 2 bypass'],
        [0b110, 'S2_TRANS', 'Stage 1 bypass, stage 2 translate'],
        [0b111, 'NESTED', 'Stage 1 and stage 2 translate'],
      ),
      valuesComplete: true,
    }),
    fld('S1Fmt', 5, 4, S, 'Stage 1 format: layout of the CD table S1ContextPtr points to (IGNORED when S1CDMax == 0).', {
      values: vals(
        [0, 'LINEAR', 'Linear table of CDs indexed by SubstreamID'],
        [1, '2LVL_4K', '2-level table, 4KB L2 leaf tables of 64 CDs'],
        [2, '2LVL_64K', '2-level table, 64KB L2 leaf tables of 1024 CDs'],
        [3, 'RSVD', 'Reserved (behaves as 0b00)', true],
      ),
    }),
    fld('S1ContextPtr', 55, 6, S, 'Address of the stage 1 CD (or CD table). An IPA when stage 2 translates (Config == 0b11x), else a PA.',
      { address: true }),
    res0(58, 56, S),
    fld('S1CDMax', 63, 59, S, 'Log2 of the number of CDs at S1ContextPtr. 0: one CD, substreams disabled.'),
    // dword 1
    fld('S1DSS', 65, 64, S, 'Default substream: behaviour of a transaction without a SubstreamID when S1CDMax != 0.', {
      values: vals(
        [0, 'TERMINATE', 'Abort, record F_STREAM_DISABLED'],
        [1, 'BYPASS', 'Bypass stage 1 as though Config == 0b1x0'],
        [2, 'SSID0', 'Use the CD of substream 0 (which becomes unavailable to transactions with a substream)'],
        [3, 'RSVD', 'Reserved (behaves as 0b00)', true],
      ),
    }),
    fld('S1CIR', 67, 66, S, 'Inner cacheability of CD and L1CD fetches through S1ContextPtr.', { values: CACHE_RA }),
    fld('S1COR', 69, 68, S, 'Outer cacheability of CD and L1CD fetches through S1ContextPtr.', { values: CACHE_RA }),
    fld('S1CSH', 71, 70, S, 'Shareability of CD and L1CD fetches through S1ContextPtr.', { values: SHAREABILITY }),
    fld('S2HWU59', 72, 72, S, 'Stage 2 final-level descriptor bit [59] has IMPLEMENTATION DEFINED hardware use (if SMMU_IDR3.PBHA).'),
    fld('S2HWU60', 73, 73, S, 'As S2HWU59, for descriptor bit [60].'),
    fld('S2HWU61', 74, 74, S, 'As S2HWU59, for descriptor bit [61].'),
    fld('S2HWU62', 75, 75, S, 'As S2HWU59, for descriptor bit [62].'),
    fld('DRE', 76, 76, S, 'Destructive Read Enable: permit read-and-invalidate transactions and Invalidate CMOs.'),
    fld('CONT', 80, 77, S, 'Contiguous hint: this STE is identical to the 2^CONT STEs of its aligned StreamID span.'),
    fld('DCP', 81, 81, S, 'Directed Cache Prefetch permitted.'),
    fld('PPAR', 82, 82, S, 'PRI Page request Auto Responses include a PASID prefix when permitted.'),
    fld('MEV', 83, 83, S, 'Merge Events: permit similar fault records to be merged.'),
    fld('SW_RESERVED', 87, 84, S, 'Reserved for software use; IGNORED by the SMMU.'),
    fld('S1PIE', 88, 88, S, 'CDs fetched through this STE can enable stage 1 permission indirection (RES0 if SMMU_IDR3.S1PI == 0).'),
    fld('S2FWB', 89, 89, S, 'Stage 2 forced write-back: stage 2 controls attributes as HCR_EL2.FWB == 1 (SMMUv3.2+).'),
    fld('S1MPAM', 90, 90, S, 'Stage 1 control of MPAM: PARTID/PMG come from the CD.'),
    fld('S1STALLD', 91, 91, S, 'Stage 1 Stall Disable: CDs cannot select the stall fault model. ILLEGAL unless SMMU_IDR0.STALL_MODEL == 0b00.'),
    fld('EATS', 93, 92, S, 'Enable PCIe ATS translation and traffic.', {
      values: vals(
        [0, 'ABT', 'ATS Translation Requests are aborted (F_BAD_ATS_TREQ); Translated traffic blocked if ATSCHK'],
        [1, 'TRANS', 'Full ATS: translation requests translated at all enabled stages'],
        [2, 'S1CHK', 'Split-stage ATS: responses carry the stage 1 IPA; Translated traffic gets stage 2'],
        [3, 'DPT', 'Full ATS with DPT checks (Reserved unless SMMU_IDR3.DPT)'],
      ),
    }),
    fld('STRW', 95, 94, S, 'StreamWorld control: translation regime of stage 1 (with SMMU_CR2.E2H).', {
      values: vals(
        [0, 'NSEL1', 'EL1 (NS-EL1, or Secure for a Secure STE)'],
        [1, 'EL3', 'Secure STE: EL3. Non-secure STE: Reserved, ILLEGAL'],
        [2, 'EL2', 'EL2, or EL2-E2H when SMMU_CR2.E2H == 1'],
        [3, 'RSVD', 'Reserved, ILLEGAL', true],
      ),
    }),
    fld('MemAttr', 99, 96, S, 'Memory attribute override (stage 2 MemAttr encoding) when MTCFG == 1.'),
    fld('MTCFG', 100, 100, S, 'Memory type configuration: 1 replaces the incoming type with MemAttr.',
      { values: bool('Use incoming type', 'Replace with MemAttr') }),
    fld('ALLOCCFG', 104, 101, S, 'Allocation hints override: 0b0xxx use incoming; 0b1RWT override RA=R, WA=W, TR=T.'),
    res0(107, 105, S),
    fld('SHCFG', 109, 108, S, 'Shareability override.', {
      values: vals([0, 'NSH', 'Non-shareable'], [1, 'INCOMING', 'Use incoming Shareability'], [2, 'OSH', 'Outer shareable'], [3, 'ISH', 'Inner shareable']),
    }),
    fld('NSCFG', 111, 110, S, 'NS attribute override (Secure STEs with stage 1 bypassed; IGNORED in the Non-secure Stream table).', {
      values: vals([0, 'INCOMING', 'Use incoming NS attribute'], [1, 'RSVD', 'Reserved (behaves as 0b00)', true], [2, 'SECURE', 'Secure'], [3, 'NONSECURE', 'Non-secure']),
    }),
    fld('PRIVCFG', 113, 112, S, 'User/privileged attribute override.', {
      values: vals([0, 'INCOMING', 'Use incoming PRIV attribute'], [1, 'RSVD', 'Reserved (behaves as 0b00)', true], [2, 'UNPRIV', 'Unprivileged'], [3, 'PRIV', 'Privileged']),
    }),
    fld('INSTCFG', 115, 114, S, 'Instruction/data attribute override (reads only).', {
      values: vals([0, 'INCOMING', 'Use incoming INST attribute'], [1, 'RSVD', 'Reserved (behaves as 0b00)', true], [2, 'DATA', 'Data'], [3, 'INSTR', 'Instruction']),
    }),
    fld('IMPL_DEF', 127, 116, S, 'IMPLEMENTATION DEFINED per-stream configuration.'),
    // dword 2
    fld('S2VMID', 143, 128, S, 'Virtual Machine Identifier tagging TLB entries of this stream. [15:8] must be 0 without SMMU_IDR0.VMID16.'),
    fld('IMPL_DEF_159_144', 159, 144, S, 'IMPLEMENTATION DEFINED.'),
    fld('S2T0SZ', 165, 160, S, 'Size of the IPA region covered by stage 2: 2^(64-S2T0SZ) bytes (as VTCR_EL2.T0SZ).'),
    fld('S2SL0', 167, 166, S, 'Starting level of the stage 2 walk (as VTCR_EL2.SL0, depends on S2TG).'),
    fld('S2IR0', 169, 168, S, 'Inner cacheability of stage 2 table walks.', { values: CACHE_WALK }),
    fld('S2OR0', 171, 170, S, 'Outer cacheability of stage 2 table walks.', { values: CACHE_WALK }),
    fld('S2SH0', 173, 172, S, 'Shareability of stage 2 table walks.', { values: SHAREABILITY }),
    fld('S2TG', 175, 174, S, 'Stage 2 translation granule.', { values: TG0_VALUES, valuesComplete: true }),
    fld('S2PS', 178, 176, S, 'Stage 2 output (physical) address size, capped to SMMU_IDR5.OAS (as VTCR_EL2.PS).', { values: PA_SIZE }),
    fld('S2AA64', 179, 179, S, 'Stage 2 translation table format.', {
      values: vals([0, 'AA32', 'VMSAv8-32 LPAE (or VMSAv9-128 when SMMU_IDR5.D128)'], [1, 'AA64', 'VMSAv8-64']),
    }),
    fld('S2ENDI', 180, 180, S, 'Stage 2 translation table endianness.', { values: ENDIAN }),
    fld('S2AFFD', 181, 181, S, 'Stage 2 Access Flag Fault Disable: AF == 0 never faults (when S2HA == 0).'),
    fld('S2PTW', 182, 182, S, 'Protected Table Walk: stage 1 walks/CD fetches to Device memory at stage 2 fault (stage 2 Permission).'),
    fld('S2HD', 183, 183, S, 'Hardware update of stage 2 dirty state (with S2HA).'),
    fld('S2HA', 184, 184, S, 'Hardware update of stage 2 Access flag.'),
    fld('S2S', 185, 185, S, 'Stage 2 fault behaviour: Stall (IHI 0070 §5.5).'),
    fld('S2R', 186, 186, S, 'Stage 2 fault behaviour: Record (IHI 0070 §5.5).'),
    fld('S2HAFT', 187, 187, S, 'Hardware update of the Access flag in stage 2 Table descriptors.'),
    fld('S2PIE', 188, 188, S, 'Stage 2 permission indirection enable.'),
    fld('S2POE', 189, 189, S, 'Stage 2 permission overlay enable.'),
    fld('DPT_VMATCH', 191, 190, S, 'VMID matching requirement for DPT checks (EATS == 0b11).'),
    // dword 3
    fld('S2NSW', 192, 192, S, 'Secure STE: NS bit of stage 2 walks of the Non-secure IPA space.'),
    fld('S2NSA', 193, 193, S, 'Secure STE: NS bit output for stage 2 Non-secure IPA translations.'),
    fld('S2SL0_2', 194, 194, S, 'Bit [2] of S2SL0 (FEAT_LPA2, SMMU_IDR5.DS).'),
    fld('S2DS', 195, 195, S, '52-bit addresses with 4KB/16KB stage 2 granules (as VTCR_EL2.DS).'),
    fld('S2TTB', 247, 196, S, 'Stage 2 translation table base address (bits [55:4]; [51:4] for VMSAv8-64).', { address: true }),
    res0(252, 248, S),
    fld('S2SKL', 254, 253, S, 'Stage 2 skip levels for VMSAv9-128 (RES0 otherwise).'),
    res0(255, 255, S),
    // dword 4
    fld('IMPL_DEF_271_256', 271, 256, S, 'IMPLEMENTATION DEFINED.'),
    fld('PARTID', 287, 272, S, 'MPAM PARTID for accesses of this stream.'),
    fld('S_S2T0SZ', 293, 288, S, 'Secure stage 2 IPA region size.'),
    fld('S_S2SL0', 295, 294, S, 'Secure stage 2 starting level.'),
    res0(301, 296, S),
    fld('S_S2TG', 303, 302, S, 'Secure stage 2 granule.', { values: TG0_VALUES }),
    fld('MECID', 319, 304, S, 'Realm STE: MECID for accesses of this stream.'),
    // dword 5
    fld('PMG', 327, 320, S, 'MPAM PMG for accesses of this stream.'),
    fld('MPAM_NS', 328, 328, S, 'PARTID space: 1 selects the Non-secure PARTID space (Secure/Realm STEs).'),
    fld('AssuredOnly', 329, 329, S, 'Stage 2 AssuredOnly checks enable.'),
    fld('TL0', 330, 330, S, 'Stage 2 TopLevel0 check enable.'),
    fld('TL1', 331, 331, S, 'Stage 2 TopLevel1 check enable.'),
    fld('VMSPtr', 375, 332, S, 'Address of the Virtual Machine Structure (bits [55:12]).', { address: true }),
    res0(383, 376, S),
    // dword 6
    fld('S2SW', 384, 384, S, 'Secure STE: NS bit of stage 2 walks of the Secure IPA space.'),
    fld('S2SA', 385, 385, S, 'Secure STE: NS bit output for stage 2 Secure IPA translations.'),
    fld('S_S2SL0_2', 386, 386, S, 'Bit [2] of S_S2SL0.'),
    res0(387, 387, S),
    fld('S_S2TTB', 439, 388, S, 'Secure stage 2 translation table base address (bits [55:4]).', { address: true }),
    res0(444, 440, S),
    fld('S_S2SKL', 446, 445, S, 'Secure stage 2 skip levels (VMSAv9-128).'),
    res0(447, 447, S),
    // dword 7
    fld('S2POI', 511, 448, S, 'Stage 2 permission overlay interpretations, 16 x 4 bits (as S2POR_EL1).'),
  ],
};
