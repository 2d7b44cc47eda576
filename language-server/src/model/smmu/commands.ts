// Command execution (IHI 0070 §4): one command, decoded with the fields tables, applied to the
// instance's caches. Returns what it removed, so the hazard tracker and the editor can show it.
// The queue mechanics (PROD/CONS, CERROR_ILL, GERROR) live in the instance.

import { decode, type FieldValues } from '../fields/field';
import { commandByOpcode } from '../fields/commands';
import type { ConfigCacheEntry } from './configCache';
import type { SmmuFeatures } from './features';
import type { TlbEntryInfo, TransactionResult } from './result';
import type { Tlb } from '../tlb/tlb';
import type { TlbEntry, TlbiRange } from '../tlb/types';
import type { AtcEntry } from './ats';
import type { PriRespCode, PriResponse } from './pri';
import { hex } from '../bits';

export interface CommandResult {
  /** Queue slot index the command was read from. */
  index: number;
  opcode: number;
  /** Spec name, e.g. CMD_TLBI_NH_VA; `UNKNOWN_0x07` for an unknown opcode. */
  name: string;
  fields: FieldValues;
  raw: [bigint, bigint];
  /** 'CERROR_ILL' when the command is illegal: the queue stopped at it (IHI 0070 §7.1). */
  error?: 'CERROR_ILL';
  /** What the command did, or why it is illegal. */
  message: string;
  removed: { tlb: TlbEntryInfo[]; config: ConfigCacheEntry<unknown>[] };
  /** The cache an invalidation command (CMD_TLBI_*, CMD_CFGI_*, CMD_ATC_INV) cleared, even of nothing. */
  invalidated?: 'tlb' | 'config' | 'atc';
  /** CMD_RESUME with retry: the retried transaction's result. */
  resumed?: TransactionResult[];
  /** CMD_ATC_INV: the ATC entries it removed. */
  atc?: AtcEntry[];
  /** CMD_PRI_RESP: the group it answered. */
  pri?: PriResponse;
}

/** What a command needs from its instance. */
export interface CommandCtx {
  readonly features: SmmuFeatures;
  readonly tlb: Tlb;
  /** STEs of [lo, hi] and the CDs cached through them (IHI 0070 §4.3). */
  invalidateSteRange(lo: number, hi: number): ConfigCacheEntry<unknown>[];
  invalidateCds(sid: number, ssid?: number): ConfigCacheEntry<unknown>[];
  invalidateAllConfig(): ConfigCacheEntry<unknown>[];
  /** CMD_RESUME: retry (true) or terminate the stalled transaction; undefined if no such STAG. */
  resume(sid: number, stag: number, retry: boolean): TransactionResult | 'terminated' | undefined;
  /** CMD_STALL_TERM: number of stalled transactions terminated. */
  stallTerm(sid: number): number;
  /** CMD_ATC_INV (ats.ts): removed ATC entries. */
  atcInvalidate?(sid: number, ssid: number | undefined, global: boolean, addr: bigint, size: number): AtcEntry[];
  /** CMD_PRI_RESP (pri.ts). */
  priRespond?(sid: number, ssid: number | undefined, prgi: number, resp: PriRespCode): PriResponse;
}


/** TG/TTL/NUM/SCALE of a TLBI by address (IHI 0070 §4.4); TG is RES0 (ignored) without SMMU_IDR3.RIL. */
/** The StreamIDs CMD_CFGI_STE_RANGE covers: 2^(Range+1) aligned to that size; Range 31 is all (IHI 0070 §4.3). */
export function cfgiSteSpan(sid: number, range: number): [number, number] {
  const n = 2 ** (range + 1);
  const lo = Math.floor(sid / n) * n;
  return [lo, lo + n - 1];
}

export function tlbiRange(d: FieldValues, f: SmmuFeatures): TlbiRange | undefined {
  const tg = Number(d.TG ?? 0n);
  if (tg === 0 || !f.ril) return undefined;
  return { tg, ttl: Number(d.TTL), num: Number(d.NUM), scale: Number(d.SCALE) };
}

/** Execute one command. An illegal command returns error 'CERROR_ILL' and changes nothing. */
export function executeCommand(ctx: CommandCtx, raw: [bigint, bigint], index: number): CommandResult {
  const opcode = Number(raw[0] & 0xffn);
  const def = commandByOpcode(opcode);
  const res: CommandResult = {
    index, opcode, name: def?.name ?? `UNKNOWN_${hex(opcode)}`, fields: def ? decode(def, raw) : {}, raw,
    message: '', removed: { tlb: [], config: [] },
  };
  const ill = (why: string): CommandResult => {
    res.error = 'CERROR_ILL';
    res.message = `CERROR_ILL: ${why} (IHI 0070 §4.1, §7.1)`;
    return res;
  };
  if (!def) return ill(`unknown opcode ${hex(opcode)}`);
  const d = res.fields;
  const f = ctx.features;
  const sid = Number(d.StreamID ?? 0n);
  const vmid = Number(d.VMID ?? 0n);
  const asid = Number(d.ASID ?? 0n);
  const tlbi = (removed: TlbEntry[], what: string): CommandResult => {
    res.invalidated = 'tlb';
    res.removed.tlb = removed;
    res.message = `${what}: removed ${res.removed.tlb.length} TLB entr${res.removed.tlb.length === 1 ? 'y' : 'ies'}`;
    return res;
  };
  // Stage-specific TLBIs are illegal when the SMMU lacks the stage/regime (IHI 0070 §4.4).
  switch (def.name) {
    case 'CMD_PREFETCH_CONFIG':
    case 'CMD_PREFETCH_ADDR':
      res.message = 'prefetch: accepted (the model fetches on demand)';
      return res;
    case 'CMD_CFGI_STE':
      res.invalidated = 'config';
      res.removed.config = ctx.invalidateSteRange(sid, sid);
      res.message = `invalidated the STE of StreamID ${hex(sid)}: ${res.removed.config.length} config entr${res.removed.config.length === 1 ? 'y' : 'ies'}`;
      return res;
    case 'CMD_CFGI_STE_RANGE': {
      const r = Number(d.Range);
      if (r === 31) {
        res.invalidated = 'config';
        res.removed.config = ctx.invalidateAllConfig();
        res.message = `CMD_CFGI_ALL: removed ${res.removed.config.length} config entries`;
        return res;
      }
      const [lo, hi] = cfgiSteSpan(sid, r);
      res.invalidated = 'config';
      res.removed.config = ctx.invalidateSteRange(lo, hi);
      res.message = `invalidated STEs ${hex(lo)}..${hex(hi)}: ${res.removed.config.length} config entries`;
      return res;
    }
    case 'CMD_CFGI_CD': {
      const ssid = Number(d.SubstreamID);
      if (ssid >> f.ssidBits !== 0 && f.ssidBits < 20) return ill(`SubstreamID ${hex(ssid)} beyond SMMU_IDR1.SSIDSIZE`);
      res.invalidated = 'config';
      res.removed.config = ctx.invalidateCds(sid, ssid);
      res.message = `invalidated CD ${hex(ssid)} of StreamID ${hex(sid)}: ${res.removed.config.length} config entries`;
      return res;
    }
    case 'CMD_CFGI_CD_ALL':
      res.invalidated = 'config';
      res.removed.config = ctx.invalidateCds(sid);
      res.message = `invalidated all CDs of StreamID ${hex(sid)}: ${res.removed.config.length} config entries`;
      return res;
    case 'CMD_TLBI_NH_ALL':
      if (!f.stage1) return ill('CMD_TLBI_NH_ALL needs stage 1 (SMMU_IDR0.S1P == 0)');
      return tlbi(ctx.tlb.nhAll(vmid), `CMD_TLBI_NH_ALL VMID ${vmid}`);
    case 'CMD_TLBI_NH_ASID':
      if (!f.stage1) return ill('CMD_TLBI_NH_ASID needs stage 1 (SMMU_IDR0.S1P == 0)');
      return tlbi(ctx.tlb.nhAsid(vmid, asid), `CMD_TLBI_NH_ASID VMID ${vmid} ASID ${hex(asid)}`);
    case 'CMD_TLBI_NH_VA':
      if (!f.stage1) return ill('CMD_TLBI_NH_VA needs stage 1 (SMMU_IDR0.S1P == 0)');
      return tlbi(ctx.tlb.nhVa(vmid, asid, d.Address, tlbiRange(d, f), d.Leaf !== 0n),
        `CMD_TLBI_NH_VA VMID ${vmid} ASID ${hex(asid)} VA ${hex(d.Address)}`);
    case 'CMD_TLBI_NH_VAA':
      if (!f.stage1) return ill('CMD_TLBI_NH_VAA needs stage 1 (SMMU_IDR0.S1P == 0)');
      return tlbi(ctx.tlb.nhVaa(vmid, d.Address, tlbiRange(d, f), d.Leaf !== 0n), `CMD_TLBI_NH_VAA VMID ${vmid} VA ${hex(d.Address)}`);
    case 'CMD_TLBI_EL2_ALL':
      if (!f.hyp) return ill('CMD_TLBI_EL2_ALL needs SMMU_IDR0.HYP');
      return tlbi(ctx.tlb.el2All(), 'CMD_TLBI_EL2_ALL');
    case 'CMD_TLBI_EL2_ASID':
      if (!f.hyp) return ill('CMD_TLBI_EL2_ASID needs SMMU_IDR0.HYP');
      return tlbi(ctx.tlb.el2Asid(asid), `CMD_TLBI_EL2_ASID ASID ${hex(asid)}`);
    case 'CMD_TLBI_EL2_VA':
      if (!f.hyp) return ill('CMD_TLBI_EL2_VA needs SMMU_IDR0.HYP');
      return tlbi(ctx.tlb.el2Va(asid, d.Address, tlbiRange(d, f), d.Leaf !== 0n), `CMD_TLBI_EL2_VA VA ${hex(d.Address)}`);
    case 'CMD_TLBI_EL2_VAA':
      if (!f.hyp) return ill('CMD_TLBI_EL2_VAA needs SMMU_IDR0.HYP');
      return tlbi(ctx.tlb.el2Vaa(d.Address, tlbiRange(d, f), d.Leaf !== 0n), `CMD_TLBI_EL2_VAA VA ${hex(d.Address)}`);
    case 'CMD_TLBI_S12_VMALL':
      if (!f.stage2) return ill('CMD_TLBI_S12_VMALL needs stage 2 (SMMU_IDR0.S2P == 0)');
      return tlbi(ctx.tlb.s12VmAll(vmid), `CMD_TLBI_S12_VMALL VMID ${vmid}`);
    case 'CMD_TLBI_S2_IPA':
      if (!f.stage2) return ill('CMD_TLBI_S2_IPA needs stage 2 (SMMU_IDR0.S2P == 0)');
      return tlbi(ctx.tlb.s2Ipa(vmid, d.Address, tlbiRange(d, f), d.Leaf !== 0n), `CMD_TLBI_S2_IPA VMID ${vmid} IPA ${hex(d.Address)}`);
    case 'CMD_TLBI_NSNH_ALL':
      return tlbi(ctx.tlb.nsnhAll(), 'CMD_TLBI_NSNH_ALL');
    case 'CMD_TLBI_EL3_ALL':
    case 'CMD_TLBI_EL3_VA':
    case 'CMD_CFGI_VMS_PIDM':
      return ill(`${def.name} is not available on the Non-secure command queue of this SMMU`);
    case 'CMD_ATC_INV':
    {
      if (!f.ats) return ill('CMD_ATC_INV needs ATS (SMMU_IDR0.ATS == 0)');
      // IHI 0070 §4.6.1: SSV selects a SubstreamID, Global all of them; Size is log2 of 4K pages.
      const ssid = d.SSV ? Number(d.SubstreamID) : undefined;
      const size = Number(d.Size);
      const removed = ctx.atcInvalidate?.(sid, ssid, d.Global !== 0n, d.Address, size) ?? [];
      res.invalidated = 'atc';
      res.atc = removed;
      res.message = `CMD_ATC_INV StreamID ${hex(sid)}${ssid !== undefined ? (d.Global ? ' all SubstreamIDs' : ` SubstreamID ${hex(ssid)}`) : ''} ` +
        `${size >= 52 ? 'all addresses' : `${hex((d.Address >> BigInt(size + 12)) << BigInt(size + 12))} +${hex(1n << BigInt(size + 12))}`}: removed ${removed.length} ATC entr${removed.length === 1 ? 'y' : 'ies'}`;
      return res;
    }
    case 'CMD_PRI_RESP':
      if (!f.pri) return ill('CMD_PRI_RESP needs PRI (SMMU_IDR0.PRI == 0)');
      if (d.Resp === 3n) return ill('CMD_PRI_RESP.Resp == 0b11 is Reserved');
    {
      const ssid = d.SSV ? Number(d.SubstreamID) : undefined;
      const code = (['DENY', 'FAIL', 'SUCC'] as const)[Number(d.Resp)];
      const r = ctx.priRespond?.(sid, ssid, Number(d.PRGI), code);
      if (r) res.pri = r;
      res.message = `CMD_PRI_RESP ${code} to StreamID ${hex(sid)}${ssid !== undefined ? ` SubstreamID ${hex(ssid)}` : ''} PRGI ${hex(Number(d.PRGI))}` +
        (r?.group ? `: answers ${r.group.requests.length} page request(s)` : ': no outstanding page request group matches (sent anyway, IHI 0070 §4.7.1)');
      return res;
    }
    case 'CMD_RESUME': {
      if (f.stall === 'none') return ill('CMD_RESUME but stalling is not supported (SMMU_IDR0.STALL_MODEL == 0b01)');
      const stag = Number(d.STAG);
      const retry = d.Action !== 0n;
      const r = ctx.resume(sid, stag, retry);
      if (r === undefined) res.message = `no stalled transaction with StreamID ${hex(sid)} STAG ${hex(stag)}: ignored (IHI 0070 §4.7)`;
      else if (r === 'terminated') res.message = `terminated the stalled transaction STAG ${hex(stag)}`;
      else {
        res.message = `retried the stalled transaction STAG ${hex(stag)}: ${r.outcome}`;
        res.resumed = [r];
      }
      return res;
    }
    case 'CMD_STALL_TERM': {
      if (f.stall === 'none') return ill('CMD_STALL_TERM but stalling is not supported (SMMU_IDR0.STALL_MODEL == 0b01)');
      const n = ctx.stallTerm(sid);
      res.message = `terminated ${n} stalled transaction(s) of StreamID ${hex(sid)}`;
      return res;
    }
    case 'CMD_SYNC':
      if (d.CS === 3n) return ill('CMD_SYNC.CS == 0b11 is Reserved');
      res.message = 'CMD_SYNC: all earlier commands have completed';
      return res;
    default:
      return ill(`${def.name} is not supported`);
  }
}
