import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FieldError, decode, encode, tryEncode, getField, setField, fieldByName,
} from '../../../../language-server/src/model/fields';
import { T } from './synthetic';

test('decode reads each field at its bit range; address fields decode to the address', () => {
  const d = decode(T, [0x8000_1234_5678_9ac3n, 0xffff_ffff_ffff_ffffn]);
  assert.equal(d.En, 1n);
  assert.equal(d.Mode, 1n); // bits [3:1] of 0x3 = 0b001
  assert.equal(d.RES0_5_4, 0n); // bits [5:4] of 0xc3 = 0b00
  assert.equal(d.Ptr, 0x1234_5678_9ac0n); // bits [51:6] in place, low 6 bits zero
  assert.equal(d.Top, 0x8n);
  assert.equal(d.Whole, 0xffff_ffff_ffff_ffffn);
});

test('missing dwords decode as zero', () => {
  assert.equal(decode(T, [1n]).Whole, 0n);
});

test('encode round-trips and keeps base bits outside the written fields', () => {
  const base = [0x30n, 0n]; // RES0 bits [5:4] set
  const w = encode(T, { en: 1n, MODE: 2n, Ptr: 0xabc0n }, base);
  assert.equal(w[0], 0x30n | 1n | (2n << 1n) | 0xabc0n);
  const d = decode(T, w);
  assert.equal(d.Mode, 2n);
  assert.equal(d.Ptr, 0xabc0n);
  assert.equal(getField(T, w, 'ptr'), 0xabc0n);
});

test('encode rejects a value wider than its field, naming the field', () => {
  assert.throws(() => encode(T, { Mode: 8n }), (e: unknown) => e instanceof FieldError && e.field === 'Mode' && e.kind === 'overflow');
  assert.throws(() => encode(T, { Top: 16n }), (e: unknown) => e instanceof FieldError && e.field === 'Top');
  assert.throws(() => encode(T, { Whole: 1n << 64n }), FieldError);
  assert.throws(() => encode(T, { En: -1n }), (e: unknown) => e instanceof FieldError && e.kind === 'negative');
});

test('encode rejects misaligned and too-large addresses', () => {
  assert.throws(() => encode(T, { Ptr: 0x1001n }), (e: unknown) => e instanceof FieldError && e.kind === 'misaligned');
  assert.throws(() => encode(T, { Ptr: 1n << 52n }), (e: unknown) => e instanceof FieldError && e.kind === 'overflow');
  assert.equal(encode(T, { Ptr: (1n << 52n) - 64n })[0], (1n << 52n) - 64n);
});

test('unknown field names are a FieldError; tryEncode reports instead of throwing', () => {
  assert.throws(() => setField(T, [], 'Nope', 1n), (e: unknown) => e instanceof FieldError && e.kind === 'unknown-field');
  const r = tryEncode(T, { Mode: 9n });
  assert.equal(r.ok, false);
  if (!r.ok) assert.equal(r.error.field, 'Mode');
});

test('fieldByName is case-insensitive and accepts the struct prefix', () => {
  assert.equal(fieldByName(T, 'ptr')?.name, 'Ptr');
  assert.equal(fieldByName(T, 't.MODE')?.name, 'Mode');
  assert.equal(fieldByName(T, 'nothing'), undefined);
});
