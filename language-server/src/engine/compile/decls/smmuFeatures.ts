// `smmu NAME { ... }` options -> the instance's SmmuFeatures (model/smmu/features.ts), checked.

import type { SmmuDecl } from '../../../dsl/ast';
import { checkFeatures, makeFeatures, type SmmuFeatures } from '../../../model/smmu/features';
import type { Granule } from '../../../model/types';
import type { LowerCtx } from '../lowerCtx';
import { closest, didYouMean } from '../names/symbols';
import { fieldNum } from '../lowering/values';
import { fieldsOf, flagOf, granuleOf, wordOf } from './fields';

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

const DRIVER_OPTIONS = ['ptm', 'e2h', 'setup', 'strtab', 'split', 'log2size', 'enable', 'disabled', 'version', 'granules', 'httu', 'stall', 'stlevel', 'tlb', 'configcache', 'stages'];

export function smmuFeatures(ctx: LowerCtx, decl: SmmuDecl | undefined): SmmuFeatures {
  if (!decl) return makeFeatures();
  const over: Partial<SmmuFeatures> = {};
  const mentioned = new Set<string>();
  for (const f of fieldsOf(decl)) {
    const n = f.name.lower;
    if (FEATURE_FLAGS[n]) {
      (over as Record<string, unknown>)[FEATURE_FLAGS[n]] = flagOf(f);
      mentioned.add(FEATURE_FLAGS[n]);
    } else if (FEATURE_NUMS[n]) {
      const v = fieldNum(ctx, f, 64n);
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
      const v = fieldNum(ctx, f, 2n);
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

/** An instance's features as `smmu` declaration options (those that differ from the defaults). */
export function featuresText(f: SmmuFeatures): string {
  // Defaults that follow other features (IAS from OAS, BBML from the version) are compared as such.
  const d = makeFeatures({ version: f.version });
  const out: string[] = [];
  if (f.version !== makeFeatures().version) out.push(`version ${f.version}`);
  out.push(`stages ${[f.stage1 && 's1', f.stage2 && 's2', f.nested && 'nested'].filter(Boolean).join(' ')}`);
  const first = <T extends string>(table: Record<string, T>): Map<T, string> => {
    const m = new Map<T, string>();
    for (const [kw, key] of Object.entries(table)) if (!m.has(key)) m.set(key, kw);
    return m;
  };
  for (const [key, kw] of first(FEATURE_FLAGS)) {
    if (key === 'stage1' || key === 'stage2' || key === 'nested') continue;
    if (f[key] !== d[key]) out.push(`${kw} ${f[key] ? 1 : 0}`);
  }
  for (const [key, kw] of first(FEATURE_NUMS)) {
    if (key === 'ias' ? f.ias !== f.oas : f[key] !== d[key]) out.push(`${kw} ${String(f[key])}`);
  }
  for (const [kw, [key]] of Object.entries(CHOICES)) if (f[key] !== d[key]) out.push(`${kw} ${String(f[key])}`);
  if (f.granules.join() !== d.granules.join()) out.push(`granules ${f.granules.map((g) => `${g}k`).join(' ')}`);
  if (f.httu !== d.httu) out.push(`httu ${f.httu}`);
  if (f.stall !== d.stall) out.push(`stall ${f.stall}`);
  if (f.stLevel !== d.stLevel) out.push(`stlevel ${f.stLevel === '2lvl' ? '2level' : 'linear'}`);
  if (f.bbml !== d.bbml) out.push(`bbml ${f.bbml}`);
  for (const [kw, c, dc] of [['tlb', f.tlb, d.tlb], ['configcache', f.configCache, d.configCache]] as const) {
    if (c.capacity !== dc.capacity || c.policy !== dc.policy) out.push(`${kw} ${c.capacity} ${c.policy}`);
  }
  return out.join('; ');
}
