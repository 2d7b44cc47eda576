// A driver-style bring-up shared by the SMMU tests. Every structure is written out by hand from
// the spec's layouts (IHI 0070 §5.2 STE, §5.4 CD, §6.3 registers; DDI 0487 D8.3 descriptors).

import { SmmuSystem } from '../../../../language-server/src/model/smmu/system';
import type { SmmuInstance } from '../../../../language-server/src/model/smmu/instance';
import type { SmmuFeatures } from '../../../../language-server/src/model/smmu/features';
import type { Access } from '../../../../language-server/src/model/types';

export const STRTAB = 0x8000_0000n;
export const CMDQ = 0x8001_0000n;
export const EVENTQ = 0x8002_0000n;
export const CDADDR = 0x8003_0000n;
export const TTB0 = 0x8004_0000n;
export const SID = 3;
export const ASID = 0x42n;

export const RD: Access = { read: true, exec: false, priv: false };
export const WR: Access = { read: false, exec: false, priv: false };

/** STE (IHI 0070 §5.2) for stage 1: V=1 [0], Config=0b101 [3:1], S1ContextPtr [55:6], S1CDMax=0. */
export const STE_S1_DW0 = CDADDR | 0b1011n; // 0x8003000b
/** STE bypass: V=1, Config=0b100. */
export const STE_BYPASS_DW0 = 0b1001n;

/**
 * CD (IHI 0070 §5.4) dword0: T0SZ=16 [5:0], TG0=0 (4K) [7:6], EPD1=1 [30], V=1 [31], IPS=0b101 (48 bits)
 * [34:32], AA64=1 [41], R=1 [45], A=1 [46], ASID=0x42 [63:48].
 */
export const CD_DW0 = 0x0042_6205_c000_0010n;

/** VA 0x1234_5000: L0 idx 0, L1 idx 0, L2 idx 0x91, L3 idx 0x145 (4K granule, 48-bit VA, DDI 0487 D8.2). */
export const VA_RW = 0x1234_5000n;
export const VA_RO = 0x1234_6000n;
export const VA_UNMAPPED = 0x1234_7000n;
export const L3_RW_ADDR = 0x8004_3000n + 0x145n * 8n; // 0x80043a28
export const L3_RO_ADDR = 0x8004_3000n + 0x146n * 8n;
/** Page descriptor: OA 0x9000_0000, nG [11], AF [10], SH=0b11 [9:8], AP[2:1]=0b01 (RW, EL0 too) [7:6], page [1:0]=0b11. */
export const PTE_RW = 0x9000_0f43n;
/** AP[2:1]=0b11: read-only at every level. OA 0x9000_1000. */
export const PTE_RO = 0x9000_17c3n;

export function writeStructs(sys: SmmuSystem): void {
  const m = sys.mem;
  m.write64(STRTAB + BigInt(SID) * 64n, STE_S1_DW0);
  m.write64(CDADDR, CD_DW0);
  m.write64(CDADDR + 8n, TTB0); // CD.TTB0 [51:4]
  m.write64(TTB0, 0x8004_1003n); // L0[0] -> table at 0x80041000
  m.write64(0x8004_1000n, 0x8004_2003n); // L1[0] -> 0x80042000
  m.write64(0x8004_2000n + 0x91n * 8n, 0x8004_3003n); // L2[0x91] -> 0x80043000
  m.write64(L3_RW_ADDR, PTE_RW);
  m.write64(L3_RO_ADDR, PTE_RO);
}

/** Program the SMMU as a driver does: tables, queues, CR0 queue enables, CFGI_ALL + TLBI + SYNC, SMMUEN. */
export function enable(s: SmmuInstance, strtabCfg = 4n): void {
  s.writeReg('SMMU_STRTAB_BASE', STRTAB);
  s.writeReg('SMMU_STRTAB_BASE_CFG', strtabCfg); // linear, LOG2SIZE=4 (16 StreamIDs)
  s.writeReg('SMMU_CMDQ_BASE', CMDQ | 4n); // 16 commands
  s.writeReg('SMMU_CMDQ_PROD', 0n);
  s.writeReg('SMMU_CMDQ_CONS', 0n);
  s.writeReg('SMMU_EVENTQ_BASE', EVENTQ | 3n); // 8 records
  s.writeReg(0x100a8, 0n); // SMMU_EVENTQ_PROD (page 1)
  s.writeReg(0x100ac, 0n); // SMMU_EVENTQ_CONS
  s.writeReg('SMMU_CR0', 0b1100n); // CMDQEN | EVENTQEN
  s.submitCommand([0x4n, 0x1fn]); // CMD_CFGI_ALL (CFGI_STE_RANGE Range=31)
  s.submitCommand([0x30n, 0n]); // CMD_TLBI_NSNH_ALL
  s.submitCommand([0x46n, 0n]); // CMD_SYNC
  s.writeReg('SMMU_CR0', 0b1101n); // | SMMUEN
}

export function bringUp(features?: Partial<SmmuFeatures>): { sys: SmmuSystem; s: SmmuInstance } {
  const sys = new SmmuSystem();
  writeStructs(sys);
  const s = sys.getOrCreate('smmu0', features);
  enable(s);
  return { sys, s };
}

/** The four dwords of event queue slot `i`. */
export function eventAt(sys: SmmuSystem, i: number): bigint[] {
  const a = EVENTQ + BigInt(i) * 32n;
  return [0, 1, 2, 3].map((k) => sys.mem.read64(a + BigInt(k * 8)));
}
