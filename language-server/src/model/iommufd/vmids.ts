// VMIDs per physical SMMU, as iommufd's arm-smmu-v3 driver hands them out: a VMID tags the TLB
// entries of one SMMU instance only (IHI 0070 §3.17), so the driver allocates from a per-SMMU
// map, and a nesting parent used on two SMMUs gets a VMID on each (drivers/iommu/arm/arm-smmu-v3:
// vmid_map per arm_smmu_device, the lowest free VMID from 1). The scenario's own STEs are not the
// kernel's: the VMIDs they use on an SMMU are reserved, so allocation skips them.

export class VmidTable {
  /** smmu -> VMID -> the nesting parent it was given to. */
  private readonly parents = new Map<string, Map<number, string>>();
  /** smmu -> VMID -> what of the scenario uses it (its own STEs). */
  private readonly reserved = new Map<string, Map<number, string>>();

  constructor(private readonly first = 1) {}

  private static on(m: Map<string, Map<number, string>>, smmu: string): Map<number, string> {
    let ids = m.get(smmu);
    if (!ids) m.set(smmu, (ids = new Map()));
    return ids;
  }

  /** The VMID `parent` was given on `smmu`, if any. */
  of(parent: string, smmu: string): number | undefined {
    const ids = this.parents.get(smmu);
    if (ids) for (const [v, p] of ids) if (p === parent) return v;
    return undefined;
  }

  /** The VMID of `parent` on `smmu`, allocated on first use: the lowest neither given nor reserved. */
  allocate(parent: string, smmu: string): number {
    const known = this.of(parent, smmu);
    if (known !== undefined) return known;
    const ids = VmidTable.on(this.parents, smmu);
    const taken = this.reserved.get(smmu);
    let v = this.first;
    while (ids.has(v) || taken?.has(v)) v++;
    ids.set(v, parent);
    return v;
  }

  /**
   * A VMID the scenario's own STE uses on `smmu` (`user` says which): later allocations skip it.
   * Returns the nesting parent the kernel already gave it to, when it did (a VMID used twice).
   */
  reserve(smmu: string, vmid: number, user: string): string | undefined {
    const given = this.parents.get(smmu)?.get(vmid);
    if (given !== undefined) return given;
    const r = VmidTable.on(this.reserved, smmu);
    if (!r.has(vmid)) r.set(vmid, user);
    return undefined;
  }

  /** The nesting parent given `vmid` on `smmu`, if any. */
  parentAt(smmu: string, vmid: number): string | undefined {
    return this.parents.get(smmu)?.get(vmid);
  }

  /** What of the scenario reserved `vmid` on `smmu`, if anything. */
  reservedBy(smmu: string, vmid: number): string | undefined {
    return this.reserved.get(smmu)?.get(vmid);
  }

  /** Every VMID given to a parent. */
  *given(): Generator<{ smmu: string; vmid: number; parent: string }> {
    for (const [smmu, ids] of this.parents) for (const [vmid, parent] of ids) yield { smmu, vmid, parent };
  }
}
