// Software's register accesses (IHI 0070 §6): which register an offset names (the upper half of a
// 64-bit register included), 32/64-bit reads, and the rules a write obeys before it takes effect
// (read-only, RES0 bits, writes guarded by an enable, out-of-range queue and Stream table sizes).

import { decode, type FieldValues } from '../fields/field';
import { registerByName, registerByOffset, type RegisterDef } from '../fields/registers';
import type { SmmuFeatures } from './features';
import type { CommandResult } from './commands';
import { CR0_CMDQEN, CR0_EVENTQEN, CR0_PRIQEN, CR0_SMMUEN, type RegFile } from './registerFile';
import { hex } from '../bits';

export interface RegAccessResult {
  /** Register name (SMMU_ prefixed). */
  name: string;
  offset: number;
  /** Value read, or the register's value after the write. */
  value: bigint;
  fields: FieldValues;
  /** CONSTRAINED UNPREDICTABLE or ignored writes, read-only writes, etc. */
  warnings: string[];
  /** The write did not change the register. */
  ignored?: boolean;
  /** Commands consumed because of this write (CMDQ_PROD, CR0.CMDQEN). */
  commands?: CommandResult[];
}

/** Registers guarded by an enable (IHI 0070 §6.3: "writes while ... == 1 are CONSTRAINED UNPREDICTABLE"). */
const GUARDS: Record<string, { mask: bigint; what: string }> = {
  SMMU_STRTAB_BASE: { mask: CR0_SMMUEN, what: 'SMMU_CR0.SMMUEN == 1' },
  SMMU_STRTAB_BASE_CFG: { mask: CR0_SMMUEN, what: 'SMMU_CR0.SMMUEN == 1' },
  SMMU_CR2: { mask: CR0_SMMUEN, what: 'SMMU_CR0.SMMUEN == 1' },
  SMMU_CR1: { mask: CR0_SMMUEN | CR0_CMDQEN | CR0_EVENTQEN | CR0_PRIQEN, what: 'SMMU_CR0.{SMMUEN,CMDQEN,EVENTQEN,PRIQEN} != 0' },
  SMMU_CMDQ_BASE: { mask: CR0_CMDQEN, what: 'SMMU_CR0.CMDQEN == 1' },
  SMMU_CMDQ_CONS: { mask: CR0_CMDQEN, what: 'SMMU_CR0.CMDQEN == 1' },
  SMMU_EVENTQ_BASE: { mask: CR0_EVENTQEN, what: 'SMMU_CR0.EVENTQEN == 1' },
  SMMU_EVENTQ_PROD: { mask: CR0_EVENTQEN, what: 'SMMU_CR0.EVENTQEN == 1' },
  SMMU_PRIQ_BASE: { mask: CR0_PRIQEN, what: 'SMMU_CR0.PRIQEN == 1' },
  SMMU_PRIQ_PROD: { mask: CR0_PRIQEN, what: 'SMMU_CR0.PRIQEN == 1' },
};

/** Bits of each register software can change: the union of its fields (RES0 ranges excluded). */
function writableMask(def: RegisterDef): bigint {
  let m = 0n;
  for (const f of def.fields) if (!f.reserved) m |= ((1n << BigInt(f.hi - f.lo + 1)) - 1n) << BigInt(f.lo);
  return m;
}

/** The register a name or offset names; `half` 1 for the upper half of a 64-bit register accessed as 32 bits. */
export function resolveRegister(reg: string | number): { def: RegisterDef; half?: 0 | 1 } | undefined {
  if (typeof reg === 'string') {
    const def = registerByName(reg);
    return def ? { def } : undefined;
  }
  const def = registerByOffset(reg);
  if (def) return { def };
  // Upper half of a 64-bit register accessed as 32 bits.
  const lo = registerByOffset(reg - 4);
  if (lo && lo.size === 64) return { def: lo, half: 1 };
  return undefined;
}

/** A software read (no side effects). */
export function readRegister(regs: RegFile, reg: string | number, size?: 32 | 64): RegAccessResult {
  const r = resolveRegister(reg);
  if (!r) return { name: String(reg), offset: typeof reg === 'number' ? reg : -1, value: 0n, fields: {}, warnings: [`no SMMU register ${typeof reg === 'number' ? hex(reg) : reg}: reads as zero`] };
  const warnings: string[] = [];
  let value = regs.get(r.def.offset) ?? 0n;
  if (r.half === 1) value >>= 32n;
  else if (size === 32 && r.def.size === 64) value &= 0xffff_ffffn;
  if (size === 64 && r.def.size === 32) warnings.push(`${r.def.name} is a 32-bit register: 64-bit access is CONSTRAINED UNPREDICTABLE (IHI 0070 §6)`);
  return { name: r.def.name, offset: r.def.offset + (r.half ? 4 : 0), value, fields: decode(r.def, [regs.get(r.def.offset) ?? 0n]), warnings };
}

/** A write as it reaches the register: its definition, the value it had, the value to store, the warnings so far. */
export interface RegWrite {
  def: RegisterDef;
  old: bigint;
  value: bigint;
  warnings: string[];
}

/**
 * The rules a write obeys before it takes effect: an unknown register, a read-only one, a half or
 * 32-bit access of a 64-bit register, RES0 bits, a write guarded by an enable (IHI 0070 §6.3). Returns
 * the write to perform, or the result of a write that does nothing.
 */
export function prepareWrite(regs: RegFile, cr0: bigint, reg: string | number, valueIn: bigint, size?: 32 | 64): RegWrite | RegAccessResult {
  const r = resolveRegister(reg);
  if (!r) return { name: String(reg), offset: typeof reg === 'number' ? reg : -1, value: 0n, fields: {}, warnings: [`no SMMU register ${typeof reg === 'number' ? hex(reg) : reg}: write ignored`], ignored: true };
  const def = r.def;
  const w: RegWrite = { def, old: regs.get(def.offset) ?? 0n, value: valueIn, warnings: [] };
  if (def.access === 'RO') {
    w.warnings.push(`${def.name} is read-only: write of ${hex(valueIn)} ignored (IHI 0070 §6.3)`);
    return writeResult(regs, w, true);
  }
  let value = valueIn;
  if (r.half === 1) value = (w.old & 0xffff_ffffn) | ((valueIn & 0xffff_ffffn) << 32n);
  else if (size === 32 && def.size === 64) value = (w.old & ~0xffff_ffffn) | (valueIn & 0xffff_ffffn);
  if (def.size === 32 && value >> 32n !== 0n) {
    w.warnings.push(`${def.name} is 32 bits: bits [63:32] of ${hex(value)} ignored`);
    value &= 0xffff_ffffn;
  }
  const wm = writableMask(def);
  if ((value & ~wm) !== 0n) w.warnings.push(`${def.name}: RES0 bits ${hex(value & ~wm)} written as non-zero (ignored)`);
  value &= wm;
  w.value = value;
  const guard = GUARDS[def.name];
  if (guard && (cr0 & guard.mask) !== 0n && value !== w.old) {
    w.warnings.push(`${def.name} written while ${guard.what}: CONSTRAINED UNPREDICTABLE; the model ignores the write (IHI 0070 §6.3)`);
    return writeResult(regs, w, true);
  }
  return w;
}

/** Warnings of a queue-base or Stream-table-configuration write whose sizes exceed the SMMU_IDR1 limits (the model clamps them). */
export function sizeWarnings(def: RegisterDef, value: bigint, features: SmmuFeatures, warnings: string[]): void {
  switch (def.name) {
    case 'SMMU_CMDQ_BASE':
    case 'SMMU_EVENTQ_BASE':
    case 'SMMU_PRIQ_BASE': {
      const cap = def.name === 'SMMU_CMDQ_BASE' ? features.cmdqs : def.name === 'SMMU_EVENTQ_BASE' ? features.eventqs : features.priqs;
      const d = decode(def, [value]);
      if (Number(d.LOG2SIZE) > cap) warnings.push(`${def.name}.LOG2SIZE=${d.LOG2SIZE} exceeds the maximum ${cap} (SMMU_IDR1): treated as ${cap} (IHI 0070 §6.3)`);
      return;
    }
    case 'SMMU_STRTAB_BASE_CFG': {
      const d = decode(def, [value]);
      if (d.FMT === 1n && features.stLevel === 'linear') warnings.push('SMMU_STRTAB_BASE_CFG.FMT == 2-level but SMMU_IDR0.ST_LEVEL is linear only: treated as linear (CONSTRAINED UNPREDICTABLE)');
      if (d.FMT === 1n && ![6n, 8n, 10n].includes(d.SPLIT)) warnings.push(`SMMU_STRTAB_BASE_CFG.SPLIT=${d.SPLIT} is not 6, 8 or 10: CONSTRAINED UNPREDICTABLE, the model uses the next legal value`);
      if (Number(d.LOG2SIZE) > features.sidBits) warnings.push(`SMMU_STRTAB_BASE_CFG.LOG2SIZE=${d.LOG2SIZE} exceeds SMMU_IDR1.SIDSIZE=${features.sidBits}: treated as SIDSIZE`);
      return;
    }
  }
}

/** The result of a write: the register's value after it. */
export function writeResult(regs: RegFile, w: RegWrite, ignored: boolean, commands?: CommandResult[]): RegAccessResult {
  const v = regs.get(w.def.offset) ?? 0n;
  const out: RegAccessResult = { name: w.def.name, offset: w.def.offset, value: v, fields: decode(w.def, [v]), warnings: w.warnings };
  if (ignored) out.ignored = true;
  if (commands) out.commands = commands;
  return out;
}
