// Incremental compile (engine/compile/reuse.ts): the compile of an edited document lowers again
// only the statements the edit changed (and the next ones until the lowering state is the same
// again); the program must equal a compile from scratch: steps (keys, labels, ranges), watched
// steps, diagnostics, and the run's result. Property: random in-line and whole-line edits to the
// examples. Plus the cases the issue names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { compileIncremental, type Compiled } from '../../../../language-server/src/engine/compile/reuse';
import { compileFull } from '../../../../language-server/src/engine/compile/compile';
import type { EngineOptions } from '../../../../language-server/src/engine/api';
import type { Program } from '../../../../language-server/src/engine/run/runtime';
import { Session } from '../../../../language-server/src/engine/run/session';
import { compileScenario } from '../../../../language-server/src/engine';
import { parse } from '../../../../language-server/src/dsl';
import { reparse } from '../../../../language-server/src/dsl/incremental';
import { copiesMade, pendingCount } from '../../../../language-server/src/dsl/shiftedList';

const EXAMPLES = path.join(__dirname, '../../../../../examples');
const URI = 'file:///edit.smmu';
const noInclude: EngineOptions['readInclude'] = () => ({ error: 'includes are not read here' });
const SEED = Number(process.env.FUZZ_SEED ?? 42);

const json = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/** Everything a program shows besides its closures (a step's key covers what its `run` uses). */
function shape(p: Program): string {
  const watched = p.steps.map((_s, i) => (p.watched?.has(i) ? 1 : 0)).join('');
  return json({ steps: p.steps.map((s) => [s.key, s.kind, s.label, s.smmu, s.range]), diagnostics: p.diagnostics, watched, setupKey: p.setupKey, sids: p.sids, partial: p.partial });
}

function run(p: Program): string {
  return json(new Session(p).runToEnd());
}

/** Compiles `text` after `prev` and checks it against a compile from scratch. */
function step(text: string, prev: Compiled | undefined, options: EngineOptions = { readInclude: noInclude }, what = ''): Compiled {
  const got = compileIncremental(text, URI, options, prev?.memo);
  const want = compileFull(text, URI, options).program;
  assert.equal(shape(got.program), shape(want), `program after ${what}`);
  assert.equal(run(got.program), run(want), `run after ${what}`);
  return got;
}

type Edit = { kind: 'digit' | 'char' | 'delete' | 'comment' | 'inline' | 'copy' | 'join' | 'enter' | 'drop' | 'paste' | 'decl' | 'undo'; at: number; from: number; digit: number };

/** Lines that declare (or edit what declarations lay out): `decl` edits a number on one of them. */
const DECL = /^\s*(map|unmap|pte|cd|cdtable|ste|smmu|pagetable|reg|cmd|iommufd|vsmmu|\w+\s*[:=]|\w+ 0x|s2|vmid|asid)\b/i;

function apply(text: string, e: Edit, before?: string): string {
  if (e.kind === 'undo') return before ?? text;
  const lines = text.split('\n');
  const i = e.at % lines.length;
  const l = lines[i];
  const c = l.length ? e.from % l.length : 0;
  if (e.kind === 'digit') lines[i] = l.replace(/0x[0-9a-f]+/i, (m) => m.slice(0, -1) + e.digit.toString(16));
  else if (e.kind === 'char') lines[i] = l.slice(0, c) + 'x0 }#'[e.digit % 5] + l.slice(c);
  else if (e.kind === 'delete') lines[i] = l.slice(0, c) + l.slice(c + 1 + (e.digit % 3));
  else if (e.kind === 'inline') lines[i] = l + ' # ' + e.digit;
  else if (e.kind === 'comment') lines.splice(i, 0, '# note');
  else if (e.kind === 'copy') lines.splice(i, 0, lines[e.from % lines.length]);
  else if (e.kind === 'enter') lines.splice(i, 0, '');
  else if (e.kind === 'drop') lines.splice(i, 1 + (e.digit % 2));
  else if (e.kind === 'paste') lines.splice(i, 0, ...lines.slice(e.from % lines.length, (e.from % lines.length) + 2 + (e.digit % 4)));
  else if (e.kind === 'decl') {
    const decls = lines.map((x, k) => (DECL.test(x) && /\d/.test(x) ? k : -1)).filter((k) => k >= 0);
    if (decls.length) {
      const k = decls[e.from % decls.length];
      let n = 0;
      lines[k] = lines[k].replace(/\d/g, (d) => (n++ === e.digit % 3 ? String((Number(d) + 1 + (e.at % 9)) % 10) : d));
    }
  }
  else if (i + 1 < lines.length) lines.splice(i, 2, l + ' ' + lines[i + 1]);
  return lines.join('\n');
}

const edit = fc.record({
  kind: fc.constantFrom<Edit['kind']>('digit', 'digit', 'char', 'char', 'delete', 'inline', 'comment', 'copy', 'join', 'enter', 'drop', 'paste', 'decl', 'decl', 'undo'),
  at: fc.nat(400), from: fc.nat(400), digit: fc.nat(15),
});

const examples = fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.smmu')).sort();

test('property: after each random edit the incremental compile equals a compile from scratch', () => {
  let reused = 0;
  fc.assert(
    fc.property(fc.constantFrom(...examples), fc.array(edit, { minLength: 1, maxLength: 8 }), (file, edits) => {
      let text = fs.readFileSync(path.join(EXAMPLES, file), 'utf8');
      let prev = step(text, undefined);
      let before: string | undefined;
      for (const e of edits) {
        const was = text;
        text = apply(text, e, before);
        before = was;
        prev = step(text, prev, undefined, `${file} ${json(e)}`);
        if (prev.lowered >= 0) reused++;
      }
    }),
    { numRuns: Number(process.env.FUZZ_PROPERTY_RUNS ?? 40), seed: SEED },
  );
  assert.ok(reused > 20, `${reused} compiles reused the earlier one`);
});

/** Declarations, then `n` transactions with expectations. */
function scenario(n: number, extra = ''): string {
  const out = ['smmu smmu0 { stages s1; oas 48 }', 'pagetable pt s1 4K {'];
  for (let i = 0; i < 16; i++) out.push(`  map 0x${(0x1000_0000 + i * 0x1000).toString(16)} +4K -> 0x${(0x8000_0000 + i * 0x1000).toString(16)} rw`);
  out.push('}', 'cd c0 { pagetable pt; asid 5 }', 'ste smmu0 0x100 { cd c0 }', extra);
  for (let i = 0; i < n; i++) {
    const p = i % 16;
    out.push(`dma read sid 0x100 iova 0x${(0x1000_0040 + p * 0x1000).toString(16)}`, `expect pa 0x${(0x8000_0040 + p * 0x1000).toString(16)}`);
  }
  return out.join('\n') + '\n';
}

const replaceLine = (text: string, i: number, f: (l: string) => string) => {
  const ls = text.split('\n');
  ls[i] = f(ls[i]);
  return ls.join('\n');
};

test('an edit inside a transaction lowers that statement and the next few only', () => {
  const text = scenario(200);
  const s0 = step(text, undefined);
  const line = text.split('\n').findIndex((l, i) => i > 100 && l.startsWith('dma'));
  // The IOVA: the dma and its expectation (until the next transaction sets the same state).
  const t1 = replaceLine(text, line, (l) => l.replace(/40$/, '48'));
  const s1 = step(t1, s0, undefined, 'the IOVA');
  assert.ok(s1.lowered >= 1 && s1.lowered <= 3, `lowered ${s1.lowered}`);
  // Half-typed (a syntax error): the state differs until the next transaction.
  const t2 = replaceLine(t1, line, (l) => l.replace(/iova 0x\w+$/, 'iova 0x'));
  const s2 = step(t2, s1, undefined, 'an incomplete dma');
  assert.ok(s2.lowered >= 1 && s2.lowered <= 3, `lowered ${s2.lowered}`);
  assert.ok(s2.program.diagnostics.some((d) => d.line === line + 1 && d.severity === 'error'));
  // An expectation that now fails to match is still one statement.
  const t3 = replaceLine(t2, line + 1, (l) => l.replace(/pa 0x/, 'pa 0x1'));
  const s3 = step(t3, s2, undefined, 'the expectation');
  assert.ok(s3.lowered >= 1 && s3.lowered <= 3, `lowered ${s3.lowered}`);
});

test('a comment-only edit compiles nothing', () => {
  const text = scenario(50);
  const s0 = step(text, undefined);
  const s1 = step(text.replace('cd c0 { pagetable pt; asid 5 }', 'cd c0 { pagetable pt; asid 5 } # the CD'), s0, undefined, 'a comment');
  assert.equal(s1.lowered, 0);
  const s2 = step(s1.memo!.text.replace('# the CD', '# the context descriptor'), s1, undefined, 'a comment edit');
  assert.equal(s2.lowered, 0);
});

test('an edit to a declaration used later, a rename, a deleted declaration: the declarations are laid out again', () => {
  const text = scenario(40);
  const s0 = step(text, undefined);
  // The ASID the CD declares: the CD's step and every TLB entry change; the CD and the STE that
  // reads it are lowered again (not the smmu nor the pagetable), the transactions keep their steps.
  const s1 = step(text.replace('asid 5', 'asid 7'), s0, undefined, 'the ASID');
  assert.equal(s1.lowered, 2);
  // A rename of the table the CD uses, then its use: an unknown name in between.
  const t2 = s1.memo!.text.replace('pagetable pt s1', 'pagetable pt2 s1');
  const s2 = step(t2, s1, undefined, 'a renamed table');
  assert.ok(s2.program.diagnostics.some((d) => d.code === 'E_UNKNOWN_NAME'));
  const s3 = step(t2.replace('pagetable pt;', 'pagetable pt2;'), s2, undefined, 'the use renamed');
  assert.ok(!s3.program.diagnostics.some((d) => d.severity === 'error'));
  // The CD deleted: the STE and the DMAs on its StreamID are skipped, said once.
  const s4 = step(s3.memo!.text.replace(/cd c0 \{[^}]*\}/, ''), s3, undefined, 'a deleted CD');
  assert.ok(s4.program.diagnostics.some((d) => d.code === 'E_UNKNOWN_NAME' && /Not run because of this/.test(d.message)));
  // Then an edit to a DMA the deleted CD skips: reused, with the same "not run" list.
  const line = s4.memo!.text.split('\n').findIndex((l) => l.startsWith('dma'));
  step(replaceLine(s4.memo!.text, line, (l) => l.replace(/40$/, '44')), s4, undefined, 'a skipped DMA');
});

test('an include file changing recompiles; an unchanged one does not', () => {
  let inc = 'pagetable pt s1 4K {\n  map 0x10000000 +4K -> 0x80000000 rw\n}\n';
  const options: EngineOptions = { readInclude: (_from, p) => (p === 'tables.smmu' ? { uri: 'file:///tables.smmu', text: inc } : { error: `no ${p}` }) };
  const text = 'smmu smmu0 { stages s1; oas 48 }\ninclude "tables.smmu"\ncd c0 { pagetable pt; asid 5 }\nste smmu0 0x100 { cd c0 }\ndma read sid 0x100 iova 0x10000040\nexpect pa 0x80000040\n';
  const s0 = step(text, undefined, options);
  const s1 = step(text.replace('expect pa 0x80000040', 'expect pa 0x80000044'), s0, options, 'an expectation');
  assert.ok(s1.lowered >= 1);
  inc = inc.replace('0x80000000', '0x90000000');
  const s2 = step(s1.memo!.text.replace('0x80000044', '0x80000040'), s1, options, 'the include changed');
  assert.equal(s2.lowered, -1);
  assert.ok(s2.program.diagnostics.length === 0);
});

test('the session of an edit reuses its compile through compileScenario (previous)', () => {
  const text = scenario(100);
  const s0 = compileScenario(text, URI, { checkpoints: {} });
  s0.runToEnd();
  const t1 = text.replace(/expect pa 0x80000040\n$/, 'expect pa 0x80000041\n');
  const s1 = compileScenario(t1, URI, { checkpoints: {}, previous: s0 });
  assert.equal(json(s1.runToEnd()), json(compileScenario(t1, URI).runToEnd()));
  assert.equal(s1.diagnostics.length, 0);
  assert.equal(json(s1.steps), json(compileScenario(t1, URI).steps));
});

test('declaration edits lower the declarations again, not the transactions', () => {
  const text = scenario(300);
  const s0 = step(text, undefined);
  const mapLine = text.split('\n').findIndex((l) => l.includes('map 0x10005000'));
  // A mapping's permissions, then its output address (the same table, another leaf): the
  // pagetable, the cd reading it and the ste reading the cd (compile/declEdit.ts), not the smmu.
  const s1 = step(replaceLine(text, mapLine, (l) => l.replace(/ rw$/, ' r')), s0, undefined, 'the permissions');
  assert.equal(s1.lowered, 3);
  const s2 = step(replaceLine(s1.memo!.text, mapLine, (l) => l.replace('0x80005000', '0x90005000')), s1, undefined, 'the address');
  assert.equal(s2.lowered, 3);
  // A mapping far away: another level-2 and level-3 table, so the layout of what follows moves:
  // every declaration is lowered again (relower.ts).
  const s3 = step(replaceLine(s2.memo!.text, mapLine, (l) => l.replace('0x10005000', '0x7f005000')), s2, undefined, 'an IOVA in another table');
  assert.equal(s3.lowered, 4);
  // An STE added after the transactions and removed again (the line count changes too).
  const s4 = step(s3.memo!.text + 'ste smmu0 0x101 { cd c0 }\n', s3, undefined, 'an STE added');
  assert.ok(s4.lowered >= 0 && s4.lowered <= 5, `lowered ${s4.lowered}`);
  const s5 = step(s3.memo!.text, s4, undefined, 'the STE removed');
  assert.ok(s5.lowered >= 0 && s5.lowered <= 5, `lowered ${s5.lowered}`);
  // A declared name changed: the names differ, compiled from scratch.
  const s6 = step(s5.memo!.text.replace('smmu smmu0', 'smmu smmu1'), s5, undefined, 'an SMMU renamed');
  assert.equal(s6.lowered, -1);
});

test('lines added or removed move the steps after them: only the statements touched are lowered', () => {
  const text = scenario(300);
  const s0 = step(text, undefined);
  const lines = text.split('\n');
  const at = lines.findIndex((l, i) => i > 200 && l.startsWith('dma'));
  // Enter before a transaction, then inside the edit's line: the steps after it move one line down.
  const t1 = [...lines.slice(0, at), '', ...lines.slice(at)].join('\n');
  const s1 = step(t1, s0, undefined, 'Enter');
  assert.ok(s1.lowered >= 0 && s1.lowered <= 1, `lowered ${s1.lowered}`);
  const moved = s1.program.steps.find((s) => s.label.startsWith('dma') && s.range.line === at + 2);
  assert.ok(moved, 'the transaction after the new line is on the next line');
  // A comment pasted, a line deleted, and undo of both.
  const t2 = t1.replace('\n\n', '\n# a\n# b\n# c\n');
  const s2 = step(t2, s1, undefined, 'a paste of comments');
  assert.ok(s2.lowered >= 0 && s2.lowered <= 1, `lowered ${s2.lowered}`);
  const s3a = step(t1, s2, undefined, 'undo of the paste');
  assert.ok(s3a.lowered >= 0 && s3a.lowered <= 1, `lowered ${s3a.lowered}`);
  const s3 = step(text, s3a, undefined, 'undo of Enter');
  assert.ok(s3.lowered >= 0 && s3.lowered <= 1, `lowered ${s3.lowered}`);
  // A pasted transaction with its expectation adds steps: the statements the edit's lines touch
  // (a text diff of a paste of lines like the next ones spans a few) are lowered, the steps after
  // them are the earlier ones renumbered (an expectation names its transaction relative to its own step).
  const t4 = [...lines.slice(0, at), lines[at], lines[at + 1], ...lines.slice(at)].join('\n');
  const s4 = step(t4, s3, undefined, 'a pasted transaction');
  assert.ok(s4.lowered >= 2 && s4.lowered <= 8, `lowered ${s4.lowered}`);
  assert.equal(s4.program.steps.length, s3.program.steps.length + 2);
  const s5 = step(text, s4, undefined, 'its undo');
  assert.ok(s5.lowered >= 0 && s5.lowered <= 8, `lowered ${s5.lowered}`);
  // A standalone expectation pasted after a transaction (steps added, the same latest transaction).
  const t6 = [...lines.slice(0, at + 2), lines[at + 1], ...lines.slice(at + 2)].join('\n');
  const s6 = step(t6, s5, undefined, 'a pasted expectation');
  assert.ok(s6.lowered >= 1 && s6.lowered <= 8, `lowered ${s6.lowered}`);
  step(text, s6, undefined, 'its undo');
});

test('a declaration edit that adds a step renumbers the transactions after it, not lowered again', () => {
  const text = scenario(100, 'cmd smmu0 CMD_SYNC');
  const s0 = step(text, undefined);
  const s1 = step(text.replace('cmd smmu0 CMD_SYNC', 'cmd smmu0 CMD_SYNC\ncmd smmu0 CMD_SYNC'), s0, undefined, 'a command added');
  assert.equal(s1.program.steps.length, s0.program.steps.length + 1);
  assert.ok(s1.lowered >= 0 && s1.lowered <= 8, `lowered ${s1.lowered}`);
  step(text, s1, undefined, 'its undo');
  // Writes pasted among writes after the transactions (the names pre-pass sees more pages): the
  // latest transaction is before the edit and nothing reads it again, so the writes after the
  // paste keep their steps.
  const writes = Array.from({ length: 60 }, (_v, i) => `write64 0x${(0x9000_0000 + i * 8).toString(16)} 0x${i.toString(16)}`);
  const w0 = text + writes.join('\n') + '\n';
  const s2 = step(w0, s1, undefined, 'writes added');
  const w1 = text + [...writes.slice(0, 30), 'write64 0x91000000 0x1', 'write64 0x92000000 0x2', ...writes.slice(30)].join('\n') + '\n';
  const s3 = step(w1, s2, undefined, 'writes pasted');
  assert.ok(s3.lowered >= 0 && s3.lowered <= 8, `lowered ${s3.lowered}`);
  const s4 = step(w0, s3, undefined, 'its undo');
  // No iommufd structure is placed around the written pages: a write deleted lowers nothing
  // again (its page leaves the names pre-pass), one moved to another page only itself.
  const s5 = step(w0.replace('write64 0x90000010 0x2\n', ''), s4, undefined, 'a write deleted');
  assert.ok(s5.lowered >= 0 && s5.lowered <= 1, `lowered ${s5.lowered}`);
  const s6 = step(w0.replace('write64 0x90000010 0x2', 'write64 0xa0000010 0x2'), s5, undefined, 'a write to another page');
  assert.ok(s6.lowered >= 1 && s6.lowered <= 2, `lowered ${s6.lowered}`);
});

/** Three translation contexts (pagetable, cd, ste each), a table edited by `map` lines, a cd no
 *  ste uses, then transactions. */
function contexts(): string {
  const out = ['smmu smmu0 { stages s1; oas 48 }'];
  for (let t = 0; t < 3; t++) {
    out.push(`pagetable pt${t} s1 4K {`);
    for (let i = 0; i < 8; i++) out.push(`  map 0x${(0x1000_0000 + i * 0x1000).toString(16)} +4K -> 0x${(0x8000_0000 + t * 0x10_0000 + i * 0x1000).toString(16)} rw`);
    out.push('}', `cd c${t} { pagetable pt${t}; asid ${t + 1} }`, `ste smmu0 0x${(0x100 + t).toString(16)} { cd c${t} }`);
  }
  out.push('map pt2 0x10010000 +4K -> 0x80310000 rw', 'map pt2 0x10011000 +4K -> 0x80311000 rw', 'cd lone { pagetable pt0; asid 9 }');
  for (let i = 0; i < 60; i++) out.push(`dma read sid 0x${(0x100 + (i % 3)).toString(16)} iova 0x${(0x1000_0040 + (i % 8) * 0x1000).toString(16)}`, 'expect ok');
  return out.join('\n') + '\n';
}

test('a declaration edit lowers again only that declaration and what reads it, transitively', () => {
  const text = contexts();
  const lines = text.split('\n');
  const at = (s: string) => lines.findIndex((l) => l.startsWith(s));
  let prev = step(text, undefined);
  // (13 declarations and `map` lines: relower.ts lowers them all)
  const edits: Array<[string, number, (l: string) => string, number]> = [
    ['a cd field: the cd and its ste', at('cd c1'), (l) => l.replace('asid 2', 'asid 7'), 2],
    ['a cd no ste uses: itself', at('cd lone'), (l) => l.replace('asid 9', 'asid 8'), 1],
    ['a mapping\'s permissions: its table, the cd, the ste', at('pagetable pt1') + 3, (l) => l.replace(/ rw$/, ' r '), 3],
    ['a mapping\'s address', at('pagetable pt0') + 5, (l) => l.replace('0x80004000', '0x80054000'), 4], // pt0, c0, ste, lone
    ['a table `map` lines edit: the table, its map lines, the cd, the ste', at('pagetable pt2') + 1, (l) => l.replace(/ rw$/, ' r '), 5],
    ['a `map` line', at('map pt2 0x10011000'), (l) => l.replace(/ rw$/, ' r '), 5],
    ['a mapping moved to a new table: every declaration', at('pagetable pt1') + 2, (l) => l.replace('0x10001000', '0x7f001000'), 13],
  ];
  for (const [what, line, f, lowered] of edits) {
    prev = step(replaceLine(prev.memo!.text, line, f), prev, undefined, what);
    assert.equal(prev.lowered, lowered, what);
  }
  // A transaction added moves the statements after it: the records of what read what are by
  // statement, so the next declaration edit lowers every declaration, the one after only its own.
  const added = prev.memo!.text.replace('expect ok\n', 'expect ok\ndma read sid 0x100 iova 0x10000040\n');
  prev = step(added, prev, undefined, 'a transaction added');
  const cd1 = added.split('\n').findIndex((l) => l.startsWith('cd c1'));
  prev = step(replaceLine(added, cd1, (l) => l.replace('asid 7', 'asid 6')), prev, undefined, 'a cd after the move');
  assert.equal(prev.lowered, 13);
  prev = step(replaceLine(prev.memo!.text, cd1, (l) => l.replace('asid 6', 'asid 5')), prev, undefined, 'a cd again');
  assert.equal(prev.lowered, 2);
});

test('an ASID taken fresh, a CD another one depends on: a CD edit lowers every declaration', () => {
  const text = contexts().replace('cd c0 { pagetable pt0; asid 1 }', 'cd c0 { pagetable pt0 }');
  const s0 = step(text, undefined);
  const line = text.split('\n').findIndex((l) => l.startsWith('cd c1'));
  // c0's ASID avoids every explicit one: c1's edit may move it.
  const s1 = step(replaceLine(text, line, (l) => l.replace('asid 2', 'asid 1')), s0, undefined, 'an ASID a fresh one avoided');
  assert.equal(s1.lowered, 13);
});

test('line-shifting edits on re-parsed trees: the compile reads the moved statements\' positions without copying them, and equals a compile from scratch', () => {
  let text = scenario(3000);
  let parsed = parse(text, URI);
  let prev = compileIncremental(text, URI, { readInclude: noInclude, parsed }, undefined);
  let session = new Session(prev.program, { checkpoints: { every: 16, cost: 0 } });
  session.runToEnd();
  let resumed = 0;
  const rng = fc.sample(fc.nat(1_000_000), { numRuns: 24, seed: SEED });
  for (let k = 0; k < 24; k++) {
    const lines = text.split('\n');
    const at = 40 + (rng[k] % (lines.length - 60));
    const kind = k % 4;
    if (kind === 0) lines.splice(at, 0, '');
    else if (kind === 1) lines.splice(at, 0, '# pasted', lines[at]);
    else if (kind === 2) lines.splice(at, 1);
    else lines.splice(at, 0, '', '');
    const next = lines.join('\n');
    const p2 = reparse(parsed, text, next, URI);
    const got = compileIncremental(next, URI, { readInclude: noInclude, parsed: p2 }, prev.memo);
    // Only the statements around the edit are read (a handful of binary-search probes too).
    assert.ok(copiesMade(p2.tree.statements) < 40, `edit ${k}: ${copiesMade(p2.tree.statements)} statements copied`);
    // The steps after the edit are moved when read: the compile moved none, the resumed run those it ran.
    const steps = got.program.steps;
    if (kind !== 1 && at < lines.length / 2) assert.ok(pendingCount(steps) > 500, `edit ${k}: ${pendingCount(steps)} steps to move`);
    assert.equal(copiesMade(steps), 0, `edit ${k}: steps moved by the compile`);
    session = new Session(got.program, { checkpoints: { every: 16, cost: 0 }, previous: session });
    session.runOn();
    // (lines added or removed, no step: the run rejoins the previous one, the rest are not read)
    if ((kind === 0 || kind === 3) && copiesMade(steps) < steps.length / 4) resumed++;
    if (k % 3 === 2 || k === 23) {
      const want: Program = compileFull(next, URI, { readInclude: noInclude }).program;
      assert.equal(shape(got.program), shape(want), `program after edit ${k}`);
    }
    prev = got;
    parsed = p2;
    text = next;
  }
  assert.equal(run(prev.program), run(compileFull(text, URI, { readInclude: noInclude }).program));
  assert.equal(json(session.result()), run(compileFull(text, URI, { readInclude: noInclude }).program));
  assert.ok(resumed >= 10, `runs after Enter that moved a quarter of the steps or fewer: ${resumed} of 12`);
});
