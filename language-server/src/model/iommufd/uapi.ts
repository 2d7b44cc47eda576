// The iommufd uAPI's rules for an Arm SMMUv3 vIOMMU, as data and pure checks.
// Sources (facts only): Linux include/uapi/linux/iommufd.h (struct iommu_hwpt_arm_smmuv3,
// struct iommu_viommu_arm_smmuv3_invalidate, struct iommu_vevent_arm_smmuv3, IOMMU_HW_QUEUE_ALLOC)
// and drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-iommufd.c (vSTE validation, command conversion),
// tegra241-cmdqv.c (the commands a guest-owned VCMDQ accepts).

import { decode, fieldByName, getField, setField, type FieldDef, type StructDef } from '../fields/field';
import { STE, STE_CONFIG } from '../fields/ste';
import { OPCODES, commandByOpcode } from '../fields/commands';
import { EVENT_TYPES } from '../fields/events';

/** An ioctl failure as the kernel reports it. */
export interface UapiError {
  /** The ioctl's errno, or CERROR_ILL for a command a hardware queue refused (IHI 0070 §7.1). */
  errno: 'EINVAL' | 'EIO' | 'ENOENT' | 'EBUSY' | 'EOPNOTSUPP' | 'EEXIST' | 'CERROR_ILL';
  message: string;
  /** The field (spec name) the error is about, when there is one. */
  field?: string;
  /** The hazard analysis words this one in the guest's terms (a VmFact): no diagnostic of its own. */
  asHazard?: boolean;
  /** A virtual StreamID with no vDEVICE on the vIOMMU the command went to. */
  vsid?: number;
}

/** STE fields a nested HWPT may carry (STRTAB_STE_0/1_NESTING_ALLOWED): words 0 and 1 only. */
export const NESTED_STE_FIELDS = ['V', 'Config', 'S1Fmt', 'S1ContextPtr', 'S1CDMax', 'S1DSS', 'S1CIR', 'S1COR', 'S1CSH', 'S1STALLD', 'EATS'] as const;

/** STE.EATS encodings the uAPI accepts: 0b00 (ATS aborted) and 0b01 (full ATS). */
const EATS_ABT = 0n;
const EATS_TRANS = 1n;

const bitsOf = (f: FieldDef): bigint => ((1n << BigInt(f.hi - f.lo + 1)) - 1n) << BigInt(f.lo);

/** The bits of dword `word` that the named fields (or every field but SSec) of `def` cover. */
function maskOf(def: StructDef, word: number, names?: readonly string[]): bigint {
  let m = 0n;
  for (const f of def.fields) if (f.word === word && (names ? names.includes(f.name) : f.name !== 'SSec')) m |= bitsOf(f);
  return m;
}

// Linux's STRTAB_STE_0_S1CTXPTR_MASK is [51:6] where the spec's STE.S1ContextPtr reaches bit 55:
// the kernel rejects bits [55:52], so the allowed words are 0xf80fffffffffffff and 0x380000ff.
const S1CTXPTR_ABOVE_LINUX = 0xfn << 52n;
const ALLOWED = [maskOf(STE, 0, NESTED_STE_FIELDS) & ~S1CTXPTR_ABOVE_LINUX, maskOf(STE, 1, NESTED_STE_FIELDS)];

/** The spec name of the field holding bit `bit` of dword `word` of `def`, or "bit N". */
export function fieldAt(def: StructDef, word: number, bit: number): string {
  const f = def.fields.find((x) => x.word === word && x.lo <= bit && bit <= x.hi);
  const abs = word * 64 + bit;
  return f ? `${def.name}.${f.name}` : `${def.name} bit ${abs}`;
}

function firstBit(v: bigint): number {
  let i = 0;
  while (((v >> BigInt(i)) & 1n) === 0n) i++;
  return i;
}

export type VsteKind = 'abort' | 'bypass' | 's1';

/** A guest STE the kernel accepted for IOMMU_HWPT_ALLOC (IOMMU_HWPT_DATA_ARM_SMMUV3). */
export interface ValidVste {
  ok: true;
  /** Words 0-1 as the nested HWPT keeps them (EATS cleared; all zero for V == 0). */
  ste: [bigint, bigint];
  kind: VsteKind;
  /** The guest asked for ATS (Config S1_TRANS with EATS == 0b01). */
  enableAts: boolean;
}

/**
 * arm_smmu_validate_vste: V == 0 becomes an all-zero (abort) vSTE; any bit outside
 * NESTED_STE_FIELDS, a Config other than abort/bypass/S1_TRANS, or EATS other than 0b00/0b01 is -EIO.
 */
export function validateVste(w0: bigint, w1: bigint): ValidVste | { ok: false; error: UapiError } {
  if ((w0 & 1n) === 0n) return { ok: true, ste: [0n, 0n], kind: 'abort', enableAts: false };
  const words = [w0, w1];
  for (let w = 0; w < 2; w++) {
    const bad = words[w] & ~ALLOWED[w] & ((1n << 64n) - 1n);
    if (bad !== 0n) {
      const field = fieldAt(STE, w, firstBit(bad));
      const why = field === 'STE.S1ContextPtr' ? 'bits [55:52] of STE.S1ContextPtr are set: the kernel takes S1ContextPtr as [51:6]' : `${field} is set: a nested HWPT accepts only STE.${NESTED_STE_FIELDS.join('/')}`;
      return { ok: false, error: { errno: 'EIO', field, message: `${why} (STRTAB_STE_${w}_NESTING_ALLOWED)` } };
    }
  }
  const v = decode(STE, [w0, w1, 0n, 0n, 0n, 0n, 0n, 0n]);
  const kind: VsteKind | undefined = v.Config === STE_CONFIG.ABORT ? 'abort' : v.Config === STE_CONFIG.BYPASS ? 'bypass' : v.Config === STE_CONFIG.S1_TRANS ? 's1' : undefined;
  if (!kind) return { ok: false, error: { errno: 'EIO', field: 'STE.Config', message: `STE.Config 0b${v.Config.toString(2).padStart(3, '0')}: a nested HWPT's vSTE must be abort (0b000), bypass (0b100) or stage-1 translate (0b101)` } };
  if (v.EATS !== EATS_ABT && v.EATS !== EATS_TRANS) return { ok: false, error: { errno: 'EIO', field: 'STE.EATS', message: `STE.EATS 0b${v.EATS.toString(2).padStart(2, '0')}: only 0b00 (ATS aborted) or 0b01 (full ATS) are supported` } };
  const cleared = w1 & ~bitsOf(fieldByName(STE, 'EATS')!);
  return { ok: true, ste: [w0, cleared], kind, enableAts: kind === 's1' && v.EATS === EATS_TRANS };
}

/** How a guest command becomes a host command (arm_vsmmu_convert_user_cmd). */
type Conversion = 'vmid' | 'sid' | 'nsnh';

/** The commands IOMMU_HWPT_INVALIDATE accepts on an SMMUv3 vIOMMU, and what the kernel rewrites. */
export const GUEST_INVALIDATIONS: ReadonlyMap<number, Conversion> = new Map<number, Conversion>([
  [OPCODES.CMD_TLBI_NH_ALL, 'vmid'], [OPCODES.CMD_TLBI_NH_ASID, 'vmid'],
  [OPCODES.CMD_TLBI_NH_VA, 'vmid'], [OPCODES.CMD_TLBI_NH_VAA, 'vmid'],
  [OPCODES.CMD_TLBI_NSNH_ALL, 'nsnh'],
  [OPCODES.CMD_ATC_INV, 'sid'], [OPCODES.CMD_CFGI_CD, 'sid'], [OPCODES.CMD_CFGI_CD_ALL, 'sid'],
]);

/** The commands a guest-owned VCMDQ executes (tegra241_guest_vcmdq_supports_cmd, plus CMD_SYNC). */
export const VCMDQ_COMMANDS: ReadonlySet<number> = new Set<number>([
  OPCODES.CMD_TLBI_NH_ASID, OPCODES.CMD_TLBI_NH_VA, OPCODES.CMD_ATC_INV, OPCODES.CMD_SYNC,
]);

export type Converted = { ok: true; host: [bigint, bigint] } | { ok: false; error: UapiError };

const withField = (def: StructDef, d: readonly bigint[], name: string, value: bigint): [bigint, bigint] =>
  setField(def, d, name, value) as [bigint, bigint];

/**
 * One guest command as the kernel converts it: the VMID forced to the vIOMMU's, a virtual StreamID
 * replaced by the vDEVICE's physical one, CMD_TLBI_NSNH_ALL turned into CMD_TLBI_NH_ALL of the VMID.
 * Anything else (CMD_SYNC included), a bit outside the command's fields, or a vSID with no vDEVICE
 * is rejected (-EIO). `allowed` narrows the opcodes (a VCMDQ accepts fewer).
 */
export function convertGuestCommand(
  cmd: readonly [bigint, bigint], vmid: number, vsidToSid: (vsid: number) => number | undefined,
  allowed: ReadonlySet<number> | ReadonlyMap<number, unknown> = GUEST_INVALIDATIONS,
): Converted {
  const op = Number(cmd[0] & 0xffn);
  const def = commandByOpcode(op);
  const name = def?.name ?? `opcode 0x${op.toString(16).padStart(2, '0')}`;
  const conv = GUEST_INVALIDATIONS.get(op);
  if (!def || !allowed.has(op)) {
    return { ok: false, error: { errno: 'EIO', field: name, message: `${name} is not a guest invalidation the vIOMMU accepts (only ${[...allowed.keys()].map((o) => commandByOpcode(o)!.name).join(', ')})` } };
  }
  for (let w = 0; w < 2; w++) {
    const bad = cmd[w] & ~maskOf(def, w);
    if (bad !== 0n) {
      const field = fieldAt(def, w, firstBit(bad));
      return { ok: false, error: { errno: 'EIO', field, message: `${field} is set: not a field ${name} allows from a guest` } };
    }
  }
  let host: [bigint, bigint] = [cmd[0], cmd[1]];
  if (conv === 'nsnh') host = withField(commandByOpcode(OPCODES.CMD_TLBI_NH_ALL)!, [BigInt(OPCODES.CMD_TLBI_NH_ALL), 0n], 'VMID', BigInt(vmid));
  else if (conv === 'vmid') host = withField(def, host, 'VMID', BigInt(vmid));
  else if (conv === 'sid') {
    const vsid = Number(getField(def, host, 'StreamID'));
    const sid = vsidToSid(vsid);
    if (sid === undefined) return { ok: false, error: { errno: 'EIO', field: `${name}.StreamID`, vsid, message: `virtual StreamID 0x${vsid.toString(16)} has no vDEVICE on this vIOMMU` } };
    host = withField(def, host, 'StreamID', BigInt(sid));
  }
  return { ok: true, host };
}

/** Event types the driver forwards to a vEVENTQ (struct iommu_vevent_arm_smmuv3). */
export const VEVENT_TYPES: ReadonlySet<string> = new Set([
  'C_BAD_STE', 'F_STREAM_DISABLED', 'C_BAD_SUBSTREAMID', 'C_BAD_CD', 'F_TRANSLATION', 'F_ADDR_SIZE', 'F_ACCESS', 'F_PERMISSION',
].filter((t) => (EVENT_TYPES as Record<string, unknown>)[t] !== undefined));
