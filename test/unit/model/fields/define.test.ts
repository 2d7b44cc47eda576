import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fld } from '../../../../language-server/src/model/fields';

test('fld() converts structure-wide bit numbers and refuses ranges that cross a dword', () => {
  const f = fld('X', 165, 160, 's', '');
  assert.deepEqual([f.word, f.hi, f.lo], [2, 37, 32]);
  assert.throws(() => fld('Y', 65, 62, 's', ''));
});
