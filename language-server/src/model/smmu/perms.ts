// Permission check of a cached translation against an access (DDI 0487 D8.4): the same rule the
// walk applies, needed on a TLB hit (IHI 0070 §3.17: a TLB hit is still permission-checked).

import type { Access, Perms } from '../types';

/** Instruction fetches (InD=1) need execute permission; other reads need read, writes need write. */
export function permits(p: Perms, a: Access): boolean {
  if (a.exec) return a.priv ? p.px : p.ux;
  if (a.read) return a.priv ? p.pr : p.ur;
  return a.priv ? p.pw : p.uw;
}

/** Compact text form 'pr pw px ur uw ux' -> 'RWX/RW-' (privileged/unprivileged). */
export function permsText(p: Perms): string {
  const t = (r: boolean, w: boolean, x: boolean) => (r ? 'R' : '-') + (w ? 'W' : '-') + (x ? 'X' : '-');
  return `${t(p.pr, p.pw, p.px)}/${t(p.ur, p.uw, p.ux)}`;
}

/** Both stages' permissions combined (nested): an access needs both. */
export function intersect(a: Perms, b: Perms): Perms {
  return { ur: a.ur && b.ur, uw: a.uw && b.uw, ux: a.ux && b.ux, pr: a.pr && b.pr, pw: a.pw && b.pw, px: a.px && b.px };
}
