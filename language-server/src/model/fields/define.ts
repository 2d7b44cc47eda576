// Helpers for writing the field tables: a field by the spec's structure-wide bit numbers, a RES0
// range, an enumeration's value list.

import type { FieldDef, FieldValue } from './field';

export interface FieldOpts {
  values?: FieldValue[];
  valuesComplete?: boolean;
  reserved?: boolean;
  /** true: in-place address field (addressShift = lo of the dword-relative range). */
  address?: boolean;
  addressShift?: number;
  maxLegal?: bigint | number;
}

/**
 * A field given by the spec's structure-wide bit numbers (STE.S2T0SZ is [165:160]),
 * converted to dword + dword-relative range. Throws if the range crosses a dword.
 */
export function fld(name: string, hiAbs: number, loAbs: number, spec: string, summary: string, o: FieldOpts = {}): FieldDef {
  const word = Math.floor(loAbs / 64);
  if (Math.floor(hiAbs / 64) !== word || hiAbs < loAbs) throw new Error(`field ${name} [${hiAbs}:${loAbs}] crosses a dword`);
  const lo = loAbs - word * 64;
  const hi = hiAbs - word * 64;
  const f: FieldDef = { name, word, hi, lo, summary, spec };
  if (o.values) f.values = o.values;
  if (o.valuesComplete) f.valuesComplete = true;
  if (o.reserved) f.reserved = true;
  if (o.address) f.addressShift = lo;
  if (o.addressShift !== undefined) f.addressShift = o.addressShift;
  if (o.maxLegal !== undefined) f.maxLegal = BigInt(o.maxLegal);
  return f;
}

/** A RES0 range. */
export function res0(hiAbs: number, loAbs: number, spec: string): FieldDef {
  return fld(`RES0_${hiAbs}_${loAbs}`, hiAbs, loAbs, spec, '', { reserved: true });
}

/** Shorthand for value lists: [value, name, meaning, reserved?]. */
export function vals(...list: Array<[number | bigint, string, string, boolean?]>): FieldValue[] {
  return list.map(([v, name, meaning, reserved]) => (reserved ? { value: BigInt(v), name, meaning, reserved } : { value: BigInt(v), name, meaning }));
}
