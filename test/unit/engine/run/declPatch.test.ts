// An edit to a declaration re-runs from the first step that uses it (engine/run/declPatch.ts,
// access.ts): the resumed run starts at the previous run's checkpoint before the first step that
// read or wrote a changed word, with the declaration's new words patched in. Re-run steps are
// counted through the session (Session.reused: steps taken over, not run); every result is
// compared with a run of the same text from the start (steps, events, hazards, diagnostics).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { compile } from '../../../../language-server/src/engine/compile/compile';
import { firstChange } from '../../../../language-server/src/engine/run/checkpoints';
import { json, noInclude, runsOf } from './sessions';

const EXAMPLES = path.join(__dirname, '../../../../../examples');
const URI = 'file:///decl.smmu';
const SEED = Number(process.env.FUZZ_SEED ?? 11);
const { scratch, run } = runsOf(URI);

/** 16 mappings, a CD and an STE, then `n` DMAs over pages 0-7 with expectations, then one DMA to
 *  page 12 (the first user of its map line), then `n` more over pages 0-7. A second CD no STE uses. */
function scenario(n: number): string {
  const out = ['smmu smmu0 { stages s1; oas 48 }', 'pagetable pt s1 4K {'];
  for (let i = 0; i < 16; i++) out.push(`  map 0x${(0x1000_0000 + i * 0x1000).toString(16)} +4K -> 0x${(0x8000_0000 + i * 0x1000).toString(16)} rw`);
  out.push('}', 'cd c0 { pagetable pt; asid 5 }', 'cd unused { pagetable pt; asid 9 }', 'ste smmu0 0x100 { cd c0 }');
  const pair = (p: number) => out.push(`dma read sid 0x100 iova 0x${(0x1000_0040 + p * 0x1000).toString(16)}`, `expect pa 0x${(0x8000_0040 + p * 0x1000).toString(16)}`);
  for (let i = 0; i < n; i++) pair(i % 8);
  pair(12);
  for (let i = 0; i < n; i++) pair(i % 8);
  return out.join('\n') + '\n';
}

test('a map line whose first user is late: the run re-runs from the checkpoint before that user, results equal a run from the start', () => {
  const text = scenario(100);
  const prev = run(text).s;
  // Page 12's PA: its PTE changes; the DMA to page 12 (step 2 * 100 + the setup) is its first reader.
  const edited = text.replace('map 0x1000c000 +4K -> 0x8000c000 rw', 'map 0x1000c000 +4K -> 0x8001c000 rw');
  const { s, r } = run(edited, prev);
  assert.equal(json(r), json(scratch(edited)));
  const user = s.steps.findIndex((x) => x.label.includes('iova 0x1000c040'));
  const decl = s.steps.findIndex((x) => x.kind === 'pagetable');
  assert.ok(user > 200 && decl < 20, `the DMA to page 12 is step ${user}, the pagetable step ${decl}`);
  assert.ok(s.reused > decl, `the pagetable step is patched, not re-run (${s.reused} steps taken over)`);
  assert.ok(s.reused <= user && s.reused >= user - 8, `resumed at the checkpoint before step ${user} (every 8 steps): ${s.reused}`);
  assert.equal(r.steps[user].pa, '0x8001c040');
  assert.ok(r.diagnostics.some((d) => d.line === s.steps[user + 1].line), 'the expectation after it now fails');
  // A second edit of the same line resumes there again (a checkpoint is kept at the first user).
  const again = edited.replace('-> 0x8001c000 rw', '-> 0x8002c000 rw');
  const second = run(again, s);
  assert.equal(json(second.r), json(scratch(again)));
  assert.equal(second.s.reused, user, 'resumed exactly at the first user');
});

test('a declaration used by nothing re-runs nothing; its step has its new label', () => {
  const text = scenario(50);
  const prev = run(text).s;
  const edited = text.replace('cd unused { pagetable pt; asid 9 }', 'cd unused { pagetable pt; asid 10 }');
  const { s, r } = run(edited, prev);
  assert.equal(json(r), json(scratch(edited)));
  assert.equal(s.reused, s.steps.length, 'no step re-run');
  assert.ok(r.steps.some((x) => x.kind === 'cd' && x.label.includes('ASID 0xa')), 'the CD step is labelled with its new ASID');
  // A map line no DMA reads, edited twice: still nothing re-run.
  const unread = edited.replace('map 0x1000f000 +4K -> 0x8000f000 rw', 'map 0x1000f000 +4K -> 0x8000f000 r');
  const again = run(unread, s);
  assert.equal(json(again.r), json(scratch(unread)));
  assert.equal(again.s.reused, again.s.steps.length);
});

test('a declaration its first transaction uses (the CD\'s ASID) re-runs from that transaction', () => {
  const text = scenario(50);
  const prev = run(text, undefined, 1).s;
  const edited = text.replace('cd c0 { pagetable pt; asid 5 }', 'cd c0 { pagetable pt; asid 6 }');
  const { s, r } = run(edited, prev, 1);
  assert.equal(json(r), json(scratch(edited)));
  const firstDma = s.steps.findIndex((x) => x.kind === 'dma');
  assert.equal(s.reused, firstDma, 'resumed at the first DMA (a checkpoint every step)');
});

test('an edit that moves the layout, adds a word or a step is not patched: the run resumes before it', () => {
  const text = scenario(30);
  const prev = run(text).s;
  // A mapping in another 2 MB region: a new level-3 table (the allocator lays the CD and STE out after it).
  const edited = text.replace('map 0x1000f000 +4K -> 0x8000f000 rw', 'map 0x1020f000 +4K -> 0x8000f000 rw');
  const { s, r } = run(edited, prev);
  assert.equal(json(r), json(scratch(edited)));
  const decl = s.steps.findIndex((x) => x.kind === 'pagetable');
  assert.ok(s.reused <= decl, `re-run from the pagetable step (${s.reused})`);
});

test('a table edit the hazard analysis watches (a pte after the DMAs that cached it) is re-run, with its hazard', () => {
  const base = scenario(20) + 'pte pt 0x10003000 = 0x0\n' + 'dma read sid 0x100 iova 0x10003040\n';
  const prev = run(base).s;
  const edited = base.replace('pte pt 0x10003000 = 0x0', 'pte pt 0x10003000 = 0x1');
  const { r } = run(edited, prev);
  const want = scratch(edited);
  assert.equal(json(r), json(want));
  assert.ok(want.steps.some((x) => x.hazards.length > 0), 'the pte write is a hazard (no invalidation after a cached translation)');
});

/** A number on a declaration's line (map, cd, ste, pte, ...) changed: one of its digits. */
const DECL = /^\s*(map|unmap|pte|cd|cdtable|ste|pagetable|asid|ttb0|s2ttb|vmid|config)\b/i;
function declEdit(text: string, which: number, digit: number): string {
  const lines = text.split('\n');
  const decls = lines.flatMap((l, k) => (DECL.test(l) && /\d/.test(l) && !l.trimStart().startsWith('#') ? [k] : []));
  if (!decls.length) return text;
  const k = decls[which % decls.length];
  let n = 0;
  const nth = digit % 4;
  lines[k] = lines[k].replace(/\d/g, (d) => (n++ === nth ? String((Number(d) + 1 + (digit % 9)) % 10) : d));
  return lines.join('\n');
}

test('property: random declaration edits to the examples, each run resumed from the previous one, equal a run from the start', () => {
  const examples = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.smmu')).sort();
  let patched = 0;
  fc.assert(
    fc.property(fc.constantFrom(...examples), fc.array(fc.record({ which: fc.nat(200), digit: fc.nat(40) }), { minLength: 1, maxLength: 5 }), (file, edits) => {
      let text = fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
      let prev = run(text, undefined, 1).s;
      for (const e of edits) {
        const was = text;
        text = declEdit(text, e.which, e.digit);
        const { s, r } = run(text, prev, 1);
        assert.equal(json(r), json(scratch(text)), `${file} after ${json(e)}`);
        // (resumed after the first changed step: a declaration's words patched in)
        if (s.reused > firstChange(compile(was, URI, { readInclude: noInclude }), compile(text, URI, { readInclude: noInclude }))) patched++;
        prev = s;
      }
    }),
    { numRuns: Number(process.env.FUZZ_PROPERTY_RUNS ?? 60), seed: SEED },
  );
  assert.ok(patched > 10, `${patched} runs resumed after the declaration they edit`);
});
