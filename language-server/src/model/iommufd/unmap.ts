// IOMMU_IOAS_UNMAP on a VM's IOAS: the mappings dropped, then on every physical SMMU that uses a
// nesting parent over the IOAS the invalidations the arm-smmu-v3 driver issues for a nesting
// parent (the stage-2 change must reach every instance: IHI 0070 §3.17, VMIDs are per SMMU).

import { hex } from '../bits';
import { encodeCommand as CMD } from '../fields/commands';
import { getField } from '../fields/field';
import { STE } from '../fields/ste';
import type { IommufdContext } from './context';
import { fail, issue, noEffects, type IommufdEffects } from './effects';

/** Above this many pages the driver invalidates the whole VMID (CMD_TLBI_S12_VMALL). */
const MAX_TLBI_PAGES = 64n;

/**
 * Drops the mappings in [iova, iova+length) (whole mappings only, as iommufd requires), then on
 * every SMMU using a parent over the IOAS issues CMD_TLBI_S2_IPA over the range (CMD_TLBI_S12_VMALL
 * when it is large), CMD_TLBI_NH_ALL for the VMID, CMD_ATC_INV for ATS devices, CMD_SYNC. `skip`
 * leaves SMMUs out (to show what a missing invalidation does).
 */
export function unmapIoas(ctx: IommufdContext, name: string, iova: bigint, length: bigint, granule: bigint, skip: ReadonlySet<string>): IommufdEffects {
  const ioas = ctx.ioas.get(name);
  if (!ioas) return fail({ errno: 'ENOENT', message: `no IOAS named ${name}` });
  const end = iova + length;
  const partial = ioas.maps.find((x) => x.iova < end && iova < x.iova + x.length && (x.iova < iova || x.iova + x.length > end));
  if (partial) return fail({ errno: 'ENOENT', message: `[${hex(iova)}, +${hex(length)}) cuts the mapping at ${hex(partial.iova)} (+${hex(partial.length)}): IOMMU_IOAS_UNMAP removes whole mappings only` });
  const before = ioas.maps.length;
  ioas.maps = ioas.maps.filter((x) => !(x.iova >= iova && x.iova + x.length <= end));
  if (ioas.maps.length === before) return fail({ errno: 'ENOENT', message: `nothing is mapped in [${hex(iova)}, +${hex(length)})` });
  const fx = noEffects();
  const users = ctx.usersOf(name);
  const skipped = users.filter((u) => skip.has(u.smmu)).map((u) => u.smmu);
  if (skipped.length) ctx.facts.add({ kind: 'unmap', ioas: name, iova, length, skipped });
  for (const u of users) {
    const inst = skip.has(u.smmu) ? undefined : ctx.sys.get(u.smmu);
    if (!inst) continue;
    const vmid = BigInt(u.vmid);
    const pages = length / granule;
    const cmds: [bigint, bigint][] = pages <= MAX_TLBI_PAGES
      ? Array.from({ length: Number(pages) }, (_, i) => CMD('CMD_TLBI_S2_IPA', { VMID: vmid, Address: iova + BigInt(i) * granule, Leaf: 1n }))
      : [CMD('CMD_TLBI_S12_VMALL', { VMID: vmid })];
    cmds.push(CMD('CMD_TLBI_NH_ALL', { VMID: vmid }));
    for (const a of ctx.attachments.values()) {
      if (a.smmu === u.smmu && ctx.parentOf(a.hwpt)?.name === u.parent.name && getField(STE, a.hostSte, 'EATS') !== 0n) {
        cmds.push(CMD('CMD_ATC_INV', { StreamID: BigInt(a.sid), Size: 52n, Global: 0n }));
      }
    }
    cmds.push(CMD('CMD_SYNC', {}));
    issue(inst, cmds, fx);
  }
  return fx;
}
