// Offset mapping between an analysed text and the current one (server/textMap.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commentOnlyEdit, lineBounds, textMap } from '../../../language-server/src/server/textMap';

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
