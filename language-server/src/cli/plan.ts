// `iommu-lens plan ste|cd <from dwords> -- <to dwords> [--json]`: the order in which to write a
// live STE or CD so that the SMMU never fetches a mix of the two (model/update, Linux's
// arm_smmu_write_entry order), and its number of CMD_SYNCs. Dwords are hexadecimal (0x optional,
// `_` allowed), dword 0 first; fewer than 8 are padded with zeros (dumps often stop early).

import { planUpdate, formatPlan, ENTRY_DWORDS, type EntryKind } from '../model/update';
import { hex } from '../model/bits';

export const PLAN_USAGE = 'usage: iommu-lens plan ste|cd <from dwords> -- <to dwords> [--json]';

function parseWords(args: string[], role: string): bigint[] | string {
  const words = args.flatMap((a) => a.split(/[\s,]+/)).filter((a) => a !== '');
  if (words.length === 0) return `no ${role} dwords given`;
  if (words.length > ENTRY_DWORDS) return `${words.length} ${role} dwords given: an STE or CD is ${ENTRY_DWORDS} dwords`;
  const out: bigint[] = [];
  for (const w of words) {
    const t = w.replace(/_/g, '').replace(/^0x/i, '');
    if (!/^[0-9a-f]{1,16}$/i.test(t)) return `'${w}' is not a 64-bit hexadecimal dword (${role})`;
    out.push(BigInt('0x' + t));
  }
  while (out.length < ENTRY_DWORDS) out.push(0n);
  return out;
}

export function planCommand(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  const json = argv.includes('--json');
  const args = argv.filter((a) => a !== '--json');
  const kind = args[0]?.toUpperCase();
  const sep = args.indexOf('--');
  if ((kind !== 'STE' && kind !== 'CD') || sep < 0) {
    err(PLAN_USAGE);
    return 2;
  }
  const from = parseWords(args.slice(1, sep), 'current');
  const to = parseWords(args.slice(sep + 1), 'target');
  const bad = typeof from === 'string' ? from : typeof to === 'string' ? to : undefined;
  if (bad !== undefined || typeof from === 'string' || typeof to === 'string') {
    err(`iommu-lens plan: ${bad}\n${PLAN_USAGE}`);
    return 2;
  }
  const r = planUpdate(kind as EntryKind, from, to);
  if (!r.ok) {
    err(`iommu-lens plan: ${r.error}`);
    return 2;
  }
  const p = r.plan;
  if (json) {
    out(JSON.stringify({
      kind: p.kind, syncs: p.syncs, hitless: p.hitless, critical: p.critical ?? null,
      phases: p.phases.map((ph) => ({ why: ph.why, writes: ph.writes.map((w) => ({ dword: w.dword, value: hex(w.value) })) })),
    }));
  } else {
    out(formatPlan(p));
  }
  return 0;
}
