import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigCache } from '../../../../language-server/src/model/smmu/configCache';
import { makeFeatures, checkFeatures } from '../../../../language-server/src/model/smmu/features';
import { bringUp, RD, SID, VA_RW } from './fixture';

test('config cache: FIFO evicts the oldest, LRU the least recently used, unbounded keeps all', () => {
  const fifo = new ConfigCache<string, string>({ capacity: 2, policy: 'fifo' });
  fifo.putSte(1, 0n, [], 'a', 0);
  fifo.putSte(2, 0n, [], 'b', 0);
  fifo.getSte(1);
  const ev = fifo.putSte(3, 0n, [], 'c', 0).evicted;
  assert.equal(ev?.sid, 1);
  const lru = new ConfigCache<string, string>({ capacity: 2, policy: 'lru' });
  lru.putSte(1, 0n, [], 'a', 0);
  lru.putSte(2, 0n, [], 'b', 0);
  lru.getSte(1);
  assert.equal(lru.putSte(3, 0n, [], 'c', 0).evicted?.sid, 2);
  const all = new ConfigCache<string, string>({ capacity: 1, policy: 'unbounded' });
  for (let i = 0; i < 5; i++) all.putSte(i, 0n, [], 'x', 0);
  assert.equal(all.size, 5);
});

test('config cache: hits are counted; CD entries are tagged by StreamID and SubstreamID', () => {
  const c = new ConfigCache<string, string>({ capacity: 8, policy: 'unbounded' });
  c.putCd(1, 0, 0x100n, [], 'cd0', 3);
  c.putCd(1, 1, 0x140n, [], 'cd1', 3);
  c.putCd(2, 0, 0x200n, [], 'other', 3);
  assert.equal(c.getCd(1, 1)?.value, 'cd1');
  assert.equal(c.getCd(1, 1)?.hits, 2);
  assert.equal(c.peekCd(1, 1)?.hits, 2);
  assert.equal(c.getCd(1, 1)?.insertedAt, 3);
  assert.equal(c.invalidateCds(1).length, 2);
  assert.equal(c.size, 1);
});

test('a 1-entry config cache makes two streams evict each other (declared implementation choice)', () => {
  const { s } = bringUp({ configCache: { capacity: 1, policy: 'fifo' } });
  const a = s.translate({ sid: SID, iova: VA_RW, access: RD });
  assert.equal(a.outcome, 'ok');
  // STE then CD were inserted: the CD insert evicted the STE.
  assert.equal(s.configCache.size, 1);
  assert.equal(s.translate({ sid: SID, iova: VA_RW, access: RD }).configCache, 'miss');
});

test('a 1-entry TLB keeps only the latest translation', () => {
  const { s } = bringUp({ tlb: { capacity: 1, policy: 'fifo' } });
  s.translate({ sid: SID, iova: VA_RW, access: RD });
  s.translate({ sid: SID, iova: VA_RW + 0x1000n, access: RD });
  assert.equal(s.tlb.size, 1);
  assert.equal(s.translate({ sid: SID, iova: VA_RW, access: RD }).tlb, 'miss');
});

test('features: nested needs both stages; IAS follows OAS; declaration problems are listed', () => {
  assert.equal(makeFeatures({ stage2: false }).nested, false);
  assert.equal(makeFeatures({ oas: 40 }).ias, 40);
  assert.equal(makeFeatures({ oas: 40, ias: 44 }).ias, 44);
  assert.deepEqual(checkFeatures(makeFeatures()), []);
  assert.equal(checkFeatures(makeFeatures({ oas: 47 })).length, 1);
  assert.equal(checkFeatures(makeFeatures({ ssidBits: 21 })).length, 1);
});
