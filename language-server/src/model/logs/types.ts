// Records read from kernel logs, QEMU traces and STE/CD dumps (see index.ts for the formats).

import type { DecodedField } from '../fields/dump';

/** Where a record's text comes from. */
export type LogSource = 'linux' | 'qemu' | 'dump';

/** What a record is. */
export type LogKind = 'event' | 'command' | 'ste' | 'cd' | 'gerror' | 'pri' | 'translation' | 'trace';

export interface LogRecord {
  /** 1-based first and last input lines the record was read from. */
  line: number;
  endLine: number;
  source: LogSource;
  kind: LogKind;
  /** Spec name (F_TRANSLATION, CMD_TLBI_NH_VA, STE, CD, SMMU_GERROR, PRI_PAGE_REQUEST) or the QEMU trace event. */
  name: string;
  /** Device the kernel printed (`arm-smmu-v3.0.auto`). */
  device?: string;
  /** The words as logged; absent when the log only has decoded text. */
  dwords?: bigint[];
  /** Every field by spec name (RES0 ranges only when set), from model/fields. */
  fields: DecodedField[];
  /** What the record is (the spec's summary of the event, command or structure). */
  meaning: string;
  /** Events: the likely cause, from the event's fields. */
  cause?: string;
  /** Commands: why the SMMU refused it (SMMU_CMDQ_CONS.ERR and the model's CERROR_ILL rule). */
  error?: string;
  /** STE/CD: the configuration the words select. */
  config?: string;
  /** Illegal fields: RES0 bits set, Reserved encodings, the rule that makes an STE/CD ILLEGAL. */
  issues: string[];
  /** What the log line says in its own words (the kernel's decoded line, QEMU's trace arguments). */
  facts: Array<[string, string]>;
  /** StreamID / SubstreamID / address of the structure, when the log gives them. */
  sid?: number;
  ssid?: number;
  address?: bigint;
}

/** A line that is not part of any recognised record. */
export interface UnrecognisedLine {
  line: number;
  text: string;
  reason: string;
}

export interface LogDecodeResult {
  records: LogRecord[];
  unrecognised: UnrecognisedLine[];
  /** Number of input lines. */
  lines: number;
}
