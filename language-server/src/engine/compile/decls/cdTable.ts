// `cdtable` declarations: a linear or 2-level CD table (IHI 0070 §3.3.3, STE.S1Fmt) of named CDs.

import type { CdTableDecl, Field, Span } from '../../../dsl/ast';
import { hex } from '../../../model/bits';
import { encode } from '../../../model/fields/field';
import { L1CD } from '../../../model/fields';
import { makeFeatures } from '../../../model/smmu/features';
import type { LowerCtx } from '../lowerCtx';
import type { Write } from '../../../model/layout/pagetable';
import { fieldNum } from '../lowering/values';
import { cdInfo, cdWrites } from './cd';
import { declInfo, placeAt } from './declInfo';
import { fieldsOf, findField } from './fields';
import { smmuOf } from './smmu';
import { guestSpace, placeGuest } from './guest';
import { ptInfo } from './pagetable';
import type { CdInfo, CdtInfo } from './state';

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
    const v = fieldNum(ctx, cdMaxF, 20n);
    if (v !== undefined) {
      if (v < BigInt(cdMax) && maxSsid >= 1n << v) ctx.report(cdMaxF, 'E_SSID_RANGE', `cdmax ${v} cannot hold SubstreamID ${hex(maxSsid)}`);
      else cdMax = Number(v);
    }
  }
  if (cdMax > feats.ssidBits) ctx.report(n.name ?? n, 'E_SSID_RANGE', `S1CDMax ${cdMax} exceeds SSIDSIZE ${feats.ssidBits}`);
  if (twoLevel && !feats.cd2l) ctx.report(n.name ?? n, 'E_FEATURE', `${smmu?.name} does not implement 2-level CD tables (SMMU_IDR0.CD2L)`);
  const writes: Write[] = [];
  const ranges: Array<[bigint, bigint]> = [];
  let base: bigint;
  const atF = findField(fields, 'at');
  // A CD table a nested STE reaches is at IPAs (decls/guest.ts).
  const guest = guestSpace(ctx, 'cdtable', name, (s2) => ptInfo(ctx, s2, n));
  const alloc = guest?.alloc ?? ctx.alloc;
  // 2-level: STE.S1Fmt 0b01, 4KB leaf tables of 64 CDs (SPLIT 6) (IHI 0070 §5.2, §3.3.3).
  const split = 6;
  if (!twoLevel) {
    const size = 64n << BigInt(cdMax);
    base = placeAt(ctx, atF, size, 64n, `cdtable ${name}`, alloc) ?? alloc.alloc(size, size > 4096n ? 4096n : size);
    ranges.push([base, size]);
    for (const e of entries) writes.push(...cdWrites(e.cd, base + e.ssid * 64n));
  } else {
    const l1Count = 1n << BigInt(Math.max(0, cdMax - split));
    const size = l1Count * 8n;
    base = placeAt(ctx, atF, size, 64n, `cdtable ${name}`, alloc) ?? alloc.alloc(size, size < 64n ? 64n : size);
    ranges.push([base, size]);
    const leaves = new Map<bigint, bigint>();
    for (const e of [...entries].sort((a, b) => (a.ssid < b.ssid ? -1 : 1))) {
      const l1 = e.ssid >> BigInt(split);
      let leaf = leaves.get(l1);
      if (leaf === undefined) {
        leaf = alloc.alloc(4096n, 4096n);
        leaves.set(l1, leaf);
        ranges.push([leaf, 4096n]);
        writes.push({ addr: base + l1 * 8n, value: encode(L1CD, { V: 1n, L2Ptr: leaf })[0] });
      }
      writes.push(...cdWrites(e.cd, leaf + (e.ssid & ((1n << BigInt(split)) - 1n)) * 64n));
    }
  }
  const info: CdtInfo = { name, fmt: twoLevel ? 1 : 0, cdMax, base, writes, hasSsid0: entries.some((e) => e.ssid === 0n), ranges, cds: entries.map((e) => e.cd) };
  if (guest) info.guest = guest;
  return info;
}

export function lowerCdTable(ctx: LowerCtx, s: CdTableDecl): void {
  if (!s.name || ctx.symbols.cdtable.get(s.name.name)?.node !== s) return;
  const t = cdtInfo(ctx, s.name.name, s.name);
  if (!t) return;
  const w = t.guest ? placeGuest(ctx, t.guest, t.writes, `cdtable ${t.name}`, s.name) : t.writes;
  const at = t.guest ? `IPA ${hex(t.base)} (through stage 2 ${t.guest.s2.name})` : hex(t.base);
  ctx.addWrites({ span: s, kind: 'cdtable', label: `cdtable ${t.name}: ${t.fmt ? '2-level' : 'linear'}, S1CDMax ${t.cdMax} at ${at}`, writes: w });
}
