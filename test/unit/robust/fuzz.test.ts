// CI fuzz (part of `npm test`, seeded, small budget): `parse` and `runScenario` never throw, report
// no internal error, give diagnostics inside the document with start <= end, and stay fast.
// `npm run fuzz` runs the same targets longer (test/fuzz/run.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Rng, exampleTexts, mutate, randomText, randomUtf8, checkParse, checkRun, runTarget, summary, type Failure } from '../../fuzz/lib';
import { recordFuzz } from '../../fuzz/tally';

const SEED = Number(process.env.FUZZ_SEED ?? 42);
const T = { timeout: 60_000 };
const examples = exampleTexts();
/** The examples' statements, one or a few lines each (small inputs: many per second). */
const statements = examples.join('\n').split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));
const someStatements = (rng: Rng) => {
  const a = rng.int(statements.length);
  return statements.slice(a, a + 1 + rng.int(6)).join('\n');
};

function report(target: string, n: number, failures: Failure[]): void {
  console.log(summary(target, n, failures.length, SEED));
  recordFuzz(target, n);
  assert.deepEqual(failures.slice(0, 3), [], `${target}: ${failures.length} failures`);
}

function* gen(n: number, make: () => string): Generator<string> {
  for (let i = 0; i < n; i++) yield make();
}

test('parser: random text, random UTF-8 bytes, lone surrogates, mutated examples', T, () => {
  const rng = new Rng(SEED);
  const failures: Failure[] = [];
  let n = runTarget('parser', gen(1500, () => randomText(rng, 2000)), checkParse, 2000, failures);
  n += runTarget('parser', gen(500, () => randomUtf8(rng, 2000)), checkParse, 2000, failures);
  n += runTarget('parser', gen(500, () => mutate(rng.pick(examples), rng)), checkParse, 2000, failures);
  // fast-check's own string shapes: full Unicode, and code units (lone surrogates included).
  fc.assert(fc.property(fc.oneof(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: fc.constantFrom('{', '}', ';', '\n', '"', '#', '0x', 'smmu ', 'map ', '->', '+', '.', ' ') , maxLength: 400 })), (s) => {
    n++;
    const p = checkParse(s);
    if (p) failures.push({ target: 'parser', input: s, problem: p });
    return true;
  }), { seed: SEED, numRuns: 1000 });
  report('parser', n, failures);
});

test('parser: many small inputs (random text, bytes, mutated statements)', T, () => {
  const rng = new Rng(SEED + 3);
  const failures: Failure[] = [];
  let n = runTarget('parser-small', gen(40_000, () => randomText(rng, 300)), checkParse, 2000, failures);
  n += runTarget('parser-small', gen(10_000, () => randomUtf8(rng, 300)), checkParse, 2000, failures);
  n += runTarget('parser-small', gen(20_000, () => mutate(someStatements(rng), rng)), checkParse, 2000, failures);
  report('parser-small', n, failures);
});

test('engine: many small inputs (mutated statements of the examples, random text)', T, () => {
  const rng = new Rng(SEED + 4);
  const failures: Failure[] = [];
  let n = runTarget('engine-small', gen(8_000, () => mutate(someStatements(rng), rng)), (s) => checkRun(s), 5000, failures);
  n += runTarget('engine-small', gen(15_000, () => randomText(rng, 300)), (s) => checkRun(s), 5000, failures);
  report('engine-small', n, failures);
});

test('engine: mutated examples (token swaps, deletions, duplications, edge numbers)', T, () => {
  const rng = new Rng(SEED + 1);
  const failures: Failure[] = [];
  const n = runTarget('engine', gen(2000, () => mutate(rng.pick(examples), rng)), (s) => checkRun(s), 5000, failures);
  report('engine', n, failures);
});

test('engine: random text and bytes', T, () => {
  const rng = new Rng(SEED + 2);
  const failures: Failure[] = [];
  const n = runTarget('engine-random', gen(1000, () => (rng.chance(0.5) ? randomText(rng, 1500) : randomUtf8(rng, 1500))), (s) => checkRun(s), 5000, failures);
  report('engine-random', n, failures);
});

test('huge inputs: 1 MB lines, 100,000 nested braces, 1 MB of quotes (hang detector: generous bounds)', T, () => {
  const inputs: Array<[string, string]> = [
    ['1 MB number', `write64 ${'0x1'.padEnd(1 << 20, '0')} 0`],
    ['1 MB word', `smmu ${'a'.repeat(1 << 20)}`],
    ['1 MB comment', '#'.repeat(1 << 20)],
    ['1 MB of quotes', '"'.repeat(1 << 20)],
    ['1 MB of tokens on one line', 'dma sid 1 iova 0x1000 '.repeat(50_000)],
    ['100,000 nested braces', `smmu s ${'{'.repeat(100_000)}${'}'.repeat(100_000)}`],
    ['100,000 nested braces in a pagetable', `pagetable p { ${'{ map '.repeat(100_000)}`],
    ['100,000 unmatched closing braces', '}'.repeat(100_000)],
    ['100,000 lines of `{`', '{\n'.repeat(100_000)],
    ['1 MB of lone surrogates', '\ud800'.repeat(1 << 19) + '\udc00'.repeat(1 << 19)],
    ['1 MB of \\r', '\r'.repeat(1 << 20)],
  ];
  const failures: Failure[] = [];
  for (const [name, text] of inputs) {
    // Bounds an order of magnitude above what the code needs: they catch hangs, not slowness (bench/ measures).
    runTarget(name, [text], checkParse, 10_000, failures);
    runTarget(name, [text], (s) => checkRun(s), 20_000, failures);
  }
  report('huge', inputs.length * 2, failures.map((f) => ({ ...f, input: f.input.slice(0, 80) })));
});
