// Incremental analysis in process (engine/compile/reuse.ts, engine/run/checkpoints.ts and
// converge.ts), on the LSP benchmark's scenarios: for one-character edits to a transaction in the
// last tenth and anywhere, the pieces the worker runs per edit (incremental re-parse, compile
// reusing the previous one, run resumed from a checkpoint and rejoining the previous run where its
// state is the same again) against the baselines measured in the same run: a compile from scratch
// and a run of the same text from the start (re-parse, compile and run figures are CPU time, re-parse against a parse from scratch; compile
// targets < 5 ms at 10k lines and < 40 ms at 100k). Also the checkpoints' number, the objects they copied
// and the heap they add. `node out/bench/incremental.bench.js [--no-100k]`.
import { parse } from '../language-server/src/dsl';
import { reparse } from '../language-server/src/dsl/incremental';
import { compileScenario, type ScenarioSession } from '../language-server/src/engine';
import { Session } from '../language-server/src/engine/run/session';
import { compileIncremental } from '../language-server/src/engine/compile/reuse';
import { generateScenario, percentile } from './lsp.bench';

const URI = 'file:///bench.smmu';

/** CPU milliseconds of `f` (process.cpuUsage: a loaded machine does not inflate it). */
function cpu<T>(f: () => T): [T, number] {
  const c = process.cpuUsage();
  const r = f();
  const d = process.cpuUsage(c);
  return [r, (d.user + d.system) / 1000];
}

export interface IncrementalFigures {
  lines: number;
  where: string;
  /** Medians, CPU ms. */
  compile: number;
  scratch: number;
}

function measure(lines: number, mappings: number, transactions: number, edits: number, log: (s: string) => void, figures: IncrementalFigures[]): void {
  const { text, txLines, mapLines } = generateScenario(lines, mappings, transactions);
  const cdLine = text.split('\n').findIndex((l) => l.startsWith('cd '));
  let cur = text;
  let parsed = parse(text, URI);
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let memo = compileIncremental(text, URI, { parsed }, undefined, true).memo;
  let prev: ScenarioSession = new Session(memo!.program, { checkpoints: {} });
  prev.runToEnd();
  const cps = (prev as Session).checkpointStats()!;
  global.gc?.();
  const heapWith = process.memoryUsage().heapUsed;
  const plain = compileScenario(text, URI, { parsed });
  plain.runToEnd();
  const tail = txLines.filter((l) => l >= lines * 0.9);
  const last = tail.length ? tail : [txLines[txLines.length - 1]];
  const mid = (i: number) => Math.floor(lines * (0.3 + 0.4 * (((i * 7919) % 97) / 97)));
  // Each case: the line it edits and the edit (the lines array changed in place).
  type Case = readonly [string, (i: number) => number, (ls: string[], ln: number, i: number) => void, number];
  const digit = (ls: string[], ln: number, i: number) => void (ls[ln] = ls[ln].slice(0, -1) + String((i + 1) % 10));
  const cases: Case[] = [
    ['last tenth', (i) => last[(i * 13) % last.length], digit, edits],
    ['anywhere', (i) => txLines[(i * 7919) % txLines.length], digit, edits],
    // Lines added and removed in the middle: the statements after them keep their steps, moved.
    ['Enter in the middle', mid, (ls, ln) => void ls.splice(ln, 0, ''), edits],
    ['a paste of 3 lines in the middle', mid, (ls, ln) => void ls.splice(ln, 0, ls[ln], ls[ln + 1], ls[ln + 2]), edits],
    ['a line deleted in the middle', mid, (ls, ln) => void ls.splice(ln, 1), edits],
    // Declarations (compile/relower.ts): the declarations are lowered again, the transactions keep their steps.
    ['a declaration (a map line\'s permissions)', (i) => mapLines[(i * 7919) % mapLines.length], (ls, ln) => void (ls[ln] = ls[ln].replace(/ (rw|r )$/, (m) => (m === ' rw' ? ' r ' : ' rw'))), Math.max(2, edits >> 1)],
    ['a declaration (a map line\'s address)', (i) => mapLines[(i * 7919) % mapLines.length], (ls, ln) => void (ls[ln] = ls[ln].replace(/-> 0x(\w+)/, (_m, a: string) => `-> 0x${(BigInt('0x' + a) ^ 0x100000n).toString(16)}`)), Math.max(2, edits >> 1)],
    ['a declaration (a cd field)', () => cdLine, (ls, ln, i) => void (ls[ln] = ls[ln].replace(/asid \d+/, `asid ${5 + ((i + 1) % 7)}`)), Math.max(2, edits >> 1)],
  ];
  for (const [where, pick, change, count] of cases) {
    const t = { reparse: [] as number[], parse: [] as number[], compile: [] as number[], run: [] as number[], full: [] as number[], scratch: [] as number[], rerun: [] as number[], lowered: [] as number[] };
    for (let i = 0; i < count; i++) {
      const ls = cur.split('\n');
      const ln = pick(i);
      change(ls, ln, i);
      const next = ls.join('\n');
      const [p2, reparseCpu] = cpu(() => reparse(parsed, cur, next, URI));
      t.reparse.push(reparseCpu);
      t.parse.push(cpu(() => parse(next, URI))[1]);
      // compileScenario's two parts apart: the compile reusing the previous one, then the session
      // taking over the previous run up to its checkpoint (counted with the run).
      const options = { parsed: p2, checkpoints: {}, previous: prev };
      const [c, compileCpu] = cpu(() => compileIncremental(next, URI, options, memo, true));
      t.compile.push(compileCpu);
      t.lowered.push(c.lowered);
      memo = c.memo;
      const [s, runCpu] = cpu(() => {
        const x = new Session(c.program, options);
        x.runToEnd();
        return x;
      });
      t.run.push(runCpu);
      t.rerun.push(1 - s.reused / s.steps.length);
      // Baselines: the same text compiled from scratch and run from the start (no checkpoints).
      const [f, scratchCpu] = cpu(() => compileScenario(next, URI, { parsed: p2 }));
      t.scratch.push(scratchCpu);
      t.full.push(cpu(() => f.runToEnd())[1]);
      prev = s;
      parsed = p2;
      cur = next;
    }
    const run = percentile(t.run, 50);
    const steps = prev.steps.length;
    const full = percentile(t.full, 50);
    const compile = percentile(t.compile, 50);
    const scratch = percentile(t.scratch, 50);
    const target = lines >= 100_000 ? 40 : 5;
    figures.push({ lines, where, compile, scratch });
    const reparseMs = percentile(t.reparse, 50);
    const parseMs = percentile(t.parse, 50);
    log(`  ${lines} lines, edit ${where} (median of ${count}): re-parse ${reparseMs.toFixed(1)} ms CPU (p95 ${percentile(t.reparse, 95).toFixed(1)}) vs a parse from scratch ${parseMs.toFixed(1)} ms (baseline): ${(reparseMs / parseMs).toFixed(3)}x, ` +
      `compile ${compile.toFixed(1)} ms CPU (p95 ${percentile(t.compile, 95).toFixed(1)}, target < ${target}) vs from scratch ${scratch.toFixed(1)} ms (baseline): ${(compile / scratch).toFixed(3)}x, ` +
      `run from checkpoint ${run.toFixed(1)} ms CPU (p95 ${percentile(t.run, 95).toFixed(1)}) vs from the start ${full.toFixed(1)} ms (baseline, ${(full * 1000 / steps).toFixed(1)} us/step): ${(run / full).toFixed(2)}x, ` +
      `${(percentile(t.rerun, 50) * 100).toFixed(0)}% of the steps re-run (previous results taken up to the checkpoint before the edit and from the one where the state rejoins the previous run's), statements lowered again ${percentile(t.lowered, 50)} (-1: from scratch)`);
  }
  log(`  ${lines} lines: ${cps.count} checkpoints (>= ${cps.interval} steps apart), ${cps.objects} objects copied, heap +${((heapWith - heap0) / 1048576).toFixed(0)} MB with them (scenario, program and checkpoints)`);
}

export function runIncrementalBench(log: (s: string) => void = console.log, big = true): IncrementalFigures[] {
  log('Incremental analysis (in process)');
  const figures: IncrementalFigures[] = [];
  measure(10_000, 1000, 2000, 12, log, figures);
  if (big) measure(100_000, 10_000, 20_000, 4, log, figures);
  return figures;
}

if (require.main === module) runIncrementalBench(console.log, !process.argv.includes('--no-100k'));
