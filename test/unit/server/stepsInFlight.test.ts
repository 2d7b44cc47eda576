// executedAt (server/documents.ts) while the last run's steps are still on their way from the
// worker: a hover on a line unchanged since the run before answers from that run at once, instead of
// waiting for the steps; a line that changed since still gets the newest run. A run whose steps
// never came (superseded by a newer run's encoding) is skipped: the last run with steps answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Analyzer, type Executed } from '../../../language-server/src/server/documents';
import { InlineRunner, type CancelFlag, type RunOutcome, type RunRequest } from '../../../language-server/src/server/runner';
import { DEFAULT_SETTINGS } from '../../../language-server/src/server/settings';

const URI = 'file:///inflight.smmu';
const TEXT = [
  'smmu smmu0 { stages s1 }',
  'stream 0x10 on smmu0 { s1 { asid 1 t0sz 25 } }',
  'map smmu0 0x10 0x1000 -> 0x80000000 len 0x1000 perms rw',
  'dma smmu0 read sid 0x10 iova 0x1010',
  'dma smmu0 read sid 0x10 iova 0x1020',
  '',
].join('\n');

/** The inline runner, whose runs after the first hold their steps until `release` is called. */
class SlowStepsRunner extends InlineRunner {
  runs = 0;
  held: (() => void)[] = [];
  override async run(req: RunRequest, cancel: CancelFlag): Promise<RunOutcome> {
    const out = await super.run(req, cancel);
    if (out.kind !== 'done' || ++this.runs === 1) return out;
    let ready = false;
    const arrived = new Promise<void>((r) => this.held.push(() => ((ready = true), r())));
    return { ...out, stepsReady: () => ready, stepsAtLine: async (line) => (await arrived, out.stepsAtLine(line)) };
  }
}

function published(an: () => Analyzer, version: number): Promise<Executed> {
  return new Promise((resolve) => {
    const poll = () => {
      const ex = an().latest(URI);
      if (ex && ex.version === version) resolve(ex);
      else setTimeout(poll, 2);
    };
    poll();
  });
}

test('while the newest run steps are in flight, an unchanged line answers from the run before', async () => {
  const runner = new SlowStepsRunner();
  const analyzer = new Analyzer({ settings: () => ({ ...DEFAULT_SETTINGS, debounceMs: 0 }), runner, roots: () => [], openDocs: () => ({}), publish: () => {}, log: () => {} });
  let doc = TextDocument.create(URI, 'smmu', 1, TEXT);
  analyzer.update(doc);
  const first = await published(() => analyzer, 1);
  assert.equal(first.stepsReady(), true);
  // Version 2 changes the second DMA only; its run completes but its steps are held.
  doc = TextDocument.update(doc, [{ range: { start: { line: 4, character: 33 }, end: { line: 4, character: 35 } }, text: '30' }], 2);
  analyzer.update(doc);
  const second = await published(() => analyzer, 2);
  assert.equal(second.stepsReady(), false);

  // The first DMA's line is unchanged since version 1: answered from version 1, without waiting.
  const firstDma = doc.offsetAt({ line: 3, character: 5 });
  const v = await analyzer.executedAt(URI, firstDma);
  assert.equal(v?.ex.version, 1);
  const steps = await v!.ex.stepsAtLine(3);
  assert.equal(steps.length, 1);
  assert.equal(steps[0].kind, 'dma');

  // The edited line changed since version 1: only version 2 can answer, once its steps arrive.
  const edited = doc.offsetAt({ line: 4, character: 5 });
  const w = await analyzer.executedAt(URI, edited);
  assert.equal(w?.ex.version, 2);
  const pending = w!.ex.stepsAtLine(4);
  runner.held.forEach((r) => r());
  const s2 = await pending;
  assert.match(s2[0].label, /0x1030/);

  // Once they have arrived the newest run answers everywhere again.
  const again = await analyzer.executedAt(URI, firstDma);
  assert.equal(again?.ex.version, 2);
  analyzer.close(URI);
});

test('a run whose steps never come (superseded) is skipped: the last run whose steps came answers', async () => {
  const runner = new SlowStepsRunner();
  const analyzer = new Analyzer({ settings: () => ({ ...DEFAULT_SETTINGS, debounceMs: 0 }), runner, roots: () => [], openDocs: () => ({}), publish: () => {}, log: () => {} });
  let doc = TextDocument.create(URI, 'smmu', 1, TEXT);
  analyzer.update(doc);
  await published(() => analyzer, 1);
  // Versions 2 and 3 edit the second DMA; neither run's steps arrive (2's never will).
  for (const [version, digits] of [[2, '30'], [3, '40']] as const) {
    doc = TextDocument.update(doc, [{ range: { start: { line: 4, character: 33 }, end: { line: 4, character: 35 } }, text: digits }], version);
    analyzer.update(doc);
    await published(() => analyzer, version);
  }
  // The first DMA's line is unchanged since version 1: version 1 answers, not 2 (no steps) or 3 (in flight).
  const v = await analyzer.executedAt(URI, doc.offsetAt({ line: 3, character: 5 }));
  assert.equal(v?.ex.version, 1);
  assert.equal((await v!.ex.stepsAtLine(3))[0].kind, 'dma');
  runner.held.forEach((r) => r());
  analyzer.close(URI);
});
