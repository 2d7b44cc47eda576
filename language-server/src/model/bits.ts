// 64-bit helpers. Every address, descriptor and register value in the model is a bigint
// held in [0, 2^64); these helpers keep it there.

export const MASK64 = (1n << 64n) - 1n;

/** POW2[n] = 2^n as an exact double, n in [0, 64] (block sizes and offsets on the number paths). */
export const POW2: readonly number[] = Array.from({ length: 65 }, (_, n) => 2 ** n);

/** Mask of `width` low bits. */
export function mask(width: number): bigint {
  return (1n << BigInt(width)) - 1n;
}

/** Bits [hi:lo] of v, as the spec writes them (inclusive). */
export function bits(v: bigint, hi: number, lo: number): bigint {
  return (v >> BigInt(lo)) & mask(hi - lo + 1);
}

/** v with bits [hi:lo] replaced by f (f is truncated to the field width). */
export function setBits(v: bigint, hi: number, lo: number, f: bigint): bigint {
  const m = mask(hi - lo + 1) << BigInt(lo);
  return (v & ~m & MASK64) | ((f << BigInt(lo)) & m);
}

export function bit(v: bigint, n: number): boolean {
  return ((v >> BigInt(n)) & 1n) === 1n;
}

/** Lower-case 0x-hex, as used in every report and in the CLI's JSON. */
export function hex(v: bigint | number): string {
  return '0x' + v.toString(16);
}

/** Hex grouped in 16-bit chunks with `_` (0xffff_0000_1234), for display. */
export function hexGrouped(v: bigint): string {
  const s = v.toString(16);
  const parts: string[] = [];
  for (let i = s.length; i > 0; i -= 4) parts.unshift(s.slice(Math.max(0, i - 4), i));
  return '0x' + parts.join('_');
}

const SIZE_UNITS = ['', 'K', 'M', 'G', 'T', 'P', 'E'];

/** Size name of 2^log2 bytes: 4K, 2M, 1G, 512G. */
export function sizeName(log2: number): string {
  const u = Math.min(Math.floor(log2 / 10), SIZE_UNITS.length - 1);
  return `${2 ** (log2 - u * 10)}${SIZE_UNITS[u]}`;
}

