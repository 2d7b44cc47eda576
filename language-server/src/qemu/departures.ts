// QEMU's known departures from the SMMUv3 specification, each observed by running QEMU 7.2 and
// 10.0.2 (listed once, as data: spec section, QEMU versions, and what a difference caused by it
// looks like). A difference between the model and QEMU is "known" when a departure that applies
// to the QEMU version explains every field that differs.

import type { DmaSide } from './compare';

/** [major, minor]: a QEMU version. */
export type QemuVersion = [number, number];

export interface Departure {
  id: string;
  /** What QEMU does, against what the spec says. */
  text: string;
  spec: string;
  /** Versions it applies to: from (inclusive), to (exclusive, undefined = still present). */
  from: QemuVersion;
  to?: QemuVersion;
  /** The differing fields this departure explains for a DMA, or undefined when it does not apply. */
  explains?(model: DmaSide, qemu: DmaSide): readonly string[] | undefined;
  /** Why no DMA comparison can show it (a departure without `explains` has this or `stopsQemu`). */
  unobservable?: string;
  /** QEMU stops (crashes) on it: does the model's STE of the DMA QEMU stopped at match? */
  stopsQemu?(ste: Readonly<Record<string, bigint>>): boolean;
}

const ALL = ['outcome', 'pa', 'event', 'events', 'StreamID', 'SubstreamID', 'InputAddr', 'IPA', 'RnW', 'S2', 'CLASS'];
const first = (s: DmaSide) => s.events[0];

export const DEPARTURES: readonly Departure[] = [
  {
    id: 'no-f-access', spec: 'IHI 0070 §3.13, §7.3.12 F_ACCESS', from: [0, 0], to: [10, 0],
    text: 'F_ACCESS is never raised: a descriptor with AF = 0 translates.',
    explains: (m, q) => (first(m)?.type === 'F_ACCESS' && q.outcome === 'ok' ? ALL : undefined),
  },
  {
    id: 'no-f-addr-size', spec: 'IHI 0070 §7.3.11 F_ADDR_SIZE', from: [0, 0], to: [10, 0],
    text: 'F_ADDR_SIZE is never raised: an output address above IPS/OAS translates.',
    explains: (m, q) => (first(m)?.type === 'F_ADDR_SIZE' && q.outcome === 'ok' ? ALL : undefined),
  },
  {
    id: 'class-cd', spec: 'IHI 0070 §7.3.12 CLASS', from: [0, 0], to: [10, 0],
    text: 'Stage-1 fault records carry CLASS = CD where the spec says IN.',
    explains: (m, q) => (first(m)?.class === 'IN' && first(q)?.class === 'CD' ? ['CLASS'] : undefined),
  },
  {
    id: 'block-l0', spec: 'DDI 0487 D8.3.1, IHI 0070 §3.4', from: [0, 0],
    text: 'A level-0 block (4K granule) and level-1 blocks (16K, 64K granules without LPA/DS) are accepted; the spec makes them translation faults.',
    explains: (m, q) => (first(m)?.type === 'F_TRANSLATION' && m.blockAtLowLevel && q.outcome === 'ok' ? ALL : undefined),
  },
  {
    id: 'recinvsid', spec: 'IHI 0070 §6.3.12 SMMU_CR2.RECINVSID', from: [0, 0],
    text: 'C_BAD_STREAMID is recorded even when SMMU_CR2.RECINVSID = 0.',
    explains: (m, q) => (m.events.length === 0 && m.outcome === 'fault' && q.events.length > 0 && q.events.every((e) => e.type === 'C_BAD_STREAMID') ? ['event', 'events', 'StreamID', 'SubstreamID', 'InputAddr', 'IPA', 'RnW', 'S2', 'CLASS'] : undefined),
  },
  {
    id: 'chunk-4', spec: 'IHI 0070 §3.12 (one fault per transaction)', from: [0, 0],
    text: 'A faulting DMA is translated once per 4-byte chunk, each with its own event.',
    explains: (m, q) => {
      const e = first(m);
      if (!e || q.events.length <= m.events.length) return undefined;
      const same = q.events.every((x, i) => x.type === e.type && (x.inputAddr === undefined || BigInt(x.inputAddr) === BigInt(e.inputAddr ?? '0') + BigInt(4 * i)));
      return same ? ['events'] : undefined;
    },
  },
  {
    id: 'no-tlb-conflict', spec: 'IHI 0070 §3.20.1, §3.21.1 F_TLB_CONFLICT', from: [0, 0],
    text: 'F_TLB_CONFLICT is never raised: a lookup that matches several TLB entries (a translation resized without break-before-make) uses one of them.',
    explains: (m, q) => (first(m)?.type === 'F_TLB_CONFLICT' && q.outcome === 'ok' ? ALL : undefined),
  },
  {
    id: 'no-substreams', spec: 'IHI 0070 §5.2 STE.S1CDMax', from: [0, 0],
    text: 'No substreams: an STE with S1CDMax != 0 gives C_BAD_STE.',
    explains: (m, q) => (first(q)?.type === 'C_BAD_STE' && m.substreams && first(m)?.type !== 'C_BAD_STE' ? ALL : undefined),
  },
  {
    id: 'ng-ignored', spec: 'IHI 0070 §3.17, DDI 0487 D8.12 nG', from: [0, 0],
    text: 'The TLB is tagged by ASID (and VMID) only and nG is ignored.',
    // A global entry the model hits (another ASID's, or one CMD_TLBI_NH_ASID keeps) is not one in QEMU.
    explains: (m) => (m.hitGlobal ? ALL : undefined),
  },
  {
    id: 'span-2lvl', spec: 'IHI 0070 §3.4.3 L1STD.Span', from: [0, 0],
    text: 'A 2-level stream table allows 2^Span STEs per level-2 table instead of 2^(Span-1) (not visible here: QEMU is given a linear table).',
    unobservable: 'QEMU is given a linear mirror of the stream table, so it never walks a level-2 table of the scenario',
  },
  {
    id: 'eventq-abt', spec: 'IHI 0070 §7.4 event queue overflow', from: [0, 0],
    text: 'When the event queue fills, QEMU sets GERROR.EVENTQ_ABT_ERR rather than the overflow flag.',
    unobservable: 'both sides drop the record of a full queue; the comparison reads events, not SMMU_GERROR or the PROD overflow flag',
  },
  {
    id: 'no-stage2', spec: 'IHI 0070 §5.2 STE.Config', from: [0, 0], to: [9, 1],
    text: 'No stage 2 and no nesting (Config 0b110/0b111 give C_BAD_STE), no substreams, no stall, no HTTU, no ATS/PRI, no VMID tagging.',
    explains: (m, q) => (m.usesStage2 && first(q)?.type === 'C_BAD_STE' ? ALL : undefined),
  },
  {
    id: 's2-concat', spec: 'DDI 0487 D8.2.7 concatenated tables', from: [9, 1],
    text: 'Concatenated initial stage-2 tables are broken: every IPA is walked in the first concatenated table.',
    explains: (m) => (m.s2Concatenated ? ALL : undefined),
  },
  {
    id: 's2-fault-s1-table', spec: 'IHI 0070 §3.4, §7.3.12 S2, CLASS', from: [9, 1],
    text: 'A stage-2 fault while fetching a non-root stage-1 table is reported with S2 = 0 (CLASS TT) and gated by CD.R instead of STE.S2R.',
    explains: (m, q) => (first(m)?.s2 === true && first(m)?.class === 'TT' && (q.events.length === 0 || first(q)?.s2 === false) ? ['S2', 'IPA', 'event', 'events', 'InputAddr', 'RnW', 'CLASS', 'StreamID', 'SubstreamID'] : undefined),
  },
  {
    id: 's2-fetch-rnw', spec: 'IHI 0070 §7.3.13 RnW', from: [9, 1],
    text: 'Stage-2 faults on the CD fetch, or on translating TTB0, report RnW = 1 (the fetch) instead of the transaction\'s RnW.',
    explains: (m, q) => (first(m)?.s2 === true && first(m)?.rnw === false && first(q)?.rnw === true ? ['RnW'] : undefined),
  },
  {
    id: 's2-tlb-write-only', spec: 'IHI 0070 §3.4, DDI 0487 D8.4 S2AP', from: [9, 1],
    text: 'A TLB hit checks only write permission: a read of a stage-2 write-only page succeeds once a write has cached it.',
    explains: (m, q) => (first(m)?.type === 'F_PERMISSION' && first(m)?.s2 === true && m.read && q.outcome === 'ok' ? ALL : undefined),
  },
  {
    id: 's2-ro-hit-unrecorded', spec: 'IHI 0070 §7.3.13 F_PERMISSION', from: [9, 1],
    text: 'A write that hits a cached entry read-only at stage 2 is never recorded for stage-2-only STEs; for nested STEs it is recorded with IPA = 0.',
    explains: (m, q) => (first(m)?.type === 'F_PERMISSION' && first(m)?.s2 === true && !m.read && q.outcome === 'fault' && (q.events.length === 0 || first(q)?.ipa === '0x0') ? ['event', 'events', 'IPA', 'StreamID', 'SubstreamID', 'InputAddr', 'RnW', 'S2', 'CLASS'] : undefined),
  },
  {
    id: 's2sl0-accepted', spec: 'IHI 0070 §5.2 STE.S2SL0', from: [9, 1],
    text: 'S2SL0 inconsistent with S2T0SZ is accepted; the spec makes it ILLEGAL (C_BAD_STE).',
    explains: (m) => (first(m)?.type === 'C_BAD_STE' && /S2SL0/.test(m.reason) ? ALL : undefined),
  },
  {
    id: 's2aa64-abort', spec: 'IHI 0070 §5.2 STE.S2AA64', from: [9, 1],
    text: 'QEMU aborts (assertion) on an STE with a stage-2 Config and S2AA64 = 0.',
    // STE.Config 0b11x selects stage 2 (IHI 0070 §5.2).
    stopsQemu: (ste) => ste.V === 1n && (ste.Config & 6n) === 6n && ste.S2AA64 === 0n,
  },
  {
    id: 's2t0sz-s2ps', spec: 'IHI 0070 §5.2 STE.S2T0SZ', from: [9, 1],
    text: 'S2T0SZ below 64 - S2PS is rejected with C_BAD_STE (QEMU caps S2PS at its 44-bit OAS, so a 48-bit IPA space is refused); the spec\'s limit comes from the IAS.',
    explains: (m, q) => (first(q)?.type === 'C_BAD_STE' && m.usesStage2 && first(m)?.type !== 'C_BAD_STE' ? ALL : undefined),
  },
  {
    id: 's1-table-s2-base', spec: 'IHI 0070 §3.4.1', from: [9, 1],
    text: 'Each stage-1 table is translated through stage 2 by its base address only.',
    explains: (m) => (m.s1TableAcrossS2Pages ? ALL : undefined),
  },
  {
    id: 'ttb0-s2-kept', spec: 'IHI 0070 §4.4.3 CMD_TLBI_S12_VMALL', from: [9, 1],
    text: 'The stage-2 translation of TTB0 is kept with the configuration until CFGI.',
    explains: (m) => (m.ttb0S2Moved ? ALL : undefined),
  },
  {
    id: 's2-ias-unrecorded', spec: 'IHI 0070 §3.4 IAS, §7.3.11', from: [9, 1],
    text: 'A stage-2-only input at or above 2^IAS raises an internal stage-1 F_ADDR_SIZE that is never recorded.',
    explains: (m, q) => (first(m)?.type === 'F_ADDR_SIZE' && q.outcome === 'fault' && q.events.length === 0 ? ['event', 'events', 'StreamID', 'SubstreamID', 'InputAddr', 'IPA', 'RnW', 'S2', 'CLASS'] : undefined),
  },
];

export function applies(d: Departure, v: QemuVersion): boolean {
  const ge = (a: QemuVersion, b: QemuVersion) => a[0] > b[0] || (a[0] === b[0] && a[1] >= b[1]);
  return ge(v, d.from) && (d.to === undefined || !ge(v, d.to));
}

/** The departures that together explain every differing field, or undefined when some field stays unexplained. */
export function explain(fields: readonly string[], model: DmaSide, qemu: DmaSide, v: QemuVersion): Departure[] | undefined {
  const left = new Set(fields);
  const used: Departure[] = [];
  for (const d of DEPARTURES) {
    if (!d.explains || !applies(d, v)) continue;
    const ex = d.explains(model, qemu);
    if (!ex || !ex.some((f) => left.has(f))) continue;
    used.push(d);
    for (const f of ex) left.delete(f);
    if (left.size === 0) return used;
  }
  return undefined;
}

/** The departure that explains QEMU stopping at a DMA whose STE (the model's, decoded) is `ste`. */
export function explainStop(ste: Readonly<Record<string, bigint>> | undefined, v: QemuVersion): Departure | undefined {
  return ste ? DEPARTURES.find((d) => d.stopsQemu && applies(d, v) && d.stopsQemu(ste)) : undefined;
}

export function versionText(d: Departure): string {
  return `QEMU ${d.from[0] === 0 ? '7.2' : `${d.from[0]}.${d.from[1]}`}${d.to ? ` to before ${d.to[0]}.${d.to[1]}` : ' and later'}`;
}
