// Hazard analysis (tracker.ts coordinates one shadow per kind of cached state): stale TLB/config
// entries, missing CMD_SYNC, break-before-make, ATC, ASID/VMID reuse, STE.CONT, caching-mode
// invalid-to-valid; in iommufd scenarios the same findings in the guest's terms (viommu.ts). Findings
// are data (finding.ts); the engine renders them.
export { HazardTracker, type HazardTrackerOptions } from './tracker';
export type * from './finding';
export { HAZARDS, type HazardCode, type HazardInfo } from './codes';
export type { ShadowingView, ShadowedAccess } from './shadowing';
