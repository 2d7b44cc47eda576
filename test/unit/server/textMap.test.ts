// Offset mapping between an analysed text and the current one (server/textMap.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commentOnlyEdit, composeMaps, lineBounds, textMap } from '../../../language-server/src/server/textMap';
import { EditLog } from '../../../language-server/src/server/textEdits';
import { checkedTextDocuments } from '../../../language-server/src/server/editCheck';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { Rng } from '../../fuzz/lib';

const URI = 'file:///m.smmu';

test('offsets before and after one edit map across it; offsets inside it do not', () => {
  const oldText = 'aaa\nbbb\nccc\n';
  const newText = 'aaa\nbXYZbb\nccc\n'; // "XYZ" inserted at offset 5
  const m = textMap(oldText, newText);
  assert.equal(m.toOld(1), 1); // in "aaa"
  assert.equal(m.toOld(newText.indexOf('ccc')), oldText.indexOf('ccc'));
  assert.equal(m.toOld(6), undefined); // inside the inserted text
  assert.equal(m.toNew(oldText.indexOf('ccc')), newText.indexOf('ccc'));
  assert.equal(m.toNew(0), 0);
});

test('identical texts map every offset to itself', () => {
  const t = 'x\ny\n';
  const m = textMap(t, t);
  for (let i = 0; i <= t.length; i++) assert.equal(m.toOld(i), i);
});

test('a deleted line shifts the following offsets back', () => {
  const oldText = 'one\ntwo\nthree\n';
  const newText = 'one\nthree\n';
  const m = textMap(oldText, newText);
  assert.equal(m.toOld(newText.indexOf('three')), oldText.indexOf('three'));
});

test('lineBounds finds the line around an offset', () => {
  const t = 'ab\r\ncd\nef';
  assert.deepEqual(lineBounds(t, 5), { start: 4, end: 6 });
  assert.deepEqual(lineBounds(t, 0), { start: 0, end: 2 });
  assert.deepEqual(lineBounds(t, 9), { start: 7, end: 9 });
});

test('commentOnlyEdit: edits inside an end-of-line comment only', () => {
  const base = 'dma read sid 1 iova 0x10 # note\nwrite64 0x0 0x1\n';
  assert.equal(commentOnlyEdit(base, base.replace('# note', '# notes')), true);
  assert.equal(commentOnlyEdit(base, base.replace('# note', '# n')), true);
  assert.equal(commentOnlyEdit(base, base.replace('0x10', '0x11')), false); // a token
  assert.equal(commentOnlyEdit(base, base.replace('# note', '# no\nte')), false); // a new line
  assert.equal(commentOnlyEdit(base, base.replace('# note', 'x # note')), false); // before the comment
  const str = 'include "a#b"\n';
  assert.equal(commentOnlyEdit(str, 'include "a#bc"\n'), false); // `#` inside a string is no comment
  assert.equal(commentOnlyEdit('a // x\n', 'a // xy\n'), true);
});

test('two edits far apart, composed: the lines between them map (one region around both would not)', () => {
  const v1 = 'a 1\nb 2\nc 3\nd 4\n';
  const v2 = v1.replace('a 1', 'a 11');
  const v3 = v2.replace('d 4', 'd 44');
  const composed = composeMaps(textMap(v1, v2), textMap(v2, v3));
  assert.equal(composed.toOld(v3.indexOf('c 3')), v1.indexOf('c 3'));
  assert.equal(composed.toNew(v1.indexOf('b 2')), v3.indexOf('b 2'));
  assert.equal(composed.toOld(v3.indexOf('a 11')), undefined);
  assert.equal(composed.toOld(v3.indexOf('d 44')), undefined);
  assert.equal(textMap(v1, v3).toOld(v3.indexOf('c 3')), undefined, 'a single region spans both edits');
});

test('property: a version\'s edits (one or several changes each) composed through the EditLog map each offset to the same place on an unchanged line', () => {
  const rng = new Rng(5);
  const words = ['dma', 'read', 'sid', '0x1', '\n', '\n', ' ', 'x'];
  const rand = (n: number) => Array.from({ length: n }, () => rng.pick(words)).join('');
  let lines = 0;
  for (let i = 0; i < 300; i++) {
    // The server's path: the text model with its checks reports each version's edits and map.
    const log = new EditLog(0);
    const docs = checkedTextDocuments({ malformed: () => assert.fail('no malformed edit here'), edited: (_u, from, to, edits, map) => log.record(from, to, edits, map) });
    const base = rand(40);
    let doc = docs.create(URI, 'smmu', 0, base);
    const n = 1 + rng.int(5);
    for (let v = 1; v <= n; v++) {
      // (each change's range is of the text after the ones before it, as LSP sends them)
      let t = doc.getText();
      const changes = [];
      for (let c = 1 + rng.int(2); c > 0; c--) {
        const a = rng.int(t.length + 1);
        const b = Math.min(t.length, a + rng.int(4));
        const text = rand(rng.int(3));
        const at = TextDocument.create(URI, 'smmu', 0, t);
        changes.push({ range: { start: at.positionAt(a), end: at.positionAt(b) }, text });
        t = t.slice(0, a) + text + t.slice(b);
      }
      doc = docs.update(doc, changes, v);
      assert.equal(doc.getText(), t);
    }
    const m = log.map(0, n)!;
    const now = doc.getText();
    // As the server asks (documents.ts viewAt): a line maps when its start and end both map, as far apart.
    let mapped = 0;
    for (let o = 0; o <= now.length; o = lineBounds(now, o).end + 1) {
      const ln = lineBounds(now, o);
      const a = m.toOld(ln.start);
      const b = m.toOld(ln.end);
      if (a === undefined || b === undefined || b - a !== ln.end - ln.start) continue;
      mapped++;
      assert.equal(now.slice(ln.start, ln.end), base.slice(a, b), `case ${i} line at ${o}`);
      assert.deepEqual(lineBounds(base, a), { start: a, end: b }, `case ${i}: a whole line of the old text`);
      assert.equal(m.toNew(a), ln.start);
    }
    lines += mapped;
  }
  assert.ok(lines > 1000, `lines compared: ${lines}`);
  assert.equal(new EditLog(3).map(2, 3), undefined);
});
