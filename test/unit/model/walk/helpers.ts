// Test helpers: hand-built translation tables. Descriptor values are written out in each test; these
// only spell the common accesses and configurations.
import assert from 'node:assert/strict';
import type { Access } from '../../../../language-server/src/model/types';
import type { StageOutcome, WalkOptions } from '../../../../language-server/src/model/walk';
import type { S1WalkConfig, S2WalkConfig } from '../../../../language-server/src/model/walk/config';

export const READ: Access = { read: true, exec: false, priv: false };
export const WRITE: Access = { read: false, exec: false, priv: false };
export const PREAD: Access = { read: true, exec: false, priv: true };
export const PWRITE: Access = { read: false, exec: false, priv: true };
export const UEXEC: Access = { read: true, exec: true, priv: false };
export const PEXEC: Access = { read: true, exec: true, priv: true };

export function s1(over: Partial<S1WalkConfig> & { tsz?: number; ttb?: bigint; granule?: 4 | 16 | 64 } = {}): S1WalkConfig {
  const { tsz = 16, ttb = 0x4000_0000n, granule = 4, ...rest } = over;
  return { tt0: { ttb, tsz, granule }, ips: 48, ...rest };
}

export function s2(over: Partial<S2WalkConfig> = {}): S2WalkConfig {
  return { ttb: 0x8000_0000n, tsz: 24, sl0: 1, granule: 4, ps: 48, ...over };
}

/** Run a walk traced and untraced: the two paths must agree (result or fault). Returns the traced one. */
export function bothPaths(walk: (opts?: WalkOptions) => StageOutcome): StageOutcome {
  const traced = walk({ trace: true });
  const fast = walk();
  assert.equal(fast.ok, traced.ok);
  if (fast.ok && traced.ok) assert.deepEqual(fast.result, traced.result);
  if (!fast.ok && !traced.ok) assert.deepEqual(fast.fault, traced.fault);
  return traced;
}

/** The fault of an outcome that must be one. */
export function fault(r: StageOutcome) {
  assert.ok(!r.ok && r.fault, 'expected a fault');
  return r.fault;
}
