import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validate } from '../../../../language-server/src/model/fields';
import { T } from './synthetic';

test('validate reports RES0 bits and Reserved / undefined encodings', () => {
  assert.deepEqual(validate(T, [0n, 0n]), []);
  const issues = validate(T, [0x10n | (2n << 1n), 0n]);
  assert.deepEqual(issues.map((i) => i.field).sort(), ['Mode', 'RES0_5_4']);
  const undef = validate(T, [3n << 1n, 0n]);
  assert.equal(undef.length, 1);
  assert.match(undef[0].message, /not a defined encoding/);
});
