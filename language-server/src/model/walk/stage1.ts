// Stage-1 walk (CD-configured, VA -> IPA/PA). DDI 0487 D8 (VMSAv8-64), IHI 0070 §3.4 (VA range
// selection, TBI), §5.4 (CD fields), §3.13 (HTTU).

import type { Access, WalkFault, WalkStep, WalkTrace } from '../types';
import type { DescFetch, DescUpdate, StageOutcome, WalkOptions } from './api';
import { checkS1Config, s1StartLevel, compiledOr, type ConfigError, type S1RangeConfig, type S1Regime, type S1WalkConfig } from './config';
import { descend, hexN, mkFault } from './levels';
import { makeGeometry, type Geometry } from './geometry';
import { accessName, neededPerm, PR, PW, PX, UR, UW, UX } from './perms';
import { checkLeaf, leafResult, leafUpdate, newLeafState, type LeafRules } from './leaf';
import { PTE_HI, PTE_LO } from '../fields/pte';
import { PA_LIMIT_N } from '../memory';

const { AP1, AP2 } = PTE_LO;
const { PXN, UXN } = PTE_HI;

interface S1Range {
  cfg: S1RangeConfig;
  geo: Geometry | undefined; // undefined when EPD
  /** Bits that must equal VA[55]: [63:ia] (or [55:ia] with TBI). */
  upper: bigint;
}

/** A validated stage-1 configuration with its precomputed geometry. */
export interface S1Compiled {
  readonly kind: 's1';
  readonly cfg: S1WalkConfig;
  readonly r0: S1Range;
  readonly r1: S1Range | undefined;
  readonly regime: S1Regime;
  readonly rules: LeafRules;
  /** CD.WXN. */
  readonly wxn: boolean;
}

const compiled = new WeakMap<S1WalkConfig, S1Compiled | ConfigError>();

function makeRange(cfg: S1WalkConfig, r: S1RangeConfig): S1Range {
  const ia = 64 - r.tsz;
  const top = r.tbi ? 56 : 64;
  const upper = ia >= top ? 0n : (((1n << BigInt(top - ia)) - 1n) << BigInt(ia));
  const geo = r.epd ? undefined : makeGeometry(1, r.granule, ia, s1StartLevel(r.granule, ia), r.ttb, cfg.ips, !!cfg.lpa);
  return { cfg: r, geo, upper };
}

/**
 * Validates and precomputes a stage-1 configuration (cached per config object: treat configs as
 * immutable). A ConfigError means the SMMU would raise C_BAD_CD.
 */
export function compileS1(cfg: S1WalkConfig): S1Compiled | ConfigError {
  let c = compiled.get(cfg);
  if (c) return c;
  const issues = checkS1Config(cfg);
  if (issues.length) c = { event: 'C_BAD_CD', issues };
  else {
    const regime = cfg.regime ?? 'el1';
    const wxn = !!cfg.wxn;
    c = {
      kind: 's1',
      cfg,
      r0: makeRange(cfg, cfg.tt0),
      r1: cfg.tt1 ? makeRange(cfg, cfg.tt1) : undefined,
      regime,
      wxn,
      rules: {
        stage: 1, ha: !!cfg.ha, hd: !!cfg.hd, affd: !!cfg.affd,
        outName: 'IPS', afWhy: 'descriptor has AF=0 (CD.HA=0, CD.AFFD=0)',
        perms: (lo, hi, t) => s1Perms(lo, hi, t, regime, wxn),
        permReason: (lo, hi, t, a) => permReason(lo, hi, t, regime, wxn, a),
      },
    };
  }
  compiled.set(cfg, c);
  return c;
}

/**
 * VA as the walk and the TLB see it: the top byte replaced by the sign of VA[55] when TBI applies
 * (IHI 0070 §3.4.1). TLB entries are tagged with canonical input addresses.
 */
export function s1Canonical(cfg: S1WalkConfig, va: bigint): bigint {
  const r = (va >> 55n) & 1n ? cfg.tt1 ?? cfg.tt0 : cfg.tt0;
  if (!r.tbi) return va;
  return (va >> 55n) & 1n ? va | (0xffn << 56n) : va & ((1n << 56n) - 1n);
}

/**
 * Stage-1 permissions of a leaf (DDI 0487 D8.4.1 data/instruction access permissions, D8.4.2
 * hierarchical controls). `lo`/`hi`: descriptor halves; `tableAttrs`: see LoopState.
 */
function s1Perms(lo: number, hi: number, tableAttrs: number, regime: S1Regime, wxn: boolean): number {
  const ap2 = lo & AP2;
  const ap1 = lo & AP1;
  const aptNoWrite = (tableAttrs >> 3) & 1; // APTable[1]
  const aptNoUnpriv = (tableAttrs >> 2) & 1; // APTable[0]
  const uxn = (hi & UXN) | ((tableAttrs >> 1) & 1); // UXN / XN, UXNTable / XNTable
  if (regime === 'el2') {
    // Single privilege level: AP[1], PXN, APTable[0] and PXNTable do not apply; all accesses as privileged.
    const w = !ap2 && !aptNoWrite;
    const x = !uxn && !(wxn && w);
    return PR | UR | (w ? PW | UW : 0) | (x ? PX | UX : 0);
  }
  const pxn = (hi & PXN) | (tableAttrs & 1);
  const pw = !ap2 && !aptNoWrite;
  const ur = ap1 !== 0 && !aptNoUnpriv;
  const uw = ur && pw;
  const ux = !uxn && !(wxn && uw);
  // A region writable at EL0 is never executable at EL1 (DDI 0487 D8.4.1, "PXN implied by EL0 write").
  const px = !pxn && !(wxn && pw) && !uw;
  return PR | (pw ? PW : 0) | (ur ? UR : 0) | (uw ? UW : 0) | (ux ? UX : 0) | (px ? PX : 0);
}

function permReason(lo: number, hi: number, tableAttrs: number, regime: S1Regime, wxn: boolean, a: Access): string {
  const ap = (lo >> 6) & 3;
  const parts: string[] = [];
  if (!a.read) {
    if (ap & 2) parts.push(`AP[2:1]=0b${ap.toString(2).padStart(2, '0')} is read-only`);
    if (tableAttrs & 8) parts.push('APTable[1]=1 on the way removes write permission');
  }
  if (!a.priv && regime !== 'el2') {
    if (!(ap & 1)) parts.push(`AP[2:1]=0b${ap.toString(2).padStart(2, '0')} gives no unprivileged access`);
    if (tableAttrs & 4) parts.push('APTable[0]=1 on the way removes unprivileged access');
  }
  if (a.read && a.exec) {
    const xnName = regime === 'el2' ? 'XN' : a.priv ? 'PXN' : 'UXN';
    if (a.priv && regime !== 'el2') {
      if (hi & PXN) parts.push('PXN=1');
      if (tableAttrs & 1) parts.push('PXNTable=1 on the way');
      if (ap === 1) parts.push('AP[2:1]=0b01 (writable at EL0) implies PXN');
    } else {
      if (hi & UXN) parts.push(`${xnName}=1`);
      if (tableAttrs & 2) parts.push(`${regime === 'el2' ? 'XNTable' : 'UXNTable'}=1 on the way`);
    }
    if (wxn) parts.push('CD.WXN=1 makes writable memory execute-never');
  }
  return `stage 1 forbids a ${accessName(a)}: ${parts.join('; ') || 'no permission'}`;
}

const st1 = newLeafState();

function failWith(trace: WalkTrace | undefined, f: WalkFault): StageOutcome {
  if (trace) trace.fault = f;
  return { ok: false, fault: f, trace };
}

/** Stage-1 translation of `va`. Faults carry stage 1, CLASS=IN (their own fetch faults keep theirs). */
export function walkStage1(cfgIn: S1WalkConfig | S1Compiled, va: bigint, access: Access, fetch: DescFetch, opts?: WalkOptions): StageOutcome {
  const c = compiledOr(cfgIn, compileS1);
  if ('event' in c) return { ok: false, configError: c };
  const cfg = c.cfg;
  // Fast case: a VA below 2^52 is exact as a double, has VA[63:52]=0 (so VA[55]=0) and needs no BigInt
  // arithmetic; other VAs (TTB1, tagged, out of range) take the BigInt path.
  const n = Number(va);
  const low = n < PA_LIMIT_N;
  const sel = low ? 0 : (va >> 55n) & 1n ? 1 : 0; // VA[55]
  // IHI 0070 §3.4.1: VA[55] selects TTB1 when the CD has two ranges; a single-range regime has TTB0 only.
  const range = sel && c.r1 ? c.r1 : c.r0;
  const geo = range.geo;
  const steps: WalkStep[] | undefined = opts?.trace ? [] : undefined;
  let trace: WalkTrace | undefined;
  if (steps) {
    trace = {
      stage: 1, granule: range.cfg.granule, inputSize: 64 - range.cfg.tsz,
      startLevel: geo ? geo.startLevel : 0, ttb: range.cfg.ttb, inputAddr: va, steps,
    };
  }
  const rn = range === c.r1 ? '1' : '0';
  if (geo === undefined) {
    return failWith(trace, mkFault('F_TRANSLATION', 1, 0, 'IN', va, `CD.EPD${rn}=1: walks of the TTB${rn} range are disabled`));
  }
  if (low ? n >= geo.inLimitN : sel ? (va & range.upper) !== range.upper || !c.r1 : (va & range.upper) !== 0n) {
    const hiBit = range.cfg.tbi ? 55 : 63;
    const why = !c.r1 && sel
      ? `VA[55]=1 but the ${c.regime} regime has only the TTB0 range`
      : `VA[${hiBit}:${geo.inputSize}] must all be ${sel} for the TTB${rn} range (CD.T${rn}SZ=${range.cfg.tsz})`;
    return failWith(trace, mkFault('F_TRANSLATION', 1, 0, 'IN', va, `VA ${hexN(va)} is outside the input range: ${why}`));
  }
  const st = st1;
  const ia = low ? n : Number(va & geo.inMask);
  if (!descend(geo, ia, va, fetch, steps, st, 'IN')) return failWith(trace, st.fault!);
  const tAttrs = range.cfg.had ? 0 : st.tableAttrs; // CD.HADx: hierarchical attributes disabled
  const perms = s1Perms(st.lo, st.hi, tAttrs, c.regime, c.wxn);
  if (!checkLeaf(c.rules, geo, st, perms, tAttrs, access, neededPerm(access), 'IN', ia, va)) return failWith(trace, st.fault!);
  let updates: DescUpdate[] | undefined;
  if (st.what) {
    // Nested: the descriptor update is a stage-2 write (IHI 0070 §3.13); it may fault at stage 2.
    const f = fetch.prepareWrite?.(BigInt(st.descAddr));
    if (f) return failWith(trace, f);
    const u = leafUpdate(1, st);
    updates = [u];
    opts?.writeBack?.(u);
  }
  const result = leafResult(1, geo, st, ia, sel ? (va | ~geo.inMask) & geo.baseMask[st.level] : undefined, c.regime !== 'el2');
  if (trace) trace.outputAddr = result.outputAddr;
  return updates ? { ok: true, result, trace, updates } : { ok: true, result, trace };
}
