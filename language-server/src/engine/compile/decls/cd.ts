// `cd` declarations: a Context Descriptor (IHI 0070 §5.4) from fields and a stage-1 pagetable.

import type { CdDecl, Span } from '../../../dsl/ast';
import { hex } from '../../../model/bits';
import { decode, encode, type FieldValues, type StructDef } from '../../../model/fields/field';
import { CD } from '../../../model/fields';
import { makeFeatures } from '../../../model/smmu/features';
import { interpretCd } from '../../../model/smmu/cd';
import { oasEncoding } from '../../../model/smmu/idr';
import type { LowerCtx } from '../lowerCtx';
import type { Write } from '../../../model/layout/pagetable';
import { DEFAULT_MAIR } from '../lowering/mapAttrs';
import { applyField } from '../lowering/structFields';
import { declInfo, placeAt } from './declInfo';
import { fieldsOf, findField } from './fields';
import { tg0Encoding, tg1Encoding } from '../../../model/walk/config';
import { ptInfo } from './pagetable';
import { smmuOf } from './smmu';
import { guestSpace, placeGuest } from './guest';
import type { CdInfo, PtInfo } from './state';

const CD_SPECIAL = ['pagetable', 'table', 'tt0', 'ttb0', 'tt1', 'ttb1', 'smmu', 'at'];

export function cdInfo(ctx: LowerCtx, name: string, at: Span): CdInfo | undefined {
  return declInfo(ctx, ctx.decls.cds, 'cd', name, at, buildCd);
}

function buildCd(ctx: LowerCtx, n: CdDecl, name: string): CdInfo | undefined {
  const fields = fieldsOf(n);
  const smmu = smmuOf(ctx, fields);
  const feats = smmu?.features ?? makeFeatures();
  let dwords: bigint[];
  const tables: PtInfo[] = [];
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
    if (user.ASID === undefined) v.ASID = ctx.decls.freshAsid(ctx.symbols, ctx.ordinal);
    for (const t of [tt0, tt1]) if (t) tables.push(t);
    if (tt0) Object.assign(v, { TTB0: tt0.layout.root, T0SZ: BigInt(64 - tt0.inputSize), TG0: BigInt(tg0Encoding(tt0.granule)) });
    else v.EPD0 = 1n;
    if (tt1) Object.assign(v, { TTB1: tt1.layout.root, T1SZ: BigInt(64 - tt1.inputSize), TG1: BigInt(tg1Encoding(tt1.granule)), IR1: 1n, OR1: 1n, SH1: 3n });
    else v.EPD1 = 1n;
    Object.assign(v, user);
    dwords = encode(CD, v);
  }
  const chk = interpretCd(dwords, feats, 'el1');
  if (!chk.ok) ctx.report(n.name ?? n, 'W_CD_ILLEGAL', `the SMMU will reject this CD with C_BAD_CD: ${chk.rule.message} (${chk.rule.spec})`, 'warning');
  // A CD a nested STE reaches is at an IPA (decls/guest.ts).
  const guest = guestSpace(ctx, 'cd', name, (s2) => ptInfo(ctx, s2, n));
  const alloc = guest?.alloc ?? ctx.alloc;
  const addr = placeAt(ctx, findField(fields, 'at'), 64n, 64n, `cd ${name}`, alloc) ?? alloc.alloc(64n, 64n);
  return guest ? { name, dwords, addr, tables, guest } : { name, dwords, addr, tables };
}

export function cdWrites(cd: CdInfo, addr: bigint): Write[] {
  return cd.dwords.map((value, i) => ({ addr: addr + BigInt(i * 8), value }));
}

export function lowerCd(ctx: LowerCtx, s: CdDecl): void {
  if (!s.name || ctx.symbols.cd.get(s.name.name)?.node !== s) return;
  const cd = cdInfo(ctx, s.name.name, s.name);
  if (!cd) return;
  const raw = cdWrites(cd, cd.addr);
  const w = cd.guest ? placeGuest(ctx, cd.guest, raw, `cd ${cd.name}`, s.name) : raw;
  const f = decodeShort(CD, cd.dwords, ['ASID', 'TTB0', 'T0SZ', 'TG0']);
  const at = cd.guest ? `IPA ${hex(cd.addr)}${w.length ? ` (PA ${hex(w[0].addr)} through stage 2 ${cd.guest.s2.name})` : ''}` : hex(cd.addr);
  ctx.addWrites({ span: s, kind: 'cd', label: `cd ${cd.name} at ${at}: ${f}`, writes: w });
}

function decodeShort(def: StructDef, dwords: bigint[], names: string[]): string {
  const vals = decode(def, dwords);
  return names.map((n) => `${n} ${hex(vals[n] ?? 0n)}`).join(', ');
}
