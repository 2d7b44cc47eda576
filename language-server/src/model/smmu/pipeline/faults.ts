// How a transaction ends with an event (IHI 0070 §7.3): one helper, `raise`, records the event (or
// says why not), adds it to the result and ends the transaction; every fault below goes through it.

import type { Access, EventType, FaultClass, WalkFault } from '../../types';
import { PA_LIMIT } from '../../memory';
import type { SteConfig } from '../ste';
import type { CdConfig } from '../cd';
import type { EventInfo } from '../events';
import type { EventRecord, TransactionResult } from '../result';
import type { TlbEntry } from '../../tlb/types';
import type { PipelineCtx } from './ctx';
import { addEvent, done, useConfig, useTlb } from './record';
import { hex, sizeName } from '../../bits';

type FetchFault = 'F_STE_FETCH' | 'F_CD_FETCH';

/**
 * The one event-emitting exit: `ev` is written to the event queue (not in a dry run; not at all when
 * `notRecorded` says why), joins the result's events, and the transaction ends as a fault.
 */
export function raise(ctx: PipelineCtx, res: TransactionResult, ev: EventRecord, dry: boolean, reason: string, notRecorded?: string): TransactionResult {
  if (notRecorded !== undefined) ev.notRecordedBecause = notRecorded;
  else if (dry) ev.notRecordedBecause = 'dry run';
  else ctx.recordEvent(ev);
  addEvent(res, ev);
  return done(res, 'fault', reason);
}

/** C_BAD_STE / C_BAD_CD: an ILLEGAL structure, with the rule it breaks. */
export function badConfig(
  ctx: PipelineCtx, res: TransactionResult, type: 'C_BAD_STE' | 'C_BAD_CD', rule: NonNullable<EventRecord['rule']>, dry: boolean,
): TransactionResult {
  const ev = ctx.makeEvent(type, res, `${rule.message} (${rule.spec})`);
  ev.rule = rule;
  return raise(ctx, res, ev, dry, `${type}: ${rule.message}`);
}

/** F_STE_FETCH / F_CD_FETCH: a configuration fetch that cannot complete; always recorded. */
export function fetchFault(ctx: PipelineCtx, res: TransactionResult, type: FetchFault, addr: bigint, why: string, dry: boolean): TransactionResult {
  return raise(ctx, res, ctx.makeEvent(type, { sid: res.sid, ssid: res.ssid, fetchAddr: addr }, why), dry, `${type}: ${why}`);
}

/**
 * An SMMU read of `len` bytes at `pa` that hits a declared external-abort range: F_STE_FETCH /
 * F_CD_FETCH is raised (true), or nothing happens (false).
 */
export function fetchAborted(ctx: PipelineCtx, res: TransactionResult, type: FetchFault, pa: bigint, len: number, what: string, dry: boolean): boolean {
  if (!ctx.mem.hasAborts || pa >= PA_LIMIT || !ctx.mem.abortsAt(Number(pa), len)) return false;
  fetchFault(ctx, res, type, pa, `external abort fetching the ${what} at ${hex(pa)}`, dry);
  return true;
}

/** C_BAD_STREAMID, recorded only when SMMU_CR2.RECINVSID == 1 (IHI 0070 §6.3.12). */
export function badStreamId(ctx: PipelineCtx, res: TransactionResult, why: string, dry: boolean): TransactionResult {
  return raise(ctx, res, ctx.makeEvent('C_BAD_STREAMID', res, why), dry, `C_BAD_STREAMID: ${why}`, ctx.recInvSid() ? undefined : 'SMMU_CR2.RECINVSID == 0');
}

export function badSubstream(ctx: PipelineCtx, res: TransactionResult, why: string, dry: boolean): TransactionResult {
  return raise(ctx, res, ctx.makeEvent('C_BAD_SUBSTREAMID', res, `${why} (IHI 0070 §5.2)`), dry, `C_BAD_SUBSTREAMID: ${why}`);
}

/** F_STREAM_DISABLED (IHI 0070 §5.2 STE.S1DSS). */
export function streamDisabled(ctx: PipelineCtx, res: TransactionResult, why: string, reason: string, dry: boolean): TransactionResult {
  return raise(ctx, res, ctx.makeEvent('F_STREAM_DISABLED', res, why), dry, `F_STREAM_DISABLED: ${reason}`);
}

/**
 * A lookup that matched more than one TLB entry, detected (IHI 0070 §3.20.1): the transaction is aborted
 * and F_TLB_CONFLICT recorded (not a translation fault: CD.R/STE.S2R and stalling do not apply, §7.3.17).
 * `ipa` is given for stage-2 entries (S2 == 1).
 */
export function tlbConflict(ctx: PipelineCtx, res: TransactionResult, entries: TlbEntry[], ipa: bigint | undefined, dry: boolean): TransactionResult {
  res.tlb = 'hit';
  for (const e of entries) useTlb(res, e.id);
  const list = entries.map((e) => `#${e.id} (${sizeName(e.blockShift)} ${e.level < 3 ? 'block' : 'page'} at ${hex(e.inputBase)}${e.kind === 's2' ? '' : e.global ? ', global' : `, ASID ${e.asid}`})`).join(', ');
  const info: EventInfo = { sid: res.sid, ssid: res.ssid, iova: res.iova, access: res.access, s2: ipa !== undefined, ipa, reasonCode: BigInt(entries.length) };
  const ev = ctx.makeEvent('F_TLB_CONFLICT', info, `${entries.length} TLB entries match: ${list}; a translation changed (block size, or nG) without break-before-make (IHI 0070 §3.20.1, §3.21.1)`);
  return raise(ctx, res, ev, dry, `F_TLB_CONFLICT: ${entries.length} TLB entries match (${list})`);
}

/** A lookup that matched several cached STEs that differ (STE.CONT spans), detected: abort, F_CFG_CONFLICT (IHI 0070 §3.20.2, §7.3.18). */
export function cfgConflict(
  ctx: PipelineCtx, res: TransactionResult, entries: Array<{ id: number; sid: number; span: number; spanBase: number }>, dry: boolean,
): TransactionResult {
  res.configCache = 'hit';
  for (const e of entries) useConfig(res, e.id);
  const list = entries.map((e) => `#${e.id} (STE of StreamID ${hex(e.sid)}${e.span > 0 ? `, STE.CONT ${e.span}: StreamIDs ${hex(e.spanBase)}-${hex(e.spanBase + 2 ** e.span - 1)}` : ''})`).join(', ');
  const ev = ctx.makeEvent('F_CFG_CONFLICT', { sid: res.sid, ssid: res.ssid, reasonCode: BigInt(entries.length) },
    `${entries.length} cached STEs match and are not identical: ${list} (IHI 0070 §3.20.2, §5.2 STE.CONT)`);
  return raise(ctx, res, ev, dry, `F_CFG_CONFLICT: StreamID ${hex(res.sid)} matches ${entries.length} cached STEs that differ (${list})`);
}

export function writeAccess(a: Access): boolean {
  return !a.read && !a.exec;
}

export function permFault(stage: 1 | 2, cls: FaultClass, addr: bigint, reason: string, level: number): WalkFault {
  const f: WalkFault = { kind: 'F_PERMISSION', stage, level, class: cls, inputAddr: addr, reason };
  if (stage === 2) f.ipa = addr;
  return f;
}

/**
 * A translation fault -> its event record, recorded/terminated/stalled per CD.R/CD.S (stage 1)
 * or STE.S2R/STE.S2S (stage 2) (IHI 0070 §5.5; events §7.3).
 * A stall event is always recorded (the stall cannot be resumed otherwise).
 */
export function walkFault(
  ctx: PipelineCtx, res: TransactionResult, fault: WalkFault, ste: SteConfig, cd: CdConfig | undefined, dry: boolean,
): TransactionResult {
  const s2 = fault.stage === 2;
  // CD.R/CD.S and STE.S2R/S2S govern the translation-related faults only (IHI 0070 §3.12): an
  // external abort on a walk (F_WALK_EABT) is always recorded and terminates.
  const stallable = fault.kind !== 'F_WALK_EABT';
  const record = !stallable || (s2 ? ste.s2?.record ?? false : cd?.record ?? false);
  const stall = stallable && (s2 ? ste.s2?.stall ?? false : cd?.stall ?? false);
  const info: EventInfo = {
    sid: res.sid, ssid: res.ssid, iova: res.iova, access: res.access,
    s2, class: fault.class, ipa: s2 ? fault.ipa : undefined, fetchAddr: fault.fetchAddr,
  };
  if (stall) {
    info.stall = true;
    info.stag = dry ? 0 : ctx.nextStag();
  }
  const ev = ctx.makeEvent(fault.kind as EventType, info, `${fault.reason} (stage ${fault.stage}, level ${fault.level}, CLASS=${fault.class})`);
  raise(ctx, res, ev, dry, `${fault.kind}: ${fault.reason}`, record || stall ? undefined : s2 ? 'STE.S2R == 0' : 'CD.R == 0');
  if (stall && !dry && ev.recorded) {
    res.stag = info.stag;
    ctx.stall(res, ev);
    return done(res, 'stalled', `${fault.kind} stalled (${s2 ? 'STE.S2S' : 'CD.S'} == 1), STAG ${hex(info.stag!)}`);
  }
  return res;
}
