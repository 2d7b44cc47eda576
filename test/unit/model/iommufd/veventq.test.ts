// vEVENTQ sequence numbers and lost events (include/uapi/linux/iommufd.h, struct iommufd_vevent_header).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VEventQueue } from '../../../../language-server/src/model/iommufd';

const rec = (n: number) => [BigInt(n), 0n, 0n, 0n];

test('events get consecutive sequence numbers; a full queue loses events behind one LOST_EVENTS header', () => {
  const q = new VEventQueue(2);
  assert.deepEqual(q.report(rec(0)), { delivered: true, sequence: 0 });
  assert.deepEqual(q.report(rec(1)), { delivered: true, sequence: 1 });
  const lost = q.report(rec(2));
  assert.equal(lost.delivered, false);
  assert.equal(lost.sequence, 2);
  q.report(rec(3));
  assert.equal(q.lostCount, 2);
  const s = q.snapshot();
  assert.equal(s.length, 3, 'two events and one lost-events header');
  assert.deepEqual(s.map((e) => [e.sequence, e.lost]), [[0, false], [1, false], [3, true]]);
  // The reader drains; the next event continues the sequence, so the reader sees the gap.
  assert.equal(q.read().length, 3);
  assert.deepEqual(q.report(rec(4)), { delivered: true, sequence: 4 });
  assert.equal(q.count(), 1);
});

test('sequence numbers wrap from INT_MAX to 0', () => {
  const q = new VEventQueue(4);
  (q as unknown as { nextSeq: number }).nextSeq = 0x7fff_ffff;
  assert.equal(q.report(rec(0)).sequence, 0x7fff_ffff);
  assert.equal(q.report(rec(1)).sequence, 0);
});
