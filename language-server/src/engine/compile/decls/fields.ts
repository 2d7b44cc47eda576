// Reading declaration fields (inline options and block fields) and the table-format encodings that
// several declarations share.

import type { Field, Mapping, Value } from '../../../dsl/ast';
import type { Granule } from '../../../model/types';

/** Fields of a declaration: inline options then block fields (mappings are handled apart). */
export function fieldsOf(d: { options?: Field[]; body?: { items: Array<Field | Mapping> } }): Field[] {
  const out: Field[] = [...(d.options ?? [])];
  for (const it of d.body?.items ?? []) if (it.kind === 'field') out.push(it);
  return out;
}

export function findField(fields: Field[], ...names: string[]): Field | undefined {
  return fields.find((f) => names.includes(f.name.lower));
}

export function wordOf(v: Value | undefined): string | undefined {
  return v?.kind === 'word' ? v.lower : v?.kind === 'number' ? v.text.toLowerCase() : undefined;
}

export function flagOf(f: Field): boolean {
  const v = f.values[0];
  if (!v) return true;
  if (v.kind === 'number') return v.value !== 0n;
  const w = wordOf(v);
  return !(w === 'no' || w === 'false' || w === 'off' || w === 'none');
}

export function granuleOf(v: bigint): Granule | undefined {
  if (v === 4n || v === 4096n) return 4;
  if (v === 16n || v === 16384n) return 16;
  if (v === 64n || v === 65536n) return 64;
  return undefined;
}
