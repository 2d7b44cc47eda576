// The headless runner, whole process (issue 14): `iommu-lens run FILE --json` on the generated
// 20,000-DMA low-level scenario (bench/dmaScenario.ts), target < 0.4 s on a quiet machine.
// Baseline measured in the same run: a bare `node -e 0` (the process start-up every run pays); the
// runner's own start-up is an empty scenario's whole process.
// Figures by wall time and by CPU time (user + system of the child, all its threads, from this
// process's /proc/self/stat cutime/cstime: Linux only); the target is judged on CPU time, which a
// loaded machine does not inflate, and the ratio is CPU against the baseline's CPU.
// `node out/bench/cli.bench.js [RUNS] [--before OTHER/bin/iommu-lens.js]` (after `npm run build &&
// npm run compile-tests`); --before also times another build (e.g. main's) in the same loop.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import { lowLevelDmaScenario } from './dmaScenario';
import { StatementStream } from '../language-server/src/dsl/parser';
import { runStreamed } from '../language-server/src/engine/compile/stream';
import { JsonLineWriter } from '../language-server/src/cli/jsonStream';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'iommu-lens.js');

/** CPU time (user + system) of the waited-for children of this process so far, ms. */
function childCpuMs(): number | undefined {
  try {
    const stat = fs.readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 16 and 17 (cutime, cstime) in clock ticks; f[0] is field 3. USER_HZ is 100 on Linux.
    return (Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return undefined;
  }
}

interface Timing { wallMs: number; cpuMs?: number; out: number }

function timeProcess(args: string[], cwd: string): Timing {
  const c0 = childCpuMs();
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { cwd, maxBuffer: 1 << 30 });
  const wallMs = performance.now() - t0;
  const c1 = childCpuMs();
  if (r.status !== 0 && args[0] !== '-e') throw new Error(`exit ${r.status}: ${String(r.stderr).slice(0, 500)}`);
  return { wallMs, cpuMs: c0 === undefined || c1 === undefined ? undefined : c1 - c0, out: r.stdout?.length ?? 0 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const cpuNow = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Where one cold run's CPU goes, in a child process doing what the runner does (from out/, without
 *  the bundle's code cache): start-up and loading, then either the streamed run with each step's
 *  JSON (engine/compile/stream.ts: parse, lower and run statement by statement) or, `parseOnly`,
 *  reading the statements alone (cold, as in the run), ms. */
function phasesChild(file: string, parseOnly: boolean): void {
  // As bin/iommu-lens.js does before loading the runner.
  v8.setFlagsFromString('--semi-space-growth-factor=1');
  const text = fs.readFileSync(file, 'utf8');
  const c0 = cpuNow();
  let bytes = 0;
  if (parseOnly) {
    const stream = new StatementStream(text, { lean: true });
    while (stream.next());
  } else {
    const w = new JsonLineWriter(file, (c) => { bytes += c.length; });
    const r = runStreamed(text, file, {}, (step) => w.step(step));
    if (!r) throw new Error('the DMA scenario is not a plain trace');
    w.end(r);
  }
  console.log(JSON.stringify({ startup: c0, ms: cpuNow() - c0, bytes }));
}

/** Medians over `runs` children. */
function phases(dir: string, runs: number, parseOnly: boolean): Record<string, number> | undefined {
  try {
    const all: Array<Record<string, number>> = [];
    for (let i = 0; i < runs; i++) {
      const args = [__filename, parseOnly ? '--parse' : '--phases', path.join(dir, 'dma.smmu')];
      all.push(JSON.parse(spawnSync(process.execPath, args, { encoding: 'utf8' }).stdout));
    }
    return Object.fromEntries(Object.keys(all[0]).map((k) => [k, median(all.map((x) => x[k]))]));
  } catch {
    return undefined;
  }
}

export function runCliBench(runs = 5, log: (s: string) => void = console.log, before?: string): { ms: number; cpuMs?: number; baselineCpuMs?: number; ok: boolean } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'iommu-lens-cli-bench-'));
  const text = lowLevelDmaScenario();
  fs.writeFileSync(path.join(dir, 'dma.smmu'), text);
  // The runner's own start-up: an empty scenario (loading the bundle, the run's set-up, exit).
  fs.writeFileSync(path.join(dir, 'empty.smmu'), '');
  const base: Timing[] = [];
  const cli: Timing[] = [];
  const old: Timing[] = [];
  const empty: Timing[] = [];
  const oldEmpty: Timing[] = [];
  timeProcess([BIN, 'run', 'dma.smmu', '--json'], dir); // warm the file cache (and write the code cache)
  if (before) timeProcess([before, 'run', 'dma.smmu', '--json'], dir);
  for (let i = 0; i < runs; i++) {
    base.push(timeProcess(['-e', '0'], dir));
    cli.push(timeProcess([BIN, 'run', 'dma.smmu', '--json'], dir));
    empty.push(timeProcess([BIN, 'run', 'empty.smmu', '--json'], dir));
    if (before) {
      old.push(timeProcess([before, 'run', 'dma.smmu', '--json'], dir));
      oldEmpty.push(timeProcess([before, 'run', 'empty.smmu', '--json'], dir));
    }
  }
  const cpu = cli.every((t) => t.cpuMs !== undefined) ? median(cli.map((t) => t.cpuMs!)) : undefined;
  const baseCpu = base.every((t) => t.cpuMs !== undefined) ? median(base.map((t) => t.cpuMs!)) : undefined;
  const wall = median(cli.map((t) => t.wallMs));
  const baseWall = median(base.map((t) => t.wallMs));
  const judged = cpu ?? wall;
  const ok = judged < 400;
  log(`CLI benchmark: iommu-lens run --json, 20,000-DMA low-level scenario (${(text.length / 1024).toFixed(0)} KB, ` +
    `${(cli[0].out / 1024 / 1024).toFixed(1)} MB of JSON), median of ${runs} runs`);
  log(`  whole process   CPU ${cpu?.toFixed(0) ?? 'n/a'} ms  wall ${wall.toFixed(0)} ms  target < 400 ms  ${ok ? 'OK  ' : 'SLOW'}` +
    `  ${cpu !== undefined && baseCpu ? (cpu / baseCpu).toFixed(1) : (wall / baseWall).toFixed(1)}x baseline`);
  log(`  baseline        CPU ${baseCpu?.toFixed(0) ?? 'n/a'} ms  wall ${baseWall.toFixed(0)} ms  (node -e 0: process start-up)`);
  if (before && old.every((t) => t.cpuMs !== undefined)) {
    const oc = median(old.map((t) => t.cpuMs!));
    log(`  before (${before})  CPU ${oc.toFixed(0)} ms  wall ${median(old.map((t) => t.wallMs)).toFixed(0)} ms  (this build: ${cpu !== undefined ? (cpu / oc).toFixed(2) : 'n/a'}x of it)`);
  }
  const startCpu = (ts: Timing[]) => ts.every((t) => t.cpuMs !== undefined) && baseCpu !== undefined ? ` CPU ${median(ts.map((t) => t.cpuMs!)).toFixed(0)} ms (+${(median(ts.map((t) => t.cpuMs!)) - baseCpu).toFixed(0)})` : '';
  log(`  start-up (an empty scenario, whole process; + over node -e 0)${startCpu(empty)}  wall ${median(empty.map((t) => t.wallMs)).toFixed(0)} ms (+${(median(empty.map((t) => t.wallMs)) - baseWall).toFixed(0)})` +
    (before ? `;  before${startCpu(oldEmpty)}  wall ${median(oldEmpty.map((t) => t.wallMs)).toFixed(0)} ms` : ''));
  const ph = phases(dir, runs, false);
  const pa = phases(dir, runs, true);
  if (ph && pa) {
    log(`  where a cold run's CPU goes (in process, from out/ without the bundle's code cache, medians): loading ${ph.startup.toFixed(0)} ms, ` +
      `streamed run ${ph.ms.toFixed(0)} ms (parse, lower, run and JSON statement by statement; GC inside), of which reading the statements alone ${pa.ms.toFixed(0)} ms`);
  }
  fs.rmSync(dir, { recursive: true, force: true });
  return { ms: wall, cpuMs: cpu, baselineCpuMs: baseCpu, ok };
}

if (require.main === module && (process.argv[2] === '--phases' || process.argv[2] === '--parse')) phasesChild(process.argv[3], process.argv[2] === '--parse');
else if (require.main === module) {
  const i = process.argv.indexOf('--before');
  const r = runCliBench(Number(process.argv[2] ?? 5), console.log, i > 0 ? process.argv[i + 1] : undefined);
  process.exitCode = r.ok ? 0 : 1;
}
