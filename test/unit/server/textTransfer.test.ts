// The incremental text transfer to the engine worker: each version's LSP changes become offset
// edits (editCheck.ts), the edit log reaches back to the version the worker holds (textEdits.ts),
// and the worker applies them to its own text (engineWorker.ts). After random edits the worker's
// text equals the server's; a version the worker does not hold, or edits that do not fit, make it
// ask for the whole text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { runScenario } from '../../../language-server/src/engine';
import { checkedTextDocuments } from '../../../language-server/src/server/editCheck';
import { engineWorkerMain, type FromWorker, type ToWorker } from '../../../language-server/src/server/engineWorker';
import type { RunRequest } from '../../../language-server/src/server/runner';
import { EditLog, PostedTexts, applyEdits, extentOf, type TextEdit } from '../../../language-server/src/server/textEdits';

const URI = 'file:///t.smmu';

/** mulberry32: integers in [0, n). */
function rng(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

function worker() {
  let handler: ((m: ToWorker) => void) | undefined;
  let out: FromWorker[] = [];
  const held = engineWorkerMain({ on: (_ev, fn) => (handler = fn), postMessage: (m) => out.push(structuredClone(m)) });
  return {
    held,
    send: (m: ToWorker) => {
      out = [];
      handler!(structuredClone(m));
      return out;
    },
  };
}

const SCENARIO = ['smmu smmu0', 'pagetable pt s1 4K {', '  map 0x1000 +4K -> 0x2000 rw', '}', 'cd c { pagetable pt; asid 1 }', 'ste smmu0 0x10 { cd c }',
  'dma smmu0 read sid 0x10 iova 0x1000', 'expect pa 0x2000 # the page', 'dma smmu0 write sid 0x10 iova 0x1008', ''].join('\n');
const PIECES = ['0', 'x1', '\n', 'dma smmu0 read sid 0x10 iova 0x1010\n', '# note', '\r\n', '}', ' ', 'expect fault\n', ''];

test('extentOf: the prefix and suffix it gives are common to the texts before and after random edits', () => {
  const r = rng(3);
  for (let round = 0; round < 300; round++) {
    const before = SCENARIO.slice(0, r(SCENARIO.length));
    let text = before;
    const edits: TextEdit[] = [];
    for (let k = 0, n = 1 + r(4); k < n; k++) {
      const start = r(text.length + 1);
      const end = start + r(Math.min(12, text.length - start) + 1);
      const e = { start, end, text: PIECES[r(PIECES.length)] };
      edits.push(e);
      text = text.slice(0, start) + e.text + text.slice(end);
    }
    assert.equal(applyEdits(before, edits), text);
    const { p, s } = extentOf(edits, before.length);
    assert.ok(p >= 0 && s >= 0 && p + s <= Math.min(before.length, text.length), `round ${round}: p ${p} s ${s}`);
    assert.equal(before.slice(0, p), text.slice(0, p), `round ${round}: prefix`);
    assert.equal(before.slice(before.length - s), text.slice(text.length - s), `round ${round}: suffix`);
  }
  assert.equal(applyEdits('abc', [{ start: 2, end: 4, text: '' }]), undefined, 'past the end');
  assert.equal(applyEdits('abc', [{ start: 2, end: 1, text: '' }]), undefined, 'ends before it starts');
});

test('EditLog: the edits since a version it reaches; a gap or a whole-text change starts it again', () => {
  const log = new EditLog(1);
  const e = (start: number): TextEdit[] => [{ start, end: start, text: 'x' }];
  log.record(1, 2, e(0));
  log.record(2, 4, e(1));
  assert.deepStrictEqual(log.since(1, log.version), [...e(0), ...e(1)]);
  assert.deepStrictEqual(log.since(2, log.version), e(1));
  assert.deepStrictEqual(log.since(4, log.version), []);
  assert.equal(log.since(3, log.version), undefined, 'not a version the log holds');
  assert.equal(log.since(0, log.version), undefined, 'before the log');
  assert.equal(log.since(1, 2), undefined, 'to a version that is not the newest');
  log.record(5, 6, e(2)); // a version that does not follow the last: nothing before 6
  assert.equal(log.since(4, log.version), undefined);
  assert.deepStrictEqual(log.since(6, log.version), []);
  log.record(6, 7, undefined); // a whole-text or malformed change
  assert.equal(log.since(6, log.version), undefined);
  for (let v = 7; v < 7 + 300; v++) log.record(v, v + 1, e(0));
  assert.equal(log.since(7, log.version), undefined, 'too far back');
  assert.equal(log.since(306, log.version)?.length, 1);
});

test('random LSP edits: the text the worker builds from the edits equals the server\'s, and its runs equal runs from scratch', () => {
  const r = rng(17);
  const w = worker();
  const posted = new PostedTexts();
  // Large enough that the edits since the worker's version are smaller than the text.
  let doc = TextDocument.create(URI, 'smmu', 1, SCENARIO + 'dma smmu0 read sid 0x10 iova 0x1020\n'.repeat(100));
  const log = new EditLog(1);
  let malformed = 0;
  const model = checkedTextDocuments({ malformed: () => (malformed++, log.reset(doc.version)), edited: (_u, from, to, edits) => log.record(from, to, edits) });
  const run = (id: number, cancelled = false) => {
    const version = doc.version;
    const req: RunRequest = { uri: URI, version, text: doc.getText(), maxFileSize: 1_000_000, roots: [], openDocs: {}, editsSince: (v) => log.since(v, version) };
    const flag = new SharedArrayBuffer(4);
    if (cancelled) Atomics.store(new Int32Array(flag), 0, 1);
    let out = w.send({ type: 'run', id, req: posted.request(req), flag });
    if (out[0]?.type === 'needText') out = w.send({ type: 'run', id, req: posted.request(req, true), flag });
    return out;
  };
  run(1);
  let id = 2;
  for (let v = 2; v <= 160; v++) {
    // One to three changes per version, anywhere (across lines too), sometimes a malformed one.
    const changes = [];
    const scratch = TextDocument.create(URI, 'smmu', 0, doc.getText());
    for (let k = 0, n = 1 + r(3); k < n; k++) {
      const text = scratch.getText();
      // Never between the \r and \n of a line break (no position is there: a malformed edit).
      const off = (o: number) => (text[o - 1] === '\r' && text[o] === '\n' ? o + 1 : o);
      const start = off(r(text.length + 1));
      const end = off(Math.min(text.length, start + r(30)));
      const change = { range: { start: scratch.positionAt(start), end: scratch.positionAt(end) }, text: PIECES[r(PIECES.length)] };
      changes.push(change);
      TextDocument.update(scratch, [change], k + 1);
    }
    doc = model.update(doc, changes, v * 2 - 1);
    assert.equal(doc.getText(), scratch.getText());
    if (r(40) === 0) doc = model.update(doc, [{ range: { start: { line: 9999, character: 0 }, end: { line: 9999, character: 0 } }, text: '' }], v * 2);
    else if (r(40) === 0) doc = model.update(doc, [{ text: doc.getText() + '# whole\n' }], v * 2);
    // Not every version is run (a burst of typing), and a stale run is cancelled.
    if (r(3) === 0) continue;
    const out = run(id++, r(6) === 0);
    assert.equal(w.held.textOf(URI), doc.getText(), `version ${doc.version}: the worker's text`);
    if (out[0].type === 'done' && r(4) === 0) {
      const scratch = runScenario(doc.getText(), URI);
      assert.equal(out[0].summary.steps, scratch.steps.length, `version ${doc.version}: steps`);
      assert.deepStrictEqual(out[0].summary.expectations, scratch.expectations, `version ${doc.version}: expectations`);
    }
  }
  assert.ok(malformed > 0, 'a malformed edit was among them');
  assert.ok(posted.count.edits > posted.count.text * 4, `edits sent ${posted.count.edits} times, the text ${posted.count.text}; ${malformed} malformed`);
});

test('a version the worker does not hold, or edits that do not fit its text, make it ask for the whole text', () => {
  const w = worker();
  const flag = () => new SharedArrayBuffer(4);
  const base = { uri: URI, maxFileSize: 1_000_000, roots: [], openDocs: {} };
  w.send({ type: 'run', id: 1, req: { ...base, version: 1, text: SCENARIO }, flag: flag() });
  const edit = { start: 0, end: 0, text: '# head\n' };
  // Edits from version 2, which the worker never saw (a gap).
  assert.deepStrictEqual(w.send({ type: 'run', id: 2, req: { ...base, version: 3, edits: { base: 2, list: [edit], length: SCENARIO.length + 7 } }, flag: flag() }),
    [{ type: 'needText', id: 2 }]);
  assert.equal(w.held.textOf(URI), undefined, 'nothing held after a mismatch');
  w.send({ type: 'run', id: 3, req: { ...base, version: 3, text: SCENARIO }, flag: flag() });
  // The right version, but a length the edits do not lead to.
  assert.deepStrictEqual(w.send({ type: 'run', id: 4, req: { ...base, version: 4, edits: { base: 3, list: [edit], length: SCENARIO.length } }, flag: flag() }),
    [{ type: 'needText', id: 4 }]);
  w.send({ type: 'run', id: 5, req: { ...base, version: 5, text: SCENARIO }, flag: flag() });
  // An edit outside the text.
  assert.deepStrictEqual(w.send({ type: 'run', id: 6, req: { ...base, version: 6, edits: { base: 5, list: [{ start: SCENARIO.length + 1, end: SCENARIO.length + 2, text: '' }], length: SCENARIO.length - 1 } }, flag: flag() }),
    [{ type: 'needText', id: 6 }]);
  // After a resync the edits apply again.
  w.send({ type: 'run', id: 7, req: { ...base, version: 7, text: SCENARIO }, flag: flag() });
  const [m] = w.send({ type: 'run', id: 8, req: { ...base, version: 8, edits: { base: 7, list: [edit], length: SCENARIO.length + 7 } }, flag: flag() });
  assert.equal(m.type, 'done');
  assert.equal(w.held.textOf(URI), '# head\n' + SCENARIO);
  // Two versions' edits on one line (the first one's run cancelled: not parsed): the re-parse,
  // from their composed extent, parses that statement only.
  const at = '# head\n'.length + SCENARIO.indexOf('iova 0x1000') + 'iova 0x100'.length;
  const stale = flag();
  Atomics.store(new Int32Array(stale), 0, 1);
  assert.deepStrictEqual(w.send({ type: 'run', id: 9, req: { ...base, version: 9, edits: { base: 8, list: [{ start: at, end: at + 1, text: '9' }], length: SCENARIO.length + 7 } }, flag: stale }),
    [{ type: 'cancelled', id: 9 }]);
  w.send({ type: 'run', id: 10, req: { ...base, version: 10, edits: { base: 9, list: [{ start: at - 1, end: at, text: '2' }], length: SCENARIO.length + 7 } }, flag: flag() });
  assert.equal(w.held.textOf(URI), '# head\n' + SCENARIO.replace('iova 0x1000', 'iova 0x1029'));
  assert.equal(w.held.reparsed(URI), 1);
  // PostedTexts: a version going backwards (the log started again) sends the whole text.
  const posted = new PostedTexts();
  const req = (version: number): RunRequest => ({ ...base, version, text: SCENARIO, editsSince: () => [] });
  assert.equal(posted.request(req(3)).text, SCENARIO);
  assert.equal(posted.request(req(4)).text, undefined);
  assert.equal(posted.request(req(2)).text, SCENARIO, 'a version before the last posted');
  posted.forget(URI);
  assert.equal(posted.request(req(5)).text, SCENARIO, 'after forget');
});
