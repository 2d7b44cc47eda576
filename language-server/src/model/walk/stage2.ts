// Stage-2 walk (STE-configured, IPA -> PA). DDI 0487 D8 (VMSAv8-64 stage 2: S2AP, XN, concatenated
// start-level tables), IHI 0070 §5.2 (STE.S2* fields), §3.13 (HTTU).

import type { Access, FaultClass, WalkStep, WalkTrace } from '../types';
import type { DescFetch, DescUpdate, StageOutcome, WalkOptions } from './api';
import { checkS2Config, s2StartLevel, compiledOr, type ConfigError, type S2WalkConfig } from './config';
import { descend, hexN, mkFault } from './levels';
import { makeGeometry, type Geometry } from './geometry';
import { accessName, neededPerm, PR, PW, PX, UR, UW, UX } from './perms';
import { checkLeaf, leafResult, leafUpdate, newLeafState, type LeafRules, type LeafState } from './leaf';


export interface S2Compiled {
  readonly kind: 's2';
  readonly cfg: S2WalkConfig;
  readonly geo: Geometry;
  readonly rules: LeafRules;
  /** SMMU_IDR3.XNX (FEAT_XNX) as the STE sees it. */
  readonly xnx: boolean;
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
    const xnx = !!cfg.xnx;
    const rules: LeafRules = {
      stage: 2, ha: !!cfg.ha, hd: !!cfg.hd, affd: !!cfg.affd,
      outName: 'STE.S2PS/OAS', afWhy: 'stage-2 descriptor has AF=0 (STE.S2HA=0, STE.S2AFFD=0)',
      perms: (lo, hi) => s2Perms(lo, hi, xnx),
      permReason: (lo, hi, _t, a) => permReason(lo, hi, xnx, a),
    };
    c = { kind: 's2', cfg, geo: makeGeometry(2, cfg.granule, 64 - cfg.tsz, sl, cfg.ttb, cfg.ps, !!cfg.lpa), rules, xnx };
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

/** Scratch of the stage-2 core: the loop state, the leaf's outcome and its HTTU update. */
export type S2State = LeafState;

const st2: S2State = newLeafState();
/** The stage-2 core's scratch, read right after s2Core returns (single-threaded, not reentrant). */
export const s2Last: Readonly<S2State> = st2;

/** Memory type of a stage-2 leaf: MemAttr[3:2]=0b00 is Device (DDI 0487 D8.5.5). */
export function s2IsDevice(memAttr: number): boolean {
  return (memAttr & 0xc) === 0;
}

/**
 * Stage-2 core on an IPA given as a number (`ipaBig`: its exact value for reports, when at hand): walk,
 * address-size, AF and permission checks, HTTU. Leaves the result in st2 (oa, perms, newLo, update) or the fault in st2.fault. Used by walkStage2
 * and by the nested fetch's fast path.
 */
export function s2Core(
  c: S2Compiled,
  ipa: number,
  ipaBig: bigint | undefined,
  access: Access,
  cls: FaultClass,
  fetch: DescFetch,
  steps: WalkStep[] | undefined,
  writeBack: ((u: DescUpdate) => void) | undefined,
): boolean {
  const cfg = c.cfg;
  const geo = c.geo;
  const st = st2;
  st.update = undefined;
  if (ipa >= geo.inLimitN) {
    // DDI 0487 D8.2: an IPA beyond the S2T0SZ input size is a stage-2 Translation fault at level 0.
    const big = ipaBig ?? BigInt(ipa);
    st.level = 0;
    st.fault = mkFault('F_TRANSLATION', 2, 0, cls, big,
      `IPA ${hexN(big)} is beyond the ${geo.inputSize}-bit stage-2 input size (STE.S2T0SZ=${cfg.tsz})`);
    return false;
  }
  if (!descend(geo, ipa, ipaBig, fetch, steps, st, cls)) return false;
  if (!checkLeaf(c.rules, geo, st, s2Perms(st.lo, st.hi, c.xnx), 0, access, neededPerm(access), cls, ipa, ipaBig)) return false;
  if (st.what) {
    const u = leafUpdate(2, st);
    st.update = u;
    writeBack?.(u);
  }
  return true;
}

/**
 * Stage-2 translation of `ipa`. Faults carry stage 2, ipa, and CLASS = opts.faultClass (default IN).
 */
export function walkStage2(cfgIn: S2WalkConfig | S2Compiled, ipa: bigint, access: Access, fetch: DescFetch, opts?: WalkOptions): StageOutcome {
  const c = compiledOr(cfgIn, compileS2);
  if ('event' in c) return { ok: false, configError: c };
  const geo = c.geo;
  const steps: WalkStep[] | undefined = opts?.trace ? [] : undefined;
  let trace: WalkTrace | undefined;
  if (steps) {
    trace = { stage: 2, granule: geo.granule, inputSize: geo.inputSize, startLevel: geo.startLevel, ttb: c.cfg.ttb, inputAddr: ipa, steps };
  }
  const st = st2;
  const ipaN = Number(ipa);
  if (!s2Core(c, ipaN, ipa, access, opts?.faultClass ?? 'IN', fetch, steps, opts?.writeBack)) {
    if (trace) trace.fault = st.fault;
    return { ok: false, fault: st.fault!, trace };
  }
  const result = leafResult(2, geo, st, ipaN, undefined, false);
  if (trace) trace.outputAddr = result.outputAddr;
  return st.update ? { ok: true, result, trace, updates: [st.update] } : { ok: true, result, trace };
}
