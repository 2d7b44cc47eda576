// Field codec: every SMMUv3 structure is described once, as data (StructDef), and decode,
// encode, validation and hover text are all derived from that one table.
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

function requireField(def: StructDef, name: string): FieldDef {
  const f = fieldByName(def, name);
  if (!f) throw new FieldError('unknown-field', def.name, name, `${def.name} has no field '${name}'`);
  return f;
}

/** Raw (unshifted-address) bits of one field. */
function rawOf(f: FieldDef, dwords: readonly bigint[]): bigint {
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

/** Bit range in the spec's structure-wide numbering, e.g. STE.S2T0SZ is [165:160]. */
function specBits(f: FieldDef): { hi: number; lo: number } {
  return { hi: f.word * 64 + f.hi, lo: f.word * 64 + f.lo };
}

function rangeText(f: FieldDef): string {
  return f.hi === f.lo ? `bit [${f.lo}]` : `bits [${f.hi}:${f.lo}]`;
}

/** The enumeration entry for a value, if the field is enumerated. */
export function valueName(f: FieldDef, value: bigint): FieldValue | undefined {
  return f.values?.find((v) => v.value === value);
}

function binary(v: bigint, width: number): string {
  return '0b' + v.toString(2).padStart(width, '0');
}

/** Markdown hover text for one field. */
export function describeField(def: StructDef, name: string): string {
  const f = requireField(def, name);
  const g = specBits(f);
  const width = f.hi - f.lo + 1;
  const lines: string[] = [];
  lines.push(`**${def.name}.${f.name}** — dword ${f.word} ${rangeText(f)}` +
    (def.dwords > 1 ? ` (${def.name} ${g.hi === g.lo ? `bit [${g.lo}]` : `bits [${g.hi}:${g.lo}]`})` : ''));
  lines.push('');
  lines.push(f.reserved ? `Reserved, RES0. ${f.summary}`.trim() : f.summary);
  if (f.addressShift !== undefined) {
    lines.push('');
    lines.push(`Address field: holds address bits [${width - 1 + f.addressShift}:${f.addressShift}]` +
      (f.addressShift > 0 ? `; the address must be ${1n << BigInt(f.addressShift)}-byte aligned.` : '.'));
  }
  if (f.maxLegal !== undefined) {
    lines.push('');
    lines.push(`Legal values: 0..${f.maxLegal}; larger values are Reserved.`);
  }
  if (f.values?.length) {
    lines.push('');
    lines.push('| Value | Name | Meaning |');
    lines.push('|---|---|---|');
    for (const v of f.values) {
      lines.push(`| ${binary(v.value, width)} | ${v.name}${v.reserved ? ' (Reserved)' : ''} | ${v.meaning} |`);
    }
    if (f.valuesComplete) lines.push('', 'Other values are Reserved.');
  }
  lines.push('');
  lines.push(`*${f.spec}*`);
  return lines.join('\n');
}

/** Markdown table of every field of a decoded structure (RES0 ranges only when non-zero). */
/** Each field of a structure: name, bits, value and meaning (RES0 fields only when set). */
export function structRows(def: StructDef, dwords: readonly bigint[]): Array<[string, string, string, string]> {
  const values = decode(def, dwords);
  const rows: Array<[string, string, string, string]> = [];
  for (const f of def.fields) {
    const v = values[f.name];
    if (f.reserved && v === 0n) continue;
    const e = valueName(f, v);
    rows.push([f.name, `${f.word}[${f.hi === f.lo ? f.lo : `${f.hi}:${f.lo}`}]`, hex(v), f.reserved ? 'RES0 bits set' : e ? `${e.name}: ${e.meaning}` : '']);
  }
  return rows;
}

export function describeStruct(def: StructDef, dwords: readonly bigint[]): string {
  const lines = [`**${def.name}** — ${def.spec}`, '', '| Field | Bits | Value | Meaning |', '|---|---|---|---|'];
  for (const r of structRows(def, dwords)) lines.push(`| ${r.join(' | ')} |`);
  return lines.join('\n');
}

/** The same as aligned plain text (the Debug Console shows no markdown). */
export function describeStructText(def: StructDef, dwords: readonly bigint[]): string {
  const rows = structRows(def, dwords);
  const w0 = Math.max(5, ...rows.map((r) => r[0].length));
  const w1 = Math.max(4, ...rows.map((r) => r[1].length));
  const w2 = Math.max(5, ...rows.map((r) => r[2].length));
  const line = (r: readonly string[]) => `${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2].padEnd(w2)}  ${r[3]}`.trimEnd();
  return [`${def.name} (${def.spec})`, line(['Field', 'Bits', 'Value', 'Meaning']), ...rows.map(line)].join('\n');
}

/** One field-level problem: RES0 bits set, or a Reserved encoding. */
export interface FieldIssue {
  struct: string;
  field: string;
  message: string;
  spec: string;
}

/**
 * Pure field rules: RES0 bits that are set and Reserved enum encodings.
 * Semantic legality (ILLEGAL STE/CD combinations given SMMU features) belongs to the engine.
 */
export function validate(def: StructDef, dwords: readonly bigint[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const f of def.fields) {
    const raw = rawOf(f, dwords);
    if (f.reserved) {
      if (raw !== 0n) {
        issues.push({ struct: def.name, field: f.name, spec: f.spec,
          message: `${def.name} ${rangeText(f)} of dword ${f.word} ${f.hi === f.lo ? 'is' : 'are'} RES0 but ${f.hi === f.lo ? 'is set' : `hold ${hex(raw)}`}` });
      }
      continue;
    }
    if (f.maxLegal !== undefined && raw > f.maxLegal) {
      issues.push({ struct: def.name, field: f.name, spec: f.spec,
        message: `${def.name}.${f.name} = ${raw} is Reserved (legal values are 0..${f.maxLegal})` });
      continue;
    }
    if (!f.values) continue;
    const e = valueName(f, raw);
    if (e?.reserved) {
      issues.push({ struct: def.name, field: f.name, spec: f.spec,
        message: `${def.name}.${f.name} = ${hex(raw)} is a Reserved encoding (${e.meaning})` });
    } else if (!e && f.valuesComplete) {
      issues.push({ struct: def.name, field: f.name, spec: f.spec,
        message: `${def.name}.${f.name} = ${hex(raw)} is not a defined encoding` });
    }
  }
  return issues;
}

// ---- helpers for writing tables ----

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
