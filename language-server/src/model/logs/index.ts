// Log decoder: kernel logs, QEMU traces and STE/CD dumps in, decoded records out, with the input
// lines each came from. Readers (one per source) are tried in turn at each line; the first that
// recognises its format consumes the record's lines. Blank lines are skipped; every other line
// that no reader takes is listed as not recognised, never guessed.
//   linux.ts  arm-smmu-v3 driver messages (events, CMDQ errors, GERROR, PRI)
//   qemu.ts   QEMU `-trace 'smmu*'` lines
//   dumps.ts  STE/CD dumps (debugfs-style, crash, drgn)
// Each record is decoded by field through model/fields and explained by explain.ts.

import { readDump } from './dumps';
import { readLinux } from './linux';
import { readQemu } from './qemu';
import type { LineReader } from './lines';
import type { LogDecodeResult } from './types';

export type { LogDecodeResult, LogRecord, LogKind, LogSource, UnrecognisedLine } from './types';
export { eventCause } from './causes';

const READERS: LineReader[] = [readDump, readLinux, readQemu];

/** Longest input line looked at; longer lines are listed as not recognised. */
const MAX_LINE = 4096;

/** Decode log text. Never throws; unknown and truncated lines end up in `unrecognised`. */
export function decodeLog(text: string): LogDecodeResult {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const out: LogDecodeResult = { records: [], unrecognised: [], lines: lines.length };
  for (let i = 0; i < lines.length;) {
    const line = lines[i];
    if (line.trim() === '') { i++; continue; }
    if (line.length > MAX_LINE) {
      out.unrecognised.push({ line: i + 1, text: line.slice(0, 200), reason: `line longer than ${MAX_LINE} characters` });
      i++;
      continue;
    }
    let used = 0;
    for (const read of READERS) {
      used = read(lines, i, out);
      if (used > 0) break;
    }
    if (used === 0) {
      out.unrecognised.push({ line: i + 1, text: line, reason: 'not an arm-smmu-v3 message, QEMU smmu trace line or STE/CD dump' });
      used = 1;
    }
    i += used;
  }
  return out;
}
