// Central benchmark runner (`npm run bench`): the model's micro-benchmarks (walk, TLB, SMMU
// pipeline, when present) and the engine scenario benchmark, each with its target and as a
// ratio to a baseline measured in the same run (a plain Map lookup loop), written to
// bench/results/latest.json (git-ignored). Every figure is given by wall time and by CPU time
// (process.cpuUsage); the target is judged on CPU time, which a loaded machine does not inflate
// (the ratio too is CPU against the baseline's CPU).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { benchEngine, benchHazardOverhead } from './engine.bench';
import { benchVirt } from './virt.bench';
import { runIncrementalBench } from './incremental.bench';
import { Stopwatch } from './clock';
import type { Rate } from './walk.bench';

interface Figure {
  name: string;
  /** By CPU time. */
  value: number;
  /** By wall time. */
  wall: number;
  unit: string;
  target: string;
  ok: boolean;
  /** value / baseline (ops/s figures) or baseline-op time ratio (time figures). */
  ratio: number;
}

/** Baseline: Map<number, number> lookups per second (wall, CPU). */
function baselineOpsPerSecond(n = 20_000_000): Rate {
  const m = new Map<number, number>();
  for (let i = 0; i < 4096; i++) m.set(i * 4096, i);
  let sum = 0;
  const sw = new Stopwatch();
  for (let i = 0; i < n; i++) sum += m.get((i & 4095) * 4096) ?? 0;
  const t = sw.read();
  if (sum < 0) console.log(sum);
  return { perSecond: n / (t.wallMs / 1000), cpuPerSecond: n / (t.cpuMs / 1000) };
}

function tryRequire<T>(p: string): T | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(p) as T;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND') return undefined;
    throw e;
  }
}

function fmt(v: number, unit: string): string {
  if (unit === 'ops/s') return v >= 1e6 ? `${(v / 1e6).toFixed(2)} M/s` : `${(v / 1e3).toFixed(1)} k/s`;
  return `${v.toFixed(unit === 'MB' ? 0 : unit === 'x' ? 2 : 1)} ${unit}`;
}

export function main(): Figure[] {
  const quick = process.argv.includes('--quick');
  const baseRate = baselineOpsPerSecond();
  const base = baseRate.cpuPerSecond;
  const baseOpMs = 1000 / base;
  const figures: Figure[] = [];
  const rate = (name: string, r: Rate, min: number) =>
    figures.push({ name, value: r.cpuPerSecond, wall: r.perSecond, unit: 'ops/s', target: `>= ${fmt(min, 'ops/s')}`, ok: r.cpuPerSecond >= min, ratio: r.cpuPerSecond / base });
  const time = (name: string, cpuMs: number, wallMs: number, max: number, ops: number) =>
    figures.push({ name, value: cpuMs, wall: wallMs, unit: 'ms', target: `< ${max} ms`, ok: cpuMs < max, ratio: cpuMs / ops / baseOpMs });

  const walk = tryRequire<{ benchTlbHits(n: number): Rate; benchS1Walks(n: number): Rate; benchNestedWalks(n: number): Rate }>('./walk.bench');
  if (walk) {
    rate('TLB hits', walk.benchTlbHits(quick ? 1_000_000 : 10_000_000), 10_000_000);
    rate('stage-1 walks', walk.benchS1Walks(quick ? 200_000 : 2_000_000), 2_000_000);
    rate('nested walks', walk.benchNestedWalks(quick ? 50_000 : 500_000), 300_000);
  }
  const smmu = tryRequire<{ benchTranslations(t?: number, m?: number): { ms: number; cpuMs: number } }>('./smmu.bench');
  if (smmu) {
    const r = smmu.benchTranslations(quick ? 100_000 : 1_000_000, quick ? 10_000 : 100_000);
    time(`SMMU pipeline: ${quick ? '100k' : '1M'} transactions`, r.cpuMs, r.ms, quick ? 100 : 1000, quick ? 100_000 : 1_000_000);
  }
  const e = benchEngine(quick ? 10_000 : 100_000, quick ? 100_000 : 1_000_000);
  time(`engine: compile ${e.mappings} mappings (${e.lines} lines: parse, names, layout)`, e.compileCpuMs, e.compileMs, quick ? 1000 : 10_000, e.lines);
  time('engine: run the scenario steps (descriptor writes, bring-up)', e.runStepsCpuMs, e.runStepsMs, 1000, e.mappings);
  time(`engine: ${e.transactions} transactions (model + wire results)`, e.transactionsCpuMs, e.transactionsMs, quick ? 100 : 1000, e.transactions);
  const vp = benchVirt(8, 64, quick ? 10_000 : 100_000, 'physical');
  const v = benchVirt(8, 64, quick ? 10_000 : 100_000);
  time(`virtualization: 8 SMMUs, 64 vIOMMUs, ${quick ? '10k' : '100k'} guest DMAs (${(v.cpuMs / vp.cpuMs).toFixed(2)}x the same DMAs on the physical SMMUs)`, v.cpuMs, v.wallMs, quick ? 200 : 2000, quick ? 10_000 : 100_000);
  const sv = benchVirt(8, 64, quick ? 10_000 : 100_000, 'shadow');
  time(`virtualization, shadowing vSMMU (${(sv.cpuMs / v.cpuMs).toFixed(2)}x nested): same guest`, sv.cpuMs, sv.wallMs, quick ? 400 : 4000, quick ? 10_000 : 100_000);
  const hz = benchHazardOverhead(quick ? 2_000 : 10_000, quick ? 50_000 : 200_000);
  const hzRatio = hz.withCpuMs / hz.withoutCpuMs;
  figures.push({ name: 'hazard analysis: transaction steps with / without (x)', value: hzRatio, wall: hz.withMs / hz.withoutMs, unit: 'x', target: '<= 2 x', ok: hzRatio <= 2, ratio: hzRatio });
  // Incremental compile per edit (CPU), ratio to a compile from scratch of the same text.
  for (const f of runIncrementalBench((l) => console.log(l), !quick)) {
    const max = f.lines >= 100_000 ? 40 : 5;
    if (f.where === 'a declaration') continue; // printed above: proportionate, no fixed target
    figures.push({ name: `incremental compile: ${f.lines / 1000}k lines, edit ${f.where} (ratio: / from scratch)`, value: f.compile, wall: f.compile, unit: 'ms', target: `< ${max} ms`, ok: f.compile < max, ratio: f.compile / f.scratch });
  }
  figures.push({ name: 'engine: memory after the run', value: e.memoryMb, wall: e.memoryMb, unit: 'MB', target: '< 500 MB', ok: e.memoryMb < 500, ratio: 1 });

  console.log(`baseline: Map lookups ${fmt(base, 'ops/s')} CPU, ${fmt(baseRate.perSecond, 'ops/s')} wall (ratios below are CPU against CPU: ops/s / baseline, or time per op / baseline op)`);
  console.log(`${'    '} ${''.padEnd(64)} ${'CPU'.padStart(12)} ${'wall'.padStart(12)}`);
  for (const f of figures) {
    console.log(`${f.ok ? 'OK  ' : 'MISS'} ${f.name.padEnd(64)} ${fmt(f.value, f.unit).padStart(12)} ${fmt(f.wall, f.unit).padStart(12)}  target ${f.target.padEnd(12)} ratio ${f.ratio.toFixed(3)}`);
  }
  const dir = path.join(__dirname, '../../bench/results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify({
    date: new Date().toISOString(), node: process.version, quick, baselineOpsPerSecond: base, baselineWallOpsPerSecond: baseRate.perSecond, figures,
  }, null, 2) + '\n');
  return figures;
}

if (require.main === module) {
  const figures = main();
  process.exitCode = figures.every((f) => f.ok) ? 0 : 1;
}
