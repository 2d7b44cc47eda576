// The engine's layering, read from its source: no import cycle (type-only imports count), and the
// phases depend one way: compile/ may import run/ and output/, run/ may import output/, output/
// imports neither (the runtime does not know how steps were compiled; the wire output knows
// neither). api.ts is the contract (wire shapes and options: output level); index.ts is the entry
// point and nothing inside the engine imports it.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ENGINE = path.join(__dirname, '../../../../language-server/src/engine');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports of a file (static, type-only, re-exports and dynamic), resolved to files. */
function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
    const base = path.resolve(path.dirname(file), m[1]);
    const hit = [`${base}.ts`, path.join(base, 'index.ts')].find((c) => fs.existsSync(c));
    assert.ok(hit, `${path.relative(ENGINE, file)}: cannot resolve import '${m[1]}'`);
    out.push(hit);
  }
  return out;
}

/** Phase rank: a file may import files of its own rank or lower. */
function rank(file: string): number {
  const rel = path.relative(ENGINE, file).split(path.sep);
  if (rel[0] === '..') return -1; // outside the engine (dsl/, model/)
  if (rel.length === 1) return rel[0] === 'index.ts' ? 3 : 0; // api.ts is the contract
  return { output: 0, run: 1, compile: 2 }[rel[0]] ?? Number.NaN;
}

const files = sources(ENGINE);
const graph = new Map(files.map((f) => [f, imports(f)]));
const name = (f: string) => path.relative(ENGINE, f);

test('every engine file lives in a phase folder (compile/, run/, output/) or is api.ts / index.ts', () => {
  assert.ok(files.length > 20, 'the engine sources were found');
  for (const f of files) assert.ok(!Number.isNaN(rank(f)), `${name(f)} is outside the phase folders`);
});

test('phases import one way: compile -> run -> output, never back; nothing imports index.ts', () => {
  const bad: string[] = [];
  for (const [f, deps] of graph) {
    for (const d of deps) {
      if (rank(d) === -1) continue;
      if (rank(d) > rank(f) || (name(d) === 'index.ts')) bad.push(`${name(f)} -> ${name(d)}`);
    }
  }
  assert.deepEqual(bad, []);
});

test('no import cycle among the engine files (type-only imports included)', () => {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[] = [];
  const stack: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    stack.push(f);
    for (const d of graph.get(f) ?? []) {
      if (!graph.has(d)) continue;
      const s = state.get(d);
      if (s === 'open') cycles.push([...stack.slice(stack.indexOf(d)), d].map(name).join(' -> '));
      else if (s === undefined) visit(d);
    }
    stack.pop();
    state.set(f, 'done');
  };
  for (const f of files) if (!state.has(f)) visit(f);
  assert.deepEqual(cycles, []);
});
