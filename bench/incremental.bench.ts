// Incremental analysis in process (engine/run/checkpoints.ts), on the LSP benchmark's scenarios:
// for one-character edits to a transaction in the last tenth and anywhere, the pieces the worker
// runs per edit (incremental re-parse, compile, run resumed from a checkpoint) against the
// baseline measured in the same run: a run of the same text from the start. Also the checkpoints'
// number, the objects they copied and the heap they add. `node out/bench/incremental.bench.js [--no-100k]`.
import { parse } from '../language-server/src/dsl';
import { reparse } from '../language-server/src/dsl/incremental';
import { compileScenario, type ScenarioSession } from '../language-server/src/engine';
import type { Session } from '../language-server/src/engine/run/session';
import { generateScenario, percentile } from './lsp.bench';

const URI = 'file:///bench.smmu';

function measure(lines: number, mappings: number, transactions: number, edits: number, log: (s: string) => void): void {
  const { text, txLines } = generateScenario(lines, mappings, transactions);
  let cur = text;
  let parsed = parse(text, URI);
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  let prev: ScenarioSession = compileScenario(text, URI, { parsed, checkpoints: {} });
  prev.runToEnd();
  const cps = (prev as Session).checkpointStats()!;
  global.gc?.();
  const heapWith = process.memoryUsage().heapUsed;
  const plain = compileScenario(text, URI, { parsed });
  plain.runToEnd();
  const tail = txLines.filter((l) => l >= lines * 0.9);
  const last = tail.length ? tail : [txLines[txLines.length - 1]];
  for (const [where, pick] of [['last tenth', (i: number) => last[(i * 13) % last.length]], ['anywhere', (i: number) => txLines[(i * 7919) % txLines.length]]] as const) {
    const t = { reparse: [] as number[], compile: [] as number[], run: [] as number[], full: [] as number[], rerun: [] as number[] };
    for (let i = 0; i < edits; i++) {
      const ls = cur.split('\n');
      const ln = pick(i);
      ls[ln] = ls[ln].slice(0, -1) + String((i + 1) % 10);
      const next = ls.join('\n');
      let a = performance.now();
      const p2 = reparse(parsed, cur, next, URI);
      let b = performance.now();
      t.reparse.push(b - a);
      const s = compileScenario(next, URI, { parsed: p2, checkpoints: {}, previous: prev });
      a = performance.now();
      t.compile.push(a - b);
      s.runToEnd();
      b = performance.now();
      t.run.push(b - a);
      t.rerun.push(1 - (s as Session).reused / s.steps.length);
      // Baseline: the same text run from the start (the same compile, no checkpoints).
      const f = compileScenario(next, URI, { parsed: p2 });
      a = performance.now();
      f.runToEnd();
      t.full.push(performance.now() - a);
      prev = s;
      parsed = p2;
      cur = next;
    }
    const run = percentile(t.run, 50);
    const full = percentile(t.full, 50);
    log(`  ${lines} lines, edit ${where} (median of ${edits}): re-parse ${percentile(t.reparse, 50).toFixed(1)} ms, compile ${percentile(t.compile, 50).toFixed(1)} ms, ` +
      `run from checkpoint ${run.toFixed(1)} ms vs from the start ${full.toFixed(1)} ms (baseline): ${(run / full).toFixed(2)}x, ` +
      `${(percentile(t.rerun, 50) * 100).toFixed(0)}% of the steps re-run`);
  }
  log(`  ${lines} lines: ${cps.count} checkpoints (>= ${cps.interval} steps apart), ${cps.objects} objects copied, heap +${((heapWith - heap0) / 1048576).toFixed(0)} MB with them (scenario, program and checkpoints)`);
}

export function runIncrementalBench(log: (s: string) => void = console.log, big = true): void {
  log('Incremental analysis (in process)');
  measure(10_000, 1000, 2000, 12, log);
  if (big) measure(100_000, 10_000, 20_000, 4, log);
}

if (require.main === module) runIncrementalBench(console.log, !process.argv.includes('--no-100k'));
