// SMMU_IDR0..5, SMMU_IIDR and SMMU_AIDR derived from the declared features
// (IHI 0070 §6.3.1-6.3.8), encoded with the register field tables.

import { encode } from '../fields/field';
import { registerByName } from '../fields/registers';
import type { SmmuFeatures } from './features';

const b = (v: boolean): bigint => (v ? 1n : 0n);

function enc(name: string, values: Record<string, bigint>): bigint {
  return encode(registerByName(name)!, values)[0];
}

/** OAS bits -> IDR5.OAS encoding (as TCR_ELx.PS). */
export function oasEncoding(oas: number): bigint {
  const i = [32, 36, 40, 42, 44, 48, 52].indexOf(oas);
  return BigInt(i < 0 ? 5 : i);
}

export function idrValues(f: SmmuFeatures): Record<string, bigint> {
  return {
    SMMU_IDR0: enc('SMMU_IDR0', {
      S2P: b(f.stage2),
      S1P: b(f.stage1),
      TTF: 2n, // VMSAv8-64 only
      COHACC: 1n,
      BTM: b(f.btm),
      HTTU: f.httu === 'none' ? 0n : f.httu === 'ha' ? 1n : 2n,
      HYP: b(f.hyp),
      ATS: b(f.ats),
      ASID16: b(f.asidBits === 16),
      MSI: b(f.msi),
      PRI: b(f.pri),
      VMID16: b(f.vmidBits === 16),
      CD2L: b(f.cd2l),
      TTENDIAN: 2n, // little endian only
      STALL_MODEL: f.stall === 'supported' ? 0n : f.stall === 'none' ? 1n : 2n,
      TERM_MODEL: 1n, // terminated transactions always abort (CD.A must be 1)
      ST_LEVEL: f.stLevel === '2lvl' ? 1n : 0n,
    }),
    SMMU_IDR1: enc('SMMU_IDR1', {
      SIDSIZE: BigInt(f.sidBits),
      SSIDSIZE: BigInt(f.ssidBits),
      PRIQS: BigInt(f.priqs),
      EVENTQS: BigInt(f.eventqs),
      CMDQS: BigInt(f.cmdqs),
    }),
    SMMU_IDR2: 0n,
    SMMU_IDR3: enc('SMMU_IDR3', { RIL: b(f.ril && f.version !== '3.0'), BBML: BigInt(f.bbml) }),
    SMMU_IDR4: 0n,
    SMMU_IDR5: enc('SMMU_IDR5', {
      OAS: oasEncoding(f.oas),
      GRAN4K: b(f.granules.includes(4)),
      GRAN16K: b(f.granules.includes(16)),
      GRAN64K: b(f.granules.includes(64)),
      VAX: f.oas === 52 ? 1n : 0n,
      STALL_MAX: f.stall === 'none' ? 0n : 256n,
    }),
    SMMU_IIDR: 0n,
    SMMU_AIDR: enc('SMMU_AIDR', { ArchMajorRev: 0n, ArchMinorRev: BigInt(Number(f.version.split('.')[1])) }),
  };
}
