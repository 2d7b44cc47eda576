// SMMUv3 programming interface registers (Non-secure), as field tables. IHI 0070 §6.
// Offsets are from the SMMU base; page 1 registers are at 0x10000 + their page-0 offset
// (IHI 0070 §6.1: SMMU_EVENTQ_PROD is 0x100A8). A register is a one-dword StructDef, so
// decode/encode/describeField/validate work on register values unchanged.
// Field positions checked against Linux's arm-smmu-v3.h and QEMU's registerfields (positions only).

import { StructDef } from './field';
import { fld, res0, vals } from './define';
import { PA_SIZE, bool } from './common';

export type RegisterAccess = 'RO' | 'RW' | 'WO';

export interface RegisterDef extends StructDef {
  /** Byte offset from the SMMU base (page 1 registers include the 0x10000). */
  offset: number;
  /** Access size in bits. */
  size: 32 | 64;
  access: RegisterAccess;
  page: 0 | 1;
}

const R = (s: string) => `IHI 0070 ${s}`;

function reg(name: string, offset: number, size: 32 | 64, access: RegisterAccess, sec: string, summary: string,
  fields: StructDef['fields'], page: 0 | 1 = 0): RegisterDef {
  return { name, offset, size, access, page, dwords: 1, spec: R(sec), summary, fields };
}

const QCACHE = vals([0, 'NC', 'Non-cacheable'], [1, 'WB', 'Normal Write-Back cacheable'], [2, 'WT', 'Normal Write-Through cacheable'], [3, 'RSVD', 'Reserved', true]);
const SH = vals([0, 'NSH', 'Non-shareable'], [1, 'RSVD', 'Reserved (behaves as 0b00)', true], [2, 'OSH', 'Outer Shareable'], [3, 'ISH', 'Inner Shareable']);

const irqCfg = (prefix: string, base: number, sec: string): RegisterDef[] => [
  reg(`SMMU_${prefix}_IRQ_CFG0`, base, 64, 'RW', sec, `MSI address for the ${prefix} interrupt.`, [
    res0(1, 0, R(sec)),
    fld('ADDR', 55, 2, R(sec), 'MSI target physical address (bits [55:2]); 0 disables the MSI.', { address: true }),
    res0(63, 56, R(sec)),
  ]),
  reg(`SMMU_${prefix}_IRQ_CFG1`, base + 8, 32, 'RW', sec, `MSI data for the ${prefix} interrupt.`, [
    fld('DATA', 31, 0, R(sec), 'MSI data value.'),
  ]),
  reg(`SMMU_${prefix}_IRQ_CFG2`, base + 12, 32, 'RW', sec, `MSI attributes for the ${prefix} interrupt.`, [
    fld('MemAttr', 3, 0, R(sec), 'Memory type of the MSI write.'),
    fld('SH', 5, 4, R(sec), 'Shareability of the MSI write.', { values: SH }),
  ]),
];

const queueBase = (name: string, offset: number, sec: string, what: string, ra: 'RA' | 'WA'): RegisterDef =>
  reg(name, offset, 64, 'RW', sec, `Base address and size of the ${what}.`, [
    fld('LOG2SIZE', 4, 0, R(sec), 'Log2 of the number of queue entries (capped by SMMU_IDR1).'),
    fld('ADDR', 55, 5, R(sec), 'Queue base physical address (bits [55:5]; aligned to the queue size, minimum 32 bytes).', { address: true }),
    res0(61, 56, R(sec)),
    fld(ra, 62, 62, R(sec), ra === 'RA' ? 'Read-Allocate hint for queue reads.' : 'Write-Allocate hint for queue writes.'),
    res0(63, 63, R(sec)),
  ]);

// PROD/CONS: the index field holds the entry index in bits [LOG2SIZE-1:0] and the wrap flag in
// bit [LOG2SIZE]; the whole [19:0] is one field here ('WR'/'RD'), split by the queue code.
const prodCons = (name: string, offset: number, sec: string, idx: 'WR' | 'RD', extra: StructDef['fields'], page: 0 | 1): RegisterDef => {
  const fields = [fld(idx, 19, 0, R(sec), `${idx === 'WR' ? 'Write' : 'Read'} index with wrap bit: index = ${idx}[LOG2SIZE-1:0], wrap = ${idx}[LOG2SIZE].`), ...extra];
  // Remaining bits of [31:20] are RES0.
  let used = 0;
  for (const f of fields) for (let b = f.lo; b <= f.hi; b++) used |= 1 << b;
  for (let b = 20; b < 32;) {
    if (used & (1 << b)) { b++; continue; }
    let e = b;
    while (e + 1 < 32 && !(used & (1 << (e + 1)))) e++;
    fields.push(res0(e, b, R(sec)));
    b = e + 1;
  }
  return reg(name, offset, 32, 'RW', sec, `${idx === 'WR' ? 'Producer' : 'Consumer'} index of a queue (index in [LOG2SIZE-1:0], wrap at [LOG2SIZE]).`, fields, page);
};

const CR0_FIELDS = (sec: string) => [
  fld('SMMUEN', 0, 0, R(sec), 'SMMU enable: 0 means incoming transactions follow SMMU_GBPA.'),
  fld('PRIQEN', 1, 1, R(sec), 'PRI queue enable.'),
  fld('EVENTQEN', 2, 2, R(sec), 'Event queue enable.'),
  fld('CMDQEN', 3, 3, R(sec), 'Command queue enable.'),
  fld('ATSCHK', 4, 4, R(sec), 'ATS behaviour: 1 checks ATS Translated traffic against STE.EATS.'),
  res0(5, 5, R(sec)),
  fld('VMW', 8, 6, R(sec), 'VMID Wildcard for broadcast/command TLB invalidation matching.'),
];

const IRQ_FIELDS = (sec: string) => [
  fld('GERROR_IRQEN', 0, 0, R(sec), 'Global error interrupt enable.'),
  fld('PRIQ_IRQEN', 1, 1, R(sec), 'PRI queue interrupt enable.'),
  fld('EVENTQ_IRQEN', 2, 2, R(sec), 'Event queue interrupt enable.'),
];

const GERROR_FIELDS = (sec: string) => [
  fld('CMDQ_ERR', 0, 0, R(sec), 'Command queue error: see SMMU_CMDQ_CONS.ERR.'),
  res0(1, 1, R(sec)),
  fld('EVENTQ_ABT_ERR', 2, 2, R(sec), 'Event queue write aborted.'),
  fld('PRIQ_ABT_ERR', 3, 3, R(sec), 'PRI queue write aborted.'),
  fld('MSI_CMDQ_ABT_ERR', 4, 4, R(sec), 'CMD_SYNC MSI write aborted.'),
  fld('MSI_EVENTQ_ABT_ERR', 5, 5, R(sec), 'Event queue MSI write aborted.'),
  fld('MSI_PRIQ_ABT_ERR', 6, 6, R(sec), 'PRI queue MSI write aborted.'),
  fld('MSI_GERROR_ABT_ERR', 7, 7, R(sec), 'GERROR MSI write aborted.'),
  fld('SFM_ERR', 8, 8, R(sec), 'Service Failure Mode entered.'),
];

export const REGISTERS: RegisterDef[] = [
  reg('SMMU_IDR0', 0x0, 32, 'RO', '§6.3', 'Features: stages, table formats, HTTU, ATS/PRI, stall model, table levels.', [
    fld('S2P', 0, 0, R('§6.3'), 'Stage 2 translation supported.'),
    fld('S1P', 1, 1, R('§6.3'), 'Stage 1 translation supported.'),
    fld('TTF', 3, 2, R('§6.3'), 'Translation table formats supported.', {
      values: vals([0, 'RSVD', 'Reserved', true], [1, 'AA32', 'VMSAv8-32 LPAE'], [2, 'AA64', 'VMSAv8-64'], [3, 'AA32_AA64', 'VMSAv8-32 LPAE and VMSAv8-64']),
    }),
    fld('COHACC', 4, 4, R('§6.3'), 'Coherent access to tables, queues and MSIs supported.'),
    fld('BTM', 5, 5, R('§6.3'), 'Broadcast TLB Maintenance supported.'),
    fld('HTTU', 7, 6, R('§6.3'), 'Hardware Translation Table Update support.', {
      values: vals([0, 'NONE', 'No HTTU'], [1, 'AF', 'Access flag update'], [2, 'AF_DIRTY', 'Access flag and dirty state update'], [3, 'AF_DIRTY_HAFT', 'As 0b10 plus Access flag in Table descriptors (HAFT)']),
    }),
    fld('DORMHINT', 8, 8, R('§6.3'), 'Dormant hint (SMMU_STATUSR.DORMANT) supported.'),
    fld('Hyp', 9, 9, R('§6.3'), 'Hypervisor stage 1 contexts (EL2 StreamWorld) supported.'),
    fld('ATS', 10, 10, R('§6.3'), 'PCIe ATS supported.'),
    fld('NS1ATS', 11, 11, R('§6.3'), '1: split-stage ATS not supported.'),
    fld('ASID16', 12, 12, R('§6.3'), '16-bit ASIDs supported (else 8-bit).'),
    fld('MSI', 13, 13, R('§6.3'), 'Message-signalled interrupts supported.'),
    fld('SEV', 14, 14, R('§6.3'), 'SMMU can generate WFE wake-up events.'),
    fld('ATOS', 15, 15, R('§6.3'), 'Address Translation Operations supported.'),
    fld('PRI', 16, 16, R('§6.3'), 'PCIe PRI supported.'),
    fld('VMW', 17, 17, R('§6.3'), 'VMID wildcard matching supported.'),
    fld('VMID16', 18, 18, R('§6.3'), '16-bit VMIDs supported (else 8-bit).'),
    fld('CD2L', 19, 19, R('§6.3'), '2-level CD tables supported.'),
    fld('VATOS', 20, 20, R('§6.3'), 'Virtual ATOS supported.'),
    fld('TTENDIAN', 22, 21, R('§6.3'), 'Translation table endianness supported.', {
      values: vals([0, 'MIXED', 'Little and big endian'], [1, 'RSVD', 'Reserved', true], [2, 'LE', 'Little endian only'], [3, 'BE', 'Big endian only']),
    }),
    fld('ATSRECERR', 23, 23, R('§6.3'), 'ATS invalidation completion errors recorded.'),
    fld('STALL_MODEL', 25, 24, R('§6.3'), 'Stall model.', {
      values: vals([0, 'STALL_TERM', 'Stall and Terminate models supported'], [1, 'TERM', 'Terminate model only'], [2, 'STALL_FORCE', 'Stall model forced (CD.S/STE.S2S must be 1)'], [3, 'RSVD', 'Reserved', true]),
    }),
    fld('TERM_MODEL', 26, 26, R('§6.3'), '1: terminated transactions always abort (CD.A/RAZ-WI behaviour not supported).'),
    fld('ST_LEVEL', 28, 27, R('§6.3'), 'Stream table levels supported.', {
      values: vals([0, 'LINEAR', 'Linear only'], [1, '2LVL', 'Linear and 2-level'], [2, 'RSVD', 'Reserved', true], [3, 'RSVD', 'Reserved', true]),
    }),
    res0(29, 29, R('§6.3')),
    fld('RME_IMPL', 30, 30, R('§6.3'), 'Realm Management Extension implemented.'),
    res0(31, 31, R('§6.3')),
  ]),
  reg('SMMU_IDR1', 0x4, 32, 'RO', '§6.3', 'Sizes: StreamID/SubstreamID widths, queue sizes, presets.', [
    fld('SIDSIZE', 5, 0, R('§6.3'), 'Number of StreamID bits implemented.'),
    fld('SSIDSIZE', 10, 6, R('§6.3'), 'Number of SubstreamID bits implemented (0: no substreams).'),
    fld('PRIQS', 15, 11, R('§6.3'), 'Log2 of the maximum PRI queue entries.'),
    fld('EVENTQS', 20, 16, R('§6.3'), 'Log2 of the maximum Event queue entries.'),
    fld('CMDQS', 25, 21, R('§6.3'), 'Log2 of the maximum Command queue entries.'),
    fld('ATTR_PERMS_OVR', 26, 26, R('§6.3'), 'STE.{PRIVCFG,INSTCFG,NSCFG} overrides supported.'),
    fld('ATTR_TYPES_OVR', 27, 27, R('§6.3'), 'STE.{MTCFG,MemAttr,ALLOCCFG,SHCFG} overrides supported.'),
    fld('REL', 28, 28, R('§6.3'), 'Base addresses in preset registers are relative to the SMMU base.'),
    fld('QUEUES_PRESET', 29, 29, R('§6.3'), 'Queue base registers are fixed (read-only).'),
    fld('TABLES_PRESET', 30, 30, R('§6.3'), 'Stream table base registers are fixed (read-only).'),
    fld('ECMDQ', 31, 31, R('§6.3'), 'Enhanced Command queues supported.'),
  ]),
  reg('SMMU_IDR2', 0x8, 32, 'RO', '§6.3', 'VATOS page base.', [
    fld('BA_VATOS', 9, 0, R('§6.3'), 'VATOS page base address offset (in 64KB units).'),
  ]),
  reg('SMMU_IDR3', 0xc, 32, 'RO', '§6.3', 'Optional features of SMMUv3.1 and later.', [
    fld('HAD', 2, 2, R('§6.3'), 'Hierarchical Attribute Disable (CD.HAD0/HAD1) supported.'),
    fld('PBHA', 3, 3, R('§6.3'), 'Page-Based Hardware Attributes supported.'),
    fld('XNX', 4, 4, R('§6.3'), 'Stage 2 EL0/EL1 execute-never distinction (XN[1:0]) supported.'),
    fld('PPS', 5, 5, R('§6.3'), 'PRI responses always include a PASID when the request had one.'),
    fld('MPAM', 7, 7, R('§6.3'), 'MPAM supported.'),
    fld('FWB', 8, 8, R('§6.3'), 'Stage 2 forced write-back (STE.S2FWB) supported.'),
    fld('STT', 9, 9, R('§6.3'), 'Small translation tables (larger TxSZ maxima) supported.'),
    fld('RIL', 10, 10, R('§6.3'), 'Range invalidation and TTL hint supported.'),
    fld('BBML', 12, 11, R('§6.3'), 'Break-before-make level supported.'),
    fld('E0PD', 13, 13, R('§6.3'), 'CD.E0PD0/E0PD1 supported.'),
    fld('PTWNNC', 14, 14, R('§6.3'), 'Table walks to Device memory behave as Normal Non-cacheable.'),
    fld('DPT', 15, 15, R('§6.3'), 'Device Permission Table supported.'),
  ]),
  reg('SMMU_IDR4', 0x10, 32, 'RO', '§6.3', 'IMPLEMENTATION DEFINED features.', [
    fld('IMPL_DEF', 31, 0, R('§6.3'), 'IMPLEMENTATION DEFINED.'),
  ]),
  reg('SMMU_IDR5', 0x14, 32, 'RO', '§6.3', 'Output address size, granules, VA size, stall limit.', [
    fld('OAS', 2, 0, R('§6.3'), 'Output Address Size.', { values: PA_SIZE }),
    res0(3, 3, R('§6.3')),
    fld('GRAN4K', 4, 4, R('§6.3'), '4KB translation granule supported.'),
    fld('GRAN16K', 5, 5, R('§6.3'), '16KB translation granule supported.'),
    fld('GRAN64K', 6, 6, R('§6.3'), '64KB translation granule supported.'),
    fld('DS', 7, 7, R('§6.3'), '52-bit addresses with the 4KB/16KB granules (FEAT_LPA2 behaviour) supported.'),
    fld('D128', 8, 8, R('§6.3'), '128-bit VMSAv9-128 descriptors supported.'),
    res0(9, 9, R('§6.3')),
    fld('VAX', 11, 10, R('§6.3'), 'Virtual address extend.', {
      values: vals([0, '48', '48-bit VAs'], [1, '52', '52-bit VAs'], [2, '56', '56-bit VAs'], [3, 'RSVD', 'Reserved', true]),
    }),
    res0(15, 12, R('§6.3')),
    fld('STALL_MAX', 31, 16, R('§6.3'), 'Maximum number of outstanding stalled transactions.'),
  ]),
  reg('SMMU_IIDR', 0x18, 32, 'RO', '§6.3', 'Implementation identification.', [
    fld('Implementer', 11, 0, R('§6.3'), 'JEP106 implementer code.'),
    fld('Revision', 15, 12, R('§6.3'), 'Minor revision.'),
    fld('Variant', 19, 16, R('§6.3'), 'Major revision.'),
    fld('ProductID', 31, 20, R('§6.3'), 'Product identifier.'),
  ]),
  reg('SMMU_AIDR', 0x1c, 32, 'RO', '§6.3', 'Architecture version: SMMUv3.<ArchMinorRev>.', [
    fld('ArchMinorRev', 3, 0, R('§6.3'), 'Minor architecture revision (0: SMMUv3.0, 1: v3.1, ...).'),
    fld('ArchMajorRev', 7, 4, R('§6.3'), 'Major architecture revision (0 for SMMUv3).'),
  ]),
  reg('SMMU_CR0', 0x20, 32, 'RW', '§6.3', 'Global control: enable the SMMU and its queues.', CR0_FIELDS('§6.3')),
  reg('SMMU_CR0ACK', 0x24, 32, 'RO', '§6.3', 'Acknowledges SMMU_CR0 updates (fields mirror SMMU_CR0).', CR0_FIELDS('§6.3')),
  reg('SMMU_CR1', 0x28, 32, 'RW', '§6.3', 'Memory attributes of queue and table accesses.', [
    fld('QUEUE_IC', 1, 0, R('§6.3'), 'Queue access inner cacheability.', { values: QCACHE }),
    fld('QUEUE_OC', 3, 2, R('§6.3'), 'Queue access outer cacheability.', { values: QCACHE }),
    fld('QUEUE_SH', 5, 4, R('§6.3'), 'Queue access shareability.', { values: SH }),
    fld('TABLE_IC', 7, 6, R('§6.3'), 'Table (STE, L1STD, VMS) access inner cacheability.', { values: QCACHE }),
    fld('TABLE_OC', 9, 8, R('§6.3'), 'Table access outer cacheability.', { values: QCACHE }),
    fld('TABLE_SH', 11, 10, R('§6.3'), 'Table access shareability.', { values: SH }),
  ]),
  reg('SMMU_CR2', 0x2c, 32, 'RW', '§6.3', 'Global control 2.', [
    fld('E2H', 0, 0, R('§6.3'), 'EL2 StreamWorld uses EL2-E2H (ASID-tagged) translation.'),
    fld('RECINVSID', 1, 1, R('§6.3'), 'Record C_BAD_STREAMID for out-of-range StreamIDs.'),
    fld('PTM', 2, 2, R('§6.3'), 'Private TLB Maintenance: ignore broadcast TLB invalidation.'),
    fld('REC_CFG_ATS', 3, 3, R('§6.3'), 'Record the extended set of configuration errors for ATS and PRI (SMMU_IDR0.ATSRECERR).'),
    res0(31, 4, R('§6.3')),
  ]),
  reg('SMMU_STATUSR', 0x40, 32, 'RO', '§6.3', 'Status.', [
    fld('DORMANT', 0, 0, R('§6.3'), 'The SMMU is dormant (caches may be invalid).'),
  ]),
  reg('SMMU_GBPA', 0x44, 32, 'RW', '§6.3', 'Global bypass attributes: applied to all transactions when SMMU_CR0.SMMUEN == 0.', [
    fld('MemAttr', 3, 0, R('§6.3'), 'Memory type override (with MTCFG).'),
    fld('MTCFG', 4, 4, R('§6.3'), 'Memory type override enable.', { values: bool('Use incoming', 'Use MemAttr') }),
    fld('ALLOCCFG', 11, 8, R('§6.3'), 'Allocation hints override (0b0xxx incoming, 0b1RWT override).'),
    fld('SHCFG', 13, 12, R('§6.3'), 'Shareability override.', {
      values: vals([0, 'NSH', 'Non-shareable'], [1, 'INCOMING', 'Use incoming'], [2, 'OSH', 'Outer shareable'], [3, 'ISH', 'Inner shareable']),
    }),
    fld('NSCFG', 15, 14, R('§6.3'), 'NS attribute override (Secure).'),
    fld('PRIVCFG', 17, 16, R('§6.3'), 'Privilege override.'),
    fld('INSTCFG', 19, 18, R('§6.3'), 'Instruction/data override.'),
    fld('ABORT', 20, 20, R('§6.3'), '1: abort all incoming transactions while the SMMU is disabled.'),
    fld('UPDATE', 31, 31, R('§6.3'), 'Write 1 with new values; reads 1 until the update completes.'),
  ]),
  reg('SMMU_AGBPA', 0x48, 32, 'RW', '§6.3', 'Alternate global bypass attributes (IMPLEMENTATION DEFINED).', [
    fld('IMPL_DEF', 31, 0, R('§6.3'), 'IMPLEMENTATION DEFINED.'),
  ]),
  reg('SMMU_IRQ_CTRL', 0x50, 32, 'RW', '§6.3', 'Interrupt enables.', IRQ_FIELDS('§6.3')),
  reg('SMMU_IRQ_CTRLACK', 0x54, 32, 'RO', '§6.3', 'Acknowledges SMMU_IRQ_CTRL updates.', IRQ_FIELDS('§6.3')),
  reg('SMMU_GERROR', 0x60, 32, 'RO', '§6.3', 'Global errors: a bit is active while it differs from SMMU_GERRORN.', GERROR_FIELDS('§6.3')),
  reg('SMMU_GERRORN', 0x64, 32, 'RW', '§6.3', 'Global error acknowledge: software toggles a bit to match SMMU_GERROR.', GERROR_FIELDS('§6.3')),
  ...irqCfg('GERROR', 0x68, '§6.3'),
  reg('SMMU_STRTAB_BASE', 0x80, 64, 'RW', '§6.3', 'Stream table base address.', [
    res0(5, 0, R('§6.3')),
    fld('ADDR', 55, 6, R('§6.3'), 'Stream table base physical address (bits [55:6]); aligned to the table size (linear) or as 2-level requires.', { address: true }),
    res0(61, 56, R('§6.3')),
    fld('RA', 62, 62, R('§6.3'), 'Read-Allocate hint for table accesses.'),
    res0(63, 63, R('§6.3')),
  ]),
  reg('SMMU_STRTAB_BASE_CFG', 0x88, 32, 'RW', '§6.3', 'Stream table format and size.', [
    fld('LOG2SIZE', 5, 0, R('§6.3'), 'Log2 of the number of StreamIDs covered (StreamIDs >= 2^LOG2SIZE are out of range).'),
    fld('SPLIT', 10, 6, R('§6.3'), '2-level: StreamID bit split between level 1 index and level 2 index (6, 8 or 10).'),
    res0(15, 11, R('§6.3')),
    fld('FMT', 17, 16, R('§6.3'), 'Stream table format.', {
      values: vals([0, 'LINEAR', 'Linear'], [1, '2LVL', '2-level'], [2, 'RSVD', 'Reserved (behaves as 0b00)', true], [3, 'RSVD', 'Reserved (behaves as 0b00)', true]),
    }),
    res0(31, 18, R('§6.3')),
  ]),
  queueBase('SMMU_CMDQ_BASE', 0x90, '§6.3', 'Command queue', 'RA'),
  prodCons('SMMU_CMDQ_PROD', 0x98, '§6.3', 'WR', [], 0),
  prodCons('SMMU_CMDQ_CONS', 0x9c, '§6.3', 'RD', [
    fld('ERR', 30, 24, R('§6.3'), 'Command error reason, valid when SMMU_GERROR.CMDQ_ERR is active.', {
      values: vals([0, 'CERROR_NONE', 'No error'], [1, 'CERROR_ILL', 'Illegal or unknown command'], [2, 'CERROR_ABT', 'Abort reading the command'], [3, 'CERROR_ATC_INV_SYNC', 'ATC invalidation timeout/error before CMD_SYNC']),
    }),
  ], 0),
  queueBase('SMMU_EVENTQ_BASE', 0xa0, '§6.3', 'Event queue', 'WA'),
  prodCons('SMMU_EVENTQ_PROD', 0x100a8, '§6.3', 'WR', [fld('OVFLG', 31, 31, R('§6.3'), 'Overflow flag: toggled when the queue overflows and records are lost.')], 1),
  prodCons('SMMU_EVENTQ_CONS', 0x100ac, '§6.3', 'RD', [fld('OVACKFLG', 31, 31, R('§6.3'), 'Overflow acknowledge: software copies OVFLG here.')], 1),
  ...irqCfg('EVENTQ', 0xb0, '§6.3'),
  queueBase('SMMU_PRIQ_BASE', 0xc0, '§6.3', 'PRI queue', 'WA'),
  prodCons('SMMU_PRIQ_PROD', 0x100c8, '§6.3', 'WR', [fld('OVFLG', 31, 31, R('§6.3'), 'Overflow flag.')], 1),
  prodCons('SMMU_PRIQ_CONS', 0x100cc, '§6.3', 'RD', [fld('OVACKFLG', 31, 31, R('§6.3'), 'Overflow acknowledge.')], 1),
  ...irqCfg('PRIQ', 0xd0, '§6.3'),
];

const BY_NAME = new Map<string, RegisterDef>(REGISTERS.map((r) => [r.name.toLowerCase(), r]));
const BY_OFFSET = new Map<number, RegisterDef>(REGISTERS.map((r) => [r.offset, r]));

/** Case-insensitive, with or without the SMMU_ prefix: 'cr0', 'SMMU_CR0', 'smmu_eventq_prod'. */
export function registerByName(name: string): RegisterDef | undefined {
  let k = name.trim().toLowerCase();
  if (!k.startsWith('smmu_')) k = 'smmu_' + k;
  return BY_NAME.get(k);
}

/** Register at a byte offset from the SMMU base (page 1 offsets include 0x10000). */
export function registerByOffset(offset: number): RegisterDef | undefined {
  return BY_OFFSET.get(offset);
}
