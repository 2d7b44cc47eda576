// `iommufd OP ...` lines and `vsmmu NAME VIOMMU...`: each a step calling the model's IommufdContext
// (model/iommufd) on the run's SMMUs. A nesting parent's stage-2 table is laid out at compile time,
// like a `pagetable`, from the IOAS mappings before it, and kept in step with later ioas_map /
// ioas_unmap lines; the kernel's invalidations come from the model at run time.

import type { IommufdStmt, NameDecl, NameRef, NumberLit, VsmmuStmt, Word } from '../../../dsl/ast';
import { hex } from '../../../model/bits';
import { makeFeatures } from '../../../model/smmu/features';
import type { S2Table } from '../../../model/iommufd/hostSte';
import type { Granule } from '../../../model/types';
import type { LowerCtx } from '../lowerCtx';
import { PageTableLayout, type TableGeometry, type Write } from '../../../model/layout/pagetable';
import type { ShadowPlan, ShadowTableFormat } from '../../../model/iommufd/shadow';
import type { S1ShadowFormat } from '../../../model/iommufd/shadowS1';
import { DEFAULT_MAIR } from './mapAttrs';
import { makeCodec } from '../layout/descriptors';
import { defaultAttrs, defaultS2StartLevel } from '../decls/pagetable';
import { smmuLayout } from '../decls/smmu';
import { resolveSmmu, resolveVirtual } from '../names/resolve';
import { num } from './values';

/** A nesting parent's table at compile time. */
interface ParentLayout {
  ioas: string;
  granule: Granule;
  layout: PageTableLayout;
  table: S2Table;
}

/** Keeps the allocator off the pages the scenario writes and the guest memory it maps. */
function reserveScenarioMemory(ctx: LowerCtx): void {
  ctx.symbols.pagesRead = true;
  const pages = [...ctx.symbols.writtenPages].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
  for (let i = 0; i < pages.length; ) {
    let j = i;
    while (j + 1 < pages.length && pages[j + 1] === pages[j] + 1n) j++;
    ctx.alloc.reserve(pages[i] << 12n, (pages[j] - pages[i] + 1n) << 12n);
    i = j + 1;
  }
  for (const [lo, hi] of ctx.symbols.guestRanges) if (hi > lo) ctx.alloc.reserve(lo, hi - lo);
}

/** Compile-time iommufd state of one scenario: IOAS mappings so far and the parents' layouts. */
interface IommufdLayout {
  ioas: Map<string, Array<{ iova: bigint; length: bigint; pa: bigint; ro: boolean }>>;
  parents: Map<string, ParentLayout>;
  /** vIOMMU -> its physical SMMU (a shadowing vsmmu lays its tables out in that SMMU's format). */
  viommus: Map<string, string>;
  /** Memory reserved for the scenario already (before the first table the tool places). */
  reserved: boolean;
  /** Objects whose line failed to compile: lines that use them are skipped, not reported again. */
  failed: Set<string>;
}

const layouts = new WeakMap<LowerCtx, IommufdLayout>();
function state(ctx: LowerCtx): IommufdLayout {
  let s = layouts.get(ctx);
  if (!s) layouts.set(ctx, (s = { ioas: new Map(), parents: new Map(), viommus: new Map(), failed: new Set(), reserved: false }));
  return s;
}

const S2_RW = (g: Granule = 4) => makeCodec(2, g, defaultAttrs(2));
const S2_RO = (g: Granule = 4) => makeCodec(2, g, { ...defaultAttrs(2), w: false });
/** Memory the tool reserves for one shadowing vsmmu's tables (1024 4K tables). */
const SHADOW_POOL = 0x40_0000n;

export function lowerIommufd(ctx: LowerCtx, s: IommufdStmt): void {
  if (!s.op || s.incomplete) return; // the parser has said what is missing
  const op = s.op.lower;
  const a = s.operands;
  const name = (i: number) => (a[i] as NameDecl | NameRef).name;
  const n = (i: number, what: string, bits = 64) => num(ctx, a[i] as NumberLit, what, bits);
  const st = state(ctx);
  const decl = a.find((o): o is NameDecl => o.kind === 'nameDecl')?.name;
  const refs = a.filter((o): o is NameRef => o.kind === 'nameRef' && o.refers !== 'smmu').map((o) => o.name);
  const fail = () => void (decl && st.failed.add(decl));
  // A line that uses an object whose own line failed is skipped: that line has the one error.
  if (refs.some((r) => st.failed.has(r))) return fail();
  // Every name a line refers to must be declared (by an earlier or later line: calls run in order).
  for (const o of a) if (o.kind === 'nameRef' && o.refers !== 'smmu' && !resolveVirtual(ctx, o)) return fail();
  const smmuRef = a.find((o): o is NameRef => o.kind === 'nameRef' && o.refers === 'smmu');
  const smmu = smmuRef ? resolveSmmu(ctx, smmuRef, smmuRef) : undefined;
  if (smmuRef && smmu === undefined) return fail();
  const line = `iommufd ${op} ${a.map((o) => ('name' in o ? o.name : (o as NumberLit | Word).text)).join(' ')}`;
  const step = (run: Parameters<LowerCtx['addStep']>[0]['run']) => (ctx.lastCall = ctx.addStep({
    span: s, kind: 'iommufd', label: line, ...(smmu ? { smmu } : {}),
    run: (rt, out) => rt.vmLayer(line, () => rt.virt.guarded(refs, decl, out, () => run(rt, out))),
  }));
  switch (op) {
    case 'ioas': {
      st.ioas.set(name(0), []);
      step((rt, out) => rt.virt.apply(out, rt.virt.fd.allocIoas(name(0))));
      return;
    }
    case 'ioas_map': {
      const iova = n(1, 'IOVA'), length = n(2, 'length'), pa = n(3, 'physical address');
      if (iova === undefined || length === undefined || pa === undefined) return;
      const ro = a.some((o) => o.kind === 'word' && o.lower === 'ro');
      st.ioas.get(name(0))?.push({ iova, length, pa, ro });
      const writes = parentWrites(ctx, st, name(0), (p) => p.layout.map(iova, length, pa, ro ? S2_RO() : S2_RW()), s);
      step((rt, out) => {
        rt.writeMany(writes);
        rt.virt.apply(out, rt.virt.fd.mapIoas(name(0), { iova, length, pa, readOnly: ro }));
      });
      return;
    }
    case 'ioas_unmap': {
      const iova = n(1, 'IOVA'), length = n(2, 'length');
      if (iova === undefined || length === undefined) return;
      const skipAt = a.findIndex((o) => o.kind === 'word' && o.lower === 'skip');
      const skip = new Set(skipAt >= 0 && a[skipAt + 1] ? [name(skipAt + 1)] : []);
      const list = st.ioas.get(name(0));
      if (list) st.ioas.set(name(0), list.filter((m) => !(m.iova >= iova && m.iova + m.length <= iova + length)));
      const writes = parentWrites(ctx, st, name(0), (p) => p.layout.unmap(iova, length), s);
      step((rt, out) => {
        rt.writeMany(writes);
        rt.virt.apply(out, rt.virt.fd.unmapIoas(name(0), iova, length, 0x1000n, skip));
      });
      return;
    }
    case 'hwpt_parent': {
      const p = layoutParent(ctx, st, name(0), name(1), smmu!, s);
      if (!p) return fail();
      const writes = p.writes;
      step((rt, out) => {
        rt.writeMany(writes);
        rt.virt.apply(out, rt.virt.fd.allocParent(name(0), name(1), smmu!, p.parent.table));
      });
      return;
    }
    case 'viommu':
      st.viommus.set(name(0), smmu!);
      step((rt, out) => rt.virt.apply(out, rt.virt.fd.allocViommu(name(0), smmu!, name(2))));
      return;
    case 'vdevice': {
      const vsid = n(1, 'virtual StreamID', 32), sid = n(2, 'StreamID', 32);
      if (vsid === undefined || sid === undefined) return;
      step((rt, out) => rt.virt.apply(out, rt.virt.fd.allocVdevice(name(0), Number(vsid), Number(sid))));
      return;
    }
    case 'hwpt_nested': {
      const d0 = n(2, 'STE dword 0'), d1 = n(3, 'STE dword 1');
      if (d0 === undefined || d1 === undefined) return;
      step((rt, out) => rt.virt.apply(out, rt.virt.fd.allocNested(name(0), name(1), d0, d1)));
      return;
    }
    case 'attach': {
      const sid = n(1, 'StreamID', 32);
      if (sid === undefined) return;
      step((rt, out) => rt.virt.apply(out, rt.virt.fd.attach(smmu!, Number(sid), name(2))));
      return;
    }
    case 'invalidate': {
      const words = a.slice(1).map((o, i) => n(i + 1, 'command dword'));
      if (words.some((w) => w === undefined)) return;
      if (words.length % 2 !== 0) {
        ctx.report(a[a.length - 1], 'E_RAW_LENGTH', `a command is 2 dwords (IHI 0070 §4): ${words.length} dwords leave the last command incomplete`);
        return;
      }
      const cmds = Array.from({ length: words.length / 2 }, (_, i) => [words[2 * i]!, words[2 * i + 1]!] as [bigint, bigint]);
      step((rt, out) => rt.virt.apply(out, rt.virt.fd.invalidate(name(0), cmds)));
      return;
    }
    case 'veventq': {
      const depth = n(1, 'depth', 32);
      if (depth === undefined) return;
      step((rt, out) => rt.virt.apply(out, rt.virt.fd.allocVeventq(name(0), Number(depth))));
      return;
    }
    case 'hw_queue': {
      const index = n(1, 'queue index', 32), ipa = n(2, 'IPA'), log2 = n(3, 'LOG2SIZE', 6);
      if (index === undefined || ipa === undefined || log2 === undefined) return;
      step((rt, out) => rt.virt.apply(out, rt.virt.fd.allocHwQueue(name(0), Number(index), ipa, Number(log2))));
      return;
    }
  }
}

/** The memory writes that keep every parent over `ioas` in step with a mapping change. */
function parentWrites(ctx: LowerCtx, st: IommufdLayout, ioas: string, edit: (p: ParentLayout) => { ok: true; writes: Write[] } | { ok: false; message: string }, at: IommufdStmt): Write[] {
  const out: Write[] = [];
  for (const [hwpt, p] of st.parents) {
    if (p.ioas !== ioas) continue;
    const r = edit(p);
    if (r.ok) out.push(...r.writes);
    else ctx.report(at, 'E_IOMMUFD_MAP', `stage-2 table of ${hwpt}: ${r.message}`);
  }
  return out;
}

/**
 * The stage-2 table format the kernel uses on `smmu` (4K granule when it has it, its IAS up to 48
 * bits): for nesting parents and shadow tables alike. Reserves the scenario's memory first.
 */
function s2Geometry(ctx: LowerCtx, st: IommufdLayout, smmu: string, at: IommufdStmt | VsmmuStmt, what: string): TableGeometry | undefined {
  if (!st.reserved) reserveScenarioMemory(ctx);
  st.reserved = true;
  const feats = smmuLayout(ctx, smmu)?.features ?? makeFeatures();
  if (!feats.stage2) {
    ctx.report(at, 'E_FEATURE', `${smmu} does not implement stage 2 (SMMU_IDR0.S2P): it cannot hold ${what}`);
    return undefined;
  }
  const granule: Granule = feats.granules.includes(4) ? 4 : feats.granules[0];
  const inputSize = Math.min(feats.ias, 48);
  return { stage: 2, granule, inputSize, startLevel: defaultS2StartLevel(granule, inputSize), outputSize: feats.oas };
}

/**
 * `hwpt_parent`: a stage-2 table in the parent SMMU's format (4K granule, its IAS up to 48 bits),
 * placed in memory the scenario does not otherwise write, holding the IOAS's mappings so far.
 */
function layoutParent(ctx: LowerCtx, st: IommufdLayout, hwpt: string, ioas: string, smmu: string, at: IommufdStmt): { parent: ParentLayout; writes: Write[] } | undefined {
  const geo = s2Geometry(ctx, st, smmu, at, 'a nesting parent');
  if (!geo) return undefined;
  const { granule, inputSize } = geo;
  const layout = new PageTableLayout(geo, S2_RW(), ctx.alloc);
  ctx.decls.tableNames.set(layout.root, hwpt);
  const parent: ParentLayout = { ioas, granule, layout, table: { ttb: layout.root, granule, inputSize, startLevel: geo.startLevel, outputSize: geo.outputSize } };
  const writes: Write[] = [];
  for (const m of st.ioas.get(ioas) ?? []) {
    const r = layout.map(m.iova, m.length, m.pa, m.ro ? S2_RO() : S2_RW());
    if (r.ok) for (const w of r.writes) writes.push(w); // no spread: a large map is ~10^5 writes
    else ctx.report(at, 'E_IOMMUFD_MAP', `IOAS ${ioas} mapping ${hex(m.iova)} +${hex(m.length)}: ${r.message}`);
  }
  st.parents.set(hwpt, parent);
  ctx.report(at, 'I_IOMMUFD_LAYOUT', `stage-2 table of ${hwpt} at ${hex(layout.root)} (${granule}K granule, ${inputSize}-bit IPA, start level ${geo.startLevel}), shared by every SMMU that uses ${hwpt}`, 'information');
  return { parent, writes };
}

export function lowerVsmmu(ctx: LowerCtx, s: VsmmuStmt): void {
  if (!s.name || s.viommus.length === 0) return;
  const st = state(ctx);
  const name = s.name.name;
  const viommus = s.viommus.map((v) => v.name);
  if (viommus.some((v) => st.failed.has(v))) return void st.failed.add(name);
  for (const v of s.viommus) if (!resolveVirtual(ctx, v)) return void st.failed.add(name);
  const shadow = s.mode?.lower === 'shadow' ? shadowPlan(ctx, st, s, name, viommus) : undefined;
  if (s.mode?.lower === 'shadow' && !shadow) return void st.failed.add(name);
  const opts = shadow ? { mode: 'shadow' as const, shadow } : {};
  const line = `vsmmu ${name} ${viommus.join(' ')}${shadow ? ' mode shadow' : ''}`;
  ctx.lastCall = ctx.addStep({
    span: s, kind: 'vsmmu', smmu: name, label: line,
    run: (rt, out) => rt.vmLayer(line, () => rt.virt.guarded(viommus, name, out, () => rt.virt.createVsmmu(name, viommus, out, opts))),
  });
}

/** `mode shadow`: the memory of the shadow tables and their format on each vIOMMU's SMMU. */
function shadowPlan(ctx: LowerCtx, st: IommufdLayout, s: VsmmuStmt, name: string, viommus: string[]): ShadowPlan | undefined {
  const formats = new Map<string, ShadowTableFormat>();
  const s1Formats = new Map<string, S1ShadowFormat>();
  for (const v of viommus) {
    const smmu = st.viommus.get(v);
    if (smmu === undefined || formats.has(smmu)) continue;
    const geo = s2Geometry(ctx, st, smmu, s, 'shadow tables');
    if (!geo) return undefined;
    formats.set(smmu, { geo, rw: S2_RW(geo.granule), ro: S2_RO(geo.granule) });
    // Devices with substreams or TTB1 get a stage-1 host context (model/iommufd/shadowS1.ts), where the SMMU has stage 1.
    if ((smmuLayout(ctx, smmu)?.features ?? makeFeatures()).stage1) {
      const g = geo.granule;
      s1Formats.set(smmu, { granule: g, outputSize: geo.outputSize, rw: makeCodec(1, g, defaultAttrs(1)), ro: makeCodec(1, g, { ...defaultAttrs(1), w: false }), mair: DEFAULT_MAIR });
    }
  }
  if (!st.reserved) reserveScenarioMemory(ctx);
  st.reserved = true;
  const pool = ctx.alloc.alloc(SHADOW_POOL, 0x1000n);
  ctx.report(s.mode ?? s, 'I_IOMMUFD_LAYOUT', `shadow tables of ${name} in [${hex(pool)}, +${hex(SHADOW_POOL)}): one stage-2 table per guest device (a stage-1 host context per guest CD for a device with substreams or TTB1), written by the VMM on the guest's invalidations`, 'information');
  return { pool, poolSize: SHADOW_POOL, formats, s1Formats };
}
