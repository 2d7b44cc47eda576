// Nested (stage 1 + stage 2) translation, IHI 0070 §3.4 (translation) and §7.3 (event CLASS, S2):
// every stage-1 table address is an IPA translated by stage 2 (CLASS=TT); the stage-1 output is
// translated by stage 2 (CLASS=IN).
// A stage-2 fault during either is reported as a stage-2 fault (S2=1) with the faulting IPA.

import type { PhysicalMemory } from '../memory';
import type { Access, Perms, StageResult, WalkFault, WalkTrace } from '../types';
import { memFetch, type DescFetch, type DescUpdate, type FetchResult, type WalkOptions } from './api';
import { compiledOr, type ConfigError, type S1WalkConfig, type S2WalkConfig } from './config';
import { mkFault, type FastTranslate } from './levels';
import { levelOffset } from './geometry';
import { fromPerms, toPerms } from './perms';
import { compileS1, walkStage1, type S1Compiled } from './stage1';
import { compileS2, s2Core, s2IsDevice, s2Last, walkStage2, type S2Compiled } from './stage2';

/** Stage-1 table walks are data reads (IHI 0070 §3.4: TT accesses need stage-2 read permission). */
const TT_ACCESS: Access = { read: true, exec: false, priv: true };
/** A stage-1 descriptor update (HTTU) is a write through stage 2. */
const TT_WRITE: Access = { read: false, exec: false, priv: true };

export interface NestedFetchOptions {
  /** Record the stage-2 walk of every stage-1 descriptor address (WalkStep.s2Walk). */
  trace?: boolean;
  /** Stage-2 HTTU updates made while translating table addresses. */
  writeBack?: (u: DescUpdate) => void;
}

/**
 * A DescFetch for stage-1 walks under nesting: translates each descriptor IPA with stage 2 (CLASS=TT),
 * then reads the descriptor at the PA. Throws if the stage-2 configuration is illegal (check it first).
 */
export function makeNestedFetch(s2: S2WalkConfig | S2Compiled, mem: PhysicalMemory, opts?: NestedFetchOptions): DescFetch {
  const c = compiledOr(s2, compileS2);
  if ('event' in c) throw new Error(`makeNestedFetch: illegal stage-2 configuration: ${c.issues.map((i) => i.message).join('; ')}`);
  const plain = memFetch(mem);
  const wopts = { trace: !!opts?.trace, faultClass: 'TT' as const, writeBack: opts?.writeBack };
  const wb = opts?.writeBack;
  const ptw = !!c.cfg.ptw;
  const ptwFault = (addr: bigint, level: number, memAttr: number): WalkFault =>
    // IHI 0070 STE.S2PTW: a stage-1 table walk that lands on stage-2 Device memory is a stage-2
    // permission fault (CLASS=TT).
    mkFault('F_PERMISSION', 2, level, 'TT', addr,
      `STE.S2PTW=1: stage-1 table at IPA 0x${addr.toString(16)} is stage-2 Device memory (MemAttr=0b${memAttr.toString(2).padStart(4, '0')})`);
  const f = ((addr: bigint): FetchResult => {
    const r = walkStage2(c, addr, TT_ACCESS, plain, wopts);
    if (!r.ok) return { ok: false, fault: r.fault!, s2Walk: r.trace };
    const memAttr = r.result.attrs.memAttr ?? 0;
    if (ptw && s2IsDevice(memAttr)) {
      const pf = ptwFault(addr, r.result.level, memAttr);
      if (r.trace) r.trace.fault = pf;
      return { ok: false, fault: pf, s2Walk: r.trace };
    }
    return { ok: true, pa: r.result.outputAddr, value: mem.read64(r.result.outputAddr), s2Walk: r.trace };
  }) as DescFetch;
  // Fast path for untraced walks: same checks, numbers only.
  const fast = ((ipa: number): number => {
    if (!s2Core(c, ipa, undefined, TT_ACCESS, 'TT', plain, undefined, wb)) {
      fast.fault = s2Last.fault;
      return -1;
    }
    const memAttr = (s2Last.lo >> 2) & 0xf;
    if (ptw && s2IsDevice(memAttr)) {
      fast.fault = ptwFault(BigInt(ipa), s2Last.level, memAttr);
      return -1;
    }
    return s2Last.oa + levelOffset(c.geo, s2Last.level, Math.floor(ipa / 0x1_0000_0000), ipa >>> 0);
  }) as FastTranslate;
  fast.fault = undefined;
  (fast as { mem: PhysicalMemory }).mem = mem;
  (f as { fast?: FastTranslate }).fast = fast;
  (f as { physMem?: PhysicalMemory }).physMem = mem;
  (f as { prepareWrite?: (addr: bigint) => WalkFault | undefined }).prepareWrite = (addr) =>
    s2Core(c, Number(addr), addr, TT_WRITE, 'TT', plain, undefined, wb) ? undefined : s2Last.fault;
  return f;
}

export interface NestedOk {
  ok: true;
  /** Final PA. */
  outputAddr: bigint;
  s1: StageResult;
  s2: StageResult;
  /** Intersection of both stages' permissions. */
  perms: Perms;
  s1Trace?: WalkTrace;
  /** Stage-2 walk of the stage-1 output (the table-address stage-2 walks are in s1Trace steps). */
  s2Trace?: WalkTrace;
  updates?: DescUpdate[];
}

export interface NestedFault {
  ok: false;
  fault: WalkFault;
  /** Which part faulted: the stage-1 walk (incl. its table fetches) or the final stage-2 walk. */
  during: 's1' | 's2';
  s1?: StageResult;
  s1Trace?: WalkTrace;
  s2Trace?: WalkTrace;
  configError?: undefined;
}

export interface NestedConfigError {
  ok: false;
  fault?: undefined;
  configError: ConfigError;
}

export type NestedOutcome = NestedOk | NestedFault | NestedConfigError;

export interface NestedOptions {
  trace?: boolean;
  writeBack?: (u: DescUpdate) => void;
}

// translateNested reuses one set of fetches per (stage-2 config, memory); HTTU updates of a call are
// collected through this sink (calls do not interleave: the model is single-threaded).
let sinkList: DescUpdate[] | undefined;
let sinkUser: ((u: DescUpdate) => void) | undefined;
const toSink = (u: DescUpdate): void => {
  (sinkList ??= []).push(u);
  sinkUser?.(u);
};

interface Fetches {
  fetch: DescFetch;
  tracedFetch: DescFetch;
  mem: DescFetch;
  plain: WalkOptions;
  traced: WalkOptions;
  plainIn: WalkOptions;
  tracedIn: WalkOptions;
}

const fetchCache = new WeakMap<S2Compiled, WeakMap<PhysicalMemory, Fetches>>();

function fetchesFor(c2: S2Compiled, mem: PhysicalMemory): Fetches {
  let byMem = fetchCache.get(c2);
  if (!byMem) fetchCache.set(c2, (byMem = new WeakMap()));
  let k = byMem.get(mem);
  if (!k) {
    k = {
      fetch: makeNestedFetch(c2, mem, { writeBack: toSink }),
      tracedFetch: makeNestedFetch(c2, mem, { trace: true, writeBack: toSink }),
      mem: memFetch(mem),
      plain: { writeBack: toSink },
      traced: { trace: true, writeBack: toSink },
      plainIn: { faultClass: 'IN', writeBack: toSink },
      tracedIn: { trace: true, faultClass: 'IN', writeBack: toSink },
    };
    byMem.set(mem, k);
  }
  return k;
}

/** Nested translation VA -> IPA -> PA (stage-2 faults on table fetches: S2=1, CLASS=TT; on the output: CLASS=IN). */
export function translateNested(
  s1: S1WalkConfig | S1Compiled, s2: S2WalkConfig | S2Compiled, va: bigint, access: Access, mem: PhysicalMemory, opts?: NestedOptions,
): NestedOutcome {
  const c2 = compiledOr(s2, compileS2);
  if ('event' in c2) return { ok: false, configError: c2 };
  const c1 = compiledOr(s1, compileS1);
  if ('event' in c1) return { ok: false, configError: c1 };
  const trace = !!opts?.trace;
  const k = fetchesFor(c2, mem);
  const prevList = sinkList;
  const prevUser = sinkUser;
  sinkList = undefined;
  sinkUser = opts?.writeBack;
  const wopts = trace ? k.traced : k.plain;
  const r1 = walkStage1(c1, va, access, trace ? k.tracedFetch : k.fetch, wopts);
  const r2 = r1.ok ? walkStage2(c2, r1.result.outputAddr, access, k.mem, trace ? k.tracedIn : k.plainIn) : undefined;
  const updates = sinkList;
  sinkList = prevList;
  sinkUser = prevUser;
  if (!r1.ok) return { ok: false, fault: r1.fault!, during: 's1', s1Trace: r1.trace };
  if (!r2!.ok) return { ok: false, fault: r2!.fault!, during: 's2', s1: r1.result, s1Trace: r1.trace, s2Trace: r2!.trace };
  const out: NestedOk = {
    ok: true,
    outputAddr: r2!.result.outputAddr,
    s1: r1.result,
    s2: r2!.result,
    perms: toPerms(fromPerms(r1.result.perms) & fromPerms(r2!.result.perms)),
  };
  if (trace) {
    out.s1Trace = r1.trace;
    out.s2Trace = r2!.trace;
  }
  if (updates) out.updates = updates;
  return out;
}
