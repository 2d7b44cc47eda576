// `npm run fuzz [-- --seed N] [--budget SECONDS] [--target NAME]`: the long fuzz run for local use.
// Each target runs until its share of the budget is spent; prints one summary line per target and
// the first failures found (input and problem). Exit status 1 when anything failed.
import * as fs from 'node:fs';
import { checkEditSession } from './edits';
import { checkWorkerSession, longerBase } from './worker';
import { Rng, exampleTexts, mutate, randomText, randomUtf8, checkParse, checkRun, runTarget, summary, type Failure } from './lib';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}
const seed = arg('seed', Date.now() % 1_000_000);
const budgetMs = arg('budget', 60) * 1000;
const only = process.argv.includes('--target') ? process.argv[process.argv.indexOf('--target') + 1] : undefined;

// --trace FILE: each input is written to FILE before it runs (finds the input that kills the process).
const traceFile = process.argv.includes('--trace') ? process.argv[process.argv.indexOf('--trace') + 1] : undefined;
function* timed(make: () => string, ms: number): Generator<string> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    const s = make();
    if (traceFile) fs.writeFileSync(traceFile, s);
    yield s;
  }
}

const examples = exampleTexts();
const targets: Array<[string, () => string, (s: string) => string | undefined]> = [];
{
  const rng = new Rng(seed);
  targets.push(['parser', () => (rng.chance(0.5) ? randomText(rng, 3000) : rng.chance(0.5) ? randomUtf8(rng, 3000) : mutate(rng.pick(examples), rng)), checkParse]);
  const rng2 = new Rng(seed + 1);
  targets.push(['engine-mutations', () => mutate(rng2.pick(examples), rng2), (s) => checkRun(s)]);
  const rng3 = new Rng(seed + 2);
  targets.push(['engine-random', () => (rng3.chance(0.5) ? randomText(rng3, 1500) : randomUtf8(rng3, 1500)), (s) => checkRun(s)]);
}
const active = targets.filter(([n]) => !only || n === only);
// Targets: parser, engine-mutations, engine-random, big, incremental (edit sessions, features after edits, the engine worker).
let failed = 0;
for (const [name, make, check] of active) {
  const failures: Failure[] = [];
  const n = runTarget(name, timed(make, budgetMs / active.length), check, 5000, failures);
  console.log(summary(name, n, failures.length, seed));
  const seen = new Set<string>();
  for (const f of failures) {
    const key = f.problem.split('\n').slice(0, 2).join('|');
    if (seen.has(key) || seen.size >= 10) continue;
    seen.add(key);
    console.log(`  ${f.problem.split('\n').slice(0, 4).join('\n    ')}\n  input: ${JSON.stringify(f.input).slice(0, 600)}`);
  }
  failed += failures.length;
}
// Random incremental edit sessions through the server's document analysis (async: after the rest).
async function incremental(): Promise<void> {
  if (only && only !== 'incremental') return;
  const rng = new Rng(seed + 3);
  const share = budgetMs / (active.length + 2);
  let end = performance.now() + share;
  let edits = 0;
  let features = 0;
  let problems: string[] = [];
  for (let i = 0; performance.now() < end; i++) {
    const r = await checkEditSession(rng, rng.pick(examples), `file:///session-${i}.smmu`);
    edits += r.edits;
    features += r.features;
    if (r.problem) problems.push(r.problem);
  }
  console.log(summary('incremental edit sessions', edits, problems.length, seed));
  console.log(summary('completion, signature help and hover right after an edit', features, 0, seed));
  for (const p of problems.slice(0, 5)) console.log(`  ${p}`);
  failed += problems.length;
  // Through the engine worker in process: incremental compile, relower, rejoin, step deltas.
  end = performance.now() + share;
  edits = 0;
  problems = [];
  for (let i = 0; performance.now() < end; i++) {
    const base = i % 2 ? longerBase(rng.pick(examples), 64 + rng.int(400)) : rng.pick(examples);
    const r = checkWorkerSession(rng, base, `file:///worker-${i}.smmu`);
    edits += r.edits;
    if (r.problem) problems.push(r.problem);
  }
  console.log(summary('incremental edits through the engine worker', edits, problems.length, seed));
  for (const p of problems.slice(0, 5)) console.log(`  ${p}`);
  failed += problems.length;
}

// Once, outside the per-input budget: a 50 MB file (2.6 million lines) through the parser and the engine.
if (!only || only === 'big') {
  const big = `smmu smmu0\n${'write64 0x1000 0x5\n'.repeat(2_700_000)}`;
  const failures: Failure[] = [];
  runTarget('50 MB parse', [big], checkParse, 60_000, failures);
  runTarget('50 MB run', [big], (s) => checkRun(s), 180_000, failures);
  console.log(summary('big (50 MB file)', 2, failures.length, seed));
  for (const f of failures) console.log(`  ${f.problem.slice(0, 300)}`);
  failed += failures.length;
}
void incremental().then(() => {
  process.exitCode = failed ? 1 : 0;
});
