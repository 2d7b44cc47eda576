// Public API of the SMMU TLB model.
export * from './types';
export * from './tlb';
export { tlbiRangeBytes, type TlbiMatch } from './tlbi';
export * from './fromWalk';
