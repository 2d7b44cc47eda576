// The model's public entry point: a pure SMMUv3 library (no vscode, LSP or Node imports).
export * from './bits';
export * from './memory';
export * from './types';
export * from './smmu';
/** Field tables: decode/encode/describe every STE/CD/L1 descriptor/command/event/register field. */
export * as fields from './fields';
/** VMSAv8-64 walks and their configuration checks. */
export * as walk from './walk';
/** The TLB (tagging, capacity/policy, TLBI operations). */
export * as tlb from './tlb';
/** The PE's broadcast TLB invalidation instructions (TLBI VAE1IS, ASIDE1IS, ...; DDI 0487 C5.5). */
export * as cpu from './cpu';
/** iommufd objects and the vIOMMU layer (IOMMU_VIOMMU_ALLOC, vDEVICE, nested HWPT, vEVENTQ, HW queues). */
export * as iommufd from './iommufd';
/** Live STE/CD updates: Linux's hitless write order and the torn-state check (IHI 0070 §3.21.3). */
export * as update from './update';
