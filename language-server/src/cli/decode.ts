// `iommu-lens decode [FILE|-] [--json]`: decodes kernel logs, QEMU smmu traces and STE/CD dumps
// (model/logs). Reads stdin with `-` or no file. Lines that are not recognised are listed, not
// guessed. Exit status: 0 at least one record decoded, 1 none, 2 unreadable input or a wrong
// command line.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeLog } from '../model/logs/index';
import { setFields, wireLog, type WireLogRecord, type WireLogResult } from '../model/logs/wire';

export const DECODE_USAGE = 'usage: iommu-lens decode [FILE|-] [--json]';

function recordText(r: WireLogRecord, file: string): string[] {
  const at = r.endLine > r.line ? `${r.line}-${r.endLine}` : `${r.line}`;
  const out = [`${file}:${at}: ${r.kind} ${r.name}${r.device ? ` (${r.device})` : ''}${r.sid !== undefined ? ` sid ${r.sid}` : ''}${r.ssid !== undefined ? ` ssid ${r.ssid}` : ''}`];
  if (r.meaning) out.push(`  meaning: ${r.meaning}`);
  if (r.cause) out.push(`  likely cause: ${r.cause}`);
  if (r.error) out.push(`  error: ${r.error}`);
  if (r.config) out.push(`  config: ${r.config}`);
  // Text shows the fields that are set (and Type/Opcode/V); --json has every field.
  const set = setFields(r.fields);
  for (const f of set) out.push(`  ${f.name.padEnd(18)} ${f.bits.padEnd(10)} ${f.value}${f.valueName ? ` ${f.valueName}: ${f.meaning}` : ''}`);
  if (set.length < r.fields.length) out.push(`  (${r.fields.length - set.length} fields are zero)`);
  if (r.facts.length) out.push(`  log: ${r.facts.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  for (const i of r.issues) out.push(`  ! ${i}`);
  return out;
}

export function formatLog(w: WireLogResult, file: string): string {
  const lines: string[] = [];
  for (const r of w.records) lines.push(...recordText(r, file));
  for (const u of w.unrecognised) lines.push(`${file}:${u.line}: not recognised: ${u.reason}: ${u.text.trim()}`);
  lines.push(`${file}: ${w.records.length} record${w.records.length === 1 ? '' : 's'} decoded, ${w.unrecognised.length} line${w.unrecognised.length === 1 ? '' : 's'} not recognised`);
  return lines.join('\n');
}

export function decodeMain(args: string[], out: (s: string) => void, err: (s: string) => void, cwd: string, readStdin: () => string): number {
  const json = args.includes('--json');
  const rest = args.filter((a) => a !== '--json');
  const bad = rest.find((a) => a.startsWith('--'));
  if (bad || rest.length > 1) {
    err(bad ? `unknown option ${bad}\n${DECODE_USAGE}` : DECODE_USAGE);
    return 2;
  }
  const file = rest[0] ?? '-';
  let text: string;
  try {
    text = file === '-' ? readStdin() : fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (e) {
    err(`cannot read ${file === '-' ? 'stdin' : file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    return 2;
  }
  const w = wireLog(decodeLog(text));
  out(json ? JSON.stringify(w) : formatLog(w, file === '-' ? '<stdin>' : file));
  return w.records.length > 0 ? 0 : 1;
}
