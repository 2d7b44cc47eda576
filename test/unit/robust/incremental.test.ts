// Random incremental edit sessions (inserts, deletes, pastes, undo, statements split and joined)
// against the language server's document analysis: after each session the diagnostics published
// for the last version must equal a from-scratch analysis of the same text. In process (the
// server's Analyzer with the inline engine runner, many sessions) and over stdio (the bundled
// server, a few sessions).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng, exampleTexts, summary } from '../../fuzz/lib';
import { EditSession, checkEditSession } from '../../fuzz/edits';
import { LspClient } from '../server/helper';
import { recordFuzz } from '../../fuzz/tally';

const SEED = Number(process.env.FUZZ_SEED ?? 42);
const T = { timeout: 300_000 };
const examples = exampleTexts();

test('in process: random edit sessions publish what a from-scratch analysis of the same text gives', T, async () => {
  const rng = new Rng(SEED);
  let edits = 0;
  let sessions = 0;
  const failures: string[] = [];
  for (let i = 0; i < 300; i++) {
    const r = await checkEditSession(rng, rng.pick(examples), `file:///session-${i}.smmu`);
    edits += r.edits;
    sessions++;
    if (r.problem) failures.push(`session ${i}: ${r.problem}`);
  }
  console.log(summary(`incremental edits in process (${sessions} sessions)`, edits, failures.length, SEED));
  recordFuzz('incremental', edits);
  assert.deepEqual(failures.slice(0, 3), []);
});

test('over stdio: random didChange ranges; the last version\'s diagnostics equal a fresh document\'s', T, async () => {
  const rng = new Rng(SEED + 7);
  const c = await LspClient.start();
  let edits = 0;
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
        if (rng.chance(0.2)) await c.diagnostics(uri, version, 60_000);
      }
      const got = (await c.diagnostics(uri, s.doc.version, 60_000)).diagnostics;
      const fresh = await c.openAndWait(`fresh-${i}.smmu`, s.text);
      const k = (ds: typeof got) => ds.map((d) => JSON.stringify([d.range, d.severity, d.code, d.message])).sort();
      if (JSON.stringify(k(got)) !== JSON.stringify(k(fresh.diagnostics))) failures.push(`stdio session ${i}: ${k(got).length} vs ${k(fresh.diagnostics).length} diagnostics`);
      await c.close(uri);
      await c.close(fresh.uri);
    }
  } finally {
    await c.stop();
  }
  console.log(summary('incremental edits over stdio (12 sessions)', edits, failures.length, SEED + 7));
  recordFuzz('incremental-stdio', edits);
  assert.deepEqual(failures, []);
});
