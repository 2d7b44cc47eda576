// Lowering of declarations and table edits: `smmu` (instance features + driver bring-up as
// register/command steps), `pagetable` (+ `map`/`unmap`/`pte` steps), `cd`, `cdtable`, `ste`.
// Layout is decided at compile time (allocator + page-table shadow), so each step is a fixed
// list of memory writes and replays cheaply.

import type { CdDecl, CdTableDecl, Field, MapStmt, Mapping, NumberLit, PagetableDecl, PteStmt, SmmuDecl, Span, SteDecl, UnmapStmt, Value } from '../dsl/ast';
import { hex } from '../model/bits';
import { decode, encode, type FieldValues, type StructDef } from '../model/fields/field';
import { CD, L1CD, L1STD, STE, STE_CONFIG } from '../model/fields';
import { checkFeatures, makeFeatures, type SmmuFeatures } from '../model/smmu/features';
import { interpretSte } from '../model/smmu/ste';
import { interpretCd } from '../model/smmu/cd';
import { oasEncoding } from '../model/smmu/idr';
import { checkS1Config, checkS2Config, granuleShift, levelShift, s1StartLevel, s2StartLevel } from '../model/walk/config';
import type { Granule, Stage } from '../model/types';
import type { LowerCtx } from './compile';
import { PageTableLayout, startTables, type DescCodec, type Write } from './pagetable';
import { descDef, hasFields, makeCodec } from './descriptors';
import { DEFAULT_MAIR, mappingAttrs } from './mapAttrs';
import { applyField } from './structFields';
import { closest, didYouMean, resolveRef, resolveSmmu, type Decl } from './symbols';
import { addRegStep, regValue } from './registers';
import { OPCODES, commandByName } from '../model/fields/commands';

// ---------------------------------------------------------------------------------------------
// Compile-time state of the declarations

export interface SmmuLayout {
  name: string;
  features: SmmuFeatures;
  strtab: { base: bigint; log2size: number; twoLevel: boolean; split: number; l2: Map<number, bigint> };
  cmdq: { base: bigint; log2: number };
  eventq: { base: bigint; log2: number };
  /** PRI queue (16-byte page request records, IHI 0070 §8), when the SMMU implements PRI. */
  priq?: { base: bigint; log2: number };
}

export interface PtInfo {
  name: string;
  stage: Stage;
  granule: Granule;
  inputSize: number;
  startLevel: number;
  outputSize: number;
  layout: PageTableLayout;
  span: Span;
}

export interface CdInfo {
  name: string;
  dwords: bigint[];
  addr: bigint;
}

export interface CdtInfo {
  name: string;
  fmt: number;
  cdMax: number;
  base: bigint;
  writes: Write[];
  hasSsid0: boolean;
}

export class DeclState {
  readonly smmus = new Map<string, SmmuLayout>();
  readonly pts = new Map<string, PtInfo | null>();
  readonly cds = new Map<string, CdInfo | null>();
  readonly cdts = new Map<string, CdtInfo | null>();
  readonly tableNames = new Map<bigint, string>();
  readonly codecs = new Map<string, DescCodec>();
  private nextAsid = 1;
  private nextVmid = 1;
  /** ASIDs / VMIDs the scenario writes explicitly (auto-allocated ones avoid them). */
  private explicit?: { asid: Set<bigint>; vmid: Set<bigint> };

  private scan(ctx: LowerCtx): { asid: Set<bigint>; vmid: Set<bigint> } {
    if (this.explicit) return this.explicit;
    const e = { asid: new Set<bigint>(), vmid: new Set<bigint>() };
    const grab = (fields: Field[], name: string, into: Set<bigint>) => {
      for (const f of fields) if (f.name.lower === name && f.values[0]?.kind === 'number') into.add(f.values[0].value);
    };
    for (const d of ctx.symbols.cd.values()) grab(fieldsOf(d.node), 'asid', e.asid);
    for (const f of ctx.symbols.steVmids) if (f.values[0]?.kind === 'number') e.vmid.add(f.values[0].value);
    this.explicit = e;
    return e;
  }

  /** A fresh ASID (from 1) that no CD of the scenario names explicitly. */
  freshAsid(ctx: LowerCtx): bigint {
    const used = this.scan(ctx).asid;
    while (used.has(BigInt(this.nextAsid))) this.nextAsid++;
    return BigInt(this.nextAsid++);
  }

  freshVmid(ctx: LowerCtx): bigint {
    const used = this.scan(ctx).vmid;
    while (used.has(BigInt(this.nextVmid))) this.nextVmid++;
    return BigInt(this.nextVmid++);
  }
}

/** Fields of a declaration: inline options then block fields (mappings are handled apart). */
function fieldsOf(d: { options?: Field[]; body?: { items: Array<Field | Mapping> } }): Field[] {
  const out: Field[] = [...(d.options ?? [])];
  for (const it of d.body?.items ?? []) if (it.kind === 'field') out.push(it);
  return out;
}

function numOf(ctx: LowerCtx, f: Field, max?: bigint): bigint | undefined {
  const v = f.values[0];
  if (!v || v.kind !== 'number') {
    ctx.report(f, 'E_VALUE', `expected a number after '${f.name.text}'`);
    return undefined;
  }
  if (max !== undefined && v.value > max) {
    ctx.report(v, 'E_VALUE_RANGE', `${f.name.text} ${v.text} is out of range (at most ${max})`);
    return undefined;
  }
  return v.value;
}

function wordOf(v: Value | undefined): string | undefined {
  return v?.kind === 'word' ? v.lower : v?.kind === 'number' ? v.text.toLowerCase() : undefined;
}

function flagOf(f: Field): boolean {
  const v = f.values[0];
  if (!v) return true;
  if (v.kind === 'number') return v.value !== 0n;
  const w = wordOf(v);
  return !(w === 'no' || w === 'false' || w === 'off' || w === 'none');
}

function granuleOf(v: bigint): Granule | undefined {
  if (v === 4n || v === 4096n) return 4;
  if (v === 16n || v === 16384n) return 16;
  if (v === 64n || v === 65536n) return 64;
  return undefined;
}

const MAX_PA_END = 1n << 52n;

/** `at ADDR` with an alignment and range check; reserves the range in the allocator. */
function placeAt(ctx: LowerCtx, f: Field | undefined, size: bigint, align: bigint, what: string): bigint | undefined {
  if (!f) return undefined;
  const a = numOf(ctx, f);
  if (a === undefined) return undefined;
  if (a % align !== 0n) {
    ctx.report(f, 'E_MISALIGNED', `${what} at ${hex(a)} must be ${hex(align)}-aligned (its size${size !== align ? ' or granule' : ''})`);
    return undefined;
  }
  // Structures live in physical memory, at most 52 bits wide (IHI 0070 §6.3 SMMU_IDR5.OAS).
  if (a + size > MAX_PA_END) {
    ctx.report(f, 'E_VALUE_RANGE', `${what} at ${hex(a)} does not fit below the 52-bit physical address space`);
    return undefined;
  }
  ctx.alloc.reserve(a, size);
  return a;
}

function findField(fields: Field[], ...names: string[]): Field | undefined {
  return fields.find((f) => names.includes(f.name.lower));
}

// ---------------------------------------------------------------------------------------------
// smmu

const FEATURE_FLAGS: Record<string, keyof SmmuFeatures> = {
  stage1: 'stage1', s1: 'stage1', stage2: 'stage2', s2: 'stage2', nested: 'nested', ats: 'ats', pri: 'pri', ril: 'ril',
  btm: 'btm', hyp: 'hyp', cd2l: 'cd2l', msi: 'msi',
};
const FEATURE_NUMS: Record<string, keyof SmmuFeatures> = {
  oas: 'oas', ias: 'ias', asidbits: 'asidBits', vmidbits: 'vmidBits', ssidbits: 'ssidBits', ssidsize: 'ssidBits', sidbits: 'sidBits', sidsize: 'sidBits',
  cmdqs: 'cmdqs', eventqs: 'eventqs', priqs: 'priqs',
};
/** Implementation choices the spec leaves open (IHI 0070 §3.20, §5.2 STE.CONT): option -> feature, values. */
const CHOICES: Record<string, [keyof SmmuFeatures, string[]]> = {
  tlbconflict: ['tlbConflict', ['detect', 'undetected']],
  cfgconflict: ['cfgConflict', ['detect', 'undetected']],
  stecont: ['steCont', ['honour', 'ignore']],
};
const DRIVER_OPTIONS = ['strtab', 'split', 'log2size', 'enable', 'disabled', 'version', 'granules', 'httu', 'stall', 'stlevel', 'tlb', 'configcache', 'stages'];

function smmuFeatures(ctx: LowerCtx, decl: SmmuDecl | undefined): SmmuFeatures {
  if (!decl) return makeFeatures();
  const over: Partial<SmmuFeatures> = {};
  const mentioned = new Set<string>();
  for (const f of fieldsOf(decl)) {
    const n = f.name.lower;
    if (FEATURE_FLAGS[n]) {
      (over as Record<string, unknown>)[FEATURE_FLAGS[n]] = flagOf(f);
      mentioned.add(FEATURE_FLAGS[n]);
    } else if (FEATURE_NUMS[n]) {
      const v = numOf(ctx, f, 64n);
      if (v !== undefined) (over as Record<string, unknown>)[FEATURE_NUMS[n]] = Number(v);
    } else if (n === 'stages') {
      const ws = f.values.map(wordOf);
      over.stage1 = ws.includes('s1') || ws.includes('1') || ws.includes('stage1');
      over.stage2 = ws.includes('s2') || ws.includes('2') || ws.includes('stage2');
      over.nested = ws.includes('nested');
      mentioned.add('stage1');
      mentioned.add('stage2');
    } else if (n === 'version') {
      const w = wordOf(f.values[0]);
      if (w === '3.0' || w === '3.1' || w === '3.2') over.version = w;
      else ctx.report(f, 'E_SMMU_FEATURE', 'version is 3.0, 3.1 or 3.2');
    } else if (n === 'granules') {
      const gs: Granule[] = [];
      for (const v of f.values) {
        const g = v.kind === 'number' ? granuleOf(v.value) : undefined;
        if (!g) ctx.report(v, 'E_SMMU_FEATURE', 'granules are 4K, 16K, 64K');
        else gs.push(g);
      }
      over.granules = gs;
    } else if (n === 'httu' || n === 'stall' || n === 'stlevel') {
      const w = wordOf(f.values[0]);
      const ok: Record<string, string[]> = { httu: ['none', 'ha', 'hd'], stall: ['supported', 'none', 'forced'], stlevel: ['linear', '2lvl', '2level'] };
      if (!w || !ok[n].includes(w)) ctx.report(f, 'E_SMMU_FEATURE', `${n} is one of ${ok[n].join(', ')}`);
      else if (n === 'httu') over.httu = w as SmmuFeatures['httu'];
      else if (n === 'stall') over.stall = w as SmmuFeatures['stall'];
      else over.stLevel = w === 'linear' ? 'linear' : '2lvl';
    } else if (n === 'bbml') {
      // IHI 0070 §3.21.1, SMMU_IDR3.BBML.
      const v = numOf(ctx, f, 2n);
      if (v !== undefined) over.bbml = Number(v) as SmmuFeatures['bbml'];
    } else if (CHOICES[n]) {
      const [key, words] = CHOICES[n];
      const w = wordOf(f.values[0]);
      const v = w === 'honor' ? 'honour' : w;
      if (!v || !words.includes(v)) ctx.report(f, 'E_SMMU_FEATURE', `${n} is one of ${words.join(', ')}`);
      else (over as Record<string, unknown>)[key] = v;
    } else if (n === 'tlb' || n === 'configcache') {
      const cap = f.values.find((v) => v.kind === 'number');
      const pol = f.values.map(wordOf).find((w) => w === 'lru' || w === 'fifo' || w === 'random' || w === 'unbounded');
      const base = makeFeatures()[n === 'tlb' ? 'tlb' : 'configCache'];
      const c = { ...base, capacity: cap?.kind === 'number' ? Number(cap.value) : base.capacity, policy: (pol ?? (cap ? 'lru' : base.policy)) as SmmuFeatures['tlb']['policy'] };
      if (n === 'tlb') over.tlb = c;
      else over.configCache = c;
    } else if (!DRIVER_OPTIONS.includes(n)) {
      ctx.report(f.name, 'E_SMMU_FEATURE', `unknown SMMU option '${f.name.text}'${didYouMean(closest(n, [...Object.keys(FEATURE_FLAGS), ...Object.keys(FEATURE_NUMS), ...Object.keys(CHOICES), 'bbml', ...DRIVER_OPTIONS]))}`);
    }
  }
  // Naming one stage alone declares an instance with only that stage.
  if (mentioned.has('stage1') !== mentioned.has('stage2')) {
    if (!mentioned.has('stage1')) over.stage1 = over.stage1 ?? false;
    if (!mentioned.has('stage2')) over.stage2 = over.stage2 ?? false;
  }
  const problems = checkFeatures(makeFeatures(over));
  for (const p of problems) ctx.report(decl.name ?? decl, 'E_SMMU_FEATURE', p);
  // An illegal size would make the ID registers unencodable (e.g. `ssidbits 40`, `cmdqs 40`):
  // reported above, the default is used instead.
  if (problems.length) {
    for (const k of new Set(Object.values(FEATURE_NUMS))) {
      if (k in over && checkFeatures(makeFeatures({ [k]: over[k] } as Partial<SmmuFeatures>)).length) delete over[k];
    }
  }
  return makeFeatures(over);
}

/** The compile-time layout of an instance: stream table, queues. Created on first use. */
export function smmuLayout(ctx: LowerCtx, name: string): SmmuLayout {
  const st = ctx.decls;
  let l = st.smmus.get(name);
  if (l) return l;
  const decl = ctx.symbols.smmu.get(name);
  const prevFile = ctx.file;
  if (decl) ctx.file = decl.file;
  const features = smmuFeatures(ctx, decl?.node);
  const fields = decl ? fieldsOf(decl.node) : [];
  const sids = ctx.symbols.sids.get(name) ?? [];
  const maxSid = sids.reduce((a, b) => (b > a ? b : a), 0n);
  let log2size = Math.max(1, maxSid.toString(2).length);
  const l2f = findField(fields, 'log2size');
  if (l2f) {
    const v = numOf(ctx, l2f, 32n);
    if (v !== undefined) {
      if (v < BigInt(log2size)) ctx.report(l2f, 'E_SID_RANGE', `log2size ${v} cannot hold StreamID ${hex(maxSid)} used by an ste`);
      else log2size = Number(v);
    }
  }
  if (log2size > features.sidBits) {
    if (decl) ctx.report(decl.node.name ?? decl.node, 'E_SID_RANGE', `StreamID ${hex(maxSid)} needs ${log2size} bits but ${name} has SIDSIZE ${features.sidBits}`);
    log2size = features.sidBits;
  }
  const fmtF = findField(fields, 'strtab');
  let twoLevel = log2size > 10 && features.stLevel === '2lvl';
  if (fmtF) {
    const w = wordOf(fmtF.values[0]);
    if (w === 'linear') twoLevel = false;
    else if (w === '2level' || w === '2lvl') {
      twoLevel = true;
      if (features.stLevel !== '2lvl') ctx.report(fmtF, 'E_FEATURE', `${name} implements linear stream tables only (SMMU_IDR0.ST_LEVEL)`);
    } else ctx.report(fmtF, 'E_SMMU_FEATURE', 'strtab is linear or 2level');
  }
  let split = 8;
  const sf = findField(fields, 'split');
  if (sf) {
    const v = numOf(ctx, sf);
    if (v === 6n || v === 8n || v === 10n) split = Number(v);
    else ctx.report(sf, 'E_VALUE', 'SPLIT is 6, 8 or 10 (IHI 0070 §6.3 SMMU_STRTAB_BASE_CFG)');
  }
  if (twoLevel && log2size <= split) split = 6;
  // IHI 0070 §3.3.2: a linear table is 2^LOG2SIZE STEs; a 2-level L1 table 2^(LOG2SIZE-SPLIT) L1STDs; aligned to their size.
  const stSize = twoLevel ? 8n << BigInt(Math.max(0, log2size - split)) : 64n << BigInt(log2size);
  const align = stSize < 64n ? 64n : stSize;
  const base = ctx.alloc.alloc(stSize, align);
  const cmdLog2 = Math.min(8, features.cmdqs);
  const evtLog2 = Math.min(7, features.eventqs);
  const cmdSize = 16n << BigInt(cmdLog2);
  const evtSize = 32n << BigInt(evtLog2);
  l = {
    name, features,
    strtab: { base, log2size, twoLevel, split, l2: new Map() },
    cmdq: { base: ctx.alloc.alloc(cmdSize, cmdSize < 32n ? 32n : cmdSize), log2: cmdLog2 },
    eventq: { base: ctx.alloc.alloc(evtSize, evtSize < 32n ? 32n : evtSize), log2: evtLog2 },
  };
  if (features.pri) {
    const priLog2 = Math.min(6, features.priqs);
    const priSize = 16n << BigInt(priLog2);
    l.priq = { base: ctx.alloc.alloc(priSize, priSize < 32n ? 32n : priSize), log2: priLog2 };
  }
  st.smmus.set(name, l);
  ctx.file = prevFile;
  return l;
}

export function lowerSmmu(ctx: LowerCtx, s: SmmuDecl): void {
  if (!s.name) return;
  const name = s.name.name;
  if (ctx.symbols.smmu.get(name)?.node !== s) return; // duplicate: reported
  const l = smmuLayout(ctx, name);
  const features = l.features;
  ctx.setup.push((rt) => rt.declared.set(name, features));
  const fields = fieldsOf(s);
  const en = findField(fields, 'enable');
  const enabled = !findField(fields, 'disabled') && (!en || flagOf(en));
  // Driver bring-up order (as Linux's arm_smmu_device_reset): tables and queues while disabled,
  // queues on, invalidate everything, then SMMUEN (IHI 0070 §3.3, §6.3).
  const reg = (r: string, v: FieldValues, note = '') => {
    const { def, value } = regValue(r, v);
    addRegStep(ctx, s, name, def, value, note);
  };
  reg('SMMU_CR2', { RECINVSID: 1n }, ' (record invalid StreamIDs)');
  reg('SMMU_STRTAB_BASE', { ADDR: l.strtab.base }, ' (stream table)');
  reg('SMMU_STRTAB_BASE_CFG', { LOG2SIZE: BigInt(l.strtab.log2size), SPLIT: l.strtab.twoLevel ? BigInt(l.strtab.split) : 0n, FMT: l.strtab.twoLevel ? 1n : 0n },
    ` (${l.strtab.twoLevel ? '2-level' : 'linear'}, ${l.strtab.log2size} StreamID bits)`);
  reg('SMMU_CMDQ_BASE', { ADDR: l.cmdq.base, LOG2SIZE: BigInt(l.cmdq.log2) }, ` (${2 ** l.cmdq.log2} commands)`);
  reg('SMMU_CMDQ_PROD', {});
  reg('SMMU_CMDQ_CONS', {});
  reg('SMMU_EVENTQ_BASE', { ADDR: l.eventq.base, LOG2SIZE: BigInt(l.eventq.log2) }, ` (${2 ** l.eventq.log2} events)`);
  reg('SMMU_EVENTQ_PROD', {});
  reg('SMMU_EVENTQ_CONS', {});
  const priqen = l.priq ? 1n : 0n;
  if (l.priq) {
    reg('SMMU_PRIQ_BASE', { ADDR: l.priq.base, LOG2SIZE: BigInt(l.priq.log2) }, ` (${2 ** l.priq.log2} page requests)`);
    reg('SMMU_PRIQ_PROD', {});
    reg('SMMU_PRIQ_CONS', {});
  }
  reg('SMMU_CR0', { CMDQEN: 1n, EVENTQEN: 1n, PRIQEN: priqen }, ' (queues on)');
  for (const c of ['CMD_CFGI_ALL', 'CMD_TLBI_NSNH_ALL', 'CMD_SYNC'] as const) {
    const op = BigInt(c === 'CMD_CFGI_ALL' ? OPCODES.CMD_CFGI_STE_RANGE : OPCODES[c]);
    // CMD_CFGI_ALL is CMD_CFGI_STE_RANGE with Range 31 (IHI 0070 §4.3.3).
    const dwords = c === 'CMD_CFGI_ALL' ? encodeCmd('CMD_CFGI_STE_RANGE', { Opcode: op, Range: 31n }) : encodeCmd(c, { Opcode: op });
    ctx.addStep({ span: s, kind: 'cmd', smmu: name, label: `cmd ${name} ${c}`, run: (rt, out) => rt.command(name, dwords, out) });
  }
  if (enabled) reg('SMMU_CR0', { SMMUEN: 1n, CMDQEN: 1n, EVENTQEN: 1n, PRIQEN: priqen }, ' (SMMU enabled)');
}

function encodeCmd(name: string, v: FieldValues): bigint[] {
  return encode(commandByName(name)!, v);
}

/** The SMMU whose features a table/CD follows: `smmu NAME` option, else the default one. */
function smmuOf(ctx: LowerCtx, fields: Field[]): SmmuLayout | undefined {
  const f = findField(fields, 'smmu');
  if (f) {
    const w = f.values[0];
    if (w?.kind !== 'word') return undefined;
    if (!ctx.symbols.smmu.has(w.text)) {
      ctx.report(w, 'E_UNKNOWN_NAME', `unknown SMMU '${w.text}'${didYouMean(ctx.symbols.suggest('smmu', w.text))}`);
      return undefined;
    }
    return smmuLayout(ctx, w.text);
  }
  if (ctx.symbols.smmu.size >= 1) return smmuLayout(ctx, [...ctx.symbols.smmu.keys()][0]);
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// pagetable

/** S2SL0 encoding of a start level (IHI 0070 STE.S2SL0, as VTCR_EL2.SL0). */
function sl0Of(g: Granule, level: number): number {
  return g === 4 ? (level === 3 ? 3 : 2 - level) : 3 - level;
}

/**
 * The compiled form of a named declaration, built once on first use (in its own file's context);
 * `null` while building guards against cycles and marks a declaration that failed.
 */
function declInfo<K extends 'pagetable' | 'cd' | 'cdtable', N, I>(
  ctx: LowerCtx, cache: Map<string, I | null>, kind: K, name: string, at: Span, build: (ctx: LowerCtx, node: N, name: string) => I | undefined,
): I | undefined {
  if (cache.has(name)) return cache.get(name) ?? undefined;
  const d = resolveRef(ctx, kind, name, at) as Decl<N> | undefined;
  if (!d) return undefined;
  cache.set(name, null);
  const prevFile = ctx.file;
  ctx.file = d.file;
  try {
    const info = build(ctx, d.node, name);
    cache.set(name, info ?? null);
    return info;
  } finally {
    ctx.file = prevFile;
  }
}

export function ptInfo(ctx: LowerCtx, name: string, at: Span): PtInfo | undefined {
  return declInfo(ctx, ctx.decls.pts, 'pagetable', name, at, buildPt);
}

const PT_OPTIONS = ['at', 'ia', 'tsz', 't0sz', 's2t0sz', 'ias', 'bits', 'inputsize', 'va', 'sl0', 's2sl0', 'oas', 'ps', 'outputsize', 'smmu', 'granule', 'stage'];

function buildPt(ctx: LowerCtx, n: PagetableDecl, name: string): PtInfo | undefined {
  const fields = fieldsOf(n);
  let stage: Stage = 1;
  const sw = n.stage?.lower ?? wordOf(findField(fields, 'stage')?.values[0]);
  if (sw === 's2' || sw === 'stage2' || sw === '2') stage = 2;
  let granule: Granule = 4;
  const gLit = n.granule ?? (findField(fields, 'granule')?.values[0] as NumberLit | undefined);
  if (gLit && gLit.kind === 'number') {
    const g = granuleOf(gLit.value);
    if (!g) ctx.report(gLit, 'E_GRANULE', `granule ${gLit.text} is not 4K, 16K or 64K`);
    else granule = g;
  }
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
    const v = numOf(ctx, tszF, 63n);
    if (v !== undefined) inputSize = 64 - Number(v);
  } else if (bitsF) {
    const v = numOf(ctx, bitsF, 64n);
    if (v !== undefined) inputSize = Number(v);
  }
  let outputSize = feats.oas;
  const psF = findField(fields, 'oas', 'ps', 'outputsize');
  if (psF) {
    const v = numOf(ctx, psF, 64n);
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
      sl0 = Number(numOf(ctx, sl0F, 3n) ?? 0n);
    } else {
      // Default: the usual start level, one level lower with concatenated tables when that level
      // would resolve 4 bits or fewer (as Linux's io-pgtable does; DDI 0487 D8.2 concatenation).
      let level = s1StartLevel(granule, inputSize);
      const atStart = inputSize - levelShift(granule, level);
      if (atStart <= 4 && level < 3) level++;
      sl0 = sl0Of(granule, level);
    }
    const issues = checkS2Config({ ttb: 0n, tsz, sl0, granule, ps: outputSize, ias: feats.ias });
    for (const i of issues) ctx.report(i.field === 'STE.S2SL0' ? sl0F ?? n.name ?? n : tszF ?? bitsF ?? n.name ?? n, 'E_TABLE_CONFIG', i.message);
    if (issues.length) return undefined;
    startLevel = s2StartLevel(granule, sl0) ?? 1;
  }
  const geo = { stage, granule, inputSize, startLevel, outputSize };
  const rootSize = (1n << BigInt(granuleShift(granule))) * BigInt(startTables(geo));
  const at = placeAt(ctx, findField(fields, 'at'), rootSize, rootSize, `pagetable ${name} (${startTables(geo) > 1 ? `${startTables(geo)} concatenated tables, ` : ''}${rootSize} bytes)`);
  // Each mapping has its own codec; the layout's own codec is only used for table descriptors.
  const layout = new PageTableLayout(geo, makeCodec(stage, granule, defaultAttrs(stage)), ctx.alloc, at);
  ctx.decls.tableNames.set(layout.root, name);
  return { name, stage, granule, inputSize, startLevel, outputSize, layout, span: n };
}

function defaultAttrs(stage: Stage) {
  return { r: true, w: true, x: false, user: true, attrIndx: 0, memAttr: 15, sh: 3, nG: stage === 1, af: true, dbm: false, contiguous: false, extra: {} };
}

/** Lays out one mapping; reports on the mapping. */
function layoutMapping(ctx: LowerCtx, pt: PtInfo, m: Mapping): Write[] | undefined {
  if (!m.iova || !m.size || !m.pa) return undefined;
  // Mappings with the same permissions and attributes share one codec.
  const key = `${pt.stage}/${pt.granule}/${m.perms?.lower ?? ''}/${m.attrs.map((f) => f.name.lower + ':' + f.values.map((v) => ('text' in v ? v.text : '')).join(',')).join(' ')}`;
  let codec = ctx.decls.codecs.get(key);
  if (!codec) {
    const attrs = mappingAttrs(ctx, m, pt.stage);
    if (!attrs) return undefined;
    codec = makeCodec(pt.stage, pt.granule, attrs);
    ctx.decls.codecs.set(key, codec);
  }
  const r = pt.layout.map(m.iova.value, m.size.value, m.pa.value, codec);
  if (!r.ok) {
    const code = r.message.includes('overlaps') ? 'E_MAP_OVERLAP' : r.message.includes('beyond') ? 'E_MAP_RANGE' : r.message.includes('descriptors') ? 'E_MAP_TOO_LARGE' : 'E_MAP_ALIGN';
    ctx.report(m, code, `map ${m.iova.text} ${m.size.text} -> ${m.pa.text}: ${r.message}`);
    return undefined;
  }
  return r.writes;
}

export function lowerPagetable(ctx: LowerCtx, s: PagetableDecl): void {
  if (!s.name || ctx.symbols.pagetable.get(s.name.name)?.node !== s) return;
  const pt = ptInfo(ctx, s.name.name, s.name);
  if (!pt) return;
  const writes: Write[] = [];
  let maps = 0;
  for (const it of s.body?.items ?? []) {
    if (it.kind !== 'mapping') continue;
    const w = layoutMapping(ctx, pt, it);
    if (w) {
      for (const x of w) writes.push(x);
      maps++;
    }
  }
  const label = `pagetable ${pt.name}: stage ${pt.stage}, ${pt.granule}K, ${pt.inputSize}-bit input, start level ${pt.startLevel} at ${hex(pt.layout.root)}, ${maps} mapping${maps === 1 ? '' : 's'}`;
  ctx.addStep({ span: s, kind: 'pagetable', label, run: (rt) => rt.writeMany(writes) });
}

export function lowerMap(ctx: LowerCtx, s: MapStmt): void {
  if (!s.table) return;
  const pt = ptInfo(ctx, s.table.name, s.table);
  if (!pt) return;
  const w = layoutMapping(ctx, pt, s.mapping);
  if (!w) return;
  const m = s.mapping;
  ctx.addStep({ span: s, kind: 'map', label: `map ${pt.name} ${m.iova!.text} ${m.size!.text} -> ${m.pa!.text}${m.perms ? ' ' + m.perms.text : ''}`, run: (rt) => rt.writeMany(w) });
}

export function lowerUnmap(ctx: LowerCtx, s: UnmapStmt): void {
  if (!s.table || !s.iova) return;
  const pt = ptInfo(ctx, s.table.name, s.table);
  if (!pt) return;
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
  const w = r.writes;
  ctx.addStep({ span: s, kind: 'unmap', label: `unmap ${pt.name} ${hex(iova)} ${hex(size)}`, run: (rt) => rt.writeMany(w) });
}

export function lowerPte(ctx: LowerCtx, s: PteStmt): void {
  if (!s.table || !s.iova) return;
  const pt = ptInfo(ctx, s.table.name, s.table);
  if (!pt) return;
  const lf = s.fields.find((f) => f.name.lower === 'level');
  let level: number | undefined;
  if (lf) {
    const v = numOf(ctx, lf, 3n);
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
  const addr = loc.addr;
  const v = value;
  ctx.addStep({ span: s, kind: 'pte', label: `pte ${pt.name} ${hex(s.iova.value)} level ${loc.level} @${hex(addr)} = ${hex(v)}`, run: (rt) => rt.writeMem(addr, v, 64) });
}

// ---------------------------------------------------------------------------------------------
// cd, cdtable

const CD_SPECIAL = ['pagetable', 'table', 'tt0', 'ttb0', 'tt1', 'ttb1', 'smmu', 'at'];

export function cdInfo(ctx: LowerCtx, name: string, at: Span): CdInfo | undefined {
  return declInfo(ctx, ctx.decls.cds, 'cd', name, at, buildCd);
}

function buildCd(ctx: LowerCtx, n: CdDecl, name: string): CdInfo | undefined {
  const fields = fieldsOf(n);
  const smmu = smmuOf(ctx, fields);
  const feats = smmu?.features ?? makeFeatures();
  let dwords: bigint[];
  if (n.raw) {
    if (n.raw.dwords.length > 8) {
      ctx.report(n.raw, 'E_RAW_LENGTH', `a CD is 8 dwords (IHI 0070 §5.4), got ${n.raw.dwords.length}`);
      return undefined;
    }
    dwords = encode(CD, {}, n.raw.dwords.map((x) => x.value));
  } else {
    const v: FieldValues = {
      // IHI 0070 §5.4: V, AA64 (VMSAv8-64 tables), A=1 (terminated transactions abort: the model
      // implements SMMU_IDR0.TERM_MODEL == 1, which makes A == 0 ILLEGAL), R=1 (record faults).
      V: 1n, AA64: 1n, A: 1n, R: 1n, IR0: 1n, OR0: 1n, SH0: 3n, MAIR0: DEFAULT_MAIR,
      IPS: oasEncoding(feats.oas),
    };
    const user: FieldValues = {};
    let tt0: PtInfo | undefined;
    let tt1: PtInfo | undefined;
    for (const f of fields) {
      const k = f.name.lower;
      if (CD_SPECIAL.includes(k)) {
        if (k === 'smmu' || k === 'at') continue;
        const w = f.values[0];
        if (w?.kind !== 'word') {
          ctx.report(f, 'E_VALUE', `expected a pagetable name after '${f.name.text}'`);
          continue;
        }
        const pt = ptInfo(ctx, w.text, w);
        if (!pt) continue;
        if (pt.stage !== 1) {
          ctx.report(w, 'E_TABLE_STAGE', `pagetable ${pt.name} is a stage-2 table: a CD needs a stage-1 table`);
          continue;
        }
        if (k === 'tt1' || k === 'ttb1') tt1 = pt;
        else tt0 = pt;
      } else {
        applyField(ctx, CD, f, user);
      }
    }
    if (user.ASID === undefined) v.ASID = ctx.decls.freshAsid(ctx);
    if (tt0) Object.assign(v, { TTB0: tt0.layout.root, T0SZ: BigInt(64 - tt0.inputSize), TG0: tg0Enc(tt0.granule) });
    else v.EPD0 = 1n;
    if (tt1) Object.assign(v, { TTB1: tt1.layout.root, T1SZ: BigInt(64 - tt1.inputSize), TG1: tg1Enc(tt1.granule), IR1: 1n, OR1: 1n, SH1: 3n });
    else v.EPD1 = 1n;
    Object.assign(v, user);
    dwords = encode(CD, v);
  }
  const chk = interpretCd(dwords, feats, 'el1');
  if (!chk.ok) ctx.report(n.name ?? n, 'W_CD_ILLEGAL', `the SMMU will reject this CD with C_BAD_CD: ${chk.rule.message} (${chk.rule.spec})`, 'warning');
  const addr = placeAt(ctx, findField(fields, 'at'), 64n, 64n, `cd ${name}`) ?? ctx.alloc.alloc(64n, 64n);
  return { name, dwords, addr };
}

/** CD.TG0 / STE.S2TG encoding (IHI 0070 §5.4: 0b00 4K, 0b01 64K, 0b10 16K). */
function tg0Enc(g: Granule): bigint {
  return g === 4 ? 0n : g === 64 ? 1n : 2n;
}
/** CD.TG1 encoding (0b01 16K, 0b10 4K, 0b11 64K). */
function tg1Enc(g: Granule): bigint {
  return g === 16 ? 1n : g === 4 ? 2n : 3n;
}

function cdWrites(cd: CdInfo, addr: bigint): Write[] {
  return cd.dwords.map((value, i) => ({ addr: addr + BigInt(i * 8), value }));
}

export function lowerCd(ctx: LowerCtx, s: CdDecl): void {
  if (!s.name || ctx.symbols.cd.get(s.name.name)?.node !== s) return;
  const cd = cdInfo(ctx, s.name.name, s.name);
  if (!cd) return;
  const w = cdWrites(cd, cd.addr);
  const f = decodeShort(CD, cd.dwords, ['ASID', 'TTB0', 'T0SZ', 'TG0']);
  ctx.addStep({ span: s, kind: 'cd', label: `cd ${cd.name} at ${hex(cd.addr)}: ${f}`, run: (rt) => rt.writeMany(w) });
}

function decodeShort(def: StructDef, dwords: bigint[], names: string[]): string {
  const vals = decode(def, dwords);
  return names.map((n) => `${n} ${hex(vals[n] ?? 0n)}`).join(', ');
}

export function cdtInfo(ctx: LowerCtx, name: string, at: Span): CdtInfo | undefined {
  return declInfo(ctx, ctx.decls.cdts, 'cdtable', name, at, buildCdt);
}

function buildCdt(ctx: LowerCtx, n: CdTableDecl, name: string): CdtInfo | undefined {
  const fields = fieldsOf(n);
  const entries: Array<{ ssid: bigint; cd: CdInfo; span: Span }> = [];
  let twoLevel = false;
  let cdMaxF: Field | undefined;
  const smmu = smmuOf(ctx, fields);
  const feats = smmu?.features ?? makeFeatures();
  for (const f of fields) {
    const k = f.name.lower;
    if (k === 'ssid') {
      const [sv, cv] = f.values;
      if (sv?.kind !== 'number' || cv?.kind !== 'word') {
        ctx.report(f, 'E_CDTABLE', 'expected `ssid N CD_NAME`');
        continue;
      }
      if (sv.value >> BigInt(feats.ssidBits) !== 0n) {
        ctx.report(sv, 'E_SSID_RANGE', `SubstreamID ${sv.text} needs more than SSIDSIZE=${feats.ssidBits} bits`);
        continue;
      }
      if (entries.some((e) => e.ssid === sv.value)) {
        ctx.report(sv, 'E_DUPLICATE_SSID', `SubstreamID ${sv.text} is already in cdtable ${name}`);
        continue;
      }
      const cd = cdInfo(ctx, cv.text, cv);
      if (cd) entries.push({ ssid: sv.value, cd, span: f });
    } else if (k === '2level' || k === '2lvl') twoLevel = true;
    else if (k === 'linear') twoLevel = false;
    else if (k === 'cdmax' || k === 's1cdmax') cdMaxF = f;
    else if (k !== 'at' && k !== 'smmu') ctx.report(f.name, 'E_CDTABLE', `unknown cdtable option '${f.name.text}': linear, 2level, cdmax N, at ADDR, smmu NAME, ssid N CD`);
  }
  const maxSsid = entries.reduce((a, e) => (e.ssid > a ? e.ssid : a), 0n);
  let cdMax = Math.max(1, maxSsid.toString(2).length);
  if (cdMaxF) {
    const v = numOf(ctx, cdMaxF, 20n);
    if (v !== undefined) {
      if (v < BigInt(cdMax) && maxSsid >= 1n << v) ctx.report(cdMaxF, 'E_SSID_RANGE', `cdmax ${v} cannot hold SubstreamID ${hex(maxSsid)}`);
      else cdMax = Number(v);
    }
  }
  if (cdMax > feats.ssidBits) ctx.report(n.name ?? n, 'E_SSID_RANGE', `S1CDMax ${cdMax} exceeds SSIDSIZE ${feats.ssidBits}`);
  if (twoLevel && !feats.cd2l) ctx.report(n.name ?? n, 'E_FEATURE', `${smmu?.name} does not implement 2-level CD tables (SMMU_IDR0.CD2L)`);
  const writes: Write[] = [];
  let base: bigint;
  const atF = findField(fields, 'at');
  // 2-level: STE.S1Fmt 0b01, 4KB leaf tables of 64 CDs (SPLIT 6) (IHI 0070 §5.2, §3.3.3).
  const split = 6;
  if (!twoLevel) {
    const size = 64n << BigInt(cdMax);
    base = placeAt(ctx, atF, size, 64n, `cdtable ${name}`) ?? ctx.alloc.alloc(size, size > 4096n ? 4096n : size);
    for (const e of entries) writes.push(...cdWrites(e.cd, base + e.ssid * 64n));
  } else {
    const l1Count = 1n << BigInt(Math.max(0, cdMax - split));
    const size = l1Count * 8n;
    base = placeAt(ctx, atF, size, 64n, `cdtable ${name}`) ?? ctx.alloc.alloc(size, size < 64n ? 64n : size);
    const leaves = new Map<bigint, bigint>();
    for (const e of [...entries].sort((a, b) => (a.ssid < b.ssid ? -1 : 1))) {
      const l1 = e.ssid >> BigInt(split);
      let leaf = leaves.get(l1);
      if (leaf === undefined) {
        leaf = ctx.alloc.alloc(4096n, 4096n);
        leaves.set(l1, leaf);
        writes.push({ addr: base + l1 * 8n, value: encode(L1CD, { V: 1n, L2Ptr: leaf })[0] });
      }
      writes.push(...cdWrites(e.cd, leaf + (e.ssid & ((1n << BigInt(split)) - 1n)) * 64n));
    }
  }
  return { name, fmt: twoLevel ? 1 : 0, cdMax, base, writes, hasSsid0: entries.some((e) => e.ssid === 0n) };
}

export function lowerCdTable(ctx: LowerCtx, s: CdTableDecl): void {
  if (!s.name || ctx.symbols.cdtable.get(s.name.name)?.node !== s) return;
  const t = cdtInfo(ctx, s.name.name, s.name);
  if (!t) return;
  const w = t.writes;
  ctx.addStep({ span: s, kind: 'cdtable', label: `cdtable ${t.name}: ${t.fmt ? '2-level' : 'linear'}, S1CDMax ${t.cdMax} at ${hex(t.base)}`, run: (rt) => rt.writeMany(w) });
}

// ---------------------------------------------------------------------------------------------
// ste

const CONFIG_WORDS: Record<string, bigint> = {
  abort: STE_CONFIG.ABORT, bypass: STE_CONFIG.BYPASS, s1: STE_CONFIG.S1_TRANS, s2: STE_CONFIG.S2_TRANS, nested: STE_CONFIG.NESTED,
  s1_trans: STE_CONFIG.S1_TRANS, s2_trans: STE_CONFIG.S2_TRANS, translate: STE_CONFIG.S1_TRANS,
};
const STE_SPECIAL = ['config', 'cd', 'cdtable', 's2', 's2table', 'stage2', 'pagetable', 'vmid'];

export function lowerSte(ctx: LowerCtx, s: SteDecl): void {
  const smmuName = resolveSmmu(ctx, s.smmu, s);
  if (smmuName === undefined || !s.sid) return;
  if (!ctx.symbols.smmu.has(smmuName)) {
    ctx.report(s.smmu ?? s.keyword, 'E_SMMU_UNDECLARED', `declare \`smmu ${smmuName}\` so the engine lays out its stream table (or write the STE with write64)`);
    return;
  }
  const l = smmuLayout(ctx, smmuName);
  const sid = s.sid.value;
  if (sid >> BigInt(l.strtab.log2size) !== 0n) {
    ctx.report(s.sid, 'E_SID_RANGE', `StreamID ${hex(sid)} is beyond ${smmuName}'s stream table (LOG2SIZE ${l.strtab.log2size})`);
    return;
  }
  const feats = l.features;
  let dwords: bigint[];
  let what = 'raw';
  if (s.raw) {
    if (s.raw.dwords.length > 8) {
      ctx.report(s.raw, 'E_RAW_LENGTH', `an STE is 8 dwords (IHI 0070 §5.2), got ${s.raw.dwords.length}`);
      return;
    }
    dwords = encode(STE, {}, s.raw.dwords.map((x) => x.value));
  } else {
    const fields = fieldsOf(s as unknown as { body?: { items: Array<Field | Mapping> } });
    const v: FieldValues = { V: 1n };
    const user: FieldValues = {};
    let config: bigint | undefined;
    let configF: Field | undefined;
    let cd: CdInfo | undefined;
    let cdt: CdtInfo | undefined;
    let s2: PtInfo | undefined;
    let vmid: bigint | undefined;
    for (const f of fields) {
      const k = f.name.lower;
      if (!STE_SPECIAL.includes(k)) {
        applyField(ctx, STE, f, user);
        continue;
      }
      const w = f.values[0];
      if (k === 'config') {
        const cw = wordOf(w);
        configF = f;
        if (cw && CONFIG_WORDS[cw] !== undefined) config = CONFIG_WORDS[cw];
        else if (w?.kind === 'number' && w.value <= 7n) config = w.value;
        else ctx.report(f, 'E_FIELD_VALUE', 'config is abort, bypass, s1, s2 or nested (STE.Config, IHI 0070 §5.2)');
      } else if (k === 'vmid') {
        vmid = numOf(ctx, f, (1n << BigInt(feats.vmidBits)) - 1n);
      } else if (w?.kind !== 'word') {
        ctx.report(f, 'E_VALUE', `expected a name after '${f.name.text}'`);
      } else if (k === 'cd') cd = cdInfo(ctx, w.text, w);
      else if (k === 'cdtable') cdt = cdtInfo(ctx, w.text, w);
      else {
        s2 = ptInfo(ctx, w.text, w);
        if (s2 && s2.stage !== 2) {
          ctx.report(w, 'E_TABLE_STAGE', `pagetable ${s2.name} is a stage-1 table: STE stage 2 needs a stage-2 table (use it from a cd)`);
          s2 = undefined;
        }
      }
    }
    const s1 = cd !== undefined || cdt !== undefined;
    if (config === undefined) config = s1 && s2 ? STE_CONFIG.NESTED : s1 ? STE_CONFIG.S1_TRANS : s2 ? STE_CONFIG.S2_TRANS : STE_CONFIG.ABORT;
    const at = configF ?? s.sid;
    if ((config & 1n) && (config & 4n) && !feats.stage1) ctx.report(at, 'E_FEATURE', `${smmuName} does not implement stage 1 (SMMU_IDR0.S1P)`);
    if ((config & 2n) && (config & 4n) && !feats.stage2) ctx.report(at, 'E_FEATURE', `${smmuName} does not implement stage 2 (SMMU_IDR0.S2P)`);
    else if (config === STE_CONFIG.NESTED && !feats.nested) ctx.report(at, 'E_FEATURE', `${smmuName} does not implement nesting`);
    v.Config = config;
    if (cd && cdt) ctx.report(s, 'E_STE', 'give either cd or cdtable, not both');
    if (cd) Object.assign(v, { S1ContextPtr: cd.addr, S1CDMax: 0n, S1Fmt: 0n });
    if (cdt) Object.assign(v, { S1ContextPtr: cdt.base, S1CDMax: BigInt(cdt.cdMax), S1Fmt: BigInt(cdt.fmt), S1DSS: cdt.hasSsid0 ? 2n : 0n });
    if (s1) Object.assign(v, { S1CIR: 1n, S1COR: 1n, S1CSH: 3n });
    if ((config & 1n) && (config & 4n) && !s1 && user.S1ContextPtr === undefined) ctx.report(at, 'E_STE', 'stage 1 is enabled but no cd or cdtable is given');
    if ((config & 2n) && (config & 4n) && !s2 && user.S2TTB === undefined) ctx.report(at, 'E_STE', 'stage 2 is enabled but no stage-2 pagetable is given (s2 NAME)');
    if (s2) {
      Object.assign(v, {
        S2VMID: vmid ?? user.S2VMID ?? ctx.decls.freshVmid(ctx), S2T0SZ: BigInt(64 - s2.inputSize), S2SL0: BigInt(sl0Of(s2.granule, s2.startLevel)),
        S2TG: tg0Enc(s2.granule), S2PS: oasEncoding(Math.min(s2.outputSize, feats.oas)), S2AA64: 1n, S2R: 1n, S2IR0: 1n, S2OR0: 1n, S2SH0: 3n, S2TTB: s2.layout.root,
      });
    } else if (vmid !== undefined) v.S2VMID = vmid;
    Object.assign(v, user);
    dwords = encode(STE, v);
    what = Object.entries(STE_CONFIG).find(([, c]) => c === ((dwords[0] >> 1n) & 7n))?.[0] ?? `Config ${hex((dwords[0] >> 1n) & 7n)}`;
  }
  const chk = interpretSte(dwords, feats);
  if (!chk.ok) ctx.report(s.sid, 'W_STE_ILLEGAL', `the SMMU will reject this STE with C_BAD_STE: ${chk.rule.message} (${chk.rule.spec})`, 'warning');
  const writes: Write[] = [];
  const t = l.strtab;
  let addr: bigint;
  if (!t.twoLevel) addr = t.base + sid * 64n;
  else {
    // IHI 0070 §3.3.2: L1STD[sid >> SPLIT] -> level-2 array of 2^(Span-1) STEs.
    const l1 = Number(sid >> BigInt(t.split));
    let l2 = t.l2.get(l1);
    if (l2 === undefined) {
      const size = 64n << BigInt(t.split);
      l2 = ctx.alloc.alloc(size, size);
      t.l2.set(l1, l2);
      writes.push({ addr: t.base + BigInt(l1) * 8n, value: encode(L1STD, { Span: BigInt(t.split + 1), L2Ptr: l2 })[0] });
    }
    addr = l2 + (sid & ((1n << BigInt(t.split)) - 1n)) * 64n;
  }
  writes.push(...dwords.map((value, i) => ({ addr: addr + BigInt(i * 8), value })));
  ctx.addStep({ span: s, kind: 'ste', smmu: smmuName, label: `ste ${smmuName} sid ${hex(sid)}: ${what} at ${hex(addr)}`, run: (rt) => rt.writeMany(writes) });
}

