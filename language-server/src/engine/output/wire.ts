// The engine's results as plain JSON: what the language server sends in custom requests, what the
// debugger shows, what the panels draw and what `iommu-lens run --json` prints.
// Every 64-bit value is a lower-case 0x-hex string; lines are 1-based (as the CLI prints them);
// columns are 1-based too. Consumers must treat every string as untrusted text (scenario names
// end up here): escape before rendering.

export type Hex = string;

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface WireRange {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
}

export interface WireDiagnostic {
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  severity: Severity;
  /** Stable code: syntax (`E_SYNTAX_…`), semantic (`E_…`), run results (`F_TRANSLATION`, `EXPECT_FAILED`), hazards (`H_…`). */
  code: string;
  message: string;
  /** Related locations (e.g. the write that made a TLB entry stale). */
  related?: Array<{ line: number; col: number; message: string }>;
}

/** An event record as the SMMU wrote it: every field named as in IHI 0070 §7.3. */
export interface WireEvent {
  /** Event name, e.g. `F_TRANSLATION`. */
  type: string;
  /** Event number, e.g. `0x10`. */
  code: Hex;
  sid: Hex;
  ssv: boolean;
  ssid?: Hex;
  inputAddr?: Hex;
  ipa?: Hex;
  rnw?: boolean;
  pnu?: boolean;
  ind?: boolean;
  s2?: boolean;
  class?: 'CD' | 'TT' | 'IN';
  stall?: boolean;
  stag?: Hex;
  /** Every other field of the record, by its spec name. */
  fields: Record<string, Hex>;
  /** The four dwords as written to the event queue. */
  raw: Hex[];
  smmu: string;
  /** Whether the SMMU wrote the record to its event queue. */
  recorded: boolean;
  /** When not recorded, why: SMMU_CR2.RECINVSID == 0, CD.R == 0, STE.S2R == 0, the queue disabled
   *  (SMMU_CR0.EVENTQEN == 0), full or overflowed. */
  notRecordedBecause?: string;
}

export interface WireWalkStep {
  stage: 1 | 2;
  level: number;
  tableAddr: Hex;
  index: number;
  descAddr: Hex;
  descPa: Hex;
  desc: Hex;
  kind: 'table' | 'block' | 'page' | 'invalid' | 'reserved' | 'abort';
  /** Decoded descriptor fields by spec name (AttrIndx, AP, AF, nG, OA, …). */
  fields: Record<string, Hex>;
  s2Walk?: WireWalk;
}

export interface WireWalk {
  stage: 1 | 2;
  granule: 4 | 16 | 64;
  inputSize: number;
  startLevel: number;
  ttb: Hex;
  inputAddr: Hex;
  steps: WireWalkStep[];
  outputAddr?: Hex;
  fault?: { kind: string; stage: 1 | 2; level: number; class: 'CD' | 'TT' | 'IN'; inputAddr: Hex; ipa?: Hex; reason: string };
  /** State view only: the scenario's name of the table walked (a `pagetable`, an iommufd nesting parent). */
  table?: string;
}

/** State view only: the transaction a state's walks belong to (the walk panel's header). */
export interface WireWalkContext {
  smmu: string;
  sid: Hex;
  ssid?: Hex;
  /** STE.Config as the model read it: `abort`, `bypass`, `s1`, `s2`, `nested`. */
  config?: string;
  /** CD.ASID (IHI 0070 §5.4) and STE.S2VMID (§5.2) of the translation. */
  asid?: Hex;
  vmid?: Hex;
}

export interface WireHazard {
  /** Stable code, e.g. `H_STALE_TLB`. */
  code: string;
  severity: Severity;
  message: string;
  /** One-line fix. */
  fix: string;
  line: number;
  related: Array<{ line: number; col: number; message: string }>;
  /** A stale-translation hazard: the TLB entry it is about, the one the walk of step `insertedAt`
   *  (0-based, as WireTlbEntry.insertedAt) filled on `smmu` for `va`. */
  tlb?: { smmu: string; insertedAt: number; va?: Hex };
}

export interface WireTlbEntry {
  id: number;
  stage: 'S1' | 'S2' | 'S12';
  regime?: string;
  asid?: Hex;
  vmid?: Hex;
  global: boolean;
  inputBase: Hex;
  /** Log2 of the mapped size (12 = 4K page, 21 = 2M block). */
  sizeLog2: number;
  outputBase: Hex;
  perms: string;
  hits: number;
  /** Step index that inserted it. */
  insertedAt: number;
}

export interface WireConfigEntry {
  id: number;
  kind: 'STE' | 'CD';
  sid: Hex;
  ssid?: Hex;
  /** An STE cached for its STE.CONT span: the StreamIDs it is used for, first and last. */
  span?: [Hex, Hex];
  /** Decoded fields by spec name. */
  fields: Record<string, Hex>;
  hits: number;
  insertedAt: number;
}

export interface WireRegister {
  name: string;
  offset: Hex;
  value: Hex;
  fields: Record<string, Hex>;
}

export interface WireSteView {
  sid: Hex;
  addr: Hex;
  raw: Hex[];
  fields: Record<string, Hex>;
  config: string;
  /** Validity problem, e.g. `C_BAD_STE: STE.V == 0`. */
  problem?: string;
  cds: Array<{ ssid: Hex; addr: Hex; raw: Hex[]; fields: Record<string, Hex>; problem?: string }>;
  /** Names of the scenario's page tables reachable from this stream (for the memory map). */
  tables: Array<{ name?: string; stage: 1 | 2; base: Hex }>;
}

export interface WireSmmuState {
  name: string;
  enabled: boolean;
  registers: WireRegister[];
  streams: WireSteView[];
  tlb: WireTlbEntry[];
  configCache: WireConfigEntry[];
  eventQueue: WireEvent[];
  stalled: Array<{ sid: Hex; ssid?: Hex; iova: Hex; stag: Hex; line: number }>;
  /** The PCIe functions' ATC entries (when any). */
  atc?: WireAtcEntry[];
  /** Outstanding PRI Page Request Groups (when any). */
  priPending?: Array<{ sid: Hex; ssid?: Hex; prgi: Hex; requests: number; last: boolean; line: number }>;
}

export interface WireStep {
  /** 0-based position in the run. */
  index: number;
  line: number;
  col: number;
  endLine: number;
  endCol: number;
  /** `dma`, `ats`, `cmd`, `reg`, `write`, `map`, `unmap`, `pte`, `ste`, `cd`, `pagetable`, `smmu`, `expect`, … */
  kind: string;
  /** One-line description for the debugger's call stack and the timeline. */
  label: string;
  smmu?: string;
  sid?: Hex;
  ssid?: Hex;
  iova?: Hex;
  /** 'ok': pa is the output address (translated or bypassed: see `bypass`); 'fault': terminated
   *  (`events` holds the record, or `abort` says what terminated it with no event); 'stalled'. */
  outcome?: 'ok' | 'fault' | 'stalled';
  pa?: Hex;
  /** outcome 'ok' untranslated: STE.Config == 0b100 (IHI 0070 §5.2), STE.S1DSS == 0b01 without a
   *  SubstreamID, or SMMU_CR0.SMMUEN == 0 with SMMU_GBPA.ABORT == 0 (§6.3.14). */
  bypass?: 'STE.Config' | 'STE.S1DSS' | 'SMMU_GBPA';
  /** outcome 'fault' with no event: STE.Config == 0b0xx, SMMU_GBPA.ABORT == 1, or an ATS Translation
   *  Request answered with Unsupported Request. */
  abort?: 'STE.Config' | 'SMMU_GBPA' | 'ATS';
  /** Why it was bypassed or aborted (one line, with the spec section). */
  reason?: string;
  tlb?: 'hit' | 'miss';
  events: WireEvent[];
  hazards: WireHazard[];
  walks?: WireWalk[];
  /** When the step ran invalidation commands (CMD_TLBI_*, CMD_CFGI_*, CMD_ATC_INV): the TLB and configuration cache entries they removed. */
  removed?: { tlb: number[]; config: number[] };
  /** `cpu tlbi`: what the PE's broadcast TLBI did on each SMMU (IHI 0070 §3.17.6): taken or not
   *  (`why`: SMMU_IDR0.BTM == 0, SMMU_CR2.PTM == 1), the TLB entries removed, and those of its
   *  regime it matched but kept (`why`: the SMMU's refusal, or CD.ASET == 1). */
  broadcast?: Array<{ smmu: string; taken: boolean; why?: string; removed: number[]; kept: Array<{ id: number; why: string }> }>;
  /** Expectation result when the step is (or carries) an expectation. */
  expectation?: {
    passed: boolean;
    message: string;
    /** The expectation as written (`expect fault F_TRANSLATION`). */
    text?: string;
    /** A passing `expect hazard`: the hazards it asked for (code and line), so they count as expected. */
    hazards?: Array<{ code: string; line: number }>;
  };
  /** `ats` / `dma ... translated` (model/smmu/ats.ts): the completion, the function's ATC lookup and entry. */
  ats?: { kind: 'ats' | 'translated'; completion?: 'ok' | 'fault' | 'ur'; atc?: 'hit' | 'miss'; entry?: WireAtcEntry; split?: boolean };
  /** HTTU updates the transaction made (IHI 0070 §3.13): which descriptor changed from what to what. */
  httu?: Array<{ stage: 1 | 2; level: number; descPa: Hex; old: Hex; new: Hex; what: string }>;
  /** CMD_ATC_INV: the ATC entries removed. */
  atcRemoved?: WireAtcEntry[];
  /** `pri` (model/smmu/pri.ts): the page request record and where it went; CMD_PRI_RESP: the answer. */
  pri?: {
    record?: { raw: Hex[]; fields: Record<string, Hex>; recorded: boolean; queueIndex?: number; queueAddr?: Hex; autoResponse?: string; message: string };
    responses?: Array<{ sid: Hex; ssid?: Hex; prgi: Hex; resp: string; requests: number }>;
  };
  /** An `iommufd` line or a guest action on a `vsmmu`: what the kernel/VMM layer produced. */
  iommufd?: WireIommufd;
  /** A physical DMA whose fault went to a vEVENTQ: the guest's event (virtual StreamID). */
  vevents?: WireVEvent[];
}

/** A guest event forwarded to a vEVENTQ: the event as for faults, `sid` the virtual StreamID. */
export interface WireVEvent extends WireEvent {
  viommu: string;
  /** struct iommufd_vevent_header sequence number. */
  vevent: number;
  /** false: the vEVENTQ was full and the event was lost (IOMMU_VEVENTQ_FLAG_LOST_EVENTS). */
  delivered: boolean;
}

/** What an iommufd call (or a vSMMU's VMM) did, for the JSON, the panels and the debugger. */
export interface WireIommufd {
  /** The iommufd calls a vSMMU's VMM made for this step, in the interchange syntax. */
  calls?: string[];
  /** Host STEs written (with the guest STE words 0-1 they came from). */
  steInstalls: Array<{ smmu: string; sid: Hex; addr: Hex; ste: Hex[]; guest?: Hex[] }>;
  /** Host commands issued (raw dwords), with the guest command each came from. */
  hostCommands: Array<{ smmu: string; name: string; raw: Hex[]; guest?: Hex[]; guestName?: string }>;
  /** Rejected calls or guest commands: the errno, the rejected field or command, the entry index. */
  rejections: Array<{ errno: string; message: string; field?: string; index?: number }>;
  /** IOMMU_HWPT_INVALIDATE: entries handled (entry_num as the ioctl returns it). */
  handled?: number;
  /** Guest events delivered to the guest (a vSMMU's event queue) this step. */
  guestEvents?: WireVEvent[];
  /** Guest actions the VMM layer could not forward. */
  notes?: string[];
}

/** One expectation and its result (`iommu-lens run --json`, `--junit`). */
export interface WireExpectationResult {
  line: number;
  col: number;
  /** As written: `expect pa 0x80000000`. */
  text: string;
  passed: boolean;
  /** What was expected and what happened. */
  message: string;
}

/** One entry of a PCIe function's ATC. */
export interface WireAtcEntry {
  id: number;
  sid: Hex;
  ssid?: Hex;
  base: Hex;
  sizeLog2: number;
  output: Hex;
  /** The output is an IPA (STE.EATS == 0b10). */
  split: boolean;
  perms: string;
}

export interface WireScenarioResult {
  file: string;
  diagnostics: WireDiagnostic[];
  steps: WireStep[];
  expectations: { passed: number; failed: number };
  /** Every expectation in run order with its result. */
  expectationResults?: WireExpectationResult[];
  /** True when the file was larger than the configured limit and only analysed in part. */
  partial?: boolean;
}

/** The whole model state after a step: for the panels, the debugger's Variables view and hovers. */
export interface WireState {
  stepIndex: number;
  line: number;
  smmus: WireSmmuState[];
  /** Walks of the step (the transaction's walk when the step is a transaction). */
  walks: WireWalk[];
  /** The transaction those walks belong to. */
  walkContext?: WireWalkContext;
  /** TLB/config entries added and removed by this step (ids), for highlighting. */
  changes: { tlbAdded: number[]; tlbRemoved: number[]; configAdded: number[]; configRemoved: number[] };
  /** The VM layer (iommufd objects, vSMMUs), when the scenario has one. */
  vm?: WireVm;
}

/** A shadowing vSMMU's shadow of one guest device: its stage-2-only host table and the composed mappings in it. */
export interface WireShadow {
  vsid: Hex;
  smmu: string;
  sid: Hex;
  /** The guest CD (SubstreamID) of a stage-1 host context (a device with substreams or TTB1). */
  ssid?: number;
  /** The IOAS and stage-2 HWPT the VMM holds the shadow in ('' for a stage-1 host context). */
  ioas: string;
  hwpt: string;
  /** The stage-2 table, or the host context's first table. */
  root: Hex;
  /** A stage-1 host context: its host ASID, host CD and tables (TTB0 / TTB1). */
  hostAsid?: number;
  hostCd?: Hex;
  ranges?: Array<{ ttb: 0 | 1; root: Hex; inputSize: number }>;
  /** The guest CD's ASID at the last re-walk. */
  asid?: number;
  /** Re-walks of the guest tables (one per guest invalidation that reached it). */
  rewalks: number;
  maps: Array<{ iova: Hex; length: Hex; pa: Hex; readOnly: boolean }>;
}

/** One VM as one object: its IOAS and parent, vIOMMUs per physical SMMU, vDEVICEs, nested HWPTs (guest STE -> host STE), vEVENTQs, hardware queues. */
export interface WireVm {
  ioas: Array<{ name: string; maps: Array<{ iova: Hex; length: Hex; pa: Hex; readOnly: boolean }> }>;
  parents: Array<{ name: string; ioas: string; smmu: string; root: Hex; granule: number; inputSize: number; startLevel: number; vmids: Array<{ smmu: string; vmid: number }> }>;
  viommus: Array<{
    name: string; smmu: string; parent: string; vmid: number;
    vdevices: Array<{ vsid: Hex; sid: Hex }>;
    veventq?: { depth: number; lost: number; events: Array<{ sequence: number; lost: boolean; type?: string; sid?: Hex }> };
    hwQueues: Array<{ index: number; ipa: Hex; pa: Hex; log2size: number; cons: number; prod: number; stopped?: string }>;
  }>;
  /** Nested HWPTs: the guest's STE words 0-1 and, per attachment, the host STE the kernel installed (both also decoded by STE field name). */
  nested: Array<{
    name: string; viommu: string; kind: string; guest: Hex[]; guestFields?: Record<string, Hex>;
    attached: Array<{ smmu: string; sid: Hex; vsid?: Hex; hostSte: Hex[]; hostFields?: Record<string, Hex> }>;
  }>;
  vsmmus: Array<{ name: string; viommus: string[]; mode: 'nested' | 'shadow'; shadows?: WireShadow[] }>;
}
