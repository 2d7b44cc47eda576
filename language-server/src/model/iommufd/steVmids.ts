// The VMIDs a physical SMMU's live STEs use at stage 2 (STE.S2VMID of a valid STE with stage 2
// enabled, as the SMMU itself interprets it: smmu/ste.ts), so iommufd's VMID allocation can skip
// what the scenario's own (low-level) STE writes already use there.

import { getField } from '../fields/field';
import { STE } from '../fields/ste';
import type { SmmuInstance } from '../smmu/instance';
import { interpretSte } from '../smmu/ste';
import { locateSte, readStruct } from '../smmu/tables';

/** StreamIDs of a linear stream table read at most (beyond them only the named StreamIDs are read). */
const SCAN_LIMIT = 4096;

/** VMID -> the first StreamID whose STE uses it, over `named` StreamIDs and the start of a linear table. */
export function liveS2Vmids(inst: SmmuInstance, named: Iterable<number> = []): Map<number, number> {
  const out = new Map<number, number>();
  const t = inst.streamTable();
  if (t.base === 0n) return out;
  const sids = new Set<number>(named);
  if (!t.twoLevel) for (let i = 0; i < Math.min(2 ** t.log2size, SCAN_LIMIT); i++) sids.add(i);
  for (const sid of [...sids].sort((a, b) => a - b)) {
    const loc = locateSte(inst.mem, t, sid);
    if (!loc.ok || getField(STE, [inst.mem.read64(loc.addr)], 'V') === 0n) continue; // nothing to interpret
    const chk = interpretSte(readStruct(inst.mem, loc.addr, 8), inst.features);
    const vmid = chk.ok ? chk.config.s2?.vmid : undefined;
    if (vmid !== undefined && !out.has(vmid)) out.set(vmid, sid);
  }
  return out;
}
