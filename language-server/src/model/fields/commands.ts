// Command queue entries: 16 bytes, 2 dwords, opcode in dword0[7:0]. IHI 0070 §4.
// One StructDef per command. Field positions are command-wide bit numbers (dword1 starts at 64).
// Sources: the spec's command chapter (field tables, e.g. §4.4.1 for NUM/SCALE/TG/TTL/TTL128)
// checked against Linux's CMDQ_* defines (positions only). Bits of a command that are not listed
// are left out (not declared RES0) where the spec's layout figure could not be checked.

import { FieldDef, StructDef, encode } from './field';
import { fld, vals } from './define';

const C = 'IHI 0070 §4';
const PREFETCH = 'IHI 0070 §4.2';
const CFGI = 'IHI 0070 §4.3';
const TLBI = 'IHI 0070 §4.4';
const ATC = 'IHI 0070 §4.5';
const PRI = 'IHI 0070 §4.5';
const STALL = 'IHI 0070 §4.7.1';
const STALL_TERM = 'IHI 0070 §4.7.2';
const SYNC = 'IHI 0070 §4.7.3';

/** Opcodes (IHI 0070 §4, Table 4-1). CMD_CFGI_ALL is CMD_CFGI_STE_RANGE with Range == 31. */
export const OPCODES = {
  CMD_PREFETCH_CONFIG: 0x01,
  CMD_PREFETCH_ADDR: 0x02,
  CMD_CFGI_STE: 0x03,
  CMD_CFGI_STE_RANGE: 0x04,
  CMD_CFGI_CD: 0x05,
  CMD_CFGI_CD_ALL: 0x06,
  CMD_CFGI_VMS_PIDM: 0x07,
  CMD_TLBI_NH_ALL: 0x10,
  CMD_TLBI_NH_ASID: 0x11,
  CMD_TLBI_NH_VA: 0x12,
  CMD_TLBI_NH_VAA: 0x13,
  CMD_TLBI_EL3_ALL: 0x18,
  CMD_TLBI_EL3_VA: 0x1a,
  CMD_TLBI_EL2_ALL: 0x20,
  CMD_TLBI_EL2_ASID: 0x21,
  CMD_TLBI_EL2_VA: 0x22,
  CMD_TLBI_EL2_VAA: 0x23,
  CMD_TLBI_S12_VMALL: 0x28,
  CMD_TLBI_S2_IPA: 0x2a,
  CMD_TLBI_NSNH_ALL: 0x30,
  CMD_ATC_INV: 0x40,
  CMD_PRI_RESP: 0x41,
  CMD_RESUME: 0x44,
  CMD_STALL_TERM: 0x45,
  CMD_SYNC: 0x46,
} as const;

export type CommandName = keyof typeof OPCODES;

const opcode = (name: string, op: number): FieldDef =>
  fld('Opcode', 7, 0, C, `Command opcode (${name} = 0x${op.toString(16).padStart(2, '0')}).`);

// Common operand fields.
const ssec = (s: string) => fld('SSec', 10, 10, s, 'Secure StreamID: 1 selects the Secure Stream table (Secure Command queue only; RES0 otherwise).');
const ssv = (s: string) => fld('SSV', 11, 11, s, 'SubstreamID valid.');
const ssid = (s: string) => fld('SubstreamID', 31, 12, s, 'SubstreamID (PASID).');
const sid = (s: string) => fld('StreamID', 63, 32, s, 'StreamID.');
const vmid = () => fld('VMID', 47, 32, TLBI, 'VMID (upper 8 bits RES0 without SMMU_IDR0.VMID16).');
const asid = () => fld('ASID', 63, 48, TLBI, 'ASID (upper 8 bits RES0 without SMMU_IDR0.ASID16).');
const num = () => fld('NUM', 16, 12, 'IHI 0070 §4.4.1.1', 'Range invalidation granule multiplier: range = (NUM+1) * 2^SCALE granules (RES0 when TG == 0).');
const scale = () => fld('SCALE', 25, 20, 'IHI 0070 §4.4.1.1', 'Range invalidation scale (5 bits [24:20] unless SMMU_IDR5.DS; RES0 when TG == 0).');
const leaf = (s: string, what: string) => fld('Leaf', 64, 64, s, what);
const ttl128 = () => fld('TTL128', 71, 71, 'IHI 0070 §4.4.1.1', 'TTL hint refers to 128-bit descriptors.');
const ttl = () => fld('TTL', 73, 72, 'IHI 0070 §4.4.1.1', 'Translation table level hint of the leaf entries (with TG != 0).', {
  values: vals([0, 'ANY', 'Any level'], [1, 'L1', 'Level 1'], [2, 'L2', 'Level 2'], [3, 'L3', 'Level 3']),
});
const tg = () => fld('TG', 75, 74, 'IHI 0070 §4.4.1.1', 'Granule of the entries to invalidate; non-zero enables range invalidation and the TTL hint.', {
  values: vals([0, 'ANY', 'Any granule: no range, no TTL hint'], [1, '4KB', '4KB'], [2, '16KB', '16KB'], [3, '64KB', '64KB']),
});
const vaAddr = () => fld('Address', 127, 76, TLBI, 'Virtual address to invalidate (bits [63:12]).', { address: true });

function cmd(name: CommandName, spec: string, summary: string, ...fields: FieldDef[]): StructDef {
  return { name, dwords: 2, spec, summary, fields: [opcode(name, OPCODES[name]), ...fields] };
}

// In dword1 of the address-based commands: Address [63:12] holding addr[63:12] (command bits
// [127:76]), TG [11:10], TTL [9:8], TTL128 [7], Leaf [0].

export const COMMANDS: StructDef[] = [
  cmd('CMD_PREFETCH_CONFIG', PREFETCH, 'Prefetch the STE (and CD) of a stream into the configuration cache.',
    ssec(PREFETCH), ssv(PREFETCH), ssid(PREFETCH), sid(PREFETCH)),
  cmd('CMD_PREFETCH_ADDR', PREFETCH, 'Prefetch translations for an address range of a stream.',
    ssec(PREFETCH), ssv(PREFETCH), ssid(PREFETCH), sid(PREFETCH),
    fld('Size', 68, 64, PREFETCH, 'Log2 of the number of pages (granules) to prefetch.'),
    fld('Address', 127, 76, PREFETCH, 'Address to prefetch (bits [63:12]).', { address: true })),
  cmd('CMD_CFGI_STE', CFGI, 'Invalidate the cached STE of one StreamID (and CDs reached through it).',
    ssec(CFGI), sid(CFGI), leaf(CFGI, '1: only the STE need be invalidated; 0: also any L1STD that locates it.')),
  cmd('CMD_CFGI_STE_RANGE', CFGI, 'Invalidate cached STEs of 2^(Range+1) StreamIDs aligned to that size. Range == 31 is CMD_CFGI_ALL.',
    ssec(CFGI), sid(CFGI), fld('Range', 68, 64, CFGI, 'Log2 of the number of StreamIDs minus 1: invalidates 2^(Range+1) StreamIDs; 31 invalidates all.')),
  cmd('CMD_CFGI_CD', CFGI, 'Invalidate the cached CD of one {StreamID, SubstreamID}.',
    ssec(CFGI), ssid(CFGI), sid(CFGI), leaf(CFGI, '1: only the CD; 0: the CD and any L1CD caching its table.')),
  cmd('CMD_CFGI_CD_ALL', CFGI, 'Invalidate all cached CDs of one StreamID.', ssec(CFGI), sid(CFGI)),
  cmd('CMD_CFGI_VMS_PIDM', CFGI, 'Invalidate cached VMS PARTID maps for a VMID.', ssec(CFGI), vmid()),
  cmd('CMD_TLBI_NH_ALL', TLBI, 'Invalidate all stage 1 NS-EL1 TLB entries of a VMID (as VMALLE1).', vmid()),
  cmd('CMD_TLBI_NH_ASID', TLBI, 'Invalidate stage 1 entries of an ASID in a VMID, excluding global entries (as ASIDE1).', vmid(), asid()),
  cmd('CMD_TLBI_NH_VA', TLBI, 'Invalidate stage 1 entries by VA for an ASID in a VMID, plus global entries for the VA (as VA{L}E1).',
    num(), scale(), vmid(), asid(), leaf(TLBI, '1: only last-level (leaf) entries need be invalidated.'), ttl128(), ttl(), tg(), vaAddr()),
  cmd('CMD_TLBI_NH_VAA', TLBI, 'Invalidate stage 1 entries by VA for all ASIDs in a VMID (as VAA{L}E1).',
    num(), scale(), vmid(), leaf(TLBI, '1: only last-level (leaf) entries need be invalidated.'), ttl128(), ttl(), tg(), vaAddr()),
  cmd('CMD_TLBI_EL3_ALL', TLBI, 'Invalidate all EL3 TLB entries (as ALLE3).'),
  cmd('CMD_TLBI_EL3_VA', TLBI, 'Invalidate EL3 entries by VA (as VA{L}E3).',
    num(), scale(), leaf(TLBI, '1: leaf entries only.'), ttl128(), ttl(), tg(), vaAddr()),
  cmd('CMD_TLBI_EL2_ALL', TLBI, 'Invalidate all EL2 TLB entries (as ALLE2).'),
  cmd('CMD_TLBI_EL2_ASID', TLBI, 'Invalidate EL2-E2H entries of an ASID (as ASIDE1 with E2H).', asid()),
  cmd('CMD_TLBI_EL2_VA', TLBI, 'Invalidate EL2 entries by VA (and ASID under E2H) (as VA{L}E2).',
    num(), scale(), asid(), leaf(TLBI, '1: leaf entries only.'), ttl128(), ttl(), tg(), vaAddr()),
  cmd('CMD_TLBI_EL2_VAA', TLBI, 'Invalidate EL2-E2H entries by VA for all ASIDs.',
    num(), scale(), leaf(TLBI, '1: leaf entries only.'), ttl128(), ttl(), tg(), vaAddr()),
  cmd('CMD_TLBI_S12_VMALL', TLBI, 'Invalidate all stage 1 and stage 2 entries of a VMID (as VMALLS12E1).', vmid()),
  cmd('CMD_TLBI_S2_IPA', TLBI, 'Invalidate stage 2 entries by IPA in a VMID (as IPAS2{L}E1).',
    num(), scale(), vmid(), leaf(TLBI, '1: leaf entries only.'), ttl128(), ttl(), tg(),
    // IPA bits [51:12] as Linux's CMDQ_TLBI_1_IPA_MASK; later issues may widen this to [55:12].
    fld('Address', 115, 76, TLBI, 'IPA to invalidate (bits [51:12]).', { address: true })),
  cmd('CMD_TLBI_NSNH_ALL', TLBI, 'Invalidate all Non-secure non-Hyp TLB entries, all VMIDs (as ALLE1).'),
  cmd('CMD_ATC_INV', ATC, 'Send an ATS invalidation to the ATC of a PCIe device.',
    fld('Global', 9, 9, ATC, 'Global: invalidate all substreams (with SSV == 1).'), ssv(ATC), ssid(ATC), sid(ATC),
    fld('Size', 69, 64, ATC, 'Log2 of the number of 4KB pages to invalidate (52 invalidates everything).'),
    fld('Address', 127, 76, ATC, 'Address to invalidate (bits [63:12]).', { address: true })),
  cmd('CMD_PRI_RESP', PRI, 'Respond to a PRI Page Request Group.',
    ssv(PRI), ssid(PRI), sid(PRI), fld('PRGI', 72, 64, PRI, 'Page Request Group Index.'),
    fld('Resp', 77, 76, PRI, 'PRG response code (dword1 [13:12]).', {
      values: vals([0, 'DENY', 'Invalid Request'], [1, 'FAIL', 'Response Failure'], [2, 'SUCC', 'Success'], [3, 'RSVD', 'Reserved', true]),
    })),
  cmd('CMD_RESUME', STALL, 'Retry or terminate a stalled transaction.',
    ssec(STALL), fld('Action', 12, 12, STALL, '1: retry the stalled transaction; 0: terminate it.', { values: vals([0, 'TERM', 'Terminate'], [1, 'RETRY', 'Retry']) }),
    fld('Abort', 13, 13, STALL, 'With Action == 0: 1 terminates with an abort, 0 with RAZ/WI (IGNORED, always abort, when SMMU_IDR0.TERM_MODEL == 1).'), sid(STALL),
    fld('STAG', 79, 64, STALL, 'Stall tag from the stall event record.')),
  cmd('CMD_STALL_TERM', STALL_TERM, 'Terminate all stalled transactions of a StreamID.', ssec(STALL_TERM), sid(STALL_TERM)),
  cmd('CMD_SYNC', SYNC, 'Completes when all prior commands have completed; optionally signals (IRQ/MSI or SEV).',
    fld('CS', 13, 12, SYNC, 'Completion signal.', {
      values: vals([0, 'SIG_NONE', 'No signal'], [1, 'SIG_IRQ', 'Signal with an MSI write (or wired interrupt)'], [2, 'SIG_SEV', 'Signal with SEV'], [3, 'RSVD', 'Reserved', true]),
    }),
    fld('MSH', 23, 22, SYNC, 'Shareability of the MSI write.'),
    fld('MSIAttr', 27, 24, SYNC, 'Memory attributes of the MSI write.'),
    fld('MSIData', 63, 32, SYNC, 'MSI data value.'),
    fld('MSIAddress', 115, 66, SYNC, 'MSI address (bits [51:2]), used when CS == SIG_IRQ.', { address: true })),
];

const BY_OPCODE = new Map<number, StructDef>(COMMANDS.map((d) => [OPCODES[d.name as CommandName], d]));
const BY_NAME = new Map<string, StructDef>(COMMANDS.map((d) => [d.name.toLowerCase(), d]));

/** The command definition for an opcode, or undefined for an unknown opcode (CERROR_ILL). */
export function commandByOpcode(op: number | bigint): StructDef | undefined {
  return BY_OPCODE.get(Number(op));
}

/**
 * Case-insensitive lookup, with or without the CMD_ prefix ('tlbi_nh_va', 'CMD_SYNC').
 * 'CMD_CFGI_ALL' resolves to CMD_CFGI_STE_RANGE; use commandPreset() for its fixed Range.
 */
export function commandByName(name: string): StructDef | undefined {
  let k = name.toLowerCase();
  if (!k.startsWith('cmd_')) k = 'cmd_' + k;
  if (k === 'cmd_cfgi_all') k = 'cmd_cfgi_ste_range';
  return BY_NAME.get(k);
}

/** Fixed field values implied by a command name: the Opcode, and Range = 31 for CMD_CFGI_ALL. */
export function commandPreset(name: string): Record<string, bigint> | undefined {
  const d = commandByName(name);
  if (!d) return undefined;
  const preset: Record<string, bigint> = { Opcode: BigInt(OPCODES[d.name as CommandName]) };
  const k = name.toLowerCase().replace(/^cmd_/, '');
  if (k === 'cfgi_all') preset.Range = 31n;
  return preset;
}

/** The two dwords of command `name` (opcode and presets filled in) with the given field values. */
export function encodeCommand(name: string, values: Record<string, bigint> = {}): [bigint, bigint] {
  const def = commandByName(name);
  if (!def) throw new Error(`unknown command ${name}`);
  return encode(def, { ...commandPreset(name), ...values }) as [bigint, bigint];
}
