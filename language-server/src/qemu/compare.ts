// One DMA seen from both sides (the embedded model, QEMU) and the fields where they differ:
// outcome, PA, event type, event count, and the event fields StreamID, SubstreamID, InputAddr,
// IPA, RnW, S2, CLASS (IHI 0070 §7.3).

import { hex } from '../model/bits';
import type { TransactionResult } from '../model/smmu/result';
import { wireEvent } from '../engine/output/convert';
import type { WireEvent } from '../engine/api';
import type { DmaSide } from './report';

export type { DmaSide } from './report';

const GRANULE_BITS: Record<number, number> = { 4: 12, 16: 14, 64: 16 };

/** The model's side of a transaction. */
export function modelSide(r: TransactionResult, read: boolean, smmu: string, ste?: Record<string, bigint>): DmaSide {
  const ok = r.outcome === 'ok' || r.outcome === 'bypass';
  const side: DmaSide = { outcome: ok ? 'ok' : 'fault', events: r.events.filter((e) => e.recorded).map((e) => wireEvent(e, smmu)), read, reason: r.reason ?? r.events[0]?.reason ?? '' };
  if (ok && r.pa !== undefined) side.pa = hex(r.pa);
  const s1 = r.walks.stage1;
  const last = s1?.steps[s1.steps.length - 1];
  // DDI 0487 D8.3.1: bits[1:0] = 0b01 is a block descriptor.
  if (last && (last.desc & 3n) === 1n && (last.level === 0 || (last.level === 1 && s1!.granule !== 4))) side.blockAtLowLevel = true;
  const s2 = r.walks.stage2;
  // STE.Config 0b11x selects stage 2 (IHI 0070 §5.2).
  if (s2 || r.events.some((e) => e.fields.S2 === 1n) || (ste && ste.V === 1n && (ste.Config & 6n) === 6n)) side.usesStage2 = true;
  if (ste && ste.V === 1n && ste.S1CDMax !== 0n) side.substreams = true;
  const s2first = s2?.steps[0];
  if (s2 && s2first && s2first.index >= 2 ** (GRANULE_BITS[s2.granule] - 3)) side.s2Concatenated = true;
  if (r.tlb === 'hit' && r.tlbEntry?.global) side.hitGlobal = true;
  for (const st of s1?.steps ?? []) {
    const bits = st.s2Walk ? BigInt(GRANULE_BITS[st.s2Walk.granule]) : undefined;
    if (bits !== undefined && st.descAddr >> bits !== st.tableAddr >> bits) side.s1TableAcrossS2Pages = true;
  }
  return side;
}

/** Nested: the PA the stage-1 root table was read at (its IPA translated by stage 2), or undefined. */
export function s1RootPa(r: TransactionResult): bigint | undefined {
  const st = r.walks.stage1?.steps[0];
  return st?.s2Walk ? st.descPa - (st.descAddr - st.tableAddr) : undefined;
}

const EVENT_FIELDS: Array<[string, keyof WireEvent]> = [
  ['StreamID', 'sid'], ['SubstreamID', 'ssid'], ['InputAddr', 'inputAddr'], ['IPA', 'ipa'], ['RnW', 'rnw'], ['S2', 's2'], ['CLASS', 'class'],
];

/** The names of the fields that differ. */
export function diffFields(m: DmaSide, q: DmaSide): string[] {
  const out: string[] = [];
  if (m.outcome !== q.outcome) out.push('outcome');
  else if (m.outcome === 'ok' && q.pa !== undefined && m.pa !== q.pa) out.push('pa');
  const a = m.events[0];
  const b = q.events[0];
  if ((a?.type ?? '') !== (b?.type ?? '')) out.push('event');
  if (m.events.length !== q.events.length) out.push('events');
  if (a && b && a.type === b.type) {
    for (const [name, key] of EVENT_FIELDS) if (String(a[key] ?? '') !== String(b[key] ?? '')) out.push(name);
  }
  return out;
}

/** One side in a line: `ok PA 0x…` or `fault F_TRANSLATION (StreamID 0x8, InputAddr …)`. */
export function sideText(s: DmaSide): string {
  if (s.outcome === 'ok') return `ok${s.pa ? ` PA ${s.pa}` : ''}`;
  if (!s.events.length) return 'fault (no event recorded)';
  const e = s.events[0];
  const f = [`StreamID ${e.sid}`, e.ssid && `SubstreamID ${e.ssid}`, e.inputAddr && `InputAddr ${e.inputAddr}`, e.ipa && `IPA ${e.ipa}`,
    e.rnw !== undefined && `RnW ${e.rnw ? 1 : 0}`, e.s2 !== undefined && `S2 ${e.s2 ? 1 : 0}`, e.class && `CLASS ${e.class}`].filter(Boolean).join(', ');
  return `fault ${e.type} (${f})${s.events.length > 1 ? ` + ${s.events.length - 1} more event${s.events.length > 2 ? 's' : ''}` : ''}`;
}
