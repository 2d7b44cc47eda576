// A VM for the iommufd tests: two physical SMMUs brought up as a driver does, one IOAS mapping
// guest RAM, one nesting parent and a vIOMMU on each SMMU.
import assert from 'node:assert/strict';
import { SmmuSystem, type SmmuInstance } from '../../../../language-server/src/model/smmu';
import { IommufdContext } from '../../../../language-server/src/model/iommufd';
import { encodeCommand } from '../../../../language-server/src/model/fields/commands';

export const CMD = encodeCommand;

/** The same two SMMUs in scenario text (10 lines): stream tables at 0x8000_0000 / 0x8100_0000, queues, CR0. */
export const TWO_SMMUS_TEXT = `reg smmuA.SMMU_STRTAB_BASE 0x80000000
reg smmuA.SMMU_STRTAB_BASE_CFG 0x6
reg smmuA.SMMU_CMDQ_BASE 0x80010008
reg smmuA.SMMU_EVENTQ_BASE 0x80020007
reg smmuA.SMMU_CR0 0xd
reg smmuB.SMMU_STRTAB_BASE 0x81000000
reg smmuB.SMMU_STRTAB_BASE_CFG 0x6
reg smmuB.SMMU_CMDQ_BASE 0x81010008
reg smmuB.SMMU_EVENTQ_BASE 0x81020007
reg smmuB.SMMU_CR0 0xd
`;
export const RD = { read: true, exec: false, priv: false };

/** A driver's bring-up: linear stream table of 64 STEs, 16-entry command queue, 8-entry event queue. */
export function bringUp(sys: SmmuSystem, name: string, base: bigint): SmmuInstance {
  const s = sys.getOrCreate(name);
  s.writeReg('SMMU_STRTAB_BASE', base);
  s.writeReg('SMMU_STRTAB_BASE_CFG', 6n);
  s.writeReg('SMMU_CMDQ_BASE', (base + 0x1000n) | 4n);
  s.writeReg('SMMU_EVENTQ_BASE', (base + 0x2000n) | 3n);
  s.writeReg('SMMU_CR0', 0b1100n);
  s.submitCommand(CMD('CMD_CFGI_STE_RANGE', { Range: 31n }));
  s.submitCommand(CMD('CMD_SYNC'));
  s.writeReg('SMMU_CR0', 0b1101n);
  return s;
}

// Guest RAM: IPA [0x4000_0000, +1G) at PA 0x1_0000_0000, one stage-2 level-1 block (4K granule,
// 40-bit IPA, start level 1): S2AP RW, AF, MemAttr WB, SH inner (DDI 0487 D8.3).
export const S2_ROOT = 0x9000_0000n;
export const TABLE = { ttb: S2_ROOT, granule: 4 as const, inputSize: 40, startLevel: 1, outputSize: 48 };
export const GUEST_RAM = 0x1_0000_0000n;

export function vm() {
  const sys = new SmmuSystem();
  const a = bringUp(sys, 'smmuA', 0x8000_0000n);
  const b = bringUp(sys, 'smmuB', 0x8100_0000n);
  sys.mem.write64(S2_ROOT + 8n, GUEST_RAM | 0x7fdn);
  const fd = new IommufdContext(sys);
  const ok = (fx: { rejections: unknown[] }) => assert.deepEqual(fx.rejections, []);
  ok(fd.allocIoas('ioas0'));
  ok(fd.mapIoas('ioas0', { iova: 0x4000_0000n, length: 0x4000_0000n, pa: GUEST_RAM, readOnly: false }));
  ok(fd.allocParent('s2', 'ioas0', 'smmuA', TABLE));
  ok(fd.allocViommu('vA', 'smmuA', 's2'));
  ok(fd.allocViommu('vB', 'smmuB', 's2'));
  return { sys, a, b, fd, ok };
}

// The guest's vSMMU structures at IPAs: stream table, command and event queues, a CD.
export const G_STRTAB = 0x4010_0000n;
export const G_CMDQ = 0x4011_0000n;
export const G_EVENTQ = 0x4012_0000n;
export const G_CD = 0x4013_0000n;

/** The guest driver's bring-up of its vSMMU, at IPAs (IHI 0070 §6.3). */
export function guestBringUp(g: SmmuInstance): void {
  g.writeReg('SMMU_STRTAB_BASE', G_STRTAB);
  g.writeReg('SMMU_STRTAB_BASE_CFG', 6n);
  g.writeReg('SMMU_CMDQ_BASE', G_CMDQ | 4n);
  g.writeReg('SMMU_EVENTQ_BASE', G_EVENTQ | 3n);
  g.writeReg('SMMU_CR0', 0b1100n);
  g.writeReg('SMMU_CR0', 0b1101n);
}
