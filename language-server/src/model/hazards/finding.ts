// Findings of the hazard analysis as plain data: which cached state, which write, which step, which
// commands are missing (spec names and field values). No text: the engine renders the message and
// the fix in scenario syntax (engine/hazardText.ts).

import type { Perms, Stage } from '../types';
import type { TlbEntry } from '../tlb';
import type { EntryKind, TornMix, UpdatePlan } from '../update';
import type { GuestVia } from '../iommufd/facts';
import type { HazardCode } from './codes';

/** A command that would have removed the hazard, e.g. { name: 'CMD_TLBI_NH_VA', fields: { ASID: 5n, Address: ..., Leaf: 1n } }. */
export interface MissingCommand {
  smmu: string;
  name: string;
  /** Spec field names, in the order a person would write them. */
  fields: Record<string, bigint>;
}

/** A software write to a watched descriptor. */
export interface DescWrite {
  step: number;
  addr: bigint;
  old: bigint;
  now: bigint;
  /** The new value is a valid descriptor (DDI 0487 D8.3). */
  nowValid: boolean;
}

/** One difference that break-before-make is required for (DDI 0487 D8.16.1). */
export type BbmChange = { field: 'kind'; old: string; now: string } | { field: string; old: bigint; now: bigint };

/** What the transaction gets now, instead of the possibly cached translation. */
export type NowOutcome = { kind: 'pa'; pa: bigint; perms?: Perms } | { kind: 'fault'; event: string } | { kind: 'descriptor' };

interface Common {
  severity: 'warning' | 'information';
  /** Step that detected it (the transaction, or the write for H_BBM / freed-memory reuse). */
  step: number;
  smmu: string;
  /** Commands that fix it (empty when the fix is not a command). */
  missing: MissingCommand[];
  /** Step after which the missing command(s) belong. */
  insertAfter?: number;
}

/** A TLB entry a walk filled may still be used: changed and not invalidated, or invalidated and not synced. */
export interface TlbFinding extends Common {
  state: 'tlb';
  code: 'H_STALE_TLB' | 'H_TLBI_NO_SYNC' | 'H_TLBI_NOT_BROADCAST';
  va: bigint;
  /** The cached translation for `va`. */
  cachedPa: bigint;
  cachedPerms: Perms;
  now: NowOutcome;
  write: DescWrite;
  walkStep: number;
  /** The TLBI awaiting a CMD_SYNC (H_TLBI_NO_SYNC). */
  invalidatedAt?: number;
  /** The transaction's StreamID, the cached entry and the stage of the changed descriptor (for the guest's view). */
  sid: number;
  entry: TlbEntry;
  changedStage: Stage;
  /** H_TLBI_NOT_BROADCAST: the PE's TLBI (its step and text) this SMMU did not take, and why
   *  (SMMU_IDR0.BTM == 0, SMMU_CR2.PTM == 1, CD.ASET == 1). */
  broadcast?: { step: number; instr: string; why: string };
}

/** Memory an invalidated, not yet synced translation reaches is written again (IHI 0070 §4.7.3). */
export interface FreedFinding extends Common {
  state: 'freed';
  code: 'H_TLBI_NO_SYNC';
  addr: bigint;
  page: 'data' | 'table';
  invalidatedAt: number;
  unmapStep: number;
}

/** A valid descriptor a cached entry depends on was replaced without break-before-make. */
export interface BbmFinding extends Common {
  state: 'descriptor';
  code: 'H_BBM';
  stage: Stage;
  level: number;
  addr: bigint;
  walkStep: number;
  /** valid -> valid directly (else: valid again before the invalidation of the old value completed). */
  direct: boolean;
  changes: BbmChange[];
}

/** An STE/CD the SMMU may hold was changed in fields it reads. */
export interface ConfigFinding extends Common {
  state: 'config';
  code: 'H_STALE_STE' | 'H_STALE_CD' | 'H_TLBI_NO_SYNC';
  kind: 'STE' | 'CD';
  sid: number;
  ssid: number;
  addr: bigint;
  fields: string[];
  writeStep: number;
  invalidatedAt?: number;
}

/** A device's ATC may hold a translation that was invalidated or changed. */
export interface AtcFinding extends Common {
  state: 'atc';
  code: 'H_ATC_STALE';
  sid: number;
  ssid?: number;
  base: bigint;
  output: bigint;
  changedAt: number;
  /** The CMD_ATC_INV awaiting a CMD_SYNC. */
  invalidatedAt?: number;
}

/** An invalid descriptor a faulting walk read was made valid and used without a TLBI. */
export interface NegativeFinding extends Common {
  state: 'negative';
  code: 'H_CM_INVALID_TO_VALID';
  addr: bigint;
  walkStep: number;
  madeValidAt: number;
  va: bigint;
}

/** A DMA through a shadowing vIOMMU got another answer than the guest's tables give (no guest invalidation since the change). */
export interface ShadowFinding extends Common {
  state: 'shadow';
  code: 'H_SHADOW_STALE';
  /** `smmu` is the vSMMU (where the missing guest commands go); `host` the physical SMMU. */
  host: string;
  sid: number;
  vsid: number;
  /** The transaction's SubstreamID (its guest CD has a shadow of its own). */
  ssid?: number;
  va: bigint;
  /** What the shadow gave, and what the guest's tables give. */
  now: NowOutcome;
  guest: NowOutcome;
  /** Host PA of the guest descriptor, and the step that last wrote it (when seen). */
  desc?: bigint;
  changedAt?: number;
}

/** An ASID (or VMID) bound to another translation table on the same SMMU. */
export interface BindingFinding extends Common {
  state: 'asid' | 'vmid';
  code: 'H_ASID_REUSE' | 'H_VMID_REUSE';
  vmid: number;
  asid?: number;
  ttb: bigint;
  oldTtb: bigint;
  oldStep: number;
}

/** STEs of an STE.CONT span that differ. */
export interface ContFinding extends Common {
  state: 'cont';
  code: 'H_STE_CONT';
  addr: bigint;
  cont: number;
  base: number;
  size: number;
  differ: Array<{ sid: number; fields: string[] }>;
}

/** A live STE/CD written with several dwords, one of whose intermediate states is neither entry (IHI 0070 §3.21.3). */
export interface TornFinding extends Common {
  state: 'torn';
  code: 'H_STE_TORN' | 'H_CD_TORN';
  kind: EntryKind;
  sid: number;
  ssid?: number;
  addr: bigint;
  /** Writes of the update, and the dword whose write (this finding's step) made the mix. */
  writes: number;
  dword: number;
  mix: TornMix;
  /** Transactions that ran while it was mixed, and the step of the last of them. */
  ran: number;
  lastTxn: number;
  /** The transaction that used the updated entry (ended the update). */
  usedAt: number;
  before: bigint[];
  after: bigint[];
  /** Linux's order for this update (undefined when the words cannot be planned). */
  plan?: UpdatePlan;
}

/** How a guest reaches a vIOMMU: its vSMMU's command queue, its hardware queue 0 (vCMDQ), or IOMMU_HWPT_INVALIDATE. */
export interface GuestRoute {
  via: 'vsmmu' | 'vcmdq' | 'invalidate';
  /** The vSMMU (vsmmu) or the vIOMMU (vcmdq, invalidate) the line names. */
  name: string;
}

/** A guest command (spec fields, no VMID: the kernel or the queue forces it) and the way it must take. */
export interface GuestCommand {
  route: GuestRoute;
  name: string;
  fields: Record<string, bigint>;
  raw: [bigint, bigint];
}

/** A guest invalidation: one that reached another vIOMMU than the one holding the stale entry, or one awaiting its CMD_SYNC. */
export interface SentElsewhere {
  step: number;
  viommu: string;
  smmu: string;
  via: GuestVia;
  /** The guest's vSMMU the command was trapped from. */
  vsmmu?: string;
  name: string;
  /** The guest's command as it wrote it. */
  guest: [bigint, bigint];
}

/**
 * A stale translation of a vIOMMU's nested HWPT, in the guest's terms (instead of the host's
 * H_STALE_TLB): never invalidated, or invalidated through the vIOMMU of another physical SMMU.
 */
export interface GuestTlbFinding extends Common {
  state: 'guestTlb';
  code: 'H_STALE_TLB' | 'H_VIOMMU_WRONG_INSTANCE' | 'H_TLBI_NO_SYNC';
  host: TlbFinding;
  viommu: string;
  /** The virtual StreamID of the device that used it. */
  vsid?: number;
  sent?: SentElsewhere;
  /** H_TLBI_NO_SYNC: the guest's TLBI (on a vCMDQ, or batched by its vSMMU) that no guest CMD_SYNC completed. */
  unsynced?: SentElsewhere;
  fix: GuestCommand;
}

/** A nesting parent's stage-2 table changed and an SMMU that uses it (with its VMID) was not invalidated. */
export interface ParentS2Finding extends Common {
  state: 'parentS2';
  code: 'H_PARENT_S2_NOT_INVALIDATED';
  host: TlbFinding;
  parent: string;
  ioas: string;
  vmid: number;
  viommus: string[];
  /** The IOAS unmap that left this SMMU out (`skip SMMU`). */
  unmap?: { ioas: string; iova: bigint; length: bigint };
}

/** A translating guest STE for a device with no vDEVICE on the vIOMMU: not installed. */
export interface VdeviceFinding extends Common {
  state: 'vdevice';
  code: 'H_VDEVICE_MISSING';
  viommu: string;
  vsmmu?: string;
  /** The physical StreamID (attach, or the one candidate device) and the virtual one (guest CFGI_STE). */
  sid?: number;
  vsid?: number;
  guest: [bigint, bigint];
}

/** A VMID iommufd gave a nesting parent on an SMMU, used there with another stage-2 table. */
export interface VmidParentsFinding extends Common {
  state: 'vmidParents';
  code: 'H_VMID_REUSED_PARENTS';
  host: BindingFinding;
  parent: string;
  viommus: string[];
  /** Which of the two tables is the parent's (the other one is `otherParent`'s, if a parent's). */
  parentIsNew: boolean;
  otherParent?: string;
}

export type Finding = TlbFinding | FreedFinding | BbmFinding | ConfigFinding | AtcFinding | NegativeFinding | BindingFinding | ContFinding | TornFinding
  | GuestTlbFinding | ParentS2Finding | VdeviceFinding | VmidParentsFinding | ShadowFinding;

/** Every finding's code (for tests and filters). */
export type FindingCode = Finding['code'] & HazardCode;

const sync = (smmu: string): MissingCommand => ({ smmu, name: 'CMD_SYNC', fields: {} });

/** `cmd` then CMD_SYNC on the same SMMU. */
export function withSync(smmu: string, name: string, fields: Record<string, bigint>): MissingCommand[] {
  return [{ smmu, name, fields }, sync(smmu)];
}

/** Just the CMD_SYNC that completes an earlier invalidation. */
export function syncOnly(smmu: string): MissingCommand[] {
  return [sync(smmu)];
}
