// Permissions as a 6-bit mask in the hot path, expanded to the Perms record for results.

import type { Access, Perms } from '../types';

export const UR = 1;
export const UW = 2;
export const UX = 4;
export const PR = 8;
export const PW = 16;
export const PX = 32;

/**
 * The permission bit an access needs: write if RnW=0, else execute if InD=1, else read; privileged if
 * PnU=1 (IHI 0070 §7.3 RnW/InD/PnU, DDI 0487 D8.4).
 */
export function neededPerm(a: Access): number {
  if (!a.read) return a.priv ? PW : UW;
  if (a.exec) return a.priv ? PX : UX;
  return a.priv ? PR : UR;
}

/** The 64 permission records, frozen: a result shares one (no allocation per walk; a snapshot of
 *  the TLB shares them too). */
const PERMS: readonly Perms[] = Array.from({ length: 64 }, (_, m) => Object.freeze({
  ur: (m & UR) !== 0,
  uw: (m & UW) !== 0,
  ux: (m & UX) !== 0,
  pr: (m & PR) !== 0,
  pw: (m & PW) !== 0,
  px: (m & PX) !== 0,
}));

export function toPerms(m: number): Perms {
  return PERMS[m & 63];
}

export function fromPerms(p: Perms): number {
  return (p.ur ? UR : 0) | (p.uw ? UW : 0) | (p.ux ? UX : 0) | (p.pr ? PR : 0) | (p.pw ? PW : 0) | (p.px ? PX : 0);
}

export function accessName(a: Access): string {
  return `${a.priv ? 'privileged' : 'unprivileged'} ${!a.read ? 'write' : a.exec ? 'instruction fetch' : 'read'}`;
}
