// Display helpers for wire values (pure). Wire values are 0x-hex strings; they are parsed to
// bigint only to compute ranges, and every string from a scenario stays plain text.

import { hexGrouped, sizeName } from '../../../language-server/src/model/bits';

export { sizeName };

/** Parses a wire 0x-hex string; undefined when it is not one. */
export function parseHex(s: string | undefined): bigint | undefined {
  if (s === undefined || !/^0x[0-9a-f]+$/i.test(s)) return undefined;
  return BigInt(s);
}

/** 0x-hex grouped in 16-bit chunks with `_` (0x12_3456_7000), for reading long addresses. */
export function groupHex(s: string): string {
  const v = parseHex(s);
  return v === undefined ? s : hexGrouped(v);
}

/** Inclusive end of [base, base + 2^log2) as 0x-hex. */
export function rangeEnd(base: string, log2: number): string {
  const b = parseHex(base) ?? 0n;
  return '0x' + (b + (1n << BigInt(log2)) - 1n).toString(16);
}

/** Spec-style bit range label: [47:39], or [12] for one bit. */
export function bitRange(hi: number, lo: number): string {
  return hi === lo ? `[${hi}]` : `[${hi}:${lo}]`;
}
