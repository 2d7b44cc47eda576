// iommufd and the vIOMMU layer above the physical SMMUs (issue: virtual SMMUs).
export * from './uapi';
export * from './hostSte';
export * from './objects';
export * from './veventq';
export * from './hwQueue';
export * from './context';
export * from './effects';
export * from './vmids';
export * from './steVmids';
export * from './guestMemory';
export * from './vsmmu';
export * from './facts';
export * from './shadow';
export * from './shadowS1';
export * from './guestTables';
