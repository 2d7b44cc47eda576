import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhysicalMemory } from '../../../../language-server/src/model/memory';
import { locateCd } from '../../../../language-server/src/model/smmu/tables';

// L1CD: V is bit 0, L2Ptr bits [55:12] (IHI 0070 §5.3).
const l1cd = (l2: bigint) => l2 | 1n;

test('locateCd: a linear CD table holds CDs of 64 bytes indexed by SubstreamID', () => {
  const m = new PhysicalMemory();
  assert.deepEqual(locateCd(m, { contextPtr: 0x8000n, fmt: 0 }, 3), { ok: true, addr: 0x8000n + 3n * 64n });
});

test('locateCd: 2-level with 4KB leaves (S1Fmt 1, SPLIT 6) and 64KB leaves (S1Fmt 2, SPLIT 10)', () => {
  const m = new PhysicalMemory();
  // SubstreamID 0x45: L1 index 1, L2 index 5 with SPLIT 6.
  m.write64(0x8000n + 8n, l1cd(0x20000n));
  assert.deepEqual(locateCd(m, { contextPtr: 0x8000n, fmt: 1 }, 0x45), { ok: true, addr: 0x20000n + 5n * 64n, l1Addr: 0x8008n });
  // SubstreamID 0x405 (bigint accepted): L1 index 1, L2 index 5 with SPLIT 10.
  assert.deepEqual(locateCd(m, { contextPtr: 0x8000n, fmt: 2 }, 0x405n), { ok: true, addr: 0x20000n + 5n * 64n, l1Addr: 0x8008n });
});

test('locateCd: an L1CD with V == 0 is C_BAD_SUBSTREAMID with the L1CD address in the reason', () => {
  const m = new PhysicalMemory();
  const r = locateCd(m, { contextPtr: 0x8000n, fmt: 1 }, 0x45);
  assert.equal(r.ok, false);
  assert.equal(r.ok ? undefined : r.reason, 'L1CD at 0x8008 has V == 0 (SubstreamID 0x45)');
});

test('locateCd: every table address goes through fetch, and a stopped fetch stops the lookup', () => {
  const m = new PhysicalMemory();
  // The table sits at IPA 0x8000 that fetch maps to PA 0x108000; the L1CD there points at IPA 0x20000.
  m.write64(0x108008n, l1cd(0x20000n));
  const seen: string[] = [];
  const toPa = (a: bigint, what: 'L1CD' | 'CD') => (seen.push(`${what}@0x${a.toString(16)}`), a + 0x100000n);
  assert.deepEqual(locateCd(m, { contextPtr: 0x8000n, fmt: 1 }, 0x45, toPa), { ok: true, addr: 0x120140n, l1Addr: 0x8008n });
  assert.deepEqual(seen, ['L1CD@0x8008', 'CD@0x20140']);
  assert.equal(locateCd(m, { contextPtr: 0x8000n, fmt: 1 }, 0x45, () => undefined), undefined);
  assert.equal(locateCd(m, { contextPtr: 0x8000n, fmt: 0 }, 1, () => undefined), undefined);
});
