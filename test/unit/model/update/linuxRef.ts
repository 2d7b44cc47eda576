// Linux's arm_smmu_write_entry() (drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c), restated from its
// description as a reference for the planner's sync counts: the algorithm only, over the model's own
// used/update-safe bits (fields/used). Not the planner's code: a second, literal reading of Linux.
// (Linux's used bits are not the spec's everywhere: it counts STE.S2PTW for a stage-2-only STE,
// which IHI 0070 §5.2 gives a meaning only with stage 1 (it protects stage-1 walks). Over the
// model's bits, Linux's order leaves such a bit for a sync of its own where the planner moves it
// with the others: s2_to_abort takes 3 syncs here, 2 in the planner and in the KUnit suite.)
//   diff: per qword, cur_used loses the safe bits both entries read; the "unused update" takes
//   the target's value in every bit the current entry does not use; a qword differs when that
//   update, masked by the target's used bits, is not the target.
//   one qword differs: unused update (critical qword kept) -> critical qword -> whole target;
//   several: qword 0 with V cleared -> qwords 1..7 -> qword 0; none: whole target.
//   entry_set writes the qwords that differ and syncs only when it wrote one.

import { usedMask, updateSafeMask } from '../../../../language-server/src/model/fields/used';
import { structOf, type EntryKind } from '../../../../language-server/src/model/update';

const N = 8;

export function linuxSyncs(kind: EntryKind, from: readonly bigint[], to: readonly bigint[]): number {
  const def = structOf(kind);
  const curUsed = usedMask(def, from);
  const tgtUsed = usedMask(def, to);
  const safe = updateSafeMask(def, from, to);
  const unusedUpdate: bigint[] = [];
  let diff = 0;
  for (let i = 0; i < N; i++) {
    const s = safe[i] & tgtUsed[i] & curUsed[i];
    const cur = curUsed[i] & ~s;
    unusedUpdate.push((from[i] & cur) | (to[i] & ~cur));
    if ((unusedUpdate[i] & tgtUsed[i]) !== (to[i] & tgtUsed[i])) diff |= 1 << i;
  }
  const entry = from.slice();
  let syncs = 0;
  const entrySet = (target: readonly bigint[], start: number, len: number) => {
    let changed = false;
    for (let i = start; i < start + len; i++) {
      if (entry[i] !== target[i]) {
        entry[i] = target[i];
        changed = true;
      }
    }
    if (changed) syncs++;
  };
  const bits = [...Array(N).keys()].filter((i) => diff & (1 << i));
  if (bits.length === 1) {
    const critical = bits[0];
    unusedUpdate[critical] = entry[critical];
    entrySet(unusedUpdate, 0, N);
    entrySet(to, critical, 1);
    entrySet(to, 0, N);
  } else if (bits.length > 1) {
    const v = entry.slice();
    v[0] &= ~1n; // STE.V / CD.V: bit 0 of qword 0 (IHI 0070 §5.2, §5.4)
    entrySet(v, 0, 1);
    entrySet(to, 1, N - 1);
    entrySet(to, 0, 1);
  } else {
    entrySet(to, 0, N);
  }
  return syncs;
}
