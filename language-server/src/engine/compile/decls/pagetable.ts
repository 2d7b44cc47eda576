// `pagetable` declarations and the table edits `map`, `unmap`, `pte`. Layout is decided at compile
// time (allocator + page-table shadow), so each step is a fixed list of memory writes.

import type { MapStmt, Mapping, NumberLit, PagetableDecl, PteStmt, Span, UnmapStmt } from '../../../dsl/ast';
import { hex } from '../../../model/bits';
import { encode, type FieldValues } from '../../../model/fields/field';
import { makeFeatures } from '../../../model/smmu/features';
import { checkS1Config, checkS2Config, granuleShift, levelShift, s1StartLevel, s2Sl0Encoding, s2StartLevel } from '../../../model/walk/config';
import type { Granule, Stage } from '../../../model/types';
import type { LowerCtx } from '../lowerCtx';
import { PageTableLayout, sizeText, startTables, type Write } from '../../../model/layout/pagetable';
import { descDef, hasFields, makeCodec } from '../layout/descriptors';
import { closest, didYouMean } from '../names/symbols';
import { applyField } from '../lowering/structFields';
import { fieldNum } from '../lowering/values';
import { declInfo, placeAt } from './declInfo';
import { guestSpace, placeGuest } from './guest';
import { fieldsOf, findField, granuleOf, wordOf } from './fields';
import { smmuOf } from './smmu';
import type { PtInfo } from './state';
import { callsAt } from './allocLog';
import { codecFor, relayBody } from './ptBody';

export function ptInfo(ctx: LowerCtx, name: string, at: Span): PtInfo | undefined {
  return declInfo(ctx, ctx.decls.pts, 'pagetable', name, at, buildPt);
}

const PT_OPTIONS = ['at', 'ia', 'tsz', 't0sz', 's2t0sz', 'ias', 'bits', 'inputsize', 'va', 'sl0', 's2sl0', 'oas', 'ps', 'outputsize', 'smmu', 'granule', 'stage'];

/**
 * A page table's stage and granule as its declaration gives them (`s1`/`s2` or `stage`, the granule
 * or `granule`; defaults stage 1, 4KB): the one reading, for lowering and for hover. `badGranule`
 * is a granule literal that is not 4K, 16K or 64K.
 */
export function pagetableShape(n: PagetableDecl): { stage: Stage; granule: Granule; badGranule?: NumberLit } {
  const fields = fieldsOf(n);
  const sw = n.stage?.lower ?? wordOf(findField(fields, 'stage')?.values[0]);
  const stage: Stage = sw === 's2' || sw === 'stage2' || sw === '2' ? 2 : 1;
  const gLit = n.granule ?? (findField(fields, 'granule')?.values[0] as NumberLit | undefined);
  if (!gLit || gLit.kind !== 'number') return { stage, granule: 4 };
  const g = granuleOf(gLit.value);
  return g ? { stage, granule: g } : { stage, granule: 4, badGranule: gLit };
}

function buildPt(ctx: LowerCtx, n: PagetableDecl, name: string): PtInfo | undefined {
  const fields = fieldsOf(n);
  const { stage, granule, badGranule } = pagetableShape(n);
  if (badGranule) ctx.report(badGranule, 'E_GRANULE', `granule ${badGranule.text} is not 4K, 16K or 64K`);
  for (const f of fields) {
    if (!PT_OPTIONS.includes(f.name.lower)) ctx.report(f.name, 'E_PAGETABLE_OPTION', `unknown pagetable option '${f.name.text}'${didYouMean(closest(f.name.lower, PT_OPTIONS))}`);
  }
  const smmu = smmuOf(ctx, fields);
  const feats = smmu?.features ?? makeFeatures();
  if (!feats.granules.includes(granule)) ctx.report(n.granule ?? n.name ?? n, 'E_FEATURE', `${smmu?.name ?? 'the SMMU'} does not implement the ${granule}K granule (SMMU_IDR5.GRAN${granule}K)`);
  if (stage === 1 && !feats.stage1) ctx.report(n.stage ?? n.name ?? n, 'E_FEATURE', `${smmu?.name} does not implement stage 1 (SMMU_IDR0.S1P)`);
  if (stage === 2 && !feats.stage2) ctx.report(n.stage ?? n.name ?? n, 'E_FEATURE', `${smmu?.name} does not implement stage 2 (SMMU_IDR0.S2P)`);
  let inputSize = stage === 1 ? 48 : Math.min(feats.ias, 48);
  const tszF = findField(fields, 'tsz', 't0sz', 's2t0sz');
  const bitsF = findField(fields, 'ia', 'ias', 'bits', 'inputsize', 'va');
  if (tszF) {
    const v = fieldNum(ctx, tszF, 63n);
    if (v !== undefined) inputSize = 64 - Number(v);
  } else if (bitsF) {
    const v = fieldNum(ctx, bitsF, 64n);
    if (v !== undefined) inputSize = Number(v);
  }
  let outputSize = feats.oas;
  const psF = findField(fields, 'oas', 'ps', 'outputsize');
  if (psF) {
    const v = fieldNum(ctx, psF, 64n);
    if (v !== undefined) outputSize = Math.min(Number(v), feats.oas);
  }
  const tsz = 64 - inputSize;
  let startLevel: number;
  const sl0F = findField(fields, 'sl0', 's2sl0');
  if (stage === 1) {
    if (sl0F) ctx.report(sl0F, 'E_PAGETABLE_OPTION', 'sl0 is a stage-2 option: stage 1 starts where its input size requires (DDI 0487 D8.2)');
    for (const i of checkS1Config({ tt0: { ttb: 0n, tsz, granule }, ips: outputSize, lpa: feats.oas === 52, va52: feats.oas === 52 })) {
      if (i.field !== 'CD.IPS') ctx.report(tszF ?? bitsF ?? n.name ?? n, 'E_TABLE_CONFIG', i.message);
    }
    startLevel = s1StartLevel(granule, inputSize);
  } else {
    let sl0: number;
    if (sl0F) {
      sl0 = Number(fieldNum(ctx, sl0F, 3n) ?? 0n);
    } else {
      sl0 = s2Sl0Encoding(granule, defaultS2StartLevel(granule, inputSize));
    }
    const issues = checkS2Config({ ttb: 0n, tsz, sl0, granule, ps: outputSize, ias: feats.ias });
    for (const i of issues) ctx.report(i.field === 'STE.S2SL0' ? sl0F ?? n.name ?? n : tszF ?? bitsF ?? n.name ?? n, 'E_TABLE_CONFIG', i.message);
    if (issues.length) return undefined;
    startLevel = s2StartLevel(granule, sl0) ?? 1;
  }
  const geo = { stage, granule, inputSize, startLevel, outputSize };
  const rootSize = (1n << BigInt(granuleShift(granule))) * BigInt(startTables(geo));
  // A stage-1 table a nested STE reaches is laid out at IPAs (decls/guest.ts).
  const guest = stage === 1 ? guestSpace(ctx, 'pagetable', name, (s2) => ptInfo(ctx, s2, n)) : undefined;
  const alloc = guest?.alloc ?? ctx.alloc;
  const at = placeAt(ctx, findField(fields, 'at'), rootSize, rootSize, `pagetable ${name} (${startTables(geo) > 1 ? `${startTables(geo)} concatenated tables, ` : ''}${rootSize} bytes)`, alloc);
  // Each mapping has its own codec; the layout's own codec is only used for table descriptors.
  const layout = new PageTableLayout(geo, makeCodec(stage, granule, defaultAttrs(stage)), alloc, at);
  if (!ctx.decls.tableNames.has(layout.root)) ctx.decls.tableNames.set(layout.root, name);
  const info: PtInfo = { name, stage, granule, inputSize, startLevel, outputSize, layout, span: n };
  if (guest) info.guest = guest;
  let body: Write[] | undefined;
  const file = ctx.file;
  info.layBody = () => {
    if (body) return body;
    const prev = ctx.file;
    ctx.file = file;
    // (the earlier compile's body with a few leaves changed, when its tables stay: ptBody.ts)
    const was = ctx.decls.previous?.pts.get(name);
    body = (was && relayBody(ctx, info, was, n)) || layAll(ctx, info, n);
    ctx.file = prev;
    return body;
  };
  return info;
}

/** A table's writes where the memory is: a guest table's through its stage 2 (decls/guest.ts). */
function placed(ctx: LowerCtx, pt: PtInfo, writes: Write[], span: Span): Write[] {
  return pt.guest ? placeGuest(ctx, pt.guest, writes, `pagetable ${pt.name}`, span) : writes;
}

/**
 * The start level of a stage-2 table when the scenario does not give one: the usual start level,
 * one level lower with concatenated tables when that level would resolve 4 bits or fewer (as
 * Linux's io-pgtable does; DDI 0487 D8.2 concatenation).
 */
export function defaultS2StartLevel(granule: Granule, inputSize: number): number {
  let level = s1StartLevel(granule, inputSize);
  if (inputSize - levelShift(granule, level) <= 4 && level < 3) level++;
  return level;
}

export function defaultAttrs(stage: Stage) {
  return { r: true, w: true, x: false, user: true, attrIndx: 0, memAttr: 15, sh: 3, nG: stage === 1, af: true, dbm: false, contiguous: false, extra: {} };
}

/** A declaration's mappings laid out in order (what relayBody starts from next time: PtInfo.body). */
function layAll(ctx: LowerCtx, info: PtInfo, n: PagetableDecl): Write[] {
  const body: Write[] = [];
  const items: Mapping[] = [];
  const starts: number[] = [];
  const ranges: number[] = [];
  const calls = callsAt(ctx.alloc, ctx.ordinal);
  for (const it of n.body?.items ?? []) {
    if (it.kind !== 'mapping') continue;
    const r = info.layout.mappings().length;
    items.push(it);
    starts.push(body.length);
    const w = layoutMapping(ctx, info, it);
    ranges.push(info.layout.mappings().length > r ? r : -1);
    if (w) for (const x of w) body.push(x);
  }
  starts.push(body.length);
  const allocs = callsAt(ctx.alloc, ctx.ordinal) - calls;
  info.body = { items, starts, ranges, writes: body, allocs };
  return body;
}

/** Lays out one mapping; reports on the mapping. */
function layoutMapping(ctx: LowerCtx, pt: PtInfo, m: Mapping): Write[] | undefined {
  if (!m.iova || !m.size || !m.pa) return undefined;
  const codec = codecFor(ctx, pt, m);
  if (!codec) return undefined;
  const pgF = m.attrs.find((f) => f.name.lower === 'pgsize' || f.name.lower === 'pages');
  const pg = pgF?.values[0];
  if (pgF && pg?.kind !== 'number') {
    ctx.report(pgF, 'E_MAP_PGSIZE', `expected a size after '${pgF.name.text}' (${pt.layout.leafSizes().map((x) => sizeText(x.size)).join(', ')})`);
    return undefined;
  }
  const r = pt.layout.map(m.iova.value, m.size.value, m.pa.value, codec, pg?.kind === 'number' ? pg.value : undefined);
  if (!r.ok) {
    const code = r.message.startsWith('pgsize') ? 'E_MAP_PGSIZE' : r.message.includes('overlaps') ? 'E_MAP_OVERLAP' : r.message.includes('beyond') ? 'E_MAP_RANGE' : r.message.includes('descriptors') ? 'E_MAP_TOO_LARGE' : 'E_MAP_ALIGN';
    ctx.report(m, code, `map ${m.iova.text} ${m.size.text} -> ${m.pa.text}: ${r.message}`);
    return undefined;
  }
  return r.writes;
}

export function lowerPagetable(ctx: LowerCtx, s: PagetableDecl): void {
  if (!s.name || ctx.symbols.pagetable.get(s.name.name)?.node !== s) return;
  const pt = ptInfo(ctx, s.name.name, s.name);
  if (!pt) return;
  const writes = placed(ctx, pt, pt.layBody!(), s.name);
  const maps = pt.layout.mappings().length;
  const at = pt.guest ? `IPA ${hex(pt.layout.root)} (through stage 2 ${pt.guest.s2.name})` : hex(pt.layout.root);
  const label = `pagetable ${pt.name}: stage ${pt.stage}, ${pt.granule}K, ${pt.inputSize}-bit input, start level ${pt.startLevel} at ${at}, ${maps} mapping${maps === 1 ? '' : 's'}`;
  ctx.addWrites({ span: s, kind: 'pagetable', label, writes });
}

export function lowerMap(ctx: LowerCtx, s: MapStmt): void {
  if (!s.table) return;
  const pt = ptInfo(ctx, s.table.name, s.table);
  if (!pt) return;
  pt.edited = true;
  const laid = layoutMapping(ctx, pt, s.mapping);
  if (!laid) return;
  const w = placed(ctx, pt, laid, s);
  const m = s.mapping;
  ctx.addWrites({ span: s, kind: 'map', label: `map ${pt.name} ${m.iova!.text} ${m.size!.text} -> ${m.pa!.text}${m.perms ? ' ' + m.perms.text : ''}`, writes: w });
}

export function lowerUnmap(ctx: LowerCtx, s: UnmapStmt): void {
  if (!s.table || !s.iova) return;
  const pt = ptInfo(ctx, s.table.name, s.table);
  if (!pt) return;
  pt.edited = true;
  const iova = s.iova.value;
  let size = s.size?.value;
  if (size === undefined) {
    const r = pt.layout.mappings().find((x) => x.iova === iova);
    size = r ? r.size : 1n << BigInt(granuleShift(pt.granule));
  }
  const r = pt.layout.unmap(iova, size);
  if (!r.ok) {
    ctx.report(s, 'E_UNMAP', r.message);
    return;
  }
  const w = placed(ctx, pt, r.writes, s);
  const split = (r.split ?? []).map((b) => `split the ${sizeText(b.size)} ${b.level === 3 ? 'page' : 'block'} at ${hex(b.iova)} into a level-${b.level + 1} table`).join(', ');
  const label = `unmap ${pt.name} ${hex(iova)} ${hex(size)}${split ? `: ${split} keeping the rest mapped (as Linux's io-pgtable arm_lpae_split_blk_unmap did)` : ''}`;
  ctx.addWrites({ span: s, kind: 'unmap', label, writes: w });
}

export function lowerPte(ctx: LowerCtx, s: PteStmt): void {
  if (!s.table || !s.iova) return;
  const pt = ptInfo(ctx, s.table.name, s.table);
  if (!pt) return;
  pt.edited = true;
  const lf = s.fields.find((f) => f.name.lower === 'level');
  let level: number | undefined;
  if (lf) {
    const v = fieldNum(ctx, lf, 3n);
    if (v === undefined) return;
    level = Number(v);
    if (level < pt.startLevel) {
      ctx.report(lf, 'E_PTE_LEVEL', `table ${pt.name} starts at level ${pt.startLevel}`);
      return;
    }
  }
  const loc = pt.layout.descriptorAddr(s.iova.value, level);
  if (!loc) {
    ctx.report(s.iova, 'E_PTE_LEVEL', `no level-${level} table covers ${hex(s.iova.value)} in ${pt.name}`);
    return;
  }
  let value = s.value?.value ?? loc.desc ?? 0n;
  const edits = s.fields.filter((f) => f !== lf);
  if (edits.length) {
    // A table descriptor when the fields are table fields (NLTA, APTable, ...), else a leaf.
    const names = edits.map((f) => f.name.text);
    const table = loc.level < 3 ? descDef(pt.stage, pt.granule, loc.level, 'table') : undefined;
    const leaf = descDef(pt.stage, pt.granule, loc.level, 'leaf');
    const def = table && !(leaf && hasFields(leaf, names)) && hasFields(table, names) ? table : leaf;
    if (!def) {
      ctx.report(s, 'E_PTE_LEVEL', `no descriptor format at level ${loc.level} for the ${pt.granule}K granule`);
      return;
    }
    const vals: FieldValues = {};
    for (const f of edits) if (!applyField(ctx, def, f, vals)) return;
    value = encode(def, vals, [value])[0];
  }
  pt.layout.notePte(s.iova.value, loc.level, value, (value & 1n) === 1n);
  const w = placed(ctx, pt, [{ addr: loc.addr, value }], s);
  const where = pt.guest ? `IPA ${hex(loc.addr)}${w.length ? ` = PA ${hex(w[0].addr)}` : ''}` : hex(loc.addr);
  ctx.addWrites({ span: s, kind: 'pte', label: `pte ${pt.name} ${hex(s.iova.value)} level ${loc.level} @${where} = ${hex(value)}`, writes: w });
}
