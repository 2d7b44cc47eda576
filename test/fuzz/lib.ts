// Shared pieces of the fuzz and robustness suites: a seeded PRNG, input generators (raw strings,
// bytes, grammar-aware mutations of the examples) and the checks every target must pass.
// Used by test/unit/robust/ (small budget, part of `npm test`) and test/fuzz/run.ts (`npm run fuzz`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, tokenize, MAX_DIAGNOSTICS } from '../../language-server/src/dsl';
import { runScenario } from '../../language-server/src/engine';
import type { EngineOptions, WireScenarioResult } from '../../language-server/src/engine';
import { repoRoot } from '../unit/server/helper';

export { repoRoot };

/** Deterministic xorshift32 PRNG: `next()` is a uint32, `int(n)` in [0, n), `pick(a)`. */
export class Rng {
  private x: number;
  constructor(seed: number) {
    this.x = (seed >>> 0) || 0x9e3779b9;
  }
  next(): number {
    let x = this.x;
    x ^= x << 13; x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5; x >>>= 0;
    this.x = x;
    return x;
  }
  int(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)];
  }
  chance(p: number): boolean {
    return this.next() / 0x1_0000_0000 < p;
  }
}


/** Every examples/*.smmu text, the seed corpus of the mutators. */
export function exampleTexts(): string[] {
  const dir = path.join(repoRoot(), 'examples');
  return fs.readdirSync(dir).filter((f) => f.endsWith('.smmu')).sort().map((f) => fs.readFileSync(path.join(dir, f), 'utf8'));
}

/** Numbers at the edges of 64 bits and of the fields they land in. */
export const EDGE_NUMBERS = [
  '0', '1', '63', '64', '65', '0xffff_ffff_ffff_ffff', '0x1_0000_0000_0000_0000', '18446744073709551615',
  '18446744073709551616', '0x8000_0000_0000_0000', '0xffff_ffff', '0x1_0000_0000', '-1', '0x', '0b', '0b2',
  '16P', '0xfffffP', '1P', '4K', '+0', '+16P', '0xffff_ffff_ffff_f000', '99999999999999999999999999', '1e9', '3.1.4',
];
const EXTRA_WORDS = [
  'smmu', 'ste', 'cd', 'cdtable', 'pagetable', 'map', 'unmap', 'pte', 'dma', 'ats', 'cmd', 'reg', 'write64', 'write32',
  'write8', 'expect', 'include', 'raw', 'sid', 'ssid', 'iova', 'len', 'no', 'pa', 'fault', 'level', 'at', 'ia', 'oas', 'sl0',
  's1', 's2', 'nested', '4k', '16k', '64k', 'config', 'abort', 'bypass', 't0sz', 'tg0', 'ips', 's2sl0', 's2t0sz', 's2tg',
  's2ps', 's1fmt', 's1cdmax', 'strtab', 'split', 'log2size', 'cmdqs', 'eventqs', 'tlb', 'configcache', '{', '}', ';', '->',
  '.', ',', '=', ':', '"', '"x.smmu"', '\n', 'CMD_SYNC', 'CMD_TLBI_NH_VA', 'CMD_CFGI_ALL', 'CMD_RESUME', 'smmu0', 'SMMU_CR0',
  'SMMU_CMDQ_PROD', 'smmuen', 'F_TRANSLATION', 'hazard', 'mem', 'outcome', 'stalled', 'rwx', 'none', 'ro', 'contig', 'dbm',
  'af0', 'granules', 'sidbits', 'ssidbits', 'stall', 'forced', 'httu', 'hd', '2level', 'linear', 'cdmax', 'vmid', 'asid',
];

/** A grammar-aware mutation of `text`: token swaps, deletions, duplications, edge numbers. */
export function mutate(text: string, rng: Rng): string {
  const toks = tokenize(text).map((t) => t.text);
  const n = 1 + rng.int(8);
  for (let k = 0; k < n && toks.length > 0; k++) {
    const i = rng.int(toks.length);
    switch (rng.int(8)) {
      case 0: toks.splice(i, 1); break; // delete
      case 1: toks.splice(i, 0, toks[i]); break; // duplicate
      case 2: { const j = rng.int(toks.length); [toks[i], toks[j]] = [toks[j], toks[i]]; break; } // swap
      case 3: toks[i] = rng.pick(EDGE_NUMBERS); break;
      case 4: toks.splice(i, 0, rng.pick(EXTRA_WORDS)); break;
      case 5: toks[i] = rng.pick(EXTRA_WORDS); break;
      case 6: { // duplicate a line range
        const lines = toks.join(' ').split('\n');
        const a = rng.int(lines.length);
        const b = Math.min(lines.length, a + 1 + rng.int(4));
        lines.splice(b, 0, ...lines.slice(a, b));
        return mutate(lines.join('\n'), rng);
      }
      default: if (/^(0x[0-9a-f_]+|\d[\d_]*)$/i.test(toks[i] ?? '')) toks[i] = rng.pick(EDGE_NUMBERS); break;
    }
  }
  // Tokens are rejoined with single spaces (so `+4K` may become `+ 4K`: more syntax errors to recover from).
  return toks.join(' ');
}

/** Random text: code units from a mix of ASCII, the language's words, lone surrogates, controls. */
export function randomText(rng: Rng, maxLen: number): string {
  const len = rng.int(maxLen);
  let s = '';
  while (s.length < len) {
    switch (rng.int(6)) {
      case 0: s += String.fromCharCode(rng.int(0x80)); break;
      case 1: s += rng.pick(EXTRA_WORDS) + ' '; break;
      case 2: s += String.fromCharCode(0xd800 + rng.int(0x800)); break; // lone surrogate (either half)
      case 3: s += String.fromCharCode(rng.int(0x10000)); break;
      case 4: s += rng.pick(EDGE_NUMBERS) + ' '; break;
      default: s += rng.pick(['\n', '\r\n', '\r', '\t', ' ', '\u2028', '\ufeff', '\0']); break;
    }
  }
  return s;
}

/** Random bytes decoded as UTF-8 (invalid sequences become U+FFFD). */
export function randomUtf8(rng: Rng, maxLen: number): string {
  const b = Buffer.alloc(rng.int(maxLen));
  for (let i = 0; i < b.length; i++) b[i] = rng.next() & 0xff;
  return b.toString('utf8');
}

/** A failure found by a check: which target, the input (maybe cut), what went wrong. */
export interface Failure {
  target: string;
  input: string;
  problem: string;
}

function cut(s: string): string {
  return s.length > 2000 ? `${s.slice(0, 2000)}… (${s.length} chars)` : s;
}

/** Lines of `text` as the LSP counts them (\n, \r\n, \r). */
function lineLengths(text: string): number[] {
  const out: number[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      out.push(i - start);
      if (c === 13 && text.charCodeAt(i + 1) === 10) i++;
      start = i + 1;
    }
  }
  out.push(text.length - start);
  return out;
}

/** `parse` must not throw, and its diagnostics must have ranges inside the text, start <= end. */
export function checkParse(text: string): string | undefined {
  let r;
  try {
    r = parse(text);
  } catch (e) {
    return `parse threw: ${e instanceof Error ? e.stack : String(e)}`;
  }
  if (r.tree.end !== text.length) return `tree ends at ${r.tree.end}, text length ${text.length}`;
  if (r.diagnostics.length > MAX_DIAGNOSTICS + 1) return `${r.diagnostics.length} diagnostics`;
  const lines = lineLengths(text);
  for (const d of r.diagnostics) {
    if (!(d.start >= 0 && d.start <= d.end && d.end <= text.length)) return `diagnostic offsets ${d.start}..${d.end} (${d.code})`;
    const { start, end } = d.range;
    if (start.line > end.line || (start.line === end.line && start.character > end.character)) return `diagnostic range reversed (${d.code})`;
    for (const p of [start, end]) {
      if (p.line < 0 || p.line >= lines.length || p.character < 0 || p.character > lines[p.line]) return `diagnostic position ${p.line}:${p.character} outside the text (${d.code})`;
    }
  }
  return undefined;
}

/**
 * `runScenario` must not throw, must report no E_INTERNAL (an exception the engine caught), and
 * its diagnostics must be inside the document (1-based lines/columns), start <= end.
 */
export function checkRun(text: string, options: EngineOptions = {}): string | undefined {
  let r: WireScenarioResult;
  try {
    r = runScenario(text, 'file:///fuzz.smmu', options);
  } catch (e) {
    return `runScenario threw: ${e instanceof Error ? e.stack : String(e)}`;
  }
  const lines = lineLengths(text);
  for (const d of r.diagnostics) {
    if (d.code === 'E_INTERNAL') return `E_INTERNAL at ${d.line}:${d.col}: ${d.message}`;
    if (d.line < 1 || d.col < 1 || d.line > lines.length || d.col > lines[d.line - 1] + 1) return `diagnostic start ${d.line}:${d.col} outside the text (${d.code}: ${d.message})`;
    if (d.endLine < d.line || (d.endLine === d.line && d.endCol < d.col)) return `diagnostic range reversed ${d.line}:${d.col}-${d.endLine}:${d.endCol} (${d.code})`;
    if (d.endLine > lines.length || d.endCol > lines[d.endLine - 1] + 1) return `diagnostic end ${d.endLine}:${d.endCol} outside the text (${d.code}: ${d.message})`;
  }
  return undefined;
}

/** Runs `check` over `inputs`, timing each; an input slower than `slowMs` is a failure (a hang). */
export function runTarget(target: string, inputs: Iterable<string>, check: (s: string) => string | undefined, slowMs: number, failures: Failure[]): number {
  let count = 0;
  for (const input of inputs) {
    count++;
    const t0 = performance.now();
    const problem = check(input);
    const ms = performance.now() - t0;
    if (problem) failures.push({ target, input: cut(input), problem });
    else if (ms > slowMs) failures.push({ target, input: cut(input), problem: `took ${ms.toFixed(0)} ms (> ${slowMs})` });
  }
  return count;
}

/** The summary line every suite prints. */
export function summary(target: string, inputs: number, failures: number, seed: number): string {
  return `fuzz: ${target} ${inputs} inputs, ${failures} failures (seed ${seed})`;
}
