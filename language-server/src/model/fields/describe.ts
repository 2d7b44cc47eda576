// Text derived from the field tables: hover markdown for one field, a decoded structure as rows,
// markdown or aligned plain text.

import { hex } from '../bits';
import { decode, requireField, type FieldDef, type FieldValue, type StructDef } from './field';

/** Bit range in the spec's structure-wide numbering, e.g. STE.S2T0SZ is [165:160]. */
function specBits(f: FieldDef): { hi: number; lo: number } {
  return { hi: f.word * 64 + f.hi, lo: f.word * 64 + f.lo };
}

export function rangeText(f: FieldDef): string {
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
