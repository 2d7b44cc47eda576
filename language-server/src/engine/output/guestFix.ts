// The wording of "stage 2 does not map the guest's structures" (decls/guest.ts) and its fix: the
// `map` lines to add to the stage-2 pagetable, in the message, which the editor's quick fix reads
// back (server/quickFixes.ts). One format, written and parsed here.

import { hex } from '../../model/bits';

export interface GuestGap {
  /** A 4K page of guest IPA space. */
  ipa: bigint;
  /** What the tool put there (`cd guest_cd`, `pagetable guest`). */
  what: string;
}

const PAGE = 0x1000n;
const CHUNK = 0x20_0000n;

/**
 * "stage 2 `vm` does not map IPA [a, b) (cd x, pagetable y): add `map A +2M -> PA rw` to pagetable vm".
 * The fix maps the 2M-aligned chunks that hold the gaps, at consecutive PAs from `pa`.
 */
export function guestFixMessage(table: string, gaps: readonly GuestGap[], pa: bigint, free: (ipa: bigint, size: bigint) => boolean): string {
  const byPage = new Map<bigint, Set<string>>();
  for (const g of gaps) {
    const p = g.ipa - (g.ipa % PAGE);
    (byPage.get(p) ?? byPage.set(p, new Set()).get(p)!).add(g.what);
  }
  const pages = [...byPage.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const ranges: Array<{ lo: bigint; hi: bigint; what: Set<string> }> = [];
  for (const p of pages) {
    const last = ranges[ranges.length - 1];
    if (last && last.hi === p) {
      last.hi += PAGE;
      for (const w of byPage.get(p)!) last.what.add(w);
    } else ranges.push({ lo: p, hi: p + PAGE, what: new Set(byPage.get(p)) });
  }
  // A whole 2M chunk where nothing is mapped yet (room for the guest's later tables), else the pages.
  const chunks: Array<{ lo: bigint; size: bigint }> = [];
  for (const p of pages) {
    const c = p - (p % CHUNK);
    const [lo, size] = free(c, CHUNK) ? [c, CHUNK] : [p, PAGE];
    const last = chunks[chunks.length - 1];
    if (last && last.lo + last.size === lo) last.size += size;
    else if (!last || last.lo + last.size < lo) chunks.push({ lo, size });
  }
  let at = pa;
  const lines = chunks.map((c) => {
    const line = `map ${hex(c.lo)} +${c.size % CHUNK === 0n ? `${c.size >> 20n}M` : `${c.size >> 10n}K`} -> ${hex(at)} rw`;
    at += c.size;
    return `\`${line}\``;
  });
  const where = ranges.map((r) => `[${hex(r.lo)}, ${hex(r.hi)}) (${[...r.what].join(', ')})`).join(', ');
  return `stage 2 \`${table}\` does not map IPA ${where}, where the tool laid out the guest's structures (from IPA 0x40000000): add ${lines.join(', ')} to pagetable ${table}`;
}

/** The fix a message carries: the table and the `map` lines to add to it. */
export function guestFixOf(message: string): { table: string; lines: string[] } | undefined {
  const m = /: add ((?:`map [^`]+`(?:, )?)+) to pagetable ([^\s.,;]+)/.exec(message);
  if (!m) return undefined;
  return { table: m[2], lines: [...m[1].matchAll(/`(map [^`]+)`/g)].map((x) => x[1]) };
}
