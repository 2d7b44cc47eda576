// Central benchmark runner (`npm run bench`): the model's micro-benchmarks (walk, TLB, SMMU
// pipeline, when present) and the engine scenario benchmark, each with its target and as a
// ratio to a baseline measured in the same run (a plain Map lookup loop), written to
// bench/results/latest.json (git-ignored). Every figure is given by wall time and by CPU time
// (process.cpuUsage); the target is judged on CPU time, which a loaded machine does not inflate
// (the ratio too is CPU against the baseline's CPU).
// Each large benchmark (SMMU pipeline, engine, hazard overhead, virtualization, incremental) runs
// in a fresh child process (`node out/bench/run.js --only NAME --json`: one JSON line of results),
// so its figure does not depend on what ran before it in the same heap; `--in-process` runs them
// all in this process, one after the other, as before.
import { spawnSync } from 'node:child_process';
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

/** A figure as a part measured it (the ratio is computed against the parent's baseline). */
type Raw = Omit<Figure, 'ratio'> & { ops?: number; ratio?: number };

/** The large benchmarks, each measured alone (in a child process unless --in-process). */
const PARTS: Record<string, (quick: boolean, log: (s: string) => void) => Raw[]> = {
  walk: (quick) => {
    const walk = tryRequire<{ benchTlbHits(n: number): Rate; benchS1Walks(n: number): Rate; benchNestedWalks(n: number): Rate }>('./walk.bench');
    if (!walk) return [];
    return [
      rate('TLB hits', walk.benchTlbHits(quick ? 1_000_000 : 10_000_000), 10_000_000),
      rate('stage-1 walks', walk.benchS1Walks(quick ? 200_000 : 2_000_000), 2_000_000),
      rate('nested walks', walk.benchNestedWalks(quick ? 50_000 : 500_000), 300_000),
    ];
  },
  smmu: (quick) => {
    const smmu = tryRequire<{ benchTranslations(t?: number, m?: number): { ms: number; cpuMs: number } }>('./smmu.bench');
    if (!smmu) return [];
    const r = smmu.benchTranslations(quick ? 100_000 : 1_000_000, quick ? 10_000 : 100_000);
    return [time(`SMMU pipeline: ${quick ? '100k' : '1M'} transactions`, r.cpuMs, r.ms, quick ? 100 : 1000, quick ? 100_000 : 1_000_000)];
  },
  engine: (quick) => {
    const e = benchEngine(quick ? 10_000 : 100_000, quick ? 100_000 : 1_000_000);
    return [
      time(`engine: compile ${e.mappings} mappings (${e.lines} lines: parse, names, layout)`, e.compileCpuMs, e.compileMs, quick ? 1000 : 10_000, e.lines),
      time('engine: run the scenario steps (descriptor writes, bring-up)', e.runStepsCpuMs, e.runStepsMs, 1000, e.mappings),
      time(`engine: ${e.transactions} transactions (model + wire results)`, e.transactionsCpuMs, e.transactionsMs, quick ? 100 : 1000, e.transactions),
      { name: 'engine: memory after the run', value: e.memoryMb, wall: e.memoryMb, unit: 'MB', target: '< 500 MB', ok: e.memoryMb < 500 },
    ];
  },
  virt: (quick) => {
    const n = quick ? 10_000 : 100_000;
    const vp = benchVirt(8, 64, n, 'physical');
    const v = benchVirt(8, 64, n);
    const sv = benchVirt(8, 64, n, 'shadow');
    return [
      time(`virtualization: 8 SMMUs, 64 vIOMMUs, ${quick ? '10k' : '100k'} guest DMAs (${(v.cpuMs / vp.cpuMs).toFixed(2)}x the same DMAs on the physical SMMUs)`, v.cpuMs, v.wallMs, quick ? 200 : 2000, n),
      time(`virtualization, shadowing vSMMU (${(sv.cpuMs / v.cpuMs).toFixed(2)}x nested): same guest`, sv.cpuMs, sv.wallMs, quick ? 400 : 4000, n),
    ];
  },
  hazards: (quick) => {
    const hz = benchHazardOverhead(quick ? 2_000 : 10_000, quick ? 50_000 : 200_000);
    const r = hz.withCpuMs / hz.withoutCpuMs;
    return [{ name: 'hazard analysis: transaction steps with / without (x)', value: r, wall: hz.withMs / hz.withoutMs, unit: 'x', target: '<= 2 x', ok: r <= 2 }];
  },
  incremental: (quick, log) => {
    // Incremental compile per edit (CPU), ratio to a compile from scratch of the same text.
    const out: Raw[] = [];
    for (const f of runIncrementalBench(log, !quick)) {
      const max = f.lines >= 100_000 ? 40 : 5;
      if (f.where === 'a declaration') continue; // printed above: proportionate, no fixed target
      out.push({ name: `incremental compile: ${f.lines / 1000}k lines, edit ${f.where} (ratio: / from scratch)`, value: f.compile, wall: f.compile, unit: 'ms', target: `< ${max} ms`, ok: f.compile < max, ratio: f.compile / f.scratch });
    }
    return out;
  },
};

function rate(name: string, r: Rate, min: number): Raw {
  return { name, value: r.cpuPerSecond, wall: r.perSecond, unit: 'ops/s', target: `>= ${fmt(min, 'ops/s')}`, ok: r.cpuPerSecond >= min };
}

function time(name: string, cpuMs: number, wallMs: number, max: number, ops: number): Raw {
  return { name, value: cpuMs, wall: wallMs, unit: 'ms', target: `< ${max} ms`, ok: cpuMs < max, ops };
}

/** Runs `part` in a fresh `node` process: its log lines are printed, its figures returned. */
function child(part: string, quick: boolean): Raw[] {
  const args = [...process.execArgv, __filename, '--only', part, '--json', ...(quick ? ['--quick'] : [])];
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = (r.stdout ?? '').trimEnd().split('\n');
  const last = lines.pop() ?? '';
  for (const l of lines) console.log(l);
  if (r.status !== 0 || !last.startsWith('{')) throw new Error(`bench part ${part} failed (status ${r.status}): ${last}`);
  return (JSON.parse(last) as { figures: Raw[] }).figures;
}

export function main(): Figure[] {
  const quick = process.argv.includes('--quick');
  const inProcess = process.argv.includes('--in-process');
  const baseRate = baselineOpsPerSecond();
  const base = baseRate.cpuPerSecond;
  const baseOpMs = 1000 / base;
  const figures: Figure[] = [];
  const ratio = (f: Raw): number =>
    f.ratio ?? (f.unit === 'ops/s' ? f.value / base : f.unit === 'x' ? f.value : f.ops === undefined ? 1 : f.value / f.ops / baseOpMs);
  const order = ['walk', 'smmu', 'engine', 'virt', 'hazards', 'incremental'];
  const raws: Raw[] = [];
  for (const p of order) raws.push(...(inProcess ? PARTS[p](quick, (l) => console.log(l)) : child(p, quick)));
  // The memory figure last, as before.
  raws.sort((a, b) => Number(a.unit === 'MB') - Number(b.unit === 'MB'));
  for (const r of raws) {
    const { ops: _ops, ...f } = r;
    figures.push({ ...f, ratio: ratio(r) });
  }

  console.log(`each benchmark ran ${inProcess ? 'in this process, one after the other (figures depend on what ran before)' : 'in a fresh child process (node out/bench/run.js --only NAME --json)'}`);
  console.log(`baseline: Map lookups ${fmt(base, 'ops/s')} CPU, ${fmt(baseRate.perSecond, 'ops/s')} wall (ratios below are CPU against CPU: ops/s / baseline, or time per op / baseline op)`);
  console.log(`${'    '} ${''.padEnd(64)} ${'CPU'.padStart(12)} ${'wall'.padStart(12)}`);
  for (const f of figures) {
    console.log(`${f.ok ? 'OK  ' : 'MISS'} ${f.name.padEnd(64)} ${fmt(f.value, f.unit).padStart(12)} ${fmt(f.wall, f.unit).padStart(12)}  target ${f.target.padEnd(12)} ratio ${f.ratio.toFixed(3)}`);
  }
  const dir = path.join(__dirname, '../../bench/results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'latest.json'), JSON.stringify({
    date: new Date().toISOString(), node: process.version, quick, isolation: inProcess ? 'in-process' : 'child-process', baselineOpsPerSecond: base, baselineWallOpsPerSecond: baseRate.perSecond, figures,
  }, null, 2) + '\n');
  return figures;
}

if (require.main === module) {
  const only = process.argv.indexOf('--only');
  if (only >= 0) {
    // A child: one part, its log lines, then its figures as one JSON line.
    const part = PARTS[process.argv[only + 1]];
    if (!part) throw new Error(`unknown bench part ${process.argv[only + 1]}: ${Object.keys(PARTS).join(', ')}`);
    const figures = part(process.argv.includes('--quick'), (l) => console.log(l));
    console.log(JSON.stringify({ figures }));
  } else {
    const figures = main();
    process.exitCode = figures.every((f) => f.ok) ? 0 : 1;
  }
}
