// The table-descending loop shared by both stages: fetch a descriptor per level, follow table
// descriptors, stop at a block/page or at a fault. DDI 0487 D8.3 (descriptor formats), D8.2 (levels).
// Leaf interpretation (permissions, AF, attributes) is stage-specific and lives in stage1.ts / stage2.ts.

import type { DescKind, FaultClass, Stage, WalkFault, WalkFaultKind, WalkStep } from '../types';
import type { DescFetch } from './api';
import { descOutput, type Geometry } from './geometry';

/** Where the loop leaves its result (one scratch object per stage: no allocation per walk). */
export interface LoopState {
  level: number;
  desc: bigint;
  descAddr: bigint;
  descPa: bigint;
  /** OR of the table descriptors' bits [62:59] >> 59 seen on the way: bit0 PXNTable, bit1 UXNTable/XNTable, bits2-3 APTable. */
  tableAttrs: number;
  fault: WalkFault | undefined;
}

export function newLoopState(): LoopState {
  return { level: 0, desc: 0n, descAddr: 0n, descPa: 0n, tableAttrs: 0, fault: undefined };
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

const hex = (v: bigint): string => '0x' + v.toString(16);

function kindOf(t: number, level: number, blockOk: boolean): DescKind {
  if ((t & 1) === 0) return 'invalid';
  if (level === 3) return t === 3 ? 'page' : 'reserved';
  if (t === 3) return 'table';
  return blockOk ? 'block' : 'reserved';
}

/**
 * Descends the tables for input address `ia` (already checked against the input size) from the
 * geometry's start level. Returns true with st.{level,desc,...} describing the leaf, or false with
 * st.fault set. `inputAddr` is what faults report; `steps`, when given, receives one WalkStep per fetch.
 */
export function descend(
  geo: Geometry,
  ia: bigint,
  inputAddr: bigint,
  fetch: DescFetch,
  steps: WalkStep[] | undefined,
  st: LoopState,
  cls: FaultClass,
): boolean {
  const stage = geo.stage;
  const mem = fetch.mem;
  let table = geo.ttbBase;
  let tableAttrs = 0;
  st.tableAttrs = 0;
  st.fault = undefined;
  if (table >= geo.outLimit) {
    // DDI 0487 D8.3 / AArch64 pseudocode: a table base beyond the output size is an Address size fault.
    st.fault = mkFault('F_ADDR_SIZE', stage, geo.startLevel, cls, inputAddr,
      `${stage === 1 ? 'CD.TTBx' : 'STE.S2TTB'}=${hex(table)} is beyond the ${geo.outSize}-bit output size`);
    return false;
  }
  for (let level = geo.startLevel; ; level++) {
    const descAddr = table | ((ia >> geo.dShift[level]) & geo.dMask[level]);
    let d: bigint;
    let pa: bigint;
    let s2Walk;
    if (mem !== undefined) {
      d = mem.read64(descAddr);
      pa = descAddr;
    } else {
      const r = fetch(descAddr, level, stage);
      if (!r.ok) {
        // The descriptor could not be read (stage-2 fault on its IPA, or an abort): the step is recorded
        // with desc=0, descPa=0, kind 'invalid' and the failing stage-2 walk.
        if (steps) {
          steps.push({ stage, level, tableAddr: table, index: Number((ia >> geo.dShift[level]) & geo.dMask[level]) >> 3,
            descAddr, descPa: 0n, desc: 0n, kind: 'invalid', s2Walk: r.s2Walk });
        }
        st.fault = r.fault;
        st.level = level;
        return false;
      }
      d = r.value;
      pa = r.pa;
      s2Walk = r.s2Walk;
    }
    const t = Number(d & 3n);
    if (steps) {
      const step: WalkStep = { stage, level, tableAddr: table, index: Number((ia >> geo.dShift[level]) & geo.dMask[level]) >> 3,
        descAddr, descPa: pa, desc: d, kind: kindOf(t, level, geo.blockOk[level]) };
      if (s2Walk) step.s2Walk = s2Walk;
      steps.push(step);
    }
    st.level = level;
    st.desc = d;
    st.descAddr = descAddr;
    st.descPa = pa;
    if ((t & 1) === 0) {
      st.fault = mkFault('F_TRANSLATION', stage, level, cls, inputAddr,
        `level ${level} descriptor ${hex(d)} at ${hex(descAddr)} is invalid (bit[0]=0)`);
      return false;
    }
    if (level === 3) {
      if (t === 1) {
        // DDI 0487 D8.3: at level 3, descriptor type 0b01 is reserved and treated as invalid.
        st.fault = mkFault('F_TRANSLATION', stage, level, cls, inputAddr,
          `level 3 descriptor ${hex(d)} at ${hex(descAddr)} has bits[1:0]=0b01, reserved at level 3`);
        return false;
      }
      st.tableAttrs = tableAttrs;
      return true;
    }
    if (t === 1) {
      if (!geo.blockOk[level]) {
        // DDI 0487 D8.3.1: block descriptors are only legal at some levels per granule.
        st.fault = mkFault('F_TRANSLATION', stage, level, cls, inputAddr,
          `level ${level} block descriptor ${hex(d)} is not allowed with the ${geo.granule}K granule${geo.granule === 64 ? ' without 52-bit OA' : ''}`);
        return false;
      }
      st.tableAttrs = tableAttrs;
      return true;
    }
    // Table descriptor: accumulate hierarchical attributes (stage 1, DDI 0487 D8.4.2), go down.
    tableAttrs |= Number(d >> 59n) & 0xf;
    const next = descOutput(geo, d, geo.tableMask);
    if (next >= geo.outLimit) {
      st.fault = mkFault('F_ADDR_SIZE', stage, level + 1, cls, inputAddr,
        `level ${level} table descriptor ${hex(d)} points to ${hex(next)}, beyond the ${geo.outSize}-bit output size`);
      st.level = level + 1;
      return false;
    }
    table = next;
  }
}
