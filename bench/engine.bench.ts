// Engine scenario benchmark: a scenario of 100,000 mappings compiled and run by the engine
// (parse, names, page-table layout, steps), then 1,000,000 transactions through the engine's
// transaction step path (model + wire results), timed, with the memory used.
import { compile } from '../language-server/src/engine/compile/compile';
import { Runtime } from '../language-server/src/engine/run/runtime';
import type { WireStep } from '../language-server/src/engine/api';
import { Stopwatch, type Timing } from './clock';

export interface EngineBenchResult {
  mappings: number;
  transactions: number;
  lines: number;
  compileMs: number;
  runStepsMs: number;
  transactionsMs: number;
  /** CPU time of the same three phases, ms. */
  compileCpuMs: number;
  runStepsCpuMs: number;
  transactionsCpuMs: number;
  /** Heap + external memory after the run, MB. */
  memoryMb: number;
  errors: number;
}

/** 100,000 4K mappings in one stage-1 table (contiguous IOVAs, scattered PAs so no blocks form). */
export function scenarioText(mappings: number): string {
  const out: string[] = ['smmu smmu0', 'pagetable big s1 4K {'];
  for (let i = 0; i < mappings; i++) {
    const iova = 0x10_0000_0000 + i * 0x1000;
    const pa = 0x1_0000_0000 + ((i * 7919) % mappings) * 0x1000;
    out.push(`  map 0x${iova.toString(16)} +4K -> 0x${pa.toString(16)} rw`);
  }
  out.push('}', 'cd c { pagetable big; asid 1 }', 'ste smmu0 0x100 { cd c }', 'dma smmu0 read sid 0x100 iova 0x10_0000_0010 expect outcome ok', '');
  return out.join('\n');
}

export function benchEngine(mappings = 100_000, transactions = 1_000_000): EngineBenchResult {
  const text = scenarioText(mappings);
  let sw = new Stopwatch();
  const program = compile(text, 'bench.smmu');
  const t1: Timing = sw.read();
  sw = new Stopwatch();
  const rt = runSteps(program);
  const t2: Timing = sw.read();
  sw = new Stopwatch();
  // One request per distinct address, built before timing, as lowering builds one per `dma`
  // statement (the timed loop measures the engine, not the benchmark's BigInt arithmetic).
  const access = { read: true, exec: false, priv: false };
  const base = 0x10_0000_0000n;
  const reqs = Array.from({ length: mappings }, (_, p) => ({ sid: 0x100, iova: base + (BigInt(p) << 12n), access, len: 4n }));
  sw = new Stopwatch();
  let ok = 0;
  for (let i = 0, p = 0; i < transactions; i++) {
    const out: WireStep = { index: i, line: 0, col: 0, endLine: 0, endCol: 0, kind: 'dma', label: '', events: [], hazards: [] };
    rt.transaction('smmu0', reqs[p], out);
    if (++p === mappings) p = 0;
    if (out.outcome === 'ok') ok++;
  }
  const t3: Timing = sw.read();
  const mem = process.memoryUsage();
  if (ok !== transactions) throw new Error(`engine bench: ${transactions - ok} transactions did not translate`);
  return {
    mappings, transactions, lines: text.split('\n').length, compileMs: t1.wallMs, runStepsMs: t2.wallMs, transactionsMs: t3.wallMs,
    compileCpuMs: t1.cpuMs, runStepsCpuMs: t2.cpuMs, transactionsCpuMs: t3.cpuMs,
    memoryMb: (mem.heapUsed + mem.external + mem.arrayBuffers) / 1e6, errors: program.diagnostics.filter((d) => d.severity === 'error').length,
  };
}

/**
 * Cost of hazard analysis: `transactions` transaction steps (beginStep / transaction / endStep,
 * as a session runs them) with the engine's hazard hook, and the same without any hook, on
 * fresh runtimes of one compiled scenario. Target: with / without <= 2.
 */
/** A Runtime that has run every step of the program, as the engine's step loop does. */
function runSteps(program: ReturnType<typeof compile>): Runtime {
  const rt = new Runtime(program);
  program.steps.forEach((s, i) => {
    const out: WireStep = { index: i, line: s.range.line, col: s.range.col, endLine: s.range.endLine, endCol: s.range.endCol, kind: s.kind, label: s.label, events: [], hazards: [] };
    rt.beginStep(i, s);
    s.run(rt, out);
    rt.endStep(out);
  });
  return rt;
}

export function benchHazardOverhead(mappings = 10_000, transactions = 200_000): { withMs: number; withoutMs: number; withCpuMs: number; withoutCpuMs: number } {
  const program = compile(scenarioText(mappings), 'bench.smmu');
  const hook = Runtime.hazardHook;
  const once = (): Timing => {
    const rt = runSteps(program);
    const dma = program.steps[program.steps.length - 2];
    if (dma.kind !== 'dma') throw new Error(`hazard bench: step kind ${dma.kind}`);
    const access = { read: true, exec: false, priv: false };
    const base = 0x10_0000_0000n;
    const sw = new Stopwatch();
    for (let i = 0; i < transactions; i++) {
      const out: WireStep = { index: i, line: 0, col: 0, endLine: 0, endCol: 0, kind: 'dma', label: '', events: [], hazards: [] };
      rt.beginStep(program.steps.length - 2, dma);
      rt.transaction('smmu0', { sid: 0x100, iova: base + (BigInt(i % mappings) << 12n), access, len: 4n }, out);
      rt.endStep(out);
      if (out.outcome !== 'ok') throw new Error('hazard bench: transaction did not translate');
    }
    return sw.read();
  };
  try {
    Runtime.hazardHook = undefined;
    once(); // warm-up
    const without = once();
    Runtime.hazardHook = hook;
    once();
    const withHook = once();
    return { withMs: withHook.wallMs, withoutMs: without.wallMs, withCpuMs: withHook.cpuMs, withoutCpuMs: without.cpuMs };
  } finally {
    Runtime.hazardHook = hook;
  }
}
