// Hazard analysis (see tracker.ts): stale TLB/config entries, missing CMD_SYNC, break-before-make,
// ATC, ASID/VMID reuse, caching-mode invalid-to-valid.
export { HazardTracker, type Hazard, type HazardRef, type HazardTrackerOptions } from './tracker';
export { HAZARDS, type HazardCode, type HazardInfo } from './codes';
