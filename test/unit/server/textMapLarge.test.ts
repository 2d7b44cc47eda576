// textMap / commentOnlyEdit on texts longer than the chunk the comparison starts with (2048
// characters): edits right at, before and after chunk boundaries, near both ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commentOnlyEdit, textMap } from '../../../language-server/src/server/textMap';

// 1000 lines of exactly 16 characters: a statement then a comment, so an edit can fall in either.
const LINE = 'dma 0x0 # c0000\n'; // 15 characters + '\n' = 16
const N = 1000;
const base = LINE.repeat(N);

/** `base` with the character at `at` replaced by `ch`. */
const replaced = (at: number, ch: string) => base.slice(0, at) + ch + base.slice(at + 1);

test('an edit inside a comment is comment-only wherever it falls against the chunks', () => {
  // Offset 13 within a line is the last '0' of "c000"; lines 127/128 straddle offset 2048.
  for (const line of [0, 1, 127, 128, 255, 256, 500, 998, 999]) {
    const at = line * 16 + 13;
    assert.equal(commentOnlyEdit(base, replaced(at, '7')), true, `line ${line}`);
  }
});

test('an edit in a statement is not comment-only wherever it falls', () => {
  // Offset 6 within a line is the '0' after "0x" (a token).
  for (const line of [0, 127, 128, 256, 999]) {
    const at = line * 16 + 6;
    assert.equal(commentOnlyEdit(base, replaced(at, '1')), false, `line ${line}`);
  }
});

test('a line added in the middle of a long text: lines before and after map, the new one does not', () => {
  const at = 128 * 16; // offset 2048: the start of line 128
  const added = 'dma 0x1000\n';
  const newText = base.slice(0, at) + added + base.slice(at);
  const m = textMap(base, newText);
  assert.equal(m.toOld(at - 1), at - 1); // end of line 127, before the edit
  assert.equal(m.toOld(at + 3), undefined); // inside the added line
  assert.equal(m.toOld(at + added.length), at); // the old line 128, moved down by one line
  assert.equal(m.toOld(newText.length - 1), base.length - 1);
  assert.equal(m.toNew(base.length - 16), newText.length - 16);
  assert.equal(m.toNew(0), 0);
});
