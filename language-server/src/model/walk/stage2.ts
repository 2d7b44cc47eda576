// Stage-2 walk (STE-configured, IPA -> PA). DDI 0487 D8 (VMSAv8-64 stage 2: S2AP, XN, concatenated
// start-level tables), IHI 0070 §5.2 (STE.S2* fields), §3.13 (HTTU).

import type { Access, StageResult, WalkStep, WalkTrace } from '../types';
import type { DescFetch, DescUpdate, StageOutcome, WalkOptions } from './api';
import { checkS2Config, s2StartLevel, type ConfigError, type S2WalkConfig } from './config';
import { descend, mkFault, newLoopState } from './engine';
import { descOutput, makeGeometry, type Geometry } from './geometry';
import { accessName, neededPerm, PR, PW, PX, toPerms, UR, UW, UX } from './perms';

export interface S2Compiled {
  readonly kind: 's2';
  readonly cfg: S2WalkConfig;
  readonly geo: Geometry;
}

const compiled = new WeakMap<S2WalkConfig, S2Compiled | ConfigError>();

/** Validates and precomputes a stage-2 configuration (cached per object). ConfigError: C_BAD_STE. */
export function compileS2(cfg: S2WalkConfig): S2Compiled | ConfigError {
  let c = compiled.get(cfg);
  if (c) return c;
  const issues = checkS2Config(cfg);
  if (issues.length) c = { event: 'C_BAD_STE', issues };
  else {
    const sl = s2StartLevel(cfg.granule, cfg.sl0, cfg.stt)!;
    c = { kind: 's2', cfg, geo: makeGeometry(2, cfg.granule, 64 - cfg.tsz, sl, cfg.ttb, cfg.ps, !!cfg.lpa) };
  }
  compiled.set(cfg, c);
  return c;
}

/**
 * Stage-2 permissions (DDI 0487 D8.4.3): S2AP[0] read, S2AP[1] write, for both privileges.
 * XN[1:0] (bits [54:53]) with FEAT_XNX: 0b00 executable, 0b01 not at EL1, 0b10 never, 0b11 not at EL0;
 * without FEAT_XNX only XN[1] counts.
 */
function s2Perms(lo: number, hi: number, xnx: boolean): number {
  const s2ap = (lo >> 6) & 3;
  let m = (s2ap & 1 ? UR | PR : 0) | (s2ap & 2 ? UW | PW : 0);
  const xn = (hi >> 21) & 3;
  if (!xnx) return m | (xn & 2 ? 0 : UX | PX);
  if (xn === 0) m |= UX | PX;
  else if (xn === 1) m |= UX;
  else if (xn === 3) m |= PX;
  return m;
}

function permReason(lo: number, hi: number, xnx: boolean, a: Access): string {
  const s2ap = (lo >> 6) & 3;
  let why: string;
  if (!a.read) why = `S2AP=0b${s2ap.toString(2).padStart(2, '0')} has no write permission (S2AP[1]=0)`;
  else if (a.exec) why = `XN[1:0]=0b${((hi >> 21) & 3).toString(2).padStart(2, '0')} forbids execution${xnx ? ` at ${a.priv ? 'EL1' : 'EL0'}` : ''}`;
  else why = `S2AP=0b${s2ap.toString(2).padStart(2, '0')} has no read permission (S2AP[0]=0)`;
  return `stage 2 forbids a ${accessName(a)}: ${why}`;
}

const st2 = newLoopState();

/** Memory type of a stage-2 leaf: MemAttr[3:2]=0b00 is Device (DDI 0487 D8.5.5). */
export function s2IsDevice(memAttr: number): boolean {
  return (memAttr & 0xc) === 0;
}

/**
 * Stage-2 translation of `ipa`. Faults carry stage 2, ipa, and CLASS = opts.faultClass (default IN).
 */
export function walkStage2(
  cfgIn: S2WalkConfig | S2Compiled,
  ipa: bigint,
  access: Access,
  fetch: DescFetch,
  opts?: WalkOptions,
): StageOutcome {
  const c = 'kind' in cfgIn ? cfgIn : compileS2(cfgIn);
  if ('event' in c) return { ok: false, configError: c };
  const cfg = c.cfg;
  const geo = c.geo;
  const cls = opts?.faultClass ?? 'IN';
  const steps: WalkStep[] | undefined = opts?.trace ? [] : undefined;
  let trace: WalkTrace | undefined;
  if (steps) {
    trace = { stage: 2, granule: geo.granule, inputSize: geo.inputSize, startLevel: geo.startLevel, ttb: cfg.ttb, inputAddr: ipa, steps };
  }
  const fail = (f: ReturnType<typeof mkFault>): StageOutcome => {
    if (trace) trace.fault = f;
    return { ok: false, fault: f, trace };
  };
  if ((ipa & ~geo.inMask) !== 0n) {
    // DDI 0487 D8.2: an IPA beyond the S2T0SZ input size is a stage-2 Translation fault at level 0.
    return fail(mkFault('F_TRANSLATION', 2, 0, cls, ipa,
      `IPA 0x${ipa.toString(16)} is beyond the ${geo.inputSize}-bit stage-2 input size (STE.S2T0SZ=${cfg.tsz})`));
  }
  const st = st2;
  if (!descend(geo, ipa, ipa, fetch, steps, st, cls)) return fail(st.fault!);
  const level = st.level;
  const d = st.desc;
  const lo = Number(d & 0xffff_ffffn);
  const hi = Number(d >> 32n);
  const oa = descOutput(geo, d, geo.oaMask[level]);
  if (oa >= geo.outLimit) {
    return fail(mkFault('F_ADDR_SIZE', 2, level, cls, ipa,
      `level ${level} output address 0x${oa.toString(16)} is beyond the ${geo.outSize}-bit STE.S2PS/OAS`));
  }
  let newDesc = d;
  let what: DescUpdate['what'] | undefined;
  if (((lo >> 10) & 1) === 0) {
    if (cfg.ha) {
      newDesc |= 1n << 10n;
      what = 'AF';
    } else if (!cfg.affd) {
      return fail(mkFault('F_ACCESS', 2, level, cls, ipa, `level ${level} stage-2 descriptor has AF=0 (STE.S2HA=0, STE.S2AFFD=0)`));
    }
  }
  const xnx = !!cfg.xnx;
  let perms = s2Perms(lo, hi, xnx);
  const need = neededPerm(access);
  if ((perms & need) === 0) {
    // IHI 0070 §3.13.3: DBM=1 with S2AP[1]=0 is writable-clean; a write sets S2AP[1].
    const dbmOk = !access.read && cfg.ha && cfg.hd && ((hi >> 19) & 1) === 1;
    const p2 = dbmOk ? s2Perms(lo | 0x80, hi, xnx) : 0;
    if ((p2 & need) === 0) return fail(mkFault('F_PERMISSION', 2, level, cls, ipa, permReason(lo, hi, xnx, access)));
    newDesc |= 1n << 7n;
    perms = p2;
    what = what ? 'AF+DBM' : 'DBM';
  }
  let updates: DescUpdate[] | undefined;
  if (what) {
    const u: DescUpdate = { stage: 2, level, descAddr: st.descAddr, descPa: st.descPa, oldValue: d, newValue: newDesc, what };
    updates = [u];
    opts?.writeBack?.(u);
  }
  const off = geo.offMask[level];
  const result: StageResult = {
    stage: 2,
    outputAddr: oa | (ipa & off),
    blockShift: geo.shift[level],
    inputBase: ipa & ~off,
    outputBase: oa,
    perms: toPerms(perms),
    attrs: {
      memAttr: (lo >> 2) & 0xf,
      sh: (lo >> 8) & 3,
      nG: false,
      af: Number((newDesc >> 10n) & 1n) === 1,
      contiguous: ((hi >> 20) & 1) === 1,
      dbm: ((hi >> 19) & 1) === 1,
    },
    level,
  };
  if (trace) trace.outputAddr = result.outputAddr;
  return updates ? { ok: true, result, trace, updates } : { ok: true, result, trace };
}
