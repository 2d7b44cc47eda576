// Torn STE/CD updates: the SMMU may fetch a valid entry at any moment, 64 bits at a time
// (IHI 0070 §3.21.3, §3.21.1), so every state an entry passes through during an update must be,
// in the bits its own configuration reads, either the entry before the update or the entry after
// it. This is the invariant of Linux's KUnit suite (arm-smmu-v3-test.c), checked at every write.
// An invalid state (V == 0) is a deliberate break, not a mix: transactions see C_BAD_STE/C_BAD_CD.

import { decode, getField } from '../fields/field';
import { usedFields, usedMask, updateSafeMask } from '../fields/used';
import type { SmmuFeatures } from '../smmu/features';
import { illegality, structOf, type EntryKind, type PlanWrite } from './plan';

export interface MixedField {
  field: string;
  /** Where the state's value comes from. */
  source: 'old' | 'new' | 'neither';
}

export interface TornMix {
  state: bigint[];
  /** The fields the state's configuration reads that old and new disagree on (or that match neither). */
  fields: MixedField[];
  /** The C_BAD_STE/C_BAD_CD a fetch of this state raises, when it is ILLEGAL. */
  illegal?: string;
}

/** The mix an SMMU could fetch in `state` during the update `before` -> `after`, or undefined when
 * the state equals one of them in the bits it reads (update-safe bits aside) or is invalid. */
export function tornMix(kind: EntryKind, before: readonly bigint[], after: readonly bigint[], state: readonly bigint[], f?: SmmuFeatures): TornMix | undefined {
  const def = structOf(kind);
  if (getField(def, state, 'V') === 0n) return undefined;
  const used = usedMask(def, state);
  const safe = updateSafeMask(def, before, after);
  let fromOld = true;
  let fromNew = true;
  for (let i = 0; i < def.dwords; i++) {
    const m = used[i] & ~safe[i];
    if (((state[i] ^ before[i]) & m) !== 0n) fromOld = false;
    if (((state[i] ^ after[i]) & m) !== 0n) fromNew = false;
  }
  if (fromOld || fromNew) return undefined;
  const a = decode(def, before);
  const b = decode(def, after);
  const s = decode(def, state);
  const reads = usedFields(def, state);
  const fields: MixedField[] = [];
  for (const fd of def.fields) {
    const n = fd.name;
    if (!reads.has(n) || (a[n] === b[n] && s[n] === a[n])) continue;
    fields.push({ field: n, source: s[n] === a[n] ? 'old' : s[n] === b[n] ? 'new' : 'neither' });
  }
  return { state: state.slice(), fields, illegal: illegality(kind, state, f) };
}

/** The first write of a sequence after which the entry is a torn mix, with that mix. */
export function firstTornWrite(kind: EntryKind, before: readonly bigint[], writes: readonly PlanWrite[], f?: SmmuFeatures): { index: number; mix: TornMix } | undefined {
  const after = before.slice();
  for (const w of writes) after[w.dword] = w.value;
  const cur = before.slice();
  for (let i = 0; i < writes.length; i++) {
    cur[writes[i].dword] = writes[i].value;
    const mix = tornMix(kind, before, after, cur, f);
    if (mix) return { index: i, mix };
  }
  return undefined;
}

/** "STE.Config, STE.S1ContextPtr from the new value, STE.S1CDMax from the old one (C_BAD_STE: ...)". */
export function describeMix(kind: EntryKind, mix: TornMix): string {
  const group = (src: MixedField['source']) => mix.fields.filter((x) => x.source === src).map((x) => `${kind}.${x.field}`);
  const parts: string[] = [];
  const nw = group('new');
  const old = group('old');
  const neither = group('neither');
  if (nw.length) parts.push(`${nw.join(', ')} from the new value`);
  if (old.length) parts.push(`${old.join(', ')} from the old one`);
  if (neither.length) parts.push(`${neither.join(', ')} from neither`);
  const what = parts.length ? parts.join(', ') : 'fields of both values';
  return mix.illegal ? `${what}: fetching it raises ${mix.illegal}` : `${what}: a configuration nobody wrote`;
}
