// What the VM layer did that the hazard analysis words in the guest's terms (model/hazards/viommu.ts):
// guest invalidations and the vIOMMU (and queue) they went to, IOAS unmaps with the SMMUs left out,
// guest STEs that could not be installed for want of a vDEVICE. The context appends them as they
// happen; the engine's hazard hook drains them after each step (nothing reads them otherwise).

/** How a guest command reached a physical SMMU. */
export type GuestVia = 'invalidate' | 'vcmdq';

export type VmFact =
  /** A guest invalidation accepted for `viommu` and executed on its SMMU (host form in `host`). */
  | { kind: 'guestCmd'; viommu: string; smmu: string; via: GuestVia; guest: [bigint, bigint]; host: [bigint, bigint] }
  /** A guest invalidation a vSMMU's VMM batched for `viommu`, forwarded only at the guest's CMD_SYNC. */
  | { kind: 'guestQueued'; vsmmu: string; viommu: string; smmu: string; guest: [bigint, bigint] }
  /** IOMMU_IOAS_UNMAP that left the SMMUs in `skipped` uninvalidated (`skip SMMU`). */
  | { kind: 'unmap'; ioas: string; iova: bigint; length: bigint; skipped: string[] }
  /**
   * A translating guest STE for a device without a vDEVICE on `viommu`: an attach the kernel
   * refused (-ENOENT, `sid` known) or a guest CMD_CFGI_STE the VMM could not forward (`vsid` known).
   */
  | { kind: 'noVdevice'; viommu: string; smmu: string; sid?: number; vsid?: number; vsmmu?: string; guest: [bigint, bigint] };

/** The facts of the current step, appended by the VM layer and drained by the hazard hook. */
export class VmFacts {
  private list: VmFact[] = [];

  add(f: VmFact): void {
    // Unread (no hazard hook): keep the list bounded.
    if (this.list.length >= 4096) this.list.shift();
    this.list.push(f);
  }

  take(): VmFact[] {
    const l = this.list;
    if (l.length) this.list = [];
    return l;
  }
}
