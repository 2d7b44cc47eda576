// Access permissions granted by a leaf descriptor's own fields (pure). Hierarchical table
// controls (APTable, XNTable) are not applied here: the walk panel labels this "leaf".

export interface LeafPerms {
  /** e.g. "EL1 RW · EL0 RO" (stage 1) or "RW" (stage 2). */
  access: string;
  exec: string;
}

function flag(fields: Record<string, string>, name: string): bigint | undefined {
  const v = fields[name];
  return v !== undefined && /^0x[0-9a-f]+$/i.test(v) ? BigInt(v) : undefined;
}

/** Stage-1 AP[2:1], UXN, PXN and stage-2 S2AP, XN (DDI 0487 D8.4). */
export function leafPerms(stage: 1 | 2, fields: Record<string, string>): LeafPerms | undefined {
  if (stage === 1) {
    const ap = flag(fields, 'AP');
    if (ap === undefined) return undefined;
    // AP[2:1]: 00 priv RW; 01 priv+unpriv RW; 10 priv RO; 11 priv+unpriv RO.
    const priv = ap & 2n ? 'RO' : 'RW';
    const user = ap & 1n ? priv : 'none';
    const uxn = flag(fields, 'UXN') ?? flag(fields, 'XN') ?? 0n;
    const pxn = flag(fields, 'PXN') ?? 0n;
    const exec = [pxn ? 'PXN' : 'priv exec', uxn ? 'UXN' : 'user exec'].join(' · ');
    return { access: `priv ${priv} · user ${user}`, exec };
  }
  const s2ap = flag(fields, 'S2AP');
  if (s2ap === undefined) return undefined;
  // S2AP[1:0]: bit 0 read, bit 1 write.
  const access = ['none', 'RO', 'WO', 'RW'][Number(s2ap & 3n)];
  const xn = flag(fields, 'XN') ?? 0n;
  return { access, exec: xn ? 'XN' : 'exec' };
}
