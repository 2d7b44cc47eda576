import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhysicalMemory } from '../../../language-server/src/model/memory';
import { walkStage1, memFetch } from '../../../language-server/src/model/walk';
import { READ, WRITE, PREAD, s1 } from './helpers';

// 4K granule, T0SZ=16: 48-bit VA, start level 0, index bits L0 [47:39], L1 [38:30], L2 [29:21], L3 [20:12]
// (DDI 0487 D8.2). VA chosen so the indices are 1, 2, 3, 4.
const VA = (1n << 39n) | (2n << 30n) | (3n << 21n) | (4n << 12n) | 0x567n;

function fourLevel(): PhysicalMemory {
  const m = new PhysicalMemory();
  m.write64(0x4000_0000n + 1n * 8n, 0x4000_1003n); // L0[1]: table -> 0x4000_1000
  m.write64(0x4000_1000n + 2n * 8n, 0x4000_2003n); // L1[2]: table
  m.write64(0x4000_2000n + 3n * 8n, 0x4000_3003n); // L2[3]: table
  // L3[4]: page, OA 0x8_7654_3000, AF=1 (bit 10), SH=0b11 (bits 9:8), AP[2:1]=0b01 (bit 6), AttrIndx=1 (bits 4:2)
  m.write64(0x4000_3000n + 4n * 8n, 0x8_7654_3000n | 0x400n | 0x300n | 0x40n | 0x4n | 0x3n);
  return m;
}

test('4K, 48-bit VA: four-level walk to a page', () => {
  const m = fourLevel();
  const r = walkStage1(s1(), VA, READ, memFetch(m), { trace: true });
  assert.ok(r.ok);
  assert.equal(r.result.outputAddr, 0x8_7654_3567n);
  assert.equal(r.result.level, 3);
  assert.equal(r.result.blockShift, 12);
  assert.equal(r.result.inputBase, VA & ~0xfffn);
  assert.equal(r.result.outputBase, 0x8_7654_3000n);
  assert.deepEqual(r.result.perms, { ur: true, uw: true, ux: true, pr: true, pw: true, px: false });
  assert.equal(r.result.attrs.attrIndx, 1);
  assert.equal(r.result.attrs.sh, 3);
  assert.equal(r.trace!.startLevel, 0);
  assert.deepEqual(r.trace!.steps.map((s) => [s.level, s.index, s.descAddr, s.kind]), [
    [0, 1, 0x4000_0008n, 'table'],
    [1, 2, 0x4000_1010n, 'table'],
    [2, 3, 0x4000_2018n, 'table'],
    [3, 4, 0x4000_3020n, 'page'],
  ]);
  assert.equal(r.trace!.outputAddr, 0x8_7654_3567n);
});

test('the trace-less path gives the same result', () => {
  const m = fourLevel();
  const a = walkStage1(s1(), VA, WRITE, memFetch(m));
  assert.ok(a.ok);
  assert.equal(a.trace, undefined);
  assert.equal(a.result.outputAddr, 0x8_7654_3567n);
});

test('invalid level-2 descriptor: F_TRANSLATION at level 2 with the trace so far', () => {
  const m = fourLevel();
  m.write64(0x4000_2018n, 0x4000_3002n); // bit[0]=0
  const r = walkStage1(s1(), VA, PREAD, memFetch(m), { trace: true });
  assert.ok(!r.ok && r.fault);
  assert.equal(r.fault.kind, 'F_TRANSLATION');
  assert.equal(r.fault.level, 2);
  assert.equal(r.fault.stage, 1);
  assert.equal(r.fault.class, 'IN');
  assert.equal(r.trace!.steps.length, 3);
  assert.equal(r.trace!.steps[2].kind, 'invalid');
  assert.equal(r.trace!.fault, r.fault);
});
