// Field codec: every SMMUv3 structure is described once, as data (StructDef), and decode and
// encode are derived from that one table (text in describe.ts, field rules in validate.ts).
//
// Conventions
// - A structure is an array of little-endian 64-bit dwords; dword i holds the spec's bits
//   [64*i+63 : 64*i]. A field lives in one dword: bits [hi:lo] of dwords[word].
// - Decoded values are bigint. For an ordinary field the value is bits [hi:lo] shifted down.
// - Address fields (addressShift set): the stored bits are address bits
//   [hi-lo+addressShift : addressShift]; the decoded value is the address itself
//   (raw << addressShift, low bits zero). Almost every SMMUv3 address field is stored "in place"
//   (STE.S1ContextPtr is dword0[55:6] holding addr[55:6]), i.e. addressShift === lo, so the
//   decoded value is simply dword & fieldMask and can be used directly as the address.
//   encode() takes the address and rejects one whose low addressShift bits are not zero.
// - encode() never truncates: a value that does not fit throws FieldError naming the field.

import { MASK64, hex } from '../bits';

/** One legal (or explicitly Reserved) encoding of an enumerated field. */
export interface FieldValue {
  value: bigint;
  /** Short spec-style name ('S1_TRANS', '4KB', 'Terminate'). */
  name: string;
  meaning: string;
  /** A Reserved encoding: validate() reports it. */
  reserved?: boolean;
}

export interface FieldDef {
  /** Spec name, e.g. 'S1ContextPtr'. */
  name: string;
  /** 64-bit dword index within the structure. */
  word: number;
  /** Inclusive bit range within that dword. */
  hi: number;
  lo: number;
  summary: string;
  /** Citation, e.g. 'IHI 0070 §5.2'. */
  spec: string;
  /** Enumerated encodings. When `valuesComplete` is true, an unlisted value is Reserved. */
  values?: FieldValue[];
  valuesComplete?: boolean;
  /** RES0 bits: validate() reports a non-zero value. */
  reserved?: boolean;
  /** Address field: the stored bits are addr[hi-lo+addressShift : addressShift]. See header. */
  addressShift?: number;
  /** Largest legal value; validate() reports larger values as Reserved (e.g. L1STD.Span > 11). */
  maxLegal?: bigint;
}

export interface StructDef {
  /** 'STE', 'CD', 'CMD_TLBI_NH_VA', 'F_TRANSLATION', ... */
  name: string;
  dwords: number;
  spec: string;
  summary?: string;
  fields: FieldDef[];
}

export type FieldValues = Record<string, bigint>;

export type FieldErrorKind = 'unknown-field' | 'overflow' | 'misaligned' | 'negative' | 'length';

/** Thrown by encode/setField: the value cannot be represented, or the field does not exist. */
export class FieldError extends Error {
  constructor(
    readonly kind: FieldErrorKind,
    readonly struct: string,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'FieldError';
  }
}

// ---- precompiled form (the engine decodes STEs/CDs on every config-cache miss) ----
// Compiled forms and generated decoders are cached per StructDef object: a table must not be
// mutated after its first use (tables are built once, at module load, and never changed).

// Per field, one of three extraction paths:
//  0 'num'  : the field lies in one 32-bit half of its dword and is at most 31 bits wide and not an
//             address: extracted with number arithmetic on that half (the common case, cheap);
//  1 'place': in-place address field: dword & (mask << lo);
//  2 'big'  : anything else: BigInt shift and mask (then << addressShift).
interface Compiled {
  names: string[];
  words: number[];
  kinds: number[];
  halves: number[]; // 'num': 0 low half, 1 high half
  nShift: number[]; // 'num': shift within the half
  nMask: number[]; // 'num': width mask
  shifts: bigint[];
  masks: bigint[]; // width mask, unshifted
  placed: bigint[]; // mask << lo
  aShifts: bigint[];
  usedWords: number[];
  byLower: Map<string, FieldDef>;
}

const compiled = new WeakMap<StructDef, Compiled>();

function compile(def: StructDef): Compiled {
  let c = compiled.get(def);
  if (c) return c;
  c = { names: [], words: [], kinds: [], halves: [], nShift: [], nMask: [], shifts: [], masks: [], placed: [], aShifts: [], usedWords: [], byLower: new Map() };
  for (const f of def.fields) {
    const width = f.hi - f.lo + 1;
    const m = (1n << BigInt(width)) - 1n;
    const half = f.lo >= 32 ? 1 : f.hi < 32 ? 0 : -1;
    const kind = f.addressShift === undefined && half >= 0 && width <= 31 ? 0 : f.addressShift === f.lo ? 1 : 2;
    c.names.push(f.name);
    c.words.push(f.word);
    c.kinds.push(kind);
    c.halves.push(half);
    c.nShift.push(half === 1 ? f.lo - 32 : f.lo);
    c.nMask.push(width <= 31 ? (1 << width) - 1 : 0);
    c.shifts.push(BigInt(f.lo));
    c.masks.push(m);
    c.placed.push(m << BigInt(f.lo));
    c.aShifts.push(BigInt(f.addressShift ?? 0));
    if (!c.usedWords.includes(f.word)) c.usedWords.push(f.word);
    c.byLower.set(f.name.toLowerCase(), f);
  }
  compiled.set(def, c);
  return c;
}

/** Case-insensitive field lookup. Accepts 's1contextptr', 'S1ContextPtr' and 'STE.S1ContextPtr'. */
export function fieldByName(def: StructDef, name: string): FieldDef | undefined {
  const c = compile(def);
  let key = name.toLowerCase();
  const prefix = def.name.toLowerCase() + '.';
  if (key.startsWith(prefix)) key = key.slice(prefix.length);
  return c.byLower.get(key);
}

export function requireField(def: StructDef, name: string): FieldDef {
  const f = fieldByName(def, name);
  if (!f) throw new FieldError('unknown-field', def.name, name, `${def.name} has no field '${name}'`);
  return f;
}

/** Raw (unshifted-address) bits of one field. */
export function rawOf(f: FieldDef, dwords: readonly bigint[]): bigint {
  const w = dwords[f.word] ?? 0n;
  return (w >> BigInt(f.lo)) & ((1n << BigInt(f.hi - f.lo + 1)) - 1n);
}

/** Decoded value of one field (addresses as addresses). */
export function getField(def: StructDef, dwords: readonly bigint[], name: string): bigint {
  const f = requireField(def, name);
  return rawOf(f, dwords) << BigInt(f.addressShift ?? 0);
}

// Small BigInts are shared: allocating a fresh BigInt per field dominated decode time.
// Dense array, filled up front (a sparse fill would turn it into a slow dictionary).
const SMALL: bigint[] = Array.from({ length: 4096 }, (_, i) => BigInt(i));
function small(v: number): bigint {
  return v < 4096 ? SMALL[v] : BigInt(v);
}

type Decoder = (dwords: readonly bigint[]) => FieldValues;
const decoders = new WeakMap<StructDef, Decoder>();

/**
 * A decoder specialised for one structure: it builds the result as one object literal (a stable
 * shape, no per-key stores). Generated once per StructDef from the table; returns undefined where
 * code generation is not allowed (e.g. a CSP), in which case the generic loop is used.
 */
function generateDecoder(def: StructDef, c: Compiled): Decoder | undefined {
  const lines: string[] = [];
  for (const wi of c.usedWords) {
    lines.push(`const w${wi} = (d[${wi}] ?? 0n) & 0xffffffffffffffffn;`);
    lines.push(`const l${wi} = w${wi} === 0n ? 0 : Number(w${wi} & 0xffffffffn), h${wi} = w${wi} === 0n ? 0 : Number(w${wi} >> 32n);`);
  }
  const props = c.names.map((name, i) => {
    const wi = c.words[i];
    let expr: string;
    if (c.kinds[i] === 0) {
      expr = `s((${c.halves[i] === 0 ? 'l' : 'h'}${wi} >>> ${c.nShift[i]}) & ${c.nMask[i]})`;
    } else if (c.kinds[i] === 1) {
      expr = `w${wi} & 0x${c.placed[i].toString(16)}n`;
    } else {
      expr = `((w${wi} >> ${c.shifts[i]}n) & 0x${c.masks[i].toString(16)}n) << ${c.aShifts[i]}n`;
    }
    return `${JSON.stringify(name)}: ${expr}`;
  });
  try {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    const make = new Function('s', `return function decode_${def.name.replace(/\W/g, '_')}(d) {\n${lines.join('\n')}\nreturn {${props.join(', ')}};\n};`);
    return make(small) as Decoder;
  } catch {
    return undefined;
  }
}

function genericDecode(c: Compiled, dwords: readonly bigint[]): FieldValues {
  const out: FieldValues = {};
  for (let i = 0; i < c.names.length; i++) {
    const w = (dwords[c.words[i]] ?? 0n) & MASK64;
    out[c.names[i]] = c.kinds[i] === 1 ? w & c.placed[i] : ((w >> c.shifts[i]) & c.masks[i]) << c.aShifts[i];
  }
  return out;
}

/** Decode every field (including RES0 ranges, which decode to their raw bits). */
export function decode(def: StructDef, dwords: readonly bigint[]): FieldValues {
  let fn = decoders.get(def);
  if (!fn) {
    const c = compile(def);
    fn = generateDecoder(def, c) ?? ((d: readonly bigint[]) => genericDecode(c, d));
    decoders.set(def, fn);
  }
  return fn(dwords);
}

/** The generic (non-generated) decoder, exposed for tests of the generated one. */
export function decodeGeneric(def: StructDef, dwords: readonly bigint[]): FieldValues {
  return genericDecode(compile(def), dwords);
}

/** The raw bits to store for `value` in field f, or a FieldError. */
function toRaw(def: StructDef, f: FieldDef, value: bigint): bigint {
  if (value < 0n) throw new FieldError('negative', def.name, f.name, `${def.name}.${f.name}: negative value ${value}`);
  const width = f.hi - f.lo + 1;
  let raw = value;
  if (f.addressShift !== undefined && f.addressShift > 0) {
    const low = (1n << BigInt(f.addressShift)) - 1n;
    if ((value & low) !== 0n) {
      throw new FieldError(
        'misaligned',
        def.name,
        f.name,
        `${def.name}.${f.name}: address ${hex(value)} must be ${1n << BigInt(f.addressShift)}-byte aligned (bits [${f.addressShift - 1}:0] zero)`,
      );
    }
    raw = value >> BigInt(f.addressShift);
  }
  if (raw >> BigInt(width) !== 0n) {
    const what = f.addressShift !== undefined
      ? `address ${hex(value)} has bits above [${width - 1 + f.addressShift}]`
      : `value ${hex(value)} does not fit in ${width} bit${width === 1 ? '' : 's'} (max ${hex((1n << BigInt(width)) - 1n)})`;
    throw new FieldError('overflow', def.name, f.name, `${def.name}.${f.name}: ${what}`);
  }
  return raw;
}

/** Store a field into `out` in place (value already checked by toRaw). */
function store(out: bigint[], f: FieldDef, raw: bigint): void {
  const m = ((1n << BigInt(f.hi - f.lo + 1)) - 1n) << BigInt(f.lo);
  out[f.word] = ((out[f.word] & ~m) | (raw << BigInt(f.lo))) & MASK64;
}

/** Returns a copy of dwords with one field replaced. Throws FieldError; never truncates. */
export function setField(def: StructDef, dwords: readonly bigint[], name: string, value: bigint): bigint[] {
  const f = requireField(def, name);
  const raw = toRaw(def, f, value);
  const out = normalise(def, dwords);
  store(out, f, raw);
  return out;
}

function normalise(def: StructDef, base: readonly bigint[] | undefined): bigint[] {
  const out: bigint[] = new Array(def.dwords).fill(0n);
  if (base) {
    if (base.length > def.dwords) {
      throw new FieldError('length', def.name, '', `${def.name} has ${def.dwords} dwords, got ${base.length}`);
    }
    for (let i = 0; i < base.length; i++) out[i] = base[i] & MASK64;
  }
  return out;
}

/**
 * Build dwords from named values on top of `base` (zeros by default). Names are case-insensitive.
 * Undefined entries are skipped. Throws FieldError for an unknown name or a value that does not fit.
 */
export function encode(def: StructDef, values: Partial<Record<string, bigint>>, base?: readonly bigint[]): bigint[] {
  const out = normalise(def, base);
  for (const [name, v] of Object.entries(values)) {
    if (v === undefined) continue;
    const f = requireField(def, name);
    store(out, f, toRaw(def, f, v));
  }
  return out;
}

/** Non-throwing encode for callers that collect diagnostics. */
export function tryEncode(
  def: StructDef,
  values: Partial<Record<string, bigint>>,
  base?: readonly bigint[],
): { ok: true; dwords: bigint[] } | { ok: false; error: FieldError } {
  try {
    return { ok: true, dwords: encode(def, values, base) };
  } catch (e) {
    if (e instanceof FieldError) return { ok: false, error: e };
    throw e;
  }
}
