// Number literals of scenarios: 0x-hex, 0b-binary, decimal, `_` separators, optional size
// suffix K/M/G/T (binary multiples, for sizes: `map 0x1000 2M -> …`). Always bigint.

const SUFFIX: Record<string, bigint> = { k: 1n << 10n, m: 1n << 20n, g: 1n << 30n, t: 1n << 40n };

/** Parses a literal; undefined when it is not one. */
export function parseNumber(text: string): bigint | undefined {
  let t = text.trim().replace(/_/g, '').toLowerCase();
  if (t === '') return undefined;
  let mul = 1n;
  const last = t[t.length - 1];
  if (SUFFIX[last] !== undefined) {
    // k/m/g/t are not hex digits, so `0x2M` is unambiguous too.
    mul = SUFFIX[last];
    t = t.slice(0, -1);
  }
  let v: bigint;
  if (/^0x[0-9a-f]+$/.test(t)) v = BigInt(t);
  else if (/^0b[01]+$/.test(t)) v = BigInt(t);
  else if (/^[0-9]+$/.test(t)) v = BigInt(t);
  else return undefined;
  return v * mul;
}
