// Guest structures of nested STEs. Under nesting the STE's S1ContextPtr, a CD's TTB0/TTB1 and every
// stage-1 table descriptor hold IPAs that stage 2 translates (IHI 0070 §3.4.1, §5.2 S1ContextPtr,
// §5.4 TTB0). So the CDs, CD tables and stage-1 tables a nested STE reaches are laid out in the
// IPA space of its stage 2 (from IPA 0x4000_0000, their own allocator) and written where that
// stage 2 maps them at the time of the write. IPAs stage 2 does not map (or maps onto the tool's
// own structures) are one error at the STE, with the `map` lines that fix it (output/guestFix.ts).

import type { SteDecl, Span, Statement } from '../../../dsl/ast';
import { hex } from '../../../model/bits';
import type { LowerCtx } from '../lowerCtx';
import type { WireDiagnostic } from '../../output/wire';
import type { SourceFile } from '../source';
import { Allocator } from '../../../model/layout/alloc';
import type { Write } from '../../../model/layout/pagetable';
import { guestFixMessage, type GuestGap } from '../../output/guestFix';
import { fieldsOf, wordOf } from './fields';
import type { CdInfo, CdtInfo, GuestSpace, PtInfo } from './state';

const PAGE = 0x1000n;
const CD_TABLE_FIELDS = ['pagetable', 'table', 'tt0', 'ttb0', 'tt1', 'ttb1'];
const S2_FIELDS = ['s2', 's2table', 'stage2', 'pagetable'];

/** The stage-2 table a nested STE names, and the cd/cdtable it reaches (undefined: not nested). */
function nestedOf(s: SteDecl): { s2: string; cd?: string; cdtable?: string } | undefined {
  if (s.raw) return undefined;
  let s2: string | undefined;
  let cd: string | undefined;
  let cdtable: string | undefined;
  let config: string | undefined;
  for (const f of fieldsOf(s)) {
    const k = f.name.lower;
    const w = f.values[0];
    const name = w?.kind === 'word' ? w.text : undefined;
    if (k === 'config') config = wordOf(w);
    else if (k === 'cd') cd = name;
    else if (k === 'cdtable') cdtable = name;
    else if (S2_FIELDS.includes(k)) s2 = name;
  }
  const s1 = cd !== undefined || cdtable !== undefined;
  const nested = config === undefined ? s1 && s2 !== undefined : config === 'nested' || config === '7' || config === '0x7';
  return nested && s1 && s2 !== undefined ? { s2, cd, cdtable } : undefined;
}

/** `kind:name` of every structure an STE's cd/cdtable reaches (CDs, CD tables, stage-1 tables). */
function reached(ctx: LowerCtx, s: SteDecl): string[] {
  const out: string[] = [];
  const cd = (name: string) => {
    out.push(`cd:${name}`);
    const d = ctx.symbols.cd.get(name);
    for (const f of d ? fieldsOf(d.node) : []) {
      const w = f.values[0];
      if (CD_TABLE_FIELDS.includes(f.name.lower) && w?.kind === 'word') out.push(`pagetable:${w.text}`);
    }
  };
  for (const f of fieldsOf(s)) {
    const w = f.values[0];
    if (w?.kind !== 'word') continue;
    if (f.name.lower === 'cd') cd(w.text);
    if (f.name.lower !== 'cdtable') continue;
    out.push(`cdtable:${w.text}`);
    const t = ctx.symbols.cdtable.get(w.text);
    for (const e of t ? fieldsOf(t.node) : []) if (e.name.lower === 'ssid' && e.values[1]?.kind === 'word') cd(e.values[1].text);
  }
  return out;
}

/**
 * Pre-pass: which structures are guest structures, and of which stage 2. A structure used both by
 * a nested STE and by another STE (stage 1 only, or nested over another stage 2) is an error at
 * the later STE: one declaration lives in one address space.
 */
export function collectGuests(ctx: LowerCtx, stmts: Array<{ file: SourceFile; stmt: Statement }>): void {
  const owner = ctx.decls.guestOf;
  const where = new Map<string, string>();
  for (const { file, stmt } of stmts) {
    if (stmt.kind !== 'ste' || stmt.raw) continue;
    ctx.file = file;
    const space = nestedOf(stmt)?.s2 ?? '';
    for (const key of reached(ctx, stmt)) {
      const had = owner.get(key);
      if (had === undefined) {
        owner.set(key, space);
        where.set(key, ctx.where(stmt));
      } else if (had !== space) {
        const [kind, name] = key.split(':');
        const as = (sp: string) => (sp ? `a guest structure at an IPA of stage 2 \`${sp}\`` : 'at a physical address (a stage-1-only STE)');
        ctx.report(stmt.sid ?? stmt, 'E_GUEST_SPACE', `${kind} ${name} is ${as(had)} for the STE at ${where.get(key)}; here it would be ${as(space)}: declare one ${kind} per address space`);
        break;
      }
    }
  }
}

/** The IPA space `kind name` is laid out in, when a nested STE reaches it. */
export function guestSpace(ctx: LowerCtx, kind: 'pagetable' | 'cd' | 'cdtable', name: string, s2Of: (name: string) => PtInfo | undefined): GuestSpace | undefined {
  const s2name = ctx.decls.guestOf.get(`${kind}:${name}`);
  if (!s2name || !ctx.symbols.pagetable.has(s2name)) return undefined;
  let space = ctx.decls.guestSpaces.get(s2name);
  if (space === undefined) {
    const s2 = s2Of(s2name);
    space = s2 && s2.stage === 2 ? { s2, alloc: new Allocator(), pending: [], placed: new Set(), steSeen: false } : null;
    ctx.decls.guestSpaces.set(s2name, space);
  }
  return space ?? undefined;
}

interface Gaps {
  missing: GuestGap[];
  overlaps: Array<{ ipa: bigint; pa: bigint; what: string }>;
}

/** Where stage 2 maps one guest page now: the PA, or a gap. */
function placePage(ctx: LowerCtx, space: GuestSpace, ipa: bigint, what: string, gaps: Gaps): bigint | undefined {
  const pa = space.s2.layout.translate(ipa);
  if (pa === undefined) {
    gaps.missing.push({ ipa: ipa - (ipa % PAGE), what });
    return undefined;
  }
  if (ctx.alloc.owns(pa)) {
    gaps.overlaps.push({ ipa, pa, what });
    return undefined;
  }
  const frame = pa - (pa % PAGE);
  if (!space.placed.has(frame)) {
    space.placed.add(frame);
    ctx.alloc.avoid(frame, PAGE); // the tool's own structures keep out of guest memory
  }
  return pa;
}

/** Reports gaps (at `span`); returns the diagnostic. */
function reportGaps(ctx: LowerCtx, space: GuestSpace, gaps: Gaps, span: Span, lead: string): WireDiagnostic | undefined {
  if (gaps.overlaps.length) {
    const o = gaps.overlaps[0];
    return ctx.report(span, 'E_GUEST_OVERLAP', `${lead}stage 2 \`${space.s2.name}\` maps IPA ${hex(o.ipa)} (${o.what}) to PA ${hex(o.pa)}, where the tool placed its own structures (stream tables, queues, stage-2 tables, from ${hex(ctx.alloc.base)}): map the guest's IPAs to memory of their own`);
  }
  if (gaps.missing.length) {
    const maps = space.s2.layout.mappings();
    const free = (ipa: bigint, size: bigint) => !maps.some((r) => ipa < r.iova + r.size && r.iova < ipa + size);
    return ctx.report(span, 'E_GUEST_UNMAPPED', lead + guestFixMessage(space.s2.name, gaps.missing, freePa(ctx), free));
  }
  return undefined;
}

/** A host PA for the fix's mappings: 2M-aligned, past the tool's region and every mapping's output. */
function freePa(ctx: LowerCtx): bigint {
  const M2 = 0x20_0000n;
  const outs: Array<[bigint, bigint]> = [];
  for (const pt of ctx.decls.pts.values()) for (const r of pt?.layout.mappings() ?? []) outs.push([r.pa, r.pa + r.size]);
  let pa = ((ctx.alloc.highWater() + M2 - 1n) & -M2) + 0x100_0000n;
  for (let moved = true; moved;) {
    moved = false;
    for (const [lo, hi] of outs) {
      if (pa < hi + M2 && lo < pa + 0x100_0000n) {
        pa = ((hi + M2 - 1n) & -M2) + M2;
        moved = true;
      }
    }
  }
  return pa;
}

/**
 * Guest writes (at IPAs) placed at the PAs stage 2 maps them to now. Before the first nested STE
 * of the space, unmapped ones wait for it (it reports them); after it, they are an error here.
 */
export function placeGuest(ctx: LowerCtx, space: GuestSpace, writes: readonly Write[], what: string, span: Span): Write[] {
  space.s2.layBody?.();
  const out: Write[] = [];
  const gaps: Gaps = { missing: [], overlaps: [] };
  for (const w of writes) {
    const pa = placePage(ctx, space, w.addr, what, gaps);
    if (pa !== undefined) out.push({ addr: pa, value: w.value });
    else if (!space.steSeen) space.pending.push({ write: w, what });
  }
  if (space.steSeen) reportGaps(ctx, space, gaps, span, '');
  return out;
}

/** What a nested STE reaches, as IPA ranges with their names. */
export function guestRanges(cd: CdInfo | undefined, cdt: CdtInfo | undefined): Array<{ ipa: bigint; size: bigint; what: string }> {
  const out: Array<{ ipa: bigint; size: bigint; what: string }> = [];
  const ofCd = (c: CdInfo) => {
    out.push({ ipa: c.addr, size: 64n, what: `cd ${c.name}` });
    for (const pt of c.tables) {
      pt.layBody?.();
      for (const [a, size] of pt.layout.tables()) out.push({ ipa: a, size, what: `pagetable ${pt.name}` });
    }
  };
  if (cd) ofCd(cd);
  if (cdt) {
    for (const [a, size] of cdt.ranges) out.push({ ipa: a, size, what: `cdtable ${cdt.name}` });
    for (const c of cdt.cds) ofCd(c);
  }
  return out;
}

/**
 * At a nested STE: the guest writes that waited are placed now, and every IPA the STE reaches must
 * be mapped by stage 2 (else one error here, which makes the STE and its DMAs skipped).
 * Returns the writes to make before the STE's own.
 */
export function checkGuestSte(ctx: LowerCtx, space: GuestSpace, ranges: ReturnType<typeof guestRanges>, at: Span): { writes: Write[]; problem?: WireDiagnostic } {
  space.s2.layBody?.();
  const out: Write[] = [];
  const gaps: Gaps = { missing: [], overlaps: [] };
  const waiting = space.pending.splice(0);
  for (const p of waiting) {
    const pa = placePage(ctx, space, p.write.addr, p.what, gaps);
    if (pa !== undefined) out.push({ addr: pa, value: p.write.value });
  }
  for (const r of ranges) for (let a = r.ipa - (r.ipa % PAGE); a < r.ipa + r.size; a += PAGE) placePage(ctx, space, a, r.what, gaps);
  space.steSeen = true;
  const d = reportGaps(ctx, space, gaps, at, `nested STE: the CD and stage-1 table pointers are IPAs (IHI 0070 §3.4.1): `);
  return d ? { writes: out, problem: d } : { writes: out };
}
