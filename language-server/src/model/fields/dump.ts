// Dump decoder: hex words pasted from a kernel log, debugfs or a QEMU trace -> named fields with
// meanings and field-level problems, and back. Pure functions over the field tables.
//
// Input: hex words separated by spaces, commas, newlines, colons or other text. `0x`-prefixed
// tokens are taken when present (kernel/QEMU style); otherwise bare hex tokens of 8 or 16 digits.
// Word size: 64-bit unless every token is written with exactly 8 digits (zero-padded, when
// 0x-prefixed), in which case the words are 32-bit and pair up low word first
// (`00000001 00000000` is the dword 0x1, in memory order). When some tokens are zero-padded to 16
// digits (Linux prints `\t0x%016llx`), shorter tokens are dropped as headers ("event 0x10 received").

import { FieldDef, StructDef, decode, encode } from './field';
import { FieldIssue, validate } from './validate';
import { valueName } from './describe';
import { STE } from './ste';
import { CD } from './cd';
import { L1STD, L1CD } from './l1';
import { commandByOpcode } from './commands';
import { eventByType, PRI_PAGE_REQUEST } from './events';
import { classifyPte, pteDef } from './pte';
import { hex } from '../bits';
import type { Granule } from '../types';

export type DumpHint = 'ste' | 'cd' | 'cmd' | 'event' | 'pte-s1' | 'pte-s2' | 'l1std' | 'l1cd' | 'pri';

export const DUMP_HINTS: readonly DumpHint[] = ['ste', 'cd', 'cmd', 'event', 'pte-s1', 'pte-s2', 'l1std', 'l1cd', 'pri'];

export interface DumpOptions {
  hint?: DumpHint;
  /** Force the word size of the input. */
  wordSize?: 32 | 64;
  /** For page-table descriptors: granule (default 4) and walk level (default 3). */
  granule?: Granule;
  level?: number;
}

export interface ParsedWords {
  dwords: bigint[];
  wordSize: 32 | 64;
  warnings: string[];
}

const HEX_0X = /0x([0-9a-fA-F]+)/g;
const HEX_BARE = /(?<![0-9a-zA-Z_.])([0-9a-fA-F]{16}|[0-9a-fA-F]{8})(?![0-9a-zA-Z_.])/g;

/** Extract 64-bit dwords from pasted text (see the header for the rules). */
export function parseWords(text: string, wordSize?: 32 | 64): ParsedWords {
  const warnings: string[] = [];
  let tokens = [...text.matchAll(HEX_0X)].map((m) => m[1]);
  const prefixed = tokens.length > 0;
  if (!prefixed) tokens = [...text.matchAll(HEX_BARE)].map((m) => m[1]);
  if (tokens.length === 0) return { dwords: [], wordSize: wordSize ?? 64, warnings: ['no hex words found'] };

  // Zero-padded 16-digit tokens show printf-style %016llx output; shorter tokens are then headers.
  const full = tokens.filter((t) => t.length === 16);
  const padded = full.some((t) => t[0] === '0');
  if (wordSize !== 32 && padded && full.length < tokens.length) {
    const dropped = tokens.filter((t) => t.length !== 16);
    warnings.push(`ignored ${dropped.length} short token(s) among 16-digit words: ${dropped.slice(0, 4).map((t) => '0x' + t).join(', ')}${dropped.length > 4 ? ', ...' : ''}`);
    tokens = full;
  }
  // 32-bit words: every token has exactly 8 digits, and either no 0x prefix or zero padding
  // (`0x00000046 0x00000000`); `0x4003000b 0xd4` stays 64-bit.
  const all8 = tokens.every((t) => t.length === 8);
  const size: 32 | 64 = wordSize ?? (all8 && (!prefixed || tokens.some((t) => t[0] === '0')) ? 32 : 64);
  const dwords: bigint[] = [];
  if (size === 32) {
    for (const t of tokens) {
      if (t.replace(/^0+/, '').length > 8) warnings.push(`0x${t} does not fit in 32 bits`);
    }
    if (tokens.length % 2 !== 0) warnings.push('odd number of 32-bit words: the last dword has no upper half (taken as 0)');
    for (let i = 0; i < tokens.length; i += 2) {
      const lo = BigInt('0x' + tokens[i]) & 0xffff_ffffn;
      const hi = i + 1 < tokens.length ? BigInt('0x' + tokens[i + 1]) & 0xffff_ffffn : 0n;
      dwords.push((hi << 32n) | lo);
    }
  } else {
    for (const t of tokens) {
      const v = BigInt('0x' + t);
      if (v >> 64n !== 0n) warnings.push(`0x${t} does not fit in 64 bits; truncated`);
      dwords.push(v & ((1n << 64n) - 1n));
    }
  }
  return { dwords, wordSize: size, warnings };
}

export interface DecodedField {
  name: string;
  word: number;
  hi: number;
  lo: number;
  value: bigint;
  /** Enumeration name and meaning of the value, when the field is enumerated. */
  valueName?: string;
  meaning?: string;
  summary: string;
  spec: string;
  reserved: boolean;
}

export interface DecodedRecord {
  /** Index of the record's first dword in the input. */
  offset: number;
  dwords: bigint[];
  /** The structure the words were decoded as; undefined when unidentified (unknown opcode/type). */
  struct?: StructDef;
  fields: DecodedField[];
  issues: FieldIssue[];
  /** Set when the structure was guessed without a hint. */
  guessed?: boolean;
}

export interface DumpResult {
  records: DecodedRecord[];
  wordSize: 32 | 64;
  warnings: string[];
}

function fieldView(f: FieldDef, value: bigint): DecodedField {
  const e = f.values ? valueName(f, f.addressShift ? value >> BigInt(f.addressShift) : value) : undefined;
  const v: DecodedField = { name: f.name, word: f.word, hi: f.hi, lo: f.lo, value, summary: f.summary, spec: f.spec, reserved: !!f.reserved };
  if (e) {
    v.valueName = e.name;
    v.meaning = e.meaning;
  }
  return v;
}

/** Decode one record as a given structure (no identification). */
export function decodeRecord(def: StructDef, dwords: readonly bigint[], offset = 0): DecodedRecord {
  const words = dwords.slice(0, def.dwords);
  while (words.length < def.dwords) words.push(0n);
  const values = decode(def, words);
  return {
    offset,
    dwords: words,
    struct: def,
    fields: def.fields.map((f) => fieldView(f, values[f.name])),
    issues: validate(def, words),
  };
}

function unknown(offset: number, dwords: bigint[], message: string, struct: string): DecodedRecord {
  return { offset, dwords, fields: [], issues: [{ struct, field: '', message, spec: struct === 'command' ? 'IHI 0070 §4' : 'IHI 0070 §7.3' }] };
}

/** Guess what 8 or fewer unhinted dwords are. */
function guess(d: bigint[]): { hint?: DumpHint; why: string } {
  if (d.length === 2 && commandByOpcode(d[0] & 0xffn)) return { hint: 'cmd', why: 'two dwords with a known opcode' };
  if (d.length === 4 && eventByType(d[0] & 0xffn)) return { hint: 'event', why: 'four dwords with a known event type' };
  if (d.length === 8) {
    // CD.V is bit 31 and CD.AA64 bit 41; STE.V is bit 0 with Config in [3:1].
    const cdLike = ((d[0] >> 31n) & 1n) === 1n && ((d[0] >> 41n) & 1n) === 1n;
    return cdLike ? { hint: 'cd', why: 'eight dwords with CD.V and CD.AA64 set' } : { hint: 'ste', why: 'eight dwords' };
  }
  if (d.length > 0 && d.length % 2 === 0 && commandByOpcode(d[0] & 0xffn)) return { hint: 'cmd', why: 'dword 0 has a known opcode' };
  return { why: `${d.length} dword(s) without a hint` };
}

function chunks(dwords: bigint[], size: number): Array<{ offset: number; words: bigint[] }> {
  const out: Array<{ offset: number; words: bigint[] }> = [];
  for (let i = 0; i < dwords.length; i += size) out.push({ offset: i, words: dwords.slice(i, i + size) });
  return out;
}

/** Parse, identify and decode pasted words. */
export function decodeDump(text: string, opts: DumpOptions = {}): DumpResult {
  const parsed = parseWords(text, opts.wordSize);
  return decodeWords(parsed.dwords, opts, parsed.warnings, parsed.wordSize);
}

/** Identify and decode already-parsed dwords. */
export function decodeWords(dwords: bigint[], opts: DumpOptions = {}, warnings: string[] = [], wordSize: 32 | 64 = 64): DumpResult {
  const records: DecodedRecord[] = [];
  let hint = opts.hint;
  let guessed = false;
  if (!hint) {
    const g = guess(dwords);
    if (!g.hint) {
      warnings.push(`cannot identify ${g.why}; give a hint (${DUMP_HINTS.join(', ')})`);
      return { records, wordSize, warnings };
    }
    hint = g.hint;
    guessed = true;
    warnings.push(`decoded as ${hint} (${g.why}); give a hint to choose another structure`);
  }
  const fixed: Partial<Record<DumpHint, StructDef>> = { ste: STE, cd: CD, l1std: L1STD, l1cd: L1CD, pri: PRI_PAGE_REQUEST };
  const def = fixed[hint];
  if (def) {
    for (const c of chunks(dwords, def.dwords)) {
      if (c.words.length < def.dwords) warnings.push(`last ${def.name} at dword ${c.offset} is incomplete (${c.words.length} of ${def.dwords} dwords; missing taken as 0)`);
      records.push(decodeRecord(def, c.words, c.offset));
    }
  } else if (hint === 'cmd' || hint === 'event') {
    const size = hint === 'cmd' ? 2 : 4;
    for (const c of chunks(dwords, size)) {
      const code = c.words[0] & 0xffn;
      const d = hint === 'cmd' ? commandByOpcode(code) : eventByType(code);
      if (c.words.length < size) warnings.push(`last ${hint} at dword ${c.offset} is incomplete (missing dwords taken as 0)`);
      records.push(d ? decodeRecord(d, c.words, c.offset)
        : unknown(c.offset, c.words, hint === 'cmd' ? `unknown opcode ${hex(code)} (the SMMU reports CERROR_ILL)` : `unknown event type ${hex(code)}`, hint === 'cmd' ? 'command' : 'event'));
    }
  } else {
    // pte-s1 / pte-s2: one descriptor per dword, at the given level.
    const stage = hint === 'pte-s1' ? 1 : 2;
    const granule = opts.granule ?? 4;
    const level = opts.level ?? 3;
    if (opts.level === undefined) warnings.push('descriptor level not given: decoded as level 3');
    dwords.forEach((w, i) => {
      const sel = { stage: stage as 1 | 2, granule, level };
      const kind = classifyPte(w, sel);
      const d = kind === 'table' || kind === 'block' || kind === 'page' ? pteDef(sel, kind) : undefined;
      if (d) records.push(decodeRecord(d, [w], i));
      else {
        records.push({ offset: i, dwords: [w], fields: [], issues: [{
          struct: `S${stage}_PTE`, field: 'Valid', spec: 'DDI 0487 D8.3',
          message: kind === 'invalid' ? 'invalid descriptor (bit [0] == 0): Translation fault' : `reserved descriptor encoding at level ${level}: Translation fault`,
        }] });
      }
    });
  }
  if (guessed) for (const r of records) r.guessed = true;
  return { records, wordSize, warnings };
}

/** Words of a record in the dump format: one `0x%016x` per line (or 32-bit words, low first). */
export function formatWords(dwords: readonly bigint[], wordSize: 32 | 64 = 64): string {
  if (wordSize === 64) return dwords.map((d) => '0x' + d.toString(16).padStart(16, '0')).join('\n');
  const out: string[] = [];
  for (const d of dwords) {
    out.push((d & 0xffff_ffffn).toString(16).padStart(8, '0'), (d >> 32n).toString(16).padStart(8, '0'));
  }
  return out.join(' ');
}

/** Encode named values as a structure and print them in the dump format (round trip of decodeDump). */
export function encodeDump(def: StructDef, values: Partial<Record<string, bigint>>, wordSize: 32 | 64 = 64, base?: readonly bigint[]): string {
  return formatWords(encode(def, values, base), wordSize);
}

/** Plain-text report of a decoded dump (for the CLI and the debug console). */
export function formatDump(r: DumpResult): string {
  const lines: string[] = [];
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  for (const rec of r.records) {
    const title = rec.struct ? `${rec.struct.name} (${rec.struct.spec})` : 'unidentified';
    lines.push(`@dword ${rec.offset}: ${title}${rec.guessed ? ' [guessed]' : ''}`);
    for (const f of rec.fields) {
      if (f.reserved && f.value === 0n) continue;
      const range = f.hi === f.lo ? `${f.word}[${f.lo}]` : `${f.word}[${f.hi}:${f.lo}]`;
      lines.push(`  ${f.name.padEnd(16)} ${range.padEnd(10)} ${hex(f.value)}${f.valueName ? ` ${f.valueName}: ${f.meaning}` : ''}`);
    }
    for (const i of rec.issues) lines.push(`  ! ${i.message} (${i.spec})`);
  }
  return lines.join('\n');
}
