// Which VM object a physical stream belongs to (pure): the nested HWPT attached at (SMMU,
// StreamID), its vIOMMU with its VMID, and the guest's virtual StreamID. A stream attached to a
// nested HWPT translates with the guest's stage 1 over the host's (nesting parent's) stage 2.
import type { WireVm } from '../../../language-server/src/engine/api';

export interface VmRoute {
  hwpt: string;
  viommu: string;
  /** The vIOMMU's VMID on its physical SMMU. */
  vmid?: number;
  /** The nesting parent (host stage 2). */
  parent?: string;
  vsid?: string;
  /** The vSMMU presenting the vIOMMU to the guest, if any. */
  vsmmu?: string;
}

const same = (a: string, b: string): boolean => {
  try {
    return BigInt(a) === BigInt(b);
  } catch {
    return a === b;
  }
};

/** The nested HWPT attached to `sid` on `smmu`, if any. Tolerates missing or partial VM data. */
export function vmRoute(vm: WireVm | undefined, smmu: string | undefined, sid: string | undefined): VmRoute | undefined {
  if (!vm || smmu === undefined || sid === undefined) return undefined;
  for (const n of Array.isArray(vm.nested) ? vm.nested : []) {
    const a = (Array.isArray(n.attached) ? n.attached : []).find((x) => x.smmu === smmu && same(x.sid, sid));
    if (!a) continue;
    const v = (Array.isArray(vm.viommus) ? vm.viommus : []).find((x) => x.name === n.viommu);
    const vs = (Array.isArray(vm.vsmmus) ? vm.vsmmus : []).find((x) => Array.isArray(x.viommus) && x.viommus.includes(n.viommu));
    const r: VmRoute = { hwpt: n.name, viommu: n.viommu };
    if (v) {
      r.vmid = v.vmid;
      r.parent = v.parent;
    }
    if (a.vsid !== undefined) r.vsid = a.vsid;
    if (vs) r.vsmmu = vs.name;
    return r;
  }
  return undefined;
}
