// The table-descending loop shared by both stages: fetch a descriptor per level, follow table
// descriptors, stop at a block/page or at a fault. DDI 0487 D8.3 (descriptor formats), D8.2 (levels).
// Leaf interpretation (permissions, AF, attributes) is stage-specific and lives in stage1.ts / stage2.ts.
// Hot path in numbers: addresses < 2^52, descriptors as two 32-bit words (lo = bits [31:0], hi = [63:32]).

import type { PhysicalMemory } from '../memory';
import type { DescKind, FaultClass, Stage, WalkFault, WalkFaultKind, WalkStep } from '../types';
import type { DescFetch } from './api';
import { levelIndex, outAddr, type Geometry } from './geometry';

/** Where the loop leaves its result (one scratch object per stage: no allocation per walk). */
export interface LoopState {
  level: number;
  lo: number;
  hi: number;
  descAddr: number;
  descPa: number;
  /** OR of the table descriptors' bits [62:59] seen on the way: bit0 PXNTable, bit1 UXNTable/XNTable, bits2-3 APTable. */
  tableAttrs: number;
  fault: WalkFault | undefined;
}

export function newLoopState(): LoopState {
  return { level: 0, lo: 0, hi: 0, descAddr: 0, descPa: 0, tableAttrs: 0, fault: undefined };
}

/**
 * Internal fast form of a nested fetch (see nested.ts): translates a descriptor IPA to a PA (a number),
 * or returns -1 and leaves the stage-2 fault in `fault`. Used by untraced walks only.
 */
export interface FastTranslate {
  (ipa: number): number;
  fault: WalkFault | undefined;
  readonly mem: PhysicalMemory;
}

export function mkFault(
  kind: WalkFaultKind,
  stage: Stage,
  level: number,
  cls: FaultClass,
  inputAddr: bigint,
  reason: string,
): WalkFault {
  const f: WalkFault = { kind, stage, level, class: cls, inputAddr, reason };
  if (stage === 2) f.ipa = inputAddr;
  return f;
}

export const hexN = (v: bigint | number): string => '0x' + v.toString(16);
/** TWO32 * 2^21 = 2^53: a descriptor whose bits [63:53] are clear is exact as a double. */
const TWO32 = 0x1_0000_0000;
const HI_EXACT = 0x20_0000;
/** The 64-bit value of 32-bit halves: one BigInt from an exact double when bits [63:53] are clear
 *  (table descriptors, most leaves), else three BigInt operations. */
export const join64 = (hi: number, lo: number): bigint => {
  const h = hi >>> 0;
  return h < HI_EXACT ? BigInt(h * TWO32 + (lo >>> 0)) : (BigInt(h) << 32n) | BigInt(lo >>> 0);
};

function kindOf(t: number, level: number, blockOk: boolean): DescKind {
  if ((t & 1) === 0) return 'invalid';
  if (level === 3) return t === 3 ? 'page' : 'reserved';
  if (t === 3) return 'table';
  return blockOk ? 'block' : 'reserved';
}

/**
 * Descends the tables for the input address `ia` (a number below 2^52, already checked against the
 * input size) from the geometry's start level. `input` is the address faults report (default: ia). Returns true with `st` describing the leaf, or false with
 * st.fault set. `steps`, when given, receives one WalkStep per fetch.
 */
export function descend(
  geo: Geometry,
  ia: number,
  input: bigint | undefined,
  fetch: DescFetch,
  steps: WalkStep[] | undefined,
  st: LoopState,
  cls: FaultClass,
): boolean {
  const stage = geo.stage;
  const ih = Math.floor(ia / 0x1_0000_0000);
  const il = ia >>> 0;
  const fast = steps === undefined ? fetch.fast : undefined;
  const mem = fetch.mem ?? fast?.mem;
  const plain = fetch.mem !== undefined;
  // Declared external-abort ranges (IHI 0070 §7.3.12 F_WALK_EABT): checked only when memory has some.
  const pm = mem ?? fetch.physMem;
  const eabt = pm !== undefined && pm.hasAborts ? pm : undefined;
  let table = geo.ttbN;
  let tableAttrs = 0;
  st.tableAttrs = 0;
  st.fault = undefined;
  if (table >= geo.outLimitN) {
    // DDI 0487 D8.3: a table base beyond the output size is an Address size fault.
    st.level = geo.startLevel;
    st.fault = mkFault('F_ADDR_SIZE', stage, geo.startLevel, cls, input ?? BigInt(ia),
      `${stage === 1 ? 'CD.TTBx' : 'STE.S2TTB'}=${hexN(geo.ttbBase)} is beyond the ${geo.outSize}-bit output size`);
    return false;
  }
  for (let level = geo.startLevel; ; level++) {
    const index = levelIndex(geo, level, ih, il);
    const descAddr = table + index * 8;
    let lo = 0;
    let hi = 0;
    let pa = descAddr;
    let s2Walk;
    if (plain || fast !== undefined) {
      if (fast !== undefined) {
        pa = fast(descAddr);
        if (pa < 0) {
          st.fault = fast.fault;
          st.level = level;
          return false;
        }
      }
      const frame = Math.floor(pa / 4096);
      const w = mem!.frameWords(frame, pa);
      if (w !== undefined) {
        const o = (pa - frame * 4096) >>> 2;
        lo = w[o];
        hi = w[o + 1];
      }
    } else {
      const r = fetch(BigInt(descAddr), level, stage);
      if (!r.ok) {
        // The descriptor could not be read (stage-2 fault on its IPA, or an abort): the step is recorded
        // with desc=0, descPa=0, kind 'invalid' and the failing stage-2 walk.
        if (steps) {
          steps.push({ stage, level, tableAddr: BigInt(table), index, descAddr: BigInt(descAddr), descPa: 0n, desc: 0n,
            kind: 'invalid', s2Walk: r.s2Walk });
        }
        st.fault = r.fault;
        st.level = level;
        return false;
      }
      lo = Number(r.value & 0xffff_ffffn);
      hi = Number(r.value >> 32n);
      pa = Number(r.pa);
      s2Walk = r.s2Walk;
    }
    if (eabt !== undefined && eabt.abortsAt(pa)) {
      if (steps) steps.push({ stage, level, tableAddr: BigInt(table), index, descAddr: BigInt(descAddr), descPa: BigInt(pa), desc: 0n, kind: 'abort', ...(s2Walk ? { s2Walk } : {}) });
      // A stage-1 descriptor fetch that aborts is S2 == 0, CLASS == TT; a stage-2 one keeps its walk's class.
      st.fault = mkFault('F_WALK_EABT', stage, level, stage === 1 ? 'TT' : cls, input ?? BigInt(ia),
        `external abort fetching the level ${level} descriptor at PA ${hexN(pa)} (a declared abort range)`);
      st.fault.fetchAddr = BigInt(pa);
      st.level = level;
      return false;
    }
    const t = lo & 3;
    if (steps) {
      // The same BigInt where the values are equal: the start table is TTB's base; a plain fetch reads at its address.
      const da = BigInt(descAddr);
      const step: WalkStep = { stage, level, tableAddr: level === geo.startLevel ? geo.ttbBase : BigInt(table), index, descAddr: da,
        descPa: pa === descAddr ? da : BigInt(pa), desc: join64(hi, lo), kind: kindOf(t, level, geo.blockOk[level]) };
      if (s2Walk) step.s2Walk = s2Walk;
      steps.push(step);
    }
    st.level = level;
    st.lo = lo;
    st.hi = hi;
    st.descAddr = descAddr;
    st.descPa = pa;
    if ((t & 1) === 0) {
      st.fault = mkFault('F_TRANSLATION', stage, level, cls, input ?? BigInt(ia),
        `level ${level} descriptor ${hexN(join64(hi, lo))} at ${hexN(descAddr)} is invalid (bit[0]=0)`);
      return false;
    }
    if (level === 3) {
      if (t === 1) {
        // DDI 0487 D8.3: at level 3, descriptor type 0b01 is reserved and treated as invalid.
        st.fault = mkFault('F_TRANSLATION', stage, level, cls, input ?? BigInt(ia),
          `level 3 descriptor ${hexN(join64(hi, lo))} at ${hexN(descAddr)} has bits[1:0]=0b01, reserved at level 3`);
        return false;
      }
      st.tableAttrs = tableAttrs;
      return true;
    }
    if (t === 1) {
      if (!geo.blockOk[level]) {
        // DDI 0487 D8.3.1: block descriptors are only legal at some levels per granule.
        st.fault = mkFault('F_TRANSLATION', stage, level, cls, input ?? BigInt(ia),
          `level ${level} block descriptor ${hexN(join64(hi, lo))} is not allowed with the ${geo.granule}K granule${geo.granule === 64 ? ' without 52-bit OA' : ''}`);
        return false;
      }
      st.tableAttrs = tableAttrs;
      return true;
    }
    // Table descriptor: accumulate hierarchical attributes (bits [62:59], DDI 0487 D8.4.2), go down.
    tableAttrs |= (hi >>> 27) & 0xf;
    const next = outAddr(geo.lpa, lo, hi, geo.tableLoMask, 0xffff);
    if (next >= geo.outLimitN) {
      st.fault = mkFault('F_ADDR_SIZE', stage, level + 1, cls, input ?? BigInt(ia),
        `level ${level} table descriptor ${hexN(join64(hi, lo))} points to ${hexN(next)}, beyond the ${geo.outSize}-bit output size`);
      st.level = level + 1;
      return false;
    }
    table = next;
  }
}
