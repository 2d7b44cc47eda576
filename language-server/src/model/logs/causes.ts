// The likely cause of an event record, from its type and fields (IHI 0070 §7.3 describes when
// each event is raised; the causes name what software usually got wrong to make it so).

import type { FieldValues } from '../fields/field';
import { hex } from '../bits';

type Cause = (v: FieldValues) => string;

/** `unprivileged data read of 0x1000`, or `the access` when the record's fields are not known. */
const access = (v: FieldValues): string => v.Type === undefined ? 'the access'
  : `${v.PnU ? 'privileged' : 'unprivileged'} ${v.InD ? 'instruction fetch' : 'data'} ${v.RnW ? 'read' : 'write'} of ${hex(v.InputAddr ?? 0n)}`;

const fetch = (what: string, fix: string): Cause => (v) =>
  `external abort fetching the ${what}${v.FetchAddr !== undefined ? ` at ${hex(v.FetchAddr)}` : ''}: ${fix}`;

const CAUSES: Record<string, Cause> = {
  F_UUT: () => 'the device issued a transaction type this SMMU does not support (e.g. an atomic or a cache maintenance operation)',
  C_BAD_STREAMID: () => 'the StreamID is beyond SMMU_STRTAB_BASE_CFG.LOG2SIZE or its L1STD is invalid: no STE was installed for this device (firmware iommu-map/IORT StreamID mismatch, or the device was never attached)',
  F_STE_FETCH: fetch('STE', 'SMMU_STRTAB_BASE or an L1STD.L2Ptr points at memory the SMMU cannot read'),
  C_BAD_STE: () => 'the STE is invalid (STE.V == 0: the device is not attached, or DMA continued after detach) or has an ILLEGAL field combination',
  F_BAD_ATS_TREQ: () => 'an ATS Translation Request while STE.EATS does not allow ATS for the stream (ATS enabled in the device, not in the STE)',
  F_STREAM_DISABLED: () => 'a transaction without a PASID on an STE with STE.S1DSS == TERMINATE (or with SubstreamID 0 when S1DSS == SSID0): the device issued DMA without its PASID',
  F_TRANSL_FORBIDDEN: () => 'an ATS-translated transaction the STE does not allow (STE.EATS == 0, or a stream in bypass/abort)',
  C_BAD_SUBSTREAMID: (v) => `SubstreamID ${hex(v.SubstreamID ?? 0n)} is beyond STE.S1CDMax, or the STE has substreams disabled (S1CDMax == 0): the PASID was never set up in the CD table`,
  F_CD_FETCH: fetch('CD', 'STE.S1ContextPtr or an L1CD.L2Ptr points at memory the SMMU cannot read (under nesting: a guest CD table address the VMM did not map)'),
  C_BAD_CD: () => 'the CD is invalid (CD.V == 0: the PASID is not bound, or was unbound while the device still used it) or has an ILLEGAL field combination',
  F_WALK_EABT: (v) => `external abort on a ${v.S2 ? 'stage-2' : 'stage-1'} table walk${v.FetchAddr ? ` reading ${hex(v.FetchAddr)}` : ''}: a TTB or table descriptor points at memory the SMMU cannot read`,
  F_TRANSLATION: (v) => {
    const at = access(v);
    if (v.Type !== undefined && v.S2) {
      const ipa = v.IPA ? ` IPA ${hex(v.IPA)}` : '';
      if (v.CLASS === 0n) return `stage 2 has no mapping for the CD fetch (${ipa.trim() || 'the CD IPA'}): the guest's CD table is not mapped by the VMM`;
      if (v.CLASS === 1n) return `stage 2 has no mapping for a stage-1 table (${ipa.trim() || 'a table IPA'}): the guest's page tables are not mapped by the VMM`;
      return `stage 2 has no mapping for${ipa || ' the IPA'} (${at}): guest memory not mapped by the VMM, or outside STE.S2T0SZ`;
    }
    return `${v.Type === undefined ? 'no valid descriptor' : 'no valid stage-1 descriptor'} for ${at}: the IOVA is not mapped (DMA after unmap, a wrong IOVA, a missing map) or lies outside CD.T0SZ/T1SZ or in a range disabled by CD.EPDx`;
  },
  F_ADDR_SIZE: (v) => `an output or table address is wider than ${v.S2 ? 'STE.S2PS' : 'CD.IPS'} (or SMMU_IDR5.OAS): a descriptor holds an address the configured size cannot reach`,
  F_ACCESS: (v) => `the descriptor's Access flag is 0 and the SMMU does not set it (${v.S2 ? 'STE.S2HA' : 'CD.HA'} == 0 or HTTU not implemented; AFFD == 0)`,
  F_PERMISSION: (v) => {
    if (v.Type === undefined) return 'the mapping does not permit the access: a write to a read-only page, an instruction fetch from an execute-never page, or an unprivileged access to a privileged-only page';
    const what = v.InD ? 'an instruction fetch from an execute-never mapping' : v.RnW ? 'a read of a mapping without read permission' : 'a write to a read-only mapping';
    return `${what} at ${v.S2 ? 'stage 2 (S2AP/S2XN)' : 'stage 1 (AP/UXN/PXN)'} for the ${access(v)}${!v.PnU && !v.S2 ? ', or an unprivileged access to a privileged-only page' : ''}`;
  },
  F_TLB_CONFLICT: () => 'more than one TLB entry matches: a mapping changed size (page <-> block) without break-before-make (no invalid entry + TLBI in between)',
  F_CFG_CONFLICT: () => 'STEs of an STE.CONT span differ, or a span overlaps another: the contiguous hint does not hold',
  E_PAGE_REQUEST: () => 'a speculative page request hint; no action is required',
  F_VMS_FETCH: fetch('VMS', 'the VMS pointer is wrong'),
};

/** The likely cause of an event of spec name `type` with decoded fields `v` (empty when unknown). */
export function eventCause(type: string, v: FieldValues = {}): string | undefined {
  return CAUSES[type]?.(v);
}
