// `iommu-lens qemu` on a 1,000-DMA scenario (target: under 10 s here, wall time: QEMU is another
// process), against a baseline measured in the same run: the embedded model alone running the
// same scenario. `node out/bench/qemu.bench.js [--qemu PATH]` (after `npm run compile-tests`);
// without a QEMU it says so and exits 0.
import { recordTraffic, runScenario } from '../language-server/src/engine/index';
import { compareWithQemu } from '../language-server/src/qemu/run';
import { Stopwatch } from './clock';

/** 1,000 DMAs over 64 pages: reads and writes, hits and misses, a fault every 50th (unmapped page). */
export function scenario(dmas = 1000): string {
  const lines = ['# bench: 1,000 DMAs', 'smmu smmu0 { stages s1 }', 'pagetable pt s1 4k {', '  map 0x1000_0000 +256K -> 0x4800_0000 rw', '}', 'cd c { pagetable pt; asid 1 }', 'ste smmu0 0x8 { cd c }'];
  for (let i = 0; i < dmas; i++) {
    const page = i % 50 === 49 ? 0x100 : (i * 7) % 64;
    lines.push(`dma smmu0 ${i % 3 ? 'read' : 'write'} sid 0x8 iova 0x${(0x1000_0000 + page * 0x1000 + (i % 16) * 8).toString(16)} len 8`);
  }
  return lines.join('\n') + '\n';
}

export async function main(): Promise<void> {
  const i = process.argv.indexOf('--qemu');
  const qemu = i > 0 ? process.argv[i + 1] : undefined;
  const text = scenario();
  const base = new Stopwatch();
  runScenario(text, 'bench.smmu');
  const model = base.read();
  const sw = new Stopwatch();
  const { traffic } = recordTraffic(text, 'bench.smmu');
  const r = await compareWithQemu(traffic.ops, traffic.smmus, { qemu });
  const t = sw.read();
  if (r.cannotRun) {
    console.log(`qemu bench skipped: ${r.cannotRun}`);
    return;
  }
  const n = (s: string) => r.dmas.filter((d) => d.status === s).length;
  console.log(`iommu-lens qemu, ${r.dmas.length} DMAs on QEMU ${r.qemu?.version}: ${(t.wallMs / 1000).toFixed(2)} s wall (target < 10 s: ${t.wallMs < 10000 ? 'ok' : 'MISSED'}), ` +
    `${(t.wallMs / r.dmas.length).toFixed(2)} ms per DMA; baseline (the model alone, same scenario): ${model.wallMs.toFixed(0)} ms wall, ratio ${(t.wallMs / model.wallMs).toFixed(1)}x`);
  console.log(`  ${n('same')} same, ${n('known')} known departures, ${n('unexplained')} unexplained, ${n('not comparable')} not comparable`);
}

if (require.main === module) void main();
