// The PE side of the system as far as an SMMU sees it: broadcast TLB maintenance instructions.
export * from './tlbi';
