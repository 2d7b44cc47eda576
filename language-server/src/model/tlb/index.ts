// Public API of the SMMU TLB model.
export * from './tlb';
export * from './fromWalk';
