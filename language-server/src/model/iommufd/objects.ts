// The iommufd objects of one VM as plain data (include/uapi/linux/iommufd.h): an IOAS with its
// mappings, nesting-parent stage-2 HWPTs over it, vIOMMUs (one per physical SMMU), vDEVICEs,
// nested HWPTs, vEVENTQs and hardware queues, and which device is attached to what.

import type { S2Table } from './hostSte';
import type { ValidVste } from './uapi';
import type { VEventQueue } from './veventq';
import type { HwQueue } from './hwQueue';

export interface IoasMapping {
  iova: bigint;
  length: bigint;
  pa: bigint;
  readOnly: boolean;
}

export interface Ioas {
  name: string;
  /** Sorted by IOVA, never overlapping (IOMMU_IOAS_MAP fails with EEXIST on overlap). */
  maps: IoasMapping[];
}

/** IOMMU_HWPT_ALLOC with IOMMU_HWPT_ALLOC_NEST_PARENT: one stage-2 table shared by every SMMU. */
export interface ParentHwpt {
  kind: 'parent';
  name: string;
  ioas: string;
  /** The SMMU whose page-table format the table uses. */
  smmu: string;
  table: S2Table;
}

/** IOMMU_VIOMMU_ALLOC: a vIOMMU on one physical SMMU over a nesting parent. */
export interface Viommu {
  name: string;
  smmu: string;
  parent: string;
  /** The VMID this vIOMMU's guest translations are tagged with on `smmu`. */
  vmid: number;
  /** IOMMU_VDEVICE_ALLOC: virtual StreamID -> physical StreamID. */
  vdevices: Map<number, number>;
  veventq?: VEventQueue;
  hwQueues: Map<number, HwQueue>;
  /** The guest's vSMMU that presents this vIOMMU (`vsmmu` line), if any. */
  vsmmu?: string;
}

/** IOMMU_HWPT_ALLOC on a vIOMMU with IOMMU_HWPT_DATA_ARM_SMMUV3: a guest STE's words 0-1. */
export interface NestedHwpt {
  kind: 'nested';
  name: string;
  viommu: string;
  /** The words as given. */
  guest: [bigint, bigint];
  vste: ValidVste;
}

export type Hwpt = ParentHwpt | NestedHwpt;

/** A device (physical StreamID on an SMMU) attached to an HWPT, and the STE that installed. */
export interface Attachment {
  smmu: string;
  sid: number;
  hwpt: string;
  hostSte: bigint[];
  /** The vIOMMU and virtual StreamID events of this device are reported with (a "vmaster"). */
  vmaster?: { viommu: string; vsid: number };
}
