// StreamIDs on QEMU: each PCI `edu` device is a DMA master whose StreamID is its requester ID
// (bus 0: slot << 3). A scenario's StreamIDs are mapped one to one onto edu devices, and QEMU is
// given a linear stream table of its own (the mirror) where the STE of the scenario's StreamID S
// is copied to the entry of S's edu StreamID before every DMA and command. StreamIDs the scenario
// uses out of its stream table's range (C_BAD_STREAMID) get edu StreamIDs beyond the mirror's.

import { decode, getField, setField } from '../model/fields/field';
import { commandByOpcode } from '../model/fields/commands';
import { registerByName } from '../model/fields/registers';
import type { PhysicalMemory } from '../model/memory';
import { locateSte, STE_SIZE, type StreamTableCfg } from '../model/smmu/tables';

/** PCI slots 1..31 of bus 0 take edu devices (slot 0 is the host bridge). */
export const MAX_SLOT = 31;

export interface SidMap {
  /** Scenario StreamID -> edu slot. */
  slot: Map<number, number>;
  /** SMMU_STRTAB_BASE_CFG.LOG2SIZE of the mirror table: in-range edu StreamIDs are below 2^log2. */
  log2: number;
  /** StreamIDs that could not be given a device (more than the slots). */
  unmapped: Set<number>;
}

export const sidOfSlot = (slot: number): number => slot << 3;

/**
 * Maps StreamIDs onto edu slots: those in the scenario's stream table on slots 1, 2, ... (the
 * mirror's LOG2SIZE covers them), those out of range on slots 31, 30, ... beyond it.
 */
export function mapStreamIds(inRange: readonly number[], outOfRange: readonly number[]): SidMap {
  const slot = new Map<number, number>();
  const unmapped = new Set<number>();
  const ins = [...new Set(inRange)].sort((a, b) => a - b);
  const outs = [...new Set(outOfRange)].filter((s) => !ins.includes(s)).sort((a, b) => a - b);
  let log2 = 1;
  while (sidOfSlot(Math.max(ins.length, 1)) >= 2 ** log2) log2++;
  // Out-of-range devices need slot << 3 >= 2^log2.
  const firstOut = Math.max(ins.length + 1, Math.ceil(2 ** log2 / 8));
  ins.forEach((s, i) => (i + 1 <= MAX_SLOT && sidOfSlot(i + 1) < 2 ** log2 ? slot.set(s, i + 1) : unmapped.add(s)));
  outs.forEach((s, i) => (MAX_SLOT - i >= firstOut ? slot.set(s, MAX_SLOT - i) : unmapped.add(s)));
  return { slot, log2, unmapped };
}

/** The scenario's stream table configuration from its SMMU_STRTAB_BASE / _CFG values (IHI 0070 §6.3.23-24). */
export function streamTableOf(base: bigint, cfg: bigint): StreamTableCfg {
  const b = decode(registerByName('SMMU_STRTAB_BASE')!, [base]);
  const c = decode(registerByName('SMMU_STRTAB_BASE_CFG')!, [cfg]);
  return { base: b.ADDR, log2size: Number(c.LOG2SIZE), twoLevel: c.FMT === 1n, split: Number(c.SPLIT) };
}

/** The 64-byte STE of `sid` in the scenario's memory, or undefined when the StreamID is out of range. */
export function steBytes(mem: PhysicalMemory, t: StreamTableCfg, sid: number): Uint8Array | undefined {
  const loc = locateSte(mem, t, sid);
  return loc.ok ? mem.readBytes(loc.addr, Number(STE_SIZE)) : undefined;
}

/**
 * A command with its StreamID field rewritten to the edu StreamID (IHI 0070 §4: CFGI_*, PREFETCH_*,
 * ATC_INV, PRI_RESP, RESUME, STALL_TERM name one). CMD_CFGI_STE_RANGE other than CFGI_ALL becomes
 * one CMD_CFGI_STE per mapped StreamID in its range. Commands naming an unmapped StreamID are kept.
 */
export function remapCommand(d0: bigint, d1: bigint, map: SidMap): Array<[bigint, bigint]> {
  const def = commandByOpcode(d0 & 0xffn);
  if (!def || !def.fields.some((f) => f.name === 'StreamID')) return [[d0, d1]];
  const dw = [d0, d1];
  const sid = Number(getField(def, dw, 'StreamID'));
  if (def.name === 'CMD_CFGI_STE_RANGE') {
    const range = Number(getField(def, dw, 'Range'));
    if (range >= 31) return [[d0, d1]];
    const n = 2 ** (range + 1);
    const lo = Math.floor(sid / n) * n;
    const ste = commandByOpcode(0x03n)!;
    const out: Array<[bigint, bigint]> = [];
    for (const [s, slot] of map.slot) {
      if (s >= lo && s < lo + n) {
        const c = setField(ste, [0x03n, 0n], 'StreamID', BigInt(sidOfSlot(slot)));
        out.push([c[0], c[1]]);
      }
    }
    return out;
  }
  const slot = map.slot.get(sid);
  if (slot === undefined) return [[d0, d1]];
  const c = setField(def, dw, 'StreamID', BigInt(sidOfSlot(slot)));
  return [[c[0], c[1]]];
}
