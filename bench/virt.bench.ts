// The virtualization layer at scale: 8 physical SMMUs, 64 vIOMMUs (8 per SMMU) over one nesting
// parent, a guest vSMMU over all of them, and 100,000 guest DMAs by virtual StreamID (through the
// vSMMU's routing to the physical SMMU, nested translation, vEVENTQ forwarding), compiled and run
// by the engine as the runner does (the lean tree, steps streamed and not kept; parse included).
import { parse } from '../language-server/src/dsl';
import { compileScenario } from '../language-server/src/engine';
import { Stopwatch } from './clock';

/**
 * `mode`: 'nested' attaches nested HWPTs with iommufd lines; 'physical' is the same scenario with
 * every DMA made on the physical SMMU and StreamID behind its vDEVICE (the VM layer's baseline:
 * what the same translations cost without vSMMU routing and vEVENTQ forwarding); 'shadow' makes vs0 a shadowing vSMMU
 * whose guest driver installs the 64 guest STEs (one CMD_CFGI_STE_RANGE): the VMM builds one shadow
 * table per device, and every DMA is also checked against the guest's tables (H_SHADOW_STALE).
 */
export type VirtMode = 'nested' | 'physical' | 'shadow';

export function virtScenario(smmus: number, viommus: number, dmas: number, mode: VirtMode = 'nested'): string {
  const out: string[] = [];
  for (let k = 0; k < smmus; k++) {
    const base = 0x8000_0000 + k * 0x100_0000;
    out.push(`reg s${k}.SMMU_STRTAB_BASE 0x${base.toString(16)}`, `reg s${k}.SMMU_STRTAB_BASE_CFG 0x8`,
      `reg s${k}.SMMU_CMDQ_BASE 0x${(base + 0x10000 + 8).toString(16)}`, `reg s${k}.SMMU_EVENTQ_BASE 0x${(base + 0x20000 + 7).toString(16)}`, `reg s${k}.SMMU_CR0 0xd`);
  }
  out.push('iommufd ioas ioas0', 'iommufd ioas_map ioas0 0x40000000 0x200000 0x100000000', 'iommufd hwpt_parent s2 ioas0 s0');
  // Guest CD (ASID 1) and stage 1: IOVA 0x80200000 + i * 4K -> IPA 0x40080000 + i * 4K, 16 pages.
  out.push('write64 0x100001000 0x00016205c0003519', 'write64 0x100001008 0x40002000', 'write64 0x100001018 0x44ff04',
    'write64 0x100002010 0x40003003', 'write64 0x100003008 0x40004003');
  for (let i = 0; i < 16; i++) out.push(`write64 0x${(0x1_0000_4000 + i * 8).toString(16)} 0x${(0x4008_0f47 + i * 0x1000).toString(16)}`);
  const names: string[] = [];
  for (let j = 0; j < viommus; j++) {
    const k = j % smmus;
    const sid = 1 + Math.floor(j / smmus);
    names.push(`v${j}`);
    out.push(`iommufd viommu v${j} s${k} s2`, `iommufd vdevice v${j} 0x${(0x100 + j).toString(16)} 0x${sid.toString(16)}`);
    if (mode !== 'shadow') out.push(`iommufd hwpt_nested n${j} v${j} 0x4000100b 0xd4`, `iommufd attach s${k} 0x${sid.toString(16)} n${j}`);
    // The guest's STE for virtual StreamID 0x100 + j in its stream table at IPA 0x40100000.
    else out.push(`write64 0x${(0x1_0010_0000 + (0x100 + j) * 64).toString(16)} 0x4000100b`, `write64 0x${(0x1_0010_0008 + (0x100 + j) * 64).toString(16)} 0xd4`);
  }
  out.push(`vsmmu vs0 ${names.join(' ')}${mode === 'shadow' ? ' mode shadow' : ''}`);
  if (mode === 'shadow') {
    out.push('reg vs0.SMMU_STRTAB_BASE 0x40100000', 'reg vs0.SMMU_STRTAB_BASE_CFG 0x9', 'reg vs0.SMMU_CMDQ_BASE 0x40110004',
      'reg vs0.SMMU_EVENTQ_BASE 0x40120003', 'reg vs0.SMMU_CR0 0xd', 'cmd vs0 CMD_CFGI_STE_RANGE sid 0x100 range 5', 'cmd vs0 CMD_SYNC');
  }
  for (let d = 0; d < dmas; d++) {
    const j = d % viommus;
    const iova = `iova 0x${(0x8020_0010 + ((d >> 6) % 16) * 0x1000).toString(16)}`;
    out.push(mode === 'physical' ? `dma s${j % smmus} read sid 0x${(1 + Math.floor(j / smmus)).toString(16)} ${iova}` : `dma vs0 read sid 0x${(0x100 + j).toString(16)} ${iova}`);
  }
  return out.join('\n') + '\n';
}

export function benchVirt(smmus = 8, viommus = 64, dmas = 100_000, mode: VirtMode = 'nested'): { cpuMs: number; wallMs: number; faults: number; steps: number } {
  const text = virtScenario(smmus, viommus, dmas, mode);
  const sw = new Stopwatch();
  // As `iommu-lens run` does (cli/run.ts): the lean tree, each step streamed and not kept.
  let faults = 0;
  let steps = 0;
  compileScenario(text, 'virt.smmu', { parsed: parse(text, 'virt.smmu', { lean: true }) }).runStreaming((s) => {
    steps++;
    if (s.outcome === 'fault') faults++;
  });
  const t = sw.read();
  return { ...t, faults, steps };
}

if (require.main === module) {
  const p = benchVirt(8, 64, 100_000, 'physical');
  console.log(`baseline: the same 100,000 DMAs on the physical SMMUs: ${p.cpuMs.toFixed(0)} ms CPU, ${p.wallMs.toFixed(0)} ms wall, ${p.steps} steps, ${p.faults} faults`);
  const r = benchVirt();
  console.log(`8 SMMUs, 64 vIOMMUs, 100,000 guest DMAs: ${r.cpuMs.toFixed(0)} ms CPU (${(r.cpuMs / p.cpuMs).toFixed(2)}x baseline), ${r.wallMs.toFixed(0)} ms wall, ${r.steps} steps, ${r.faults} faults`);
  const sh = benchVirt(8, 64, 100_000, 'shadow');
  console.log(`the same guest, shadowing vSMMU: ${sh.cpuMs.toFixed(0)} ms CPU (${(sh.cpuMs / r.cpuMs).toFixed(2)}x nested, ${(sh.cpuMs / p.cpuMs).toFixed(2)}x baseline), ${sh.steps} steps, ${sh.faults} faults`);
}
