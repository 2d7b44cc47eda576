// The words of declaration headers and bodies with a one-line meaning each, for completion and
// hover: `smmu { features }`, `pagetable` header options, mapping permissions and attributes,
// expectation fields. (The engine checks them: engine/decls.ts, engine/mapAttrs.ts, engine/expect.ts;
// test/unit/lsp/completion.test.ts asserts the engine accepts every word listed here.)

import { VSMMU_MODES } from './keywords';

export interface WordInfo {
  doc: string;
  /** Values that may follow (`stages s1 s2 nested`). */
  values?: readonly string[];
  /** Only at this stage (pagetable options, mapping attributes). */
  stage?: 1 | 2;
}

export const SMMU_FEATURES: Readonly<Record<string, WordInfo>> = {
  stages: { doc: 'Translation stages implemented (SMMU_IDR0.S1P/S2P); naming one stage alone declares only that stage.', values: ['s1', 's2', 'nested'] },
  version: { doc: 'Architecture version.', values: ['3.0', '3.1', '3.2'] },
  oas: { doc: 'Output address size in bits (SMMU_IDR5.OAS).', values: ['32', '36', '40', '42', '44', '48', '52'] },
  ias: { doc: 'Intermediate (stage-2 input) address size in bits.', values: ['32', '36', '40', '42', '44', '48', '52'] },
  asidbits: { doc: 'ASID size, 8 or 16 (SMMU_IDR0.ASID16).', values: ['8', '16'] },
  vmidbits: { doc: 'VMID size, 8 or 16 (SMMU_IDR0.VMID16).', values: ['8', '16'] },
  ssidbits: { doc: 'SubstreamID size in bits (SMMU_IDR1.SSIDSIZE).' },
  sidbits: { doc: 'StreamID size in bits (SMMU_IDR1.SIDSIZE).' },
  granules: { doc: 'Translation granules implemented (SMMU_IDR5.GRAN4K/16K/64K).', values: ['4K', '16K', '64K'] },
  httu: { doc: 'Hardware update of the Access flag / dirty state (SMMU_IDR0.HTTU).', values: ['none', 'ha', 'hd'] },
  stall: { doc: 'Stall model (SMMU_IDR0.STALL_MODEL).', values: ['none', 'supported', 'forced'] },
  stlevel: { doc: 'Stream table formats implemented (SMMU_IDR0.ST_LEVEL).', values: ['linear', '2level'] },
  tlb: { doc: 'TLB capacity (entries) and replacement policy.', values: ['lru', 'fifo', 'random', 'unbounded'] },
  configcache: { doc: 'Configuration cache capacity (entries) and replacement policy.', values: ['lru', 'fifo', 'random', 'unbounded'] },
  bbml: { doc: 'Break-before-make level, SMMU_IDR3.BBML (IHI 0070 §3.21.1).', values: ['0', '1', '2'] },
  tlbconflict: { doc: 'Whether a lookup matching several TLB entries raises F_TLB_CONFLICT (IHI 0070 §3.20.1).', values: ['detect', 'undetected'] },
  stecont: { doc: 'Whether the configuration cache uses STE.CONT (IHI 0070 §5.2).', values: ['honour', 'ignore'] },
  cfgconflict: { doc: 'With `stecont honour`: whether differing cached STEs raise F_CFG_CONFLICT (IHI 0070 §3.20.2).', values: ['detect', 'undetected'] },
  strtab: { doc: 'Stream table format to use (SMMU_STRTAB_BASE_CFG.FMT).', values: ['linear', '2level'] },
  split: { doc: 'SMMU_STRTAB_BASE_CFG.SPLIT of a 2-level stream table.', values: ['6', '8', '10'] },
  log2size: { doc: 'SMMU_STRTAB_BASE_CFG.LOG2SIZE (default: enough for the highest StreamID used).' },
  cmdqs: { doc: 'Command queue size, log2 entries (SMMU_IDR1.CMDQS).' },
  eventqs: { doc: 'Event queue size, log2 entries (SMMU_IDR1.EVENTQS).' },
  priqs: { doc: 'PRI queue size, log2 entries (SMMU_IDR1.PRIQS).' },
  s1: { doc: 'Stage 1 implemented (SMMU_IDR0.S1P).' },
  s2: { doc: 'Stage 2 implemented (SMMU_IDR0.S2P).' },
  nested: { doc: 'Nesting: stage 1 and stage 2 together.' },
  ats: { doc: 'PCIe ATS (SMMU_IDR0.ATS).' },
  pri: { doc: 'PCIe PRI (SMMU_IDR0.PRI).' },
  ril: { doc: 'Range invalidation (SMMU_IDR3.RIL).' },
  btm: { doc: 'Broadcast TLB maintenance (SMMU_IDR0.BTM).' },
  hyp: { doc: 'EL2/E2H translation regimes (SMMU_IDR0.HYP).' },
  cd2l: { doc: '2-level CD tables (SMMU_IDR0.CD2L).' },
  msi: { doc: 'MSIs (SMMU_IDR0.MSI).' },
  ptm: { doc: 'The driver sets SMMU_CR2.PTM: private TLB maintenance, the SMMU ignores the CPUs\' broadcast TLBIs (as Linux does).', values: ['0', '1'] },
  e2h: { doc: 'The driver sets SMMU_CR2.E2H: EL2 streams (STE.STRW == EL2) use the EL2-E2H regime, with ASIDs.', values: ['0', '1'] },
  enable: { doc: 'The tool sets SMMU_CR0.SMMUEN (the default).' },
  disabled: { doc: 'The tool leaves SMMU_CR0.SMMUEN clear.' },
};

export const STAGES: Readonly<Record<string, WordInfo>> = {
  s1: { doc: 'Stage-1 table (VA -> IPA/PA), pointed at by a CD (CD.TTB0).' },
  s2: { doc: 'Stage-2 table (IPA -> PA), pointed at by an STE (STE.S2TTB).' },
};

export const GRANULES: Readonly<Record<string, WordInfo>> = {
  '4K': { doc: '4KB granule: levels 0-3, 512 entries per table, 2M and 1G blocks.' },
  '16K': { doc: '16KB granule: 2048 entries per table, 32M blocks.' },
  '64K': { doc: '64KB granule: 8192 entries per table, 512M blocks.' },
};

export const PAGETABLE_OPTIONS: Readonly<Record<string, WordInfo>> = {
  ia: { doc: 'Input address size in bits (T0SZ = 64 - N; S2T0SZ at stage 2).', values: ['32', '36', '39', '40', '42', '44', '48'] },
  tsz: { doc: 'T0SZ / S2T0SZ directly (input size 64 - N).' },
  oas: { doc: 'Output address size in bits (default: the SMMU\'s OAS).' },
  sl0: { doc: 'Stage-2 starting level (STE.S2SL0).', stage: 2, values: ['0', '1', '2'] },
  at: { doc: 'Place the root table at this physical address (default: allocated).' },
  smmu: { doc: 'The instance whose features apply (default: the only one).' },
};

export const PERMS: Readonly<Record<string, WordInfo>> = {
  rw: { doc: 'Read and write (the default).' },
  r: { doc: 'Read only.' },
  rx: { doc: 'Read and execute.' },
  rwx: { doc: 'Read, write and execute.' },
  ro: { doc: 'Read only.' },
  wo: { doc: 'Write only.' },
  none: { doc: 'No access (a valid descriptor that faults with F_PERMISSION).' },
};

export const MAP_ATTRS: Readonly<Record<string, WordInfo>> = {
  device: { doc: 'Device-nGnRE memory (AttrIndx 1 / S2 MemAttr 0b0001), non-shareable.' },
  normal: { doc: 'Normal write-back memory (the default).' },
  global: { doc: 'nG = 0: the entry matches every ASID.', stage: 1 },
  ng: { doc: 'nG = 1 (the stage-1 default): tagged with the ASID.', stage: 1 },
  priv: { doc: 'AP[1] = 0: privileged transactions only.', stage: 1 },
  user: { doc: 'AP[1] = 1: unprivileged transactions too (the default).', stage: 1 },
  af0: { doc: 'Access flag clear (F_ACCESS unless HTTU sets it).' },
  dbm: { doc: 'Dirty Bit Modifier (HTTU dirty state).' },
  contig: { doc: 'Contiguous hint.' },
  xn: { doc: 'Execute-never.' },
  pxn: { doc: 'Privileged execute-never.', stage: 1 },
  uxn: { doc: 'Unprivileged execute-never.', stage: 1 },
  attrindx: { doc: 'AttrIndx N (0-7) into CD.MAIR.', stage: 1 },
  memattr: { doc: 'Stage-2 MemAttr N (0-15).', stage: 2 },
  sh: { doc: 'Shareability.', values: ['nsh', 'osh', 'ish'] },
  pgsize: { doc: 'Map with leaves of this size only: the granule (pages) or a block size of the granule.', values: ['4K', '2M', '1G'] },
};

export const EXPECT_FIELD_DOCS: Readonly<Record<string, WordInfo>> = {
  stage: { doc: 'The stage that faulted.', values: ['1', '2'] },
  class: { doc: 'The record\'s CLASS: the access that faulted (CD fetch, table walk, input address).', values: ['CD', 'TT', 'IN'] },
  addr: { doc: 'The record\'s InputAddr.' },
  ipa: { doc: 'The record\'s IPA (page-aligned, as the record carries it).' },
  level: { doc: 'The walk level that faulted.', values: ['0', '1', '2', '3'] },
  sid: { doc: 'The record\'s StreamID.' },
  ssid: { doc: 'The record\'s SubstreamID.' },
  rnw: { doc: 'RnW: 1 read, 0 write.', values: ['0', '1'] },
  ind: { doc: 'InD: instruction fetch.', values: ['0', '1'] },
  pnu: { doc: 'PnU: privileged.', values: ['0', '1'] },
  s2: { doc: 'S2: the fault happened at stage 2.', values: ['0', '1'] },
  reason: { doc: 'Text the fault\'s reason contains.' },
  count: { doc: 'How many events the transaction produced.' },
};

/** Options of a `cpu tlbi` line (keywords.ts CPU_TLBI_OPTIONS), with their meaning. */
export const CPU_TLBI_OPTION_DOCS: Readonly<Record<string, WordInfo>> = {
  asid: { doc: 'Xt[63:48]: the ASID (VAE1IS, VALE1IS, ASIDE1IS; VAE2IS/VALE2IS with `vhe`).' },
  va: { doc: 'The address: Xt[43:0] = VA[55:12] (bits [63:56] follow VA[55]).' },
  xt: { doc: 'The register operand as the CPU wrote it (instead of `asid`/`va`).' },
  vmid: { doc: 'The CPU\'s current VMID (VTTBR_EL2.VMID) for the EL1&0 regime (default 0).' },
  vhe: { doc: 'Executed by a VHE host (HCR_EL2.E2H == 1, and TGE == 1 for the EL1 forms): the EL2&0 regime.' },
};

/** `vsmmu NAME VIOMMU... mode M`: how the VMM backs the guest's vSMMU (VSMMU_MODES of keywords.ts). */
export const VSMMU_MODE_DOCS: Readonly<Record<string, WordInfo>> = {
  nested: { doc: 'Hardware nesting (default): guest STEs become nested host STEs, the SMMU walks the guest\'s stage 1 itself.' },
  shadow: { doc: 'A shadowing (caching-mode) VMM: shadow tables updated only on guest invalidations, so non-present -> present needs one.' },
};

/** The `mode` word of a `vsmmu` line. */
export const VSMMU_MODE_WORD: WordInfo = { doc: 'How the VMM backs this vSMMU: `mode nested` (hardware nesting, the default) or `mode shadow` (a shadowing VMM).', values: VSMMU_MODES };

/** What each statement keyword starts, for completion documentation. */
export const STATEMENT_DOCS: Readonly<Record<string, string>> = {
  include: 'Include another scenario file.',
  smmu: 'An SMMU instance and its features: `smmu NAME { stages s1 s2 nested; oas 48 }`.',
  pagetable: 'A page table written as mappings: `pagetable NAME s1|s2 4K { map IOVA +SIZE -> PA rw }`.',
  cdtable: 'A CD table by SubstreamID: `cdtable NAME linear { ssid N CD }`.',
  cd: 'A Context Descriptor: `cd NAME { pagetable TABLE; asid N }`.',
  ste: 'A Stream Table Entry: `ste [SMMU] SID { config s1|s2|nested; cd CD; s2 TABLE; vmid N }`.',
  write64: 'Write a 64-bit word to memory.',
  write32: 'Write a 32-bit word to memory.',
  write16: 'Write a 16-bit word to memory.',
  write8: 'Write a byte to memory.',
  abort: 'Memory the SMMU cannot read (external abort).',
  reg: 'Write an SMMU register: `reg [SMMU.]REGISTER VALUE`.',
  cmd: 'A command on the command queue: `cmd [SMMU] CMD_NAME fields`.',
  cpu: 'A CPU\'s broadcast TLB invalidation, seen by every SMMU that takes broadcasts: `cpu tlbi vae1is asid N va ADDR [vmid N] [vhe]` (DDI 0487 C5.5).',
  dma: 'A client transaction: `dma [SMMU] read|write sid N [ssid N] iova ADDR`.',
  ats: 'A PCIe ATS Translation Request.',
  pri: 'A PCIe PRI page request.',
  map: 'Add a mapping to a named table: `map TABLE IOVA +SIZE -> PA PERMS`.',
  unmap: 'Remove mappings from a named table: `unmap TABLE IOVA +SIZE`.',
  pte: 'Write one descriptor of a named table.',
  iommufd: 'An iommufd call on the VM\'s objects: `iommufd ioas|ioas_map|hwpt_parent|viommu|vdevice|hwpt_nested|attach|invalidate|veventq|hw_queue ...`.',
  vsmmu: 'A guest\'s virtual SMMU over vIOMMUs: `vsmmu NAME VIOMMU... [mode nested|shadow]`.',
  expect: 'Check the preceding transaction: `expect pa|fault|event|tlb|outcome|hazard|mem ...`.',
};
