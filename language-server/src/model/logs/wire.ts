// JSON form of decoded log records (the `iommu-lens decode --json` output and the
// `iommuLens/decodeLog` response): every 64-bit value as a 0x-hex string.

import { hex } from '../bits';
import type { LogDecodeResult, LogKind, LogSource, UnrecognisedLine } from './types';

export interface WireLogField {
  name: string;
  /** `dword[hi:lo]`, e.g. `1[41:40]`. */
  bits: string;
  value: string;
  valueName?: string;
  meaning?: string;
}

export interface WireLogRecord {
  line: number;
  endLine: number;
  source: LogSource;
  kind: LogKind;
  name: string;
  device?: string;
  raw?: string[];
  fields: WireLogField[];
  meaning: string;
  cause?: string;
  error?: string;
  config?: string;
  issues: string[];
  facts: Array<[string, string]>;
  sid?: string;
  ssid?: string;
  address?: string;
}

export interface WireLogResult {
  records: WireLogRecord[];
  unrecognised: UnrecognisedLine[];
  lines: number;
}

export function wireLog(r: LogDecodeResult): WireLogResult {
  return {
    lines: r.lines,
    unrecognised: r.unrecognised,
    records: r.records.map((x) => {
      const w: WireLogRecord = {
        line: x.line, endLine: x.endLine, source: x.source, kind: x.kind, name: x.name, meaning: x.meaning, issues: x.issues, facts: x.facts,
        fields: x.fields.map((f) => {
          const o: WireLogField = { name: f.name, bits: f.hi === f.lo ? `${f.word}[${f.lo}]` : `${f.word}[${f.hi}:${f.lo}]`, value: hex(f.value) };
          if (f.valueName !== undefined) o.valueName = f.valueName;
          if (f.meaning !== undefined) o.meaning = f.meaning;
          return o;
        }),
      };
      if (x.device !== undefined) w.device = x.device;
      if (x.dwords) w.raw = x.dwords.map((d) => '0x' + d.toString(16).padStart(16, '0'));
      if (x.cause !== undefined) w.cause = x.cause;
      if (x.error !== undefined) w.error = x.error;
      if (x.config !== undefined) w.config = x.config;
      if (x.sid !== undefined) w.sid = hex(x.sid);
      if (x.ssid !== undefined) w.ssid = hex(x.ssid);
      if (x.address !== undefined) w.address = hex(x.address);
      return w;
    }),
  };
}

/** The fields worth showing in a summary: those that are set, plus Type/Opcode/V (JSON keeps every field). */
export function setFields(fields: readonly WireLogField[]): WireLogField[] {
  return fields.filter((f) => f.value !== '0x0' || f.bits === '0[0]' || f.bits === '0[7:0]');
}
