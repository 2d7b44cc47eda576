// Test helpers: hand-built translation tables. Descriptor values are written out in each test; these
// only spell the common accesses and configurations.
import type { Access } from '../../../language-server/src/model/types';
import type { S1WalkConfig, S2WalkConfig } from '../../../language-server/src/model/walk/config';

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
