// Types shared by the model's parts and by everything that reads the model's results
// (engine, language server, debugger, panels, CLI). Plain data only: every result is
// serialisable once bigints are turned into hex strings.

/** Translation granule in KiB (VMSAv8-64: 4K, 16K, 64K). */
export type Granule = 4 | 16 | 64;

export type Stage = 1 | 2;

/** What a transaction asks for. RnW, PnU, InD as in the event record (IHI 0070 §7.3). */
export interface Access {
  /** true: read (RnW=1); false: write. */
  read: boolean;
  /** Instruction fetch (InD=1). */
  exec: boolean;
  /** Privileged (PnU=1). */
  priv: boolean;
}

/** Event CLASS field (IHI 0070 §7.3): what the faulting access was for. */
export type FaultClass = 'CD' | 'TT' | 'IN';

/** Faults a translation table walk can end in (IHI 0070 §7.3.12-7.3.15, DDI 0487 D8). */
export type WalkFaultKind = 'F_TRANSLATION' | 'F_ADDR_SIZE' | 'F_ACCESS' | 'F_PERMISSION' | 'F_WALK_EABT';

/** Kind of a descriptor as the walk read it. */
export type DescKind = 'table' | 'block' | 'page' | 'invalid' | 'reserved';

/** One descriptor fetch of a walk: enough to draw one box of the walk panel. */
export interface WalkStep {
  stage: Stage;
  level: number;
  /** Base of the table this level indexes (an IPA for stage 1 under nesting, else a PA). */
  tableAddr: bigint;
  index: number;
  /** Address the descriptor was read from (IPA when nested stage 1). */
  descAddr: bigint;
  /** PA the descriptor was read from (differs from descAddr only under nesting). */
  descPa: bigint;
  desc: bigint;
  /** `abort`: the fetch got an external abort, nothing was read (IHI 0070 §7.3.12). */
  kind: DescKind | 'abort';
  /** Stage-2 walk that translated descAddr (nested only). */
  s2Walk?: WalkTrace;
}

/** A complete walk of one stage, successful or not. */
export interface WalkTrace {
  stage: Stage;
  granule: Granule;
  /** Input address size in bits (64 - TxSZ). */
  inputSize: number;
  startLevel: number;
  ttb: bigint;
  inputAddr: bigint;
  steps: WalkStep[];
  /** Output of the walk when it succeeded. */
  outputAddr?: bigint;
  fault?: WalkFault;
}

export interface WalkFault {
  kind: WalkFaultKind;
  stage: Stage;
  /** Lookup level at which the fault happened. */
  level: number;
  class: FaultClass;
  /** The input address of the faulting stage. */
  inputAddr: bigint;
  /** For a stage-2 fault, the IPA that faulted. */
  ipa?: bigint;
  /** For F_WALK_EABT, the PA of the descriptor fetch that aborted. */
  fetchAddr?: bigint;
  /** Human-readable reason, naming the descriptor field or rule. */
  reason: string;
}

/** Permissions a translation grants, after hierarchical controls (DDI 0487 D8.4). */
export interface Perms {
  /** Unprivileged read/write/execute. */
  ur: boolean;
  uw: boolean;
  ux: boolean;
  /** Privileged read/write/execute. */
  pr: boolean;
  pw: boolean;
  px: boolean;
}

/** Memory attributes of the final translation. */
export interface Attrs {
  /** Stage-1 AttrIndx (index into CD.MAIR) or stage-2 MemAttr. */
  attrIndx?: number;
  memAttr?: number;
  sh: number;
  nG: boolean;
  af: boolean;
  contiguous: boolean;
  dbm: boolean;
  /** Block descriptor bit 16, nT (FEAT_BBM; IHI 0070 §3.21.1): set only for blocks, never for pages. */
  nT?: boolean;
}

/** Result of translating one input address through one stage. */
export interface StageResult {
  stage: Stage;
  /** Output address of the requested byte. */
  outputAddr: bigint;
  /** Log2 of the size of the block/page that mapped it (12 for a 4K page, 21 for a 2M block, ...). */
  blockShift: number;
  /** Base of the input region the descriptor maps, and of its output. */
  inputBase: bigint;
  outputBase: bigint;
  perms: Perms;
  attrs: Attrs;
  level: number;
}

/** Event record names (IHI 0070 §7.3, Table 7-2). */
export type EventType =
  | 'F_UUT'
  | 'C_BAD_STREAMID'
  | 'F_STE_FETCH'
  | 'C_BAD_STE'
  | 'F_BAD_ATS_TREQ'
  | 'F_STREAM_DISABLED'
  | 'F_TRANSL_FORBIDDEN'
  | 'C_BAD_SUBSTREAMID'
  | 'F_CD_FETCH'
  | 'C_BAD_CD'
  | 'F_WALK_EABT'
  | 'F_TRANSLATION'
  | 'F_ADDR_SIZE'
  | 'F_ACCESS'
  | 'F_PERMISSION'
  | 'F_TLB_CONFLICT'
  | 'F_CFG_CONFLICT'
  | 'E_PAGE_REQUEST'
  | 'F_VMS_FETCH';
