// Mapping permissions and attributes (`map ... -> PA rw device global`) to descriptor field
// values, by stage. Stage 1: AP[2:1], UXN, PXN, AttrIndx, SH, nG, AF, DBM, Contiguous
// (DDI 0487 D8.3, D8.4). Stage 2: S2AP, XN, MemAttr, SH, AF, DBM, Contiguous (DDI 0487 D8.3.2).

import type { Field, Mapping, Word } from '../../../dsl/ast';
import type { Stage } from '../../../model/types';
import type { LowerCtx } from '../lowerCtx';
import type { LeafAttrs } from '../layout/descriptors';

/** CD.MAIR the engine programs by default: Attr0 Normal WB (0xff), Attr1 Device-nGnRE (0x04). */
export const DEFAULT_MAIR = 0x04ffn;
/** Stage-2 MemAttr: Normal Inner/Outer WB (0b1111), Device-nGnRE (0b0001) (DDI 0487 D8.6.5). */
const S2_NORMAL = 0b1111;
const S2_DEVICE = 0b0001;

const SH: Record<string, number> = { nsh: 0, non: 0, osh: 2, outer: 2, ish: 3, inner: 3 };

function parsePerms(w: Word | undefined): { r: boolean; w: boolean; x: boolean } {
  const p = w?.lower ?? 'rw';
  if (p === 'none') return { r: false, w: false, x: false };
  if (p === 'ro') return { r: true, w: false, x: false };
  if (p === 'wo') return { r: false, w: true, x: false };
  return { r: p.includes('r'), w: p.includes('w'), x: p.includes('x') };
}

export function mappingAttrs(ctx: LowerCtx, m: Mapping, stage: Stage): LeafAttrs | undefined {
  const a: LeafAttrs = {
    ...parsePerms(m.perms), user: true, attrIndx: 0, memAttr: S2_NORMAL, sh: 3, nG: stage === 1, af: true, dbm: false, contiguous: false, extra: {},
  };
  for (const f of m.attrs) if (!applyAttr(ctx, f, a, stage)) return undefined;
  return a;
}

function num(f: Field): number | undefined {
  const v = f.values[0];
  return v && v.kind === 'number' ? Number(v.value) : undefined;
}

function applyAttr(ctx: LowerCtx, f: Field, a: LeafAttrs, stage: Stage): boolean {
  const n = f.name.lower;
  switch (n) {
    case 'priv': a.user = false; return true;
    case 'user': a.user = true; return true;
    case 'device': a.attrIndx = 1; a.memAttr = S2_DEVICE; a.sh = 0; return true;
    case 'normal': a.attrIndx = 0; a.memAttr = S2_NORMAL; return true;
    case 'global': a.nG = false; return true;
    case 'ng': a.nG = true; return true;
    case 'af0': case 'noaf': a.af = false; return true;
    case 'dbm': a.dbm = true; return true;
    case 'contig': case 'contiguous': a.contiguous = true; return true;
    case 'xn': a.x = false; return true;
    // The leaf size to use (layoutMapping reads it): not a descriptor attribute.
    case 'pgsize': case 'pages': return true;
    // Stage 1 only: one of the two execute-never bits (DDI 0487 D8.4.2).
    case 'pxn':
    case 'uxn':
      if (stage !== 1) return bad(ctx, f, `${f.name.text} is a stage-1 attribute: use xn at stage 2`);
      a.extra[n === 'pxn' ? 'PXN' : 'UXN'] = 1n;
      return true;
    case 'attr': case 'attrindx': {
      const v = num(f);
      if (v === undefined || v > 7) return bad(ctx, f, 'AttrIndx is 3 bits (0..7)');
      a.attrIndx = v;
      return true;
    }
    case 'memattr': {
      const v = num(f);
      if (v === undefined || v > 15) return bad(ctx, f, 'MemAttr is 4 bits (0..15)');
      a.memAttr = v;
      return true;
    }
    case 'sh': {
      const v = f.values[0];
      const s = v?.kind === 'word' ? SH[v.lower] : v?.kind === 'number' ? Number(v.value) : undefined;
      if (s === undefined || s > 3 || s === 1) return bad(ctx, f, 'SH is nsh, osh or ish (0, 2, 3)');
      a.sh = s;
      return true;
    }
    default:
      ctx.report(f.name, 'E_MAP_ATTR', `unknown mapping attribute '${f.name.text}' for a stage-${stage} table: priv, user, device, normal, global, ng, af0, dbm, contig, xn, pxn, uxn, attr N, memattr N, sh nsh|osh|ish, pgsize SIZE`);
      return false;
  }
}

function bad(ctx: LowerCtx, f: Field, msg: string): false {
  ctx.report(f, 'E_MAP_ATTR', msg);
  return false;
}
