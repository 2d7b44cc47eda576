import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeField, describeStruct } from '../../../../language-server/src/model/fields';
import { T } from './synthetic';

test('describeField gives range, meaning, values and citation', () => {
  const md = describeField(T, 'mode');
  assert.match(md, /\*\*T\.Mode\*\*/);
  assert.match(md, /bits \[3:1\]/);
  assert.match(md, /\| 0b010 \| RSVD \(Reserved\)/);
  assert.match(md, /\*test\*/);
  assert.match(describeField(T, 'Whole'), /dword 1 bits \[63:0\] \(T bits \[127:64\]\)/);
});

test('describeStruct lists decoded values with their names and hides zero RES0', () => {
  const md = describeStruct(T, [1n | (1n << 1n), 0n]);
  assert.match(md, /\| Mode \| 0\[3:1\] \| 0x1 \| ON: on \|/);
  assert.doesNotMatch(md, /RES0_5_4/);
});
