// Values of statements and fields: numbers checked against their width, a field's number, a value's text.

import type { Field, NumberLit, Value } from '../../../dsl/ast';
import type { LowerCtx } from '../lowerCtx';

/** 2^bits by width (numbers are never negative): a comparison allocates nothing, a shift does. */
const LIMITS: bigint[] = Array.from({ length: 65 }, (_, b) => 1n << BigInt(b));
const limit = (bits: number) => LIMITS[bits] ?? 1n << BigInt(bits);

/** A number that must fit in `bits` bits; reports and returns undefined otherwise. */
export function num(ctx: LowerCtx, n: NumberLit | undefined, what: string, bits = 64): bigint | undefined {
  if (!n) return undefined;
  if (n.value >= limit(bits)) {
    // Above 2^64 - 1 the parser has reported number-overflow already.
    if (n.value >= LIMITS[64]) return undefined;
    ctx.report(n, 'E_VALUE_RANGE', `${what} ${n.text.length > 40 ? `${n.text.slice(0, 32)}…` : n.text} does not fit in ${bits} bits`);
    return undefined;
  }
  return n.value;
}

/** The number value of a field (`asid 5`), at most `max`; a diagnostic otherwise. */
export function fieldNum(ctx: LowerCtx, f: Field, max?: bigint): bigint | undefined {
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

export function valueText(v: Value | undefined): string | undefined {
  if (!v) return undefined;
  if (v.kind === 'word') return v.text;
  if (v.kind === 'number') return v.text;
  if (v.kind === 'string') return v.value;
  return undefined;
}
