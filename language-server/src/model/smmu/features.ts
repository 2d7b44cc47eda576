// What an SMMU instance implements (IHI 0070 §6.3.1-6.3.6, SMMU_IDR0..5), plus the
// implementation choices the spec leaves open (cache sizes and replacement policies).
// Declared per instance; the IDR registers are derived from it (see idr.ts).

import type { Granule } from '../types';

export type SmmuVersion = '3.0' | '3.1' | '3.2';

/** Cache replacement policy. 'unbounded' ignores the capacity. */
export type CachePolicy = 'lru' | 'fifo' | 'random' | 'unbounded';

export interface CacheConfig {
  capacity: number;
  policy: CachePolicy;
  /** Seed for the 'random' policy (deterministic replay). */
  seed?: number;
}

export interface SmmuFeatures {
  version: SmmuVersion;
  /** IDR0.S1P / IDR0.S2P. */
  stage1: boolean;
  stage2: boolean;
  /** Nested (Config 0b111) needs both stages (IHI 0070 §3.3). */
  nested: boolean;
  /** Output address size in bits (IDR5.OAS: 32, 36, 40, 42, 44, 48, 52). */
  oas: number;
  /** Input address size in bits: largest IPA stage 2 accepts (IHI 0070 §3.4). */
  ias: number;
  granules: Granule[];
  asidBits: 8 | 16;
  vmidBits: 8 | 16;
  /** IDR1.SSIDSIZE, 0..20. */
  ssidBits: number;
  /** IDR1.SIDSIZE, 0..32. */
  sidBits: number;
  ats: boolean;
  pri: boolean;
  /** IDR0.HTTU: none, access flag only, access flag and dirty state. */
  httu: 'none' | 'ha' | 'hd';
  /** IDR0.STALL_MODEL: 'supported' (0b00), 'none' (0b01, terminate only), 'forced' (0b10). */
  stall: 'supported' | 'none' | 'forced';
  /** IDR3.RIL: range invalidation. */
  ril: boolean;
  /** IDR0.BTM: broadcast TLB maintenance. */
  btm: boolean;
  /** IDR0.HYP: EL2 / E2H translation regime (CR2.E2H, CMD_TLBI_EL2_*). */
  hyp: boolean;
  /** IDR0.CD2L: 2-level CD tables. */
  cd2l: boolean;
  /** IDR0.ST_LEVEL: linear only or 2-level stream tables too. */
  stLevel: 'linear' | '2lvl';
  /** IDR0.MSI. */
  msi: boolean;
  /** IDR0.TTENDIAN: the model supports little-endian only. */
  endianness: 'le';
  /** Log2 of the largest queue (IDR1.CMDQS / EVENTQS / PRIQS, at most 19). */
  cmdqs: number;
  eventqs: number;
  priqs: number;
  /**
   * IDR3.BBML, break-before-make level (IHI 0070 §3.21.1): 0 before SMMUv3.2; 1 honours the nT bit of
   * Block descriptors; 2 resolves TLB multi-matches itself and never raises F_TLB_CONFLICT.
   */
  bbml: 0 | 1 | 2;
  /**
   * Implementation choices (IHI 0070 §3.20): whether a lookup that matches more than one TLB entry
   * (BBML 0 or 1) or more than one configuration-cache entry is detected, aborting the transaction
   * with F_TLB_CONFLICT / F_CFG_CONFLICT. Undetected, the model uses one of the matches (the
   * smallest TLB block; the requested StreamID's own STE), one of the behaviours the spec permits.
   */
  tlbConflict: 'detect' | 'undetected';
  cfgConflict: 'detect' | 'undetected';
  /** Whether the configuration cache uses STE.CONT spans (IHI 0070 §5.2 STE.CONT: a hint, may be ignored). */
  steCont: 'honour' | 'ignore';
  /** Implementation choices (the spec leaves TLB/config cache sizes open). */
  tlb: CacheConfig;
  configCache: CacheConfig;
}

/** The full SMMUv3.2 feature set: the default for an instance a scenario names without declaring. */
export function fullFeatures(): SmmuFeatures {
  return {
    version: '3.2',
    stage1: true,
    stage2: true,
    nested: true,
    oas: 48,
    ias: 48,
    granules: [4, 16, 64],
    asidBits: 16,
    vmidBits: 16,
    ssidBits: 20,
    sidBits: 32,
    ats: true,
    pri: true,
    httu: 'hd',
    stall: 'supported',
    ril: true,
    btm: true,
    hyp: true,
    cd2l: true,
    stLevel: '2lvl',
    msi: true,
    endianness: 'le',
    cmdqs: 19,
    eventqs: 19,
    priqs: 19,
    bbml: 2,
    tlbConflict: 'detect',
    cfgConflict: 'detect',
    steCont: 'ignore',
    tlb: { capacity: 1 << 20, policy: 'unbounded' },
    configCache: { capacity: 1 << 16, policy: 'unbounded' },
  };
}

/** Feature set with overrides; nested is forced off when a stage is missing. */
export function makeFeatures(over: Partial<SmmuFeatures> = {}): SmmuFeatures {
  const f = { ...fullFeatures(), ...over };
  if (!f.stage1 || !f.stage2) f.nested = false;
  // IAS follows OAS unless declared (AArch64 stage 2: IAS = OAS, IHI 0070 §3.4).
  if (over.ias === undefined) f.ias = f.oas;
  // IDR3.BBML is RES0 before SMMUv3.2; v3.2 implements level 1 or 2 (IHI 0070 §3.21.1.1).
  if (over.bbml === undefined) f.bbml = f.version === '3.2' ? 2 : 0;
  return f;
}

/** Whether a TLB lookup matching more than one entry raises F_TLB_CONFLICT (IHI 0070 §3.20.1, §3.21.1.3: never at BBML 2). */
export function detectsTlbConflicts(f: SmmuFeatures): boolean {
  return f.bbml < 2 && f.tlbConflict === 'detect';
}

/** Feature inconsistencies a declaration may contain (for diagnostics). */
export function checkFeatures(f: SmmuFeatures): string[] {
  const out: string[] = [];
  if (!f.stage1 && !f.stage2) out.push('at least one of stage1/stage2 must be implemented (IHI 0070 §6.3.1 IDR0.S1P/S2P)');
  if (![32, 36, 40, 42, 44, 48, 52].includes(f.oas)) out.push(`OAS ${f.oas} is not an IDR5.OAS size (32/36/40/42/44/48/52)`);
  if (f.ssidBits < 0 || f.ssidBits > 20) out.push('SSIDSIZE must be 0..20 (IHI 0070 §6.3.2)');
  if (f.sidBits < 0 || f.sidBits > 32) out.push('SIDSIZE must be 0..32 (IHI 0070 §6.3.2)');
  // IHI 0070 §6.3.2 SMMU_IDR1: queue sizes are log2(entries), at most 19.
  for (const [q, v] of [['CMDQS', f.cmdqs], ['EVENTQS', f.eventqs], ['PRIQS', f.priqs]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 19) out.push(`${q} must be 0..19 (IHI 0070 §6.3.2)`);
  }
  // IHI 0070 §6.3.1 SMMU_IDR0.ASID16/VMID16: 8 or 16 bits.
  if (f.asidBits !== 8 && f.asidBits !== 16) out.push('ASID size must be 8 or 16 bits (IHI 0070 §6.3.1 IDR0.ASID16)');
  if (f.vmidBits !== 8 && f.vmidBits !== 16) out.push('VMID size must be 8 or 16 bits (IHI 0070 §6.3.1 IDR0.VMID16)');
  if (f.granules.length === 0) out.push('at least one granule must be supported');
  // IHI 0070 §3.21.1.1: SMMUv3.2 and later support level 1 or 2; IDR3.BBML is RES0 before v3.2.
  if (![0, 1, 2].includes(f.bbml)) out.push('BBML is 0, 1 or 2 (IHI 0070 §6.3.4 SMMU_IDR3.BBML)');
  else if (f.version === '3.2' && f.bbml === 0) out.push('an SMMUv3.2 implements break-before-make level 1 or 2 (IHI 0070 §3.21.1.1)');
  else if (f.version !== '3.2' && f.bbml !== 0) out.push(`SMMU_IDR3.BBML is RES0 before SMMUv3.2 (version ${f.version} has level 0) (IHI 0070 §3.21.1.1)`);
  if (f.pri && !f.ats) out.push('PRI requires ATS (IHI 0070 §6.3.1 IDR0.PRI)');
  if (f.sidBits > 7 && f.stLevel === 'linear') {
    // Allowed, just a note: large linear tables (IHI 0070 §3.3.2 recommends 2-level above 64 entries).
  }
  return out;
}
