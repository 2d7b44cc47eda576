// Shared line helpers of the log readers: the kernel's message prefix and dword lines.

import type { LogDecodeResult, LogRecord, UnrecognisedLine } from './types';

/** A reader tries its formats at line `i`; returns how many lines it consumed (0: not its format). */
export type LineReader = (lines: readonly string[], i: number, out: LogDecodeResult) => number;

/**
 * The kernel's `dev_err` prefix: `<driver> <device>: `, after any dmesg timestamp
 * (`[   12.345678] `), syslog or journal prefix. The arm-smmu-v3 driver prints `arm-smmu-v3 <dev>: `.
 */
const KERNEL = /(?:^|\s|\])arm-smmu-v3 (\S+): ?(.*)$/;

export interface KernelLine {
  device: string;
  body: string;
}

export function kernelLine(line: string): KernelLine | undefined {
  const m = KERNEL.exec(line);
  return m ? { device: m[1], body: m[2].trim() } : undefined;
}

/** `\t0x%016llx`: one dword as the driver prints a record's words. */
const DWORD = /^0x([0-9a-fA-F]{16})$/;

/** The dword on kernel line `i` from `device`, or undefined. */
export function kernelDword(lines: readonly string[], i: number, device: string): bigint | undefined {
  if (i >= lines.length) return undefined;
  const k = kernelLine(lines[i]);
  if (!k || k.device !== device) return undefined;
  const m = DWORD.exec(k.body);
  return m ? BigInt('0x' + m[1]) : undefined;
}

/** Up to `n` consecutive dword lines of `device` from line `i`. */
export function kernelDwords(lines: readonly string[], i: number, device: string, n: number): bigint[] {
  const out: bigint[] = [];
  while (out.length < n) {
    const d = kernelDword(lines, i + out.length, device);
    if (d === undefined) break;
    out.push(d);
  }
  return out;
}

/** Lines [from, to] (0-based) listed as not recognised, each with `reason`. */
export function notRecognised(lines: readonly string[], from: number, to: number, reason: string): UnrecognisedLine[] {
  const out: UnrecognisedLine[] = [];
  for (let i = from; i <= to; i++) out.push({ line: i + 1, text: lines[i], reason });
  return out;
}

/** A number as a log prints it: `0x1f`, `%#x` of zero (`0`), or decimal. */
export function logNumber(s: string): bigint | undefined {
  if (/^0x[0-9a-fA-F]+$/.test(s)) return BigInt(s);
  if (/^[0-9]+$/.test(s)) return BigInt(s);
  return undefined;
}

/** An empty record to fill in. */
export function record(partial: Pick<LogRecord, 'line' | 'endLine' | 'source' | 'kind' | 'name' | 'meaning'> & Partial<LogRecord>): LogRecord {
  return { fields: [], issues: [], facts: [], ...partial };
}
