// The shapes of a comparison with QEMU (types only, no code: the panels import them too).
// QemuReport is `iommu-lens qemu --json`'s object (README); QemuSummary what the editor shows.

import type { WireEvent } from '../engine/api';

/** One side of a DMA (see compare.ts). */
export interface DmaSide {
  outcome: 'ok' | 'fault';
  pa?: string;
  /** Recorded events (written to the event queue). */
  events: WireEvent[];
  read: boolean;
  /** The model's reason for a fault (the rule that fired). */
  reason: string;
  /** The model's walk ended on a block descriptor at level 0 (4K) or 1 (16K/64K): a translation fault in the spec. */
  blockAtLowLevel?: boolean;
  /** The model translated through stage 2 (a stage-2 walk or a stage-2 fault). */
  usesStage2?: boolean;
  /** The STE enables substreams (STE.S1CDMax != 0). */
  substreams?: boolean;
  /** The model's stage-2 walk started in concatenated tables. */
  s2Concatenated?: boolean;
  /** The model's TLB hit a global (nG = 0) stage-1 entry. */
  hitGlobal?: boolean;
  /** A nested stage-1 walk read a descriptor in another stage-2 page than its table's base. */
  s1TableAcrossS2Pages?: boolean;
  /** Nested: the stage-1 root table's PA differs from the one at this StreamID's first DMA since the last CMD_CFGI_*. */
  ttb0S2Moved?: boolean;
}

export interface DmaReport {
  step: number;
  sid: string;
  iova: string;
  status: 'same' | 'known' | 'unexplained' | 'not comparable';
  reason?: string;
  fields?: string[];
  model?: DmaSide;
  qemu?: DmaSide;
  departures?: Array<{ id: string; text: string; spec: string }>;
}

export interface QemuReport {
  qemu?: { path: string; version: string; machine: string; stage?: string };
  /** Set when the scenario could not be run in QEMU (exit status 2). */
  cannotRun?: string;
  /** The known departure that explains why QEMU stopped (e.g. its assertion on S2AA64 = 0). */
  cannotRunDeparture?: { id: string; text: string; spec: string };
  sidMap?: Record<string, string>;
  dmas: DmaReport[];
}

export interface QemuRow {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  sid: string;
  iova: string;
  status: 'known' | 'unexplained' | 'not comparable';
  severity: 'information' | 'warning';
  /** `QEMU_KNOWN_DEPARTURE`, `QEMU_UNEXPLAINED`, `QEMU_NOT_COMPARABLE`. */
  code: string;
  message: string;
}

export interface QemuSummary {
  /** `QEMU 10.0.2 (-M virt, arm-smmuv3.stage=nested)`, or the reason it could not run. */
  title: string;
  cannotRun?: string;
  counts: { same: number; known: number; unexplained: number; notComparable: number };
  rows: QemuRow[];
}

