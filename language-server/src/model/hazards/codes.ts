// Hazard codes: one stable code per kind of invalidation / update-procedure bug, with its meaning
// and the fix (the table docs/language.md "Hazards" lists). Severity: a warning when a conforming
// SMMU may behave differently from what the scenario intends; information when only an
// emulated (caching-mode) SMMU is affected.

export type HazardCode =
  | 'H_STALE_TLB'
  | 'H_STALE_STE'
  | 'H_STALE_CD'
  | 'H_TLBI_NO_SYNC'
  | 'H_TLBI_NOT_BROADCAST'
  | 'H_BBM'
  | 'H_ATC_STALE'
  | 'H_ASID_REUSE'
  | 'H_VMID_REUSE'
  | 'H_STE_CONT'
  | 'H_STE_TORN'
  | 'H_CD_TORN'
  | 'H_CM_INVALID_TO_VALID'
  | 'H_VIOMMU_WRONG_INSTANCE'
  | 'H_PARENT_S2_NOT_INVALIDATED'
  | 'H_VDEVICE_MISSING'
  | 'H_VMID_REUSED_PARENTS'
  | 'H_SHADOW_STALE';

export interface HazardInfo {
  code: HazardCode;
  severity: 'warning' | 'information';
  meaning: string;
  fix: string;
  spec: string;
}

export const HAZARDS: Readonly<Record<HazardCode, HazardInfo>> = {
  H_STALE_TLB: {
    code: 'H_STALE_TLB', severity: 'warning', spec: 'IHI 0070 §3.17, §4.4, §4.7.3; DDI 0487 D8.16',
    meaning: 'A page-table entry a successful walk had read was changed, and a transaction that may use the old, still cached, translation ran before a matching TLBI and CMD_SYNC.',
    fix: 'After the change, issue the matching CMD_TLBI_* (by VA/IPA, ASID, VMID or ALL) and then CMD_SYNC on every SMMU that may cache it.',
  },
  H_STALE_STE: {
    code: 'H_STALE_STE', severity: 'warning', spec: 'IHI 0070 §3.21.1, §4.3',
    meaning: 'A field the SMMU reads of an STE was changed, and a transaction on that StreamID ran before CMD_CFGI_STE (or STE_RANGE/ALL) and CMD_SYNC.',
    fix: 'After writing the STE: CMD_CFGI_STE sid N, then CMD_SYNC.',
  },
  H_STALE_CD: {
    code: 'H_STALE_CD', severity: 'warning', spec: 'IHI 0070 §3.21.1, §4.3',
    meaning: 'A field the SMMU reads of a CD was changed, and a transaction on that StreamID/SubstreamID ran before CMD_CFGI_CD (or CD_ALL/ALL) and CMD_SYNC.',
    fix: 'After writing the CD: CMD_CFGI_CD sid N ssid S, then CMD_SYNC.',
  },
  H_TLBI_NO_SYNC: {
    code: 'H_TLBI_NO_SYNC', severity: 'warning', spec: 'IHI 0070 §4.7.3 (CMD_SYNC completes earlier invalidations)',
    meaning: 'An invalidation (CMD_TLBI_*/CMD_CFGI_*) was issued but not completed by a CMD_SYNC before a transaction it should affect, or before the memory it freed was written.',
    fix: 'Issue CMD_SYNC after the invalidation and before relying on it.',
  },
  H_TLBI_NOT_BROADCAST: {
    code: 'H_TLBI_NOT_BROADCAST', severity: 'warning', spec: 'IHI 0070 §3.17.6 (broadcast TLB maintenance), §6.3.1 SMMU_IDR0.BTM, §6.3.12 SMMU_CR2.PTM, §5.4 CD.ASET',
    meaning: 'A page table the SMMU may have cached (a process\'s table shared with a device, SVA) was changed and only the CPU\'s TLBI ...IS followed, but this SMMU does not take broadcast TLB maintenance (SMMU_IDR0.BTM == 0 or SMMU_CR2.PTM == 1) or the CD\'s ASID is not in the shared set (CD.ASET == 1): the SMMU may keep the old translation.',
    fix: 'After the CPU\'s TLBI, also issue CMD_TLBI_NH_VA (ASID, VA) (CMD_TLBI_EL2_VA for an EL2 stream) and CMD_SYNC on this SMMU, as Linux\'s arm_smmu_mm_arch_invalidate_secondary_tlbs() does.',
  },
  H_BBM: {
    code: 'H_BBM', severity: 'warning', spec: 'DDI 0487 D8.16.1 (break-before-make); IHI 0070 §3.21.2',
    meaning: 'A valid, possibly cached entry was replaced by another valid entry with a different output address, size (table <-> block) or memory attributes without being made invalid and invalidated (TLBI + CMD_SYNC completed) in between (possible F_TLB_CONFLICT).',
    fix: 'Write the entry invalid, issue the TLBI and CMD_SYNC, then write the new entry.',
  },
  H_ATC_STALE: {
    code: 'H_ATC_STALE', severity: 'warning', spec: 'IHI 0070 §3.9.1, §4.8 (CMD_ATC_INV)',
    meaning: 'A translation an ATS-enabled device (STE.EATS) may hold in its ATC was invalidated or changed, and the device used the stream again before CMD_ATC_INV and CMD_SYNC.',
    fix: 'After the TLBI: CMD_ATC_INV sid N (addr, size) then CMD_SYNC.',
  },
  H_ASID_REUSE: {
    code: 'H_ASID_REUSE', severity: 'warning', spec: 'IHI 0070 §3.17 (TLB tags), §5.4 CD.ASID',
    meaning: 'The same ASID (within one VMID) was used with a different stage-1 table on one SMMU without invalidating the ASID in between: entries of one address space can be used for the other.',
    fix: 'Give each address space its own ASID, or CMD_TLBI_NH_ASID + CMD_SYNC before reusing it.',
  },
  H_VMID_REUSE: {
    code: 'H_VMID_REUSE', severity: 'warning', spec: 'IHI 0070 §3.17 (TLB tags), §5.2 STE.S2VMID',
    meaning: 'The same VMID was used with a different stage-2 table on one SMMU without invalidating the VMID in between.',
    fix: 'Give each VM its own VMID, or CMD_TLBI_S12_VMALL + CMD_SYNC before reusing it.',
  },
  H_STE_CONT: {
    code: 'H_STE_CONT', severity: 'warning', spec: 'IHI 0070 §5.2 STE.CONT, §3.20.2',
    meaning: 'An STE with STE.CONT != 0 was used, but the STEs of its span of 2^CONT StreamIDs are not identical (but for CONT): an SMMU may use the requested STE or a neighbour of the span for any of them, or abort with F_CFG_CONFLICT.',
    fix: 'Make every STE of the span identical (but for CONT), or write STE.CONT = 0 (then CMD_CFGI_STE for each StreamID + CMD_SYNC).',
  },
  H_STE_TORN: {
    code: 'H_STE_TORN', severity: 'warning', spec: 'IHI 0070 §3.21.3 (configuration structure update procedure), §3.21.1',
    meaning: 'A live STE was changed from one configuration to another with more than one 64-bit write, and after one of them an SMMU fetching it (it may, at any time) sees neither the old nor the new STE in the fields that configuration reads: a mix nobody wrote, or C_BAD_STE.',
    fix: "Write the dwords in Linux's arm_smmu_write_entry() order (bits only the new STE reads, then the one dword that switches it, then the clean-up, CMD_CFGI_STE + CMD_SYNC after each; through STE.V = 0 when two dwords must switch): the code action or `iommu-lens plan ste`.",
  },
  H_CD_TORN: {
    code: 'H_CD_TORN', severity: 'warning', spec: 'IHI 0070 §3.21.3 (configuration structure update procedure), §3.21.1',
    meaning: 'A live CD was changed with more than one 64-bit write, and after one of them an SMMU fetching it sees neither the old nor the new CD in the fields that configuration reads (e.g. a new TTB0 with the old ASID), or C_BAD_CD.',
    fix: "Write the dwords in Linux's order (CMD_CFGI_CD + CMD_SYNC after each group; through CD.V = 0 when two dwords must switch): the code action or `iommu-lens plan cd`.",
  },
  H_CM_INVALID_TO_VALID: {
    code: 'H_CM_INVALID_TO_VALID', severity: 'information', spec: 'IHI 0070 §3.17 (invalid entries are not cached)',
    meaning: 'An invalid entry a walk had read was made valid and used without an invalidation: correct on real SMMUs, but a caching-mode (shadowing) vIOMMU needs the TLBI to see the new mapping.',
    fix: 'If the SMMU may be emulated in caching mode, issue the TLBI and CMD_SYNC after the map.',
  },
  H_VIOMMU_WRONG_INSTANCE: {
    code: 'H_VIOMMU_WRONG_INSTANCE', severity: 'warning', spec: 'IHI 0070 §3.17, §4.4; iommufd.h IOMMU_HWPT_INVALIDATE (the VMID is the vIOMMU\'s, local to its SMMU)',
    meaning: 'The guest invalidated a changed stage-1 translation through the vIOMMU (or vCMDQ) of one physical SMMU, but the device that cached it is behind another: the invalidation ran with the first SMMU\'s VMID on that SMMU only, and the stale entry lives on the other.',
    fix: 'Send the guest TLBI to the vIOMMU of the device\'s SMMU too: `iommufd invalidate VIOMMU ...`, `cmd VIOMMU CMD_TLBI_...` on its vCMDQ, or `cmd VSMMU ...` on the vSMMU presenting it.',
  },
  H_PARENT_S2_NOT_INVALIDATED: {
    code: 'H_PARENT_S2_NOT_INVALIDATED', severity: 'warning', spec: 'IHI 0070 §3.17, §4.4 (CMD_TLBI_S2_IPA, CMD_TLBI_S12_VMALL); iommufd IOMMU_IOAS_UNMAP',
    meaning: 'The stage-2 table of a nesting parent (the VM\'s IOAS) changed, and a physical SMMU that uses the parent with its own VMID was not invalidated: that SMMU may still translate through the old stage 2.',
    fix: 'Invalidate on every SMMU that uses the parent (`iommufd ioas_unmap` without `skip`, or CMD_TLBI_S2_IPA / CMD_TLBI_S12_VMALL + CMD_SYNC with that SMMU\'s VMID).',
  },
  H_VDEVICE_MISSING: {
    code: 'H_VDEVICE_MISSING', severity: 'warning', spec: 'IHI 0070 §5.2 (the host STE is not replaced); iommufd.h IOMMU_VDEVICE_ALLOC; arm-smmu-v3-iommufd.c (a translating nested STE needs a vDEVICE: -ENOENT)',
    meaning: 'A translating guest STE (Config S1_TRANS) was attached or invalidated (CMD_CFGI_STE) for a device with no vDEVICE on the vIOMMU: the kernel refuses it, so the device keeps its old host STE and the guest\'s stage 1 is not used.',
    fix: 'Allocate the vDEVICE first: `iommufd vdevice VIOMMU VSID SID` before the attach or the guest\'s CMD_CFGI_STE.',
  },
  H_VMID_REUSED_PARENTS: {
    code: 'H_VMID_REUSED_PARENTS', severity: 'warning', spec: 'IHI 0070 §3.17 (TLB tags), §5.2 STE.S2VMID; iommufd IOMMU_VIOMMU_ALLOC (a VMID per vIOMMU on its SMMU)',
    meaning: 'The VMID iommufd gave a nesting parent on one physical SMMU was used there with another stage-2 table (another parent, or an STE the scenario wrote) with no CMD_TLBI_S12_VMALL + CMD_SYNC in between: the two VMs\' translations can be mixed.',
    fix: 'Give the other stage-2 table a VMID iommufd did not allocate on that SMMU, or CMD_TLBI_S12_VMALL + CMD_SYNC before reusing the VMID.',
  },
  H_SHADOW_STALE: {
    code: 'H_SHADOW_STALE', severity: 'warning', spec: 'IHI 0070 §3.17, §4.4 (a shadowing VMM learns of guest table changes only from invalidations)',
    meaning: 'A DMA through a shadowing (caching-mode) vIOMMU got another answer than the guest\'s page tables give: the guest changed a mapping (made it valid, changed or removed it) and issued no invalidation, so the VMM never re-walked it and the shadow table still holds the old state. Under hardware nesting the walk would see the change.',
    fix: 'After every guest page-table change, non-present to present included, issue CMD_TLBI_NH_VA (or NH_ASID/NH_ALL) + CMD_SYNC on the vSMMU.',
  },
};
