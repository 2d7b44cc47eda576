// Pure helpers of the webview: keyed diff plan, content hash, filtering/sorting, formatting, leaf permissions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashString, planKeyed } from '../../../media/src/lib/keyed';
import { compareCells, filterRows, sortRows } from '../../../media/src/lib/table';
import { bitRange, groupHex, parseHex, rangeEnd, sizeName } from '../../../media/src/lib/format';
import { leafPerms } from '../../../media/src/lib/perms';

test('planKeyed keeps, creates and removes by key', () => {
  const p = planKeyed(['a', 'b', 'c'], ['c', 'd', 'a']);
  assert.deepEqual(p.remove, ['b']);
  assert.deepEqual(p.create, ['d']);
  assert.deepEqual(p.keep, ['c', 'a']);
  assert.deepEqual(p.order, ['c', 'd', 'a']);
});

test('planKeyed rejects duplicate keys', () => {
  assert.throws(() => planKeyed([], ['x', 'x']), /duplicate/);
});

test('hashString is 32-bit FNV-1a', () => {
  // Published FNV-1a test vectors: "" -> 0x811c9dc5, "a" -> 0xe40c292c, "foobar" -> 0xbf9cf968.
  assert.equal(hashString(''), '811c9dc5');
  assert.equal(hashString('a'), 'e40c292c');
  assert.equal(hashString('foobar'), 'bf9cf968');
});

const rows = [
  { cells: ['1', 'S1', '0x10', 'rw'] },
  { cells: ['2', 'S2', '0x9', 'r-'] },
  { cells: ['3', 'S12', '0x20000000000001', 'rwx'] },
  { cells: ['4', 'S12', '0x20000000000000', 'rw'] },
];

test('filter matches every term, any column, case-insensitive', () => {
  assert.deepEqual(filterRows(rows, 's12').map((r) => r.cells[0]), ['3', '4']);
  assert.deepEqual(filterRows(rows, 'S12 rwx').map((r) => r.cells[0]), ['3']);
  assert.deepEqual(filterRows(rows, '   ').length, 4);
  assert.deepEqual(filterRows(rows, 'nothing').length, 0);
});

test('sort compares hex by value, exactly beyond 2^53, and is stable', () => {
  assert.deepEqual(sortRows(rows, 2, 'asc').map((r) => r.cells[0]), ['2', '1', '4', '3']);
  assert.deepEqual(sortRows(rows, 2, 'desc').map((r) => r.cells[0]), ['3', '4', '1', '2']);
  assert.deepEqual(sortRows(rows, 3, 'asc').map((r) => r.cells[0]), ['2', '1', '4', '3']);
  assert.ok(compareCells('0x9', '0x10') < 0);
  assert.ok(compareCells('0x1_0000', '0xffff') > 0);
  assert.ok(compareCells('10', 'abc') < 0);
});

test('format helpers', () => {
  assert.equal(groupHex('0x7f1234567abc'), '0x7f12_3456_7abc');
  assert.equal(groupHex('0x1000'), '0x1000');
  assert.equal(groupHex('<b>'), '<b>');
  assert.equal(parseHex('0xfffffffffffffffff'), 0xfffffffffffffffffn);
  assert.equal(parseHex('12'), undefined);
  assert.deepEqual([12, 16, 21, 30, 39].map(sizeName), ['4K', '64K', '2M', '1G', '512G']);
  assert.equal(rangeEnd('0x40000000', 21), '0x401fffff');
  assert.equal(bitRange(47, 39), '[47:39]');
  assert.equal(bitRange(5, 5), '[5]');
});

test('stage-1 leaf permissions from AP[2:1], UXN, PXN (DDI 0487 D8.4)', () => {
  assert.deepEqual(leafPerms(1, { AP: '0x0' }), { access: 'priv RW · user none', exec: 'priv exec · user exec' });
  assert.deepEqual(leafPerms(1, { AP: '0x1', UXN: '0x1' }), { access: 'priv RW · user RW', exec: 'priv exec · UXN' });
  assert.deepEqual(leafPerms(1, { AP: '0x2', PXN: '0x1' }), { access: 'priv RO · user none', exec: 'PXN · user exec' });
  assert.deepEqual(leafPerms(1, { AP: '0x3' })?.access, 'priv RO · user RO');
  assert.equal(leafPerms(1, {}), undefined);
});

test('stage-2 leaf permissions from S2AP and XN (DDI 0487 D8.4)', () => {
  assert.deepEqual(['0x0', '0x1', '0x2', '0x3'].map((v) => leafPerms(2, { S2AP: v })?.access), ['none', 'RO', 'WO', 'RW']);
  assert.equal(leafPerms(2, { S2AP: '0x3', XN: '0x2' })?.exec, 'XN');
});
