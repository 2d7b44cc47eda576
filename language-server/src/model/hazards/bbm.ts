// Break-before-make (DDI 0487 D8.16.1; IHI 0070 §3.21.2): which changes of a valid descriptor need
// it, and the size-only change (table <-> block) that BBML allows.

import { decode } from '../fields/field';
import { decodePte, type PteSelector } from '../fields/pte';
import type { SmmuFeatures } from '../smmu/features';
import type { BbmChange } from './finding';
import { validKind as valid } from './descriptors';

/** What differs between two valid descriptors that break-before-make is required for. */
export function bbmChanges(old: bigint, now: bigint, sel: PteSelector): BbmChange[] {
  const a = decodePte(old, sel);
  const b = decodePte(now, sel);
  if (!valid(a.kind) || !valid(b.kind)) return [];
  if (a.kind !== b.kind) return [{ field: 'kind', old: a.kind, now: b.kind }];
  const why: BbmChange[] = [];
  if (a.address !== b.address) why.push({ field: 'output', old: a.address ?? 0n, now: b.address ?? 0n });
  if (a.def && b.def) {
    const f0 = decode(a.def, [old]);
    const f1 = decode(b.def, [now]);
    for (const n of ['AttrIndx', 'MemAttr', 'SH', 'Contiguous']) if (f0[n] !== undefined && f0[n] !== f1[n]) why.push({ field: n, old: f0[n], now: f1[n] ?? 0n });
  }
  return why;
}

/**
 * IHI 0070 §3.21.1: a change of translation size only (table <-> block) needs no break-before-make on
 * an SMMU with BBML 2, nor with BBML 1 when the block has nT == 1. Allowed if every SMMU whose walks
 * read the descriptor permits it (a TLBI afterwards is still needed: H_STALE_TLB says so).
 */
export function sizeChangeAllowed(old: bigint, now: bigint, sel: PteSelector, smmus: Iterable<SmmuFeatures>): boolean {
  const a = decodePte(old, sel);
  const b = decodePte(now, sel);
  if (!((a.kind === 'table' && b.kind === 'block') || (a.kind === 'block' && b.kind === 'table'))) return false;
  const block = a.kind === 'block' ? a : b;
  const nT = block.def ? (decode(block.def, [a.kind === 'block' ? old : now]).nT ?? 0n) !== 0n : false;
  for (const f of smmus) if (f.bbml !== 2 && !(f.bbml === 1 && nT)) return false;
  return true;
}
