// A page table laid out again from the earlier compile's layout (compile/declEdit.ts): when the
// declaration's mappings are the earlier ones, a few with another output address, permissions or
// attributes (the same IOVA, size and pgsize), and each of those keeps its leaves where they were,
// the tables are the same: a copy of the earlier layout with those leaves changed, the earlier
// body's writes with their values replaced. The same writes, in the same order, as laying the
// mappings out one by one (decls/pagetable.ts layAll).

import type { Field, Mapping, PagetableDecl } from '../../../dsl/ast';
import type { Write } from '../../../model/layout/pagetable';
import { granuleShift } from '../../../model/walk/config';
import type { LowerCtx } from '../lowerCtx';
import { Replay } from './allocLog';
import type { DescCodec } from '../../../model/layout/pagetable';
import { makeCodec } from '../layout/descriptors';
import { mappingAttrs } from '../lowering/mapAttrs';
import type { PtInfo } from './state';
import { noteDerived } from './writesSig';

const attrText = (f: Field) => f.name.lower + ':' + f.values.map((v) => ('text' in v ? v.text : '')).join(',');

function sameAttrs(a: Mapping, b: Mapping): boolean {
  if (a.attrs.length !== b.attrs.length || a.perms?.lower !== b.perms?.lower) return false;
  for (let i = 0; i < a.attrs.length; i++) if (attrText(a.attrs[i]) !== attrText(b.attrs[i])) return false;
  return true;
}

const pgsize = (m: Mapping) => {
  const f = m.attrs.find((x) => x.name.lower === 'pgsize' || x.name.lower === 'pages');
  return f ? attrText(f) : undefined;
};

/** The body's writes (undefined: laid out anew). */
export function relayBody(ctx: LowerCtx, info: PtInfo, was: PtInfo, n: PagetableDecl): Write[] | undefined {
  const ob = was.body;
  const replay = ctx.alloc;
  if (!ob || was.edited || was.guest || info.guest || !(replay instanceof Replay) || was.layout.root !== info.layout.root) return undefined;
  const a = was.layout.geo;
  const b = info.layout.geo;
  if (a.stage !== b.stage || a.granule !== b.granule || a.inputSize !== b.inputSize || a.startLevel !== b.startLevel || a.outputSize !== b.outputSize) return undefined;
  const items: Mapping[] = [];
  for (const it of n.body?.items ?? []) if (it.kind === 'mapping') items.push(it);
  if (items.length !== ob.items.length) return undefined;
  const changed: number[] = [];
  for (let i = 0; i < items.length; i++) {
    const x = items[i];
    const y = ob.items[i];
    if (!x.iova || !x.size || !x.pa || !y.iova || !y.size || !y.pa) {
      if (x.iova?.value !== y.iova?.value || x.size?.value !== y.size?.value || x.pa?.value !== y.pa?.value || !sameAttrs(x, y)) return undefined;
      continue;
    }
    if (x.iova.value !== y.iova.value || x.size.value !== y.size.value || pgsize(x) !== pgsize(y)) return undefined;
    if (x.pa.value === y.pa.value && sameAttrs(x, y)) continue;
    if (ob.ranges[i] < 0) return undefined;
    changed.push(i);
  }
  // The tables the body allocated are the earlier ones.
  const table = 1n << BigInt(granuleShift(info.granule));
  for (let i = 0; i < ob.allocs; i++) replay.alloc(table, table);
  const layout = was.layout.copy(replay);
  const writes = ob.writes.slice();
  const at: number[] = [];
  for (const i of changed) {
    const m = items[i];
    const codec = codecFor(ctx, info, m);
    const leaves = codec && layout.remap(ob.ranges[i], m.pa!.value, codec, pgsize(m) !== undefined);
    if (!leaves) return undefined;
    const value = new Map(leaves.map((w) => [w.addr, w.value]));
    for (let j = ob.starts[i]; j < ob.starts[i + 1]; j++) {
      const v = value.get(writes[j].addr);
      if (v === undefined) continue;
      writes[j] = { addr: writes[j].addr, value: v };
      at.push(j);
    }
  }
  info.layout = layout;
  info.body = { items, starts: ob.starts, ranges: ob.ranges, writes, allocs: ob.allocs };
  noteDerived(writes, ob.writes, at);
  return writes;
}

/** The codec of a mapping's permissions and attributes (reports on the mapping). */
export function codecFor(ctx: LowerCtx, pt: PtInfo, m: Mapping): DescCodec | undefined {
  // Mappings with the same permissions and attributes share one codec.
  const key = `${pt.stage}/${pt.granule}/${m.perms?.lower ?? ''}/${m.attrs.map((f) => f.name.lower + ':' + f.values.map((v) => ('text' in v ? v.text : '')).join(',')).join(' ')}`;
  let codec = ctx.decls.codecs.get(key);
  if (!codec) {
    const attrs = mappingAttrs(ctx, m, pt.stage);
    if (!attrs) return undefined;
    codec = makeCodec(pt.stage, pt.granule, attrs);
    ctx.decls.codecs.set(key, codec);
  }
  return codec;
}
