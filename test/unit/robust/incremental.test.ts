// Random incremental edit sessions (inserts, deletes, pastes, undo, digits, statements split and
// joined) against the language server's document analysis: after each session the diagnostics
// published for the last version must equal a from-scratch analysis of the same text. In process
// (the server's Analyzer with the inline engine runner, many sessions, with completion, signature
// help and hover at random positions right after edits never throwing), through the engine worker
// in process (incremental compile, relower, checkpoints and rejoin, step deltas and resync: its
// diagnostics and steps equal a from-scratch run), and over stdio (the bundled server, a few
// sessions, with requests after edits that the server never logs as failed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, exampleTexts, summary } from '../../fuzz/lib';
import { EditSession, checkEditSession } from '../../fuzz/edits';
import { checkWorkerSession, longerBase } from '../../fuzz/worker';
import { LspClient } from '../server/helper';
import { recordFuzz } from '../../fuzz/tally';

const SEED = Number(process.env.FUZZ_SEED ?? 42);
const T = { timeout: 300_000 };
const examples = exampleTexts();

test('in process: random edit sessions publish what a from-scratch analysis of the same text gives', T, async () => {
  const rng = new Rng(SEED);
  let edits = 0;
  let features = 0;
  let sessions = 0;
  const failures: string[] = [];
  for (let i = 0; i < 300; i++) {
    const r = await checkEditSession(rng, rng.pick(examples), `file:///session-${i}.smmu`);
    edits += r.edits;
    features += r.features;
    sessions++;
    if (r.problem) failures.push(`session ${i}: ${r.problem}`);
  }
  console.log(summary(`incremental edits in process (${sessions} sessions)`, edits, failures.length, SEED));
  console.log(summary('completion, signature help and hover right after an edit', features, 0, SEED));
  recordFuzz('incremental', edits);
  recordFuzz('features-after-edit', features);
  assert.deepEqual(failures.slice(0, 3), []);
});

test('engine worker in process: incremental compile and resumed runs equal a from-scratch run', T, () => {
  const rng = new Rng(SEED + 3);
  let edits = 0;
  let compared = 0;
  const failures: string[] = [];
  const SESSIONS = 30;
  for (let i = 0; i < SESSIONS; i++) {
    // Half on an example with its steps repeated (hundreds of steps: checkpoints, rejoin).
    const base = i % 2 ? longerBase(rng.pick(examples), 64 + rng.int(200)) : rng.pick(examples);
    const r = checkWorkerSession(rng, base, `file:///worker-${i}.smmu`);
    edits += r.edits;
    compared += r.compared;
    if (r.problem) failures.push(`session ${i}: ${r.problem}`);
  }
  console.log(summary(`incremental edits through the engine worker (${SESSIONS} sessions, ${compared} versions compared)`, edits, failures.length, SEED + 3));
  recordFuzz('incremental-worker', edits);
  assert.deepEqual(failures.slice(0, 3), []);
});

test('over stdio: random didChange ranges; the last version\'s diagnostics equal a fresh document\'s', T, async () => {
  const rng = new Rng(SEED + 7);
  const c = await LspClient.start();
  let edits = 0;
  let requests = 0;
  const failures: string[] = [];
  try {
    for (let i = 0; i < 12; i++) {
      const s = new EditSession(rng, 'file:///x.smmu', rng.pick(examples));
      const uri = await c.open(`edit-${i}.smmu`, s.text);
      const n = 10 + rng.int(15);
      for (let k = 0; k < n; k++) {
        const { edit, version } = s.next();
        await c.change(uri, version, [edit]);
        edits++;
        if (rng.chance(0.3)) {
          // Right after the edit, at a random position: answered, never an exception (logged as failed).
          const line = rng.int(s.doc.lineCount + 1);
          const position = { line, character: rng.int(60) };
          for (const method of ['textDocument/completion', 'textDocument/signatureHelp', 'textDocument/hover']) {
            // A position past the document's end may be refused as such (InvalidParams), nothing else.
            await c.request(method, { textDocument: { uri }, position }).catch((e: Error) => assert.match(e.message, /position|line|character/i));
            requests++;
          }
        }
        if (rng.chance(0.2)) await c.diagnostics(uri, version, 60_000);
      }
      const got = (await c.diagnostics(uri, s.doc.version, 60_000)).diagnostics;
      const fresh = await c.openAndWait(`fresh-${i}.smmu`, s.text);
      const k = (ds: typeof got) => ds.map((d) => JSON.stringify([d.range, d.severity, d.code, d.message])).sort();
      if (JSON.stringify(k(got)) !== JSON.stringify(k(fresh.diagnostics))) failures.push(`stdio session ${i}: ${k(got).length} vs ${k(fresh.diagnostics).length} diagnostics`);
      await c.close(uri);
      await c.close(fresh.uri);
    }
    const failed = c.notifications.filter((m) => m.method === 'window/logMessage' && / failed: /.test((m.params as { message: string }).message));
    for (const m of failed.slice(0, 3)) failures.push((m.params as { message: string }).message.slice(0, 400));
  } finally {
    await c.stop();
  }
  console.log(summary(`incremental edits over stdio (12 sessions, ${requests} requests right after edits)`, edits, failures.length, SEED + 7));
  recordFuzz('incremental-stdio', edits + requests);
  assert.deepEqual(failures, []);
});
