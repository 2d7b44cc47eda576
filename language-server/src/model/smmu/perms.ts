// Permission check of a cached translation against an access (DDI 0487 D8.4): the same rule the
// walk applies, needed on a TLB hit (IHI 0070 §3.17: a TLB hit is still permission-checked).

import type { Access, Perms } from '../types';

/** Instruction fetches (InD=1) need execute permission; other reads need read, writes need write. */
export function permits(p: Perms, a: Access): boolean {
  if (a.exec) return a.priv ? p.px : p.ux;
  if (a.read) return a.priv ? p.pr : p.ur;
  return a.priv ? p.pw : p.uw;
}

/** The one text form of a permission set: 'priv rwx user r-x' (also WireTlbEntry.perms on the wire). */
export function permsText(p: Perms): string {
  const one = (r: boolean, w: boolean, x: boolean) => (r ? 'r' : '-') + (w ? 'w' : '-') + (x ? 'x' : '-');
  return `priv ${one(p.pr, p.pw, p.px)} user ${one(p.ur, p.uw, p.ux)}`;
}

/** What a leaf descriptor's own fields grant, in words (table controls APTable/XNTable not applied). */
export interface LeafPerms {
  /** 'priv RW · user none' (stage 1) or 'RW' (stage 2); long: 'privileged read/write, unprivileged none', 'read/write'. */
  access: string;
  /** 'priv exec · UXN' (stage 1) or 'XN' / 'exec' (stage 2); long: the restrictions only, '' when none. */
  exec: string;
}

function flag(fields: Readonly<Record<string, string>>, name: string): bigint | undefined {
  const v = fields[name];
  return v !== undefined && /^0x[0-9a-f]+$/i.test(v) ? BigInt(v) : undefined;
}

const ACCESS = { short: ['none', 'RO', 'WO', 'RW'], long: ['no access', 'read-only', 'write-only', 'read/write'] };

/**
 * A leaf descriptor's permissions from its decoded fields (hex text, as on the wire): stage 1
 * AP[2:1], UXN (XN), PXN (DDI 0487 D8.4.1); stage 2 S2AP, XN (D8.4.3). `long` spells them out
 * (hover) instead of the compact panel form. undefined when the fields hold no AP/S2AP.
 */
export function leafPerms(stage: 1 | 2, fields: Readonly<Record<string, string>>, long = false): LeafPerms | undefined {
  const words = long ? ACCESS.long : ACCESS.short;
  if (stage === 1) {
    const ap = flag(fields, 'AP');
    if (ap === undefined) return undefined;
    // AP[2:1]: 00 priv RW; 01 priv+unpriv RW; 10 priv RO; 11 priv+unpriv RO.
    const priv = words[ap & 2n ? 1 : 3];
    const user = ap & 1n ? priv : 'none';
    const uxn = flag(fields, 'UXN') ?? flag(fields, 'XN') ?? 0n;
    const pxn = flag(fields, 'PXN') ?? 0n;
    if (long) {
      const exec = [uxn ? 'not executable unprivileged (UXN)' : '', pxn ? 'not executable privileged (PXN)' : ''].filter(Boolean).join('; ');
      return { access: `privileged ${priv}, unprivileged ${user}`, exec };
    }
    return { access: `priv ${priv} · user ${user}`, exec: [pxn ? 'PXN' : 'priv exec', uxn ? 'UXN' : 'user exec'].join(' · ') };
  }
  const s2ap = flag(fields, 'S2AP');
  if (s2ap === undefined) return undefined;
  // S2AP[1:0]: bit 0 read, bit 1 write.
  const xn = flag(fields, 'XN') ?? 0n;
  return { access: words[Number(s2ap & 3n)], exec: long ? (xn ? `XN 0x${xn.toString(16)}: execute restricted` : '') : xn ? 'XN' : 'exec' };
}

/** Both stages' permissions combined (nested): an access needs both. */
export function intersect(a: Perms, b: Perms): Perms {
  return { ur: a.ur && b.ur, uw: a.uw && b.uw, ux: a.ux && b.ux, pr: a.pr && b.pr, pw: a.pw && b.pw, px: a.px && b.px };
}
