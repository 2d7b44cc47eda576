// Messages of Linux's arm-smmu-v3 driver (drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3.c), as it
// prints them after its `arm-smmu-v3 <device>: ` prefix:
//   event 0x%02x received:            + the record's 4 dwords, one `\t0x%016llx` per line
//   event: %s client: %s sid: %#x ssid: %#x[ iova: %#llx ipa: %#llx| fetch_addr: %#llx]
//   %s %s %s %s "%s"%s%s stag: %#x    (priv/unpriv inst/data read/write s1/s2 "class" ttd_* stall)
//   CMDQ error (cons 0x%08x): %s      + `skipping command in error state:` and the 2 command dwords,
//                                       or `retrying command fetch`
//   unexpected global error reported (0x%08x), this could be serious   + one line per GERROR bit
//   EVTQ/PRIQ overflow detected -- ...
//   unexpected PRI request received:  + `\tsid 0x%08x.0x%05x: [%u%s] %sprivileged %s%s%s access at iova 0x%016llx`

import { explainCommand, explainEvent, explainEventName, explainGerror, cmdqErr, consErrOf, type Explained } from './explain';
import { kernelDwords, kernelLine, logNumber, notRecognised, record, type LineReader } from './lines';
import type { LogDecodeResult, LogRecord } from './types';
import { hex } from '../bits';

const EVENT_RECEIVED = /^event 0x([0-9a-fA-F]{2}) received:$/;
const EVENT_DECODED = /^event: (\S+) client: (.+) sid: (0x[0-9a-fA-F]+|0) ssid: (0x[0-9a-fA-F]+|0)(?: iova: (0x[0-9a-fA-F]+|0) ipa: (0x[0-9a-fA-F]+|0)| fetch_addr: (0x[0-9a-fA-F]+|0))?$/;
const EVENT_ACCESS = /^(priv|unpriv) (inst|data) (read|write) (s1|s2) "([^"]*)"( ttd_read| ttd_write)?( stall)? stag: (0x[0-9a-fA-F]+|0)$/;
const CMDQ_ERROR = /^CMDQ error \(cons 0x([0-9a-fA-F]{8})\): (.+)$/;
const GERROR = /^unexpected global error reported \(0x([0-9a-fA-F]+)\), this could be serious$/;
const GERROR_LINES = [
  'device has entered Service Failure Mode!', 'GERROR MSI write aborted', 'PRIQ MSI write aborted', 'EVTQ MSI write aborted',
  'CMDQ MSI write aborted', 'PRIQ write aborted -- events may have been lost', 'EVTQ write aborted -- events may have been lost',
];
const OVERFLOW: Record<string, [string, string]> = {
  'EVTQ overflow detected -- events lost': ['SMMU_EVENTQ_PROD.OVFLG', 'The event queue overflowed: records were lost (IHI 0070 §7.4). Software drains it too slowly, or a device faults in a loop.'],
  'PRIQ overflow detected -- requests lost': ['SMMU_PRIQ_PROD.OVFLG', 'The PRI queue overflowed: page requests were lost (IHI 0070 §8).'],
};
const PRI_HEADER = 'unexpected PRI request received:';
const PRI_LINE = /^sid 0x([0-9a-fA-F]+)\.0x([0-9a-fA-F]+): \[(\d+)(L?)\] (un)?privileged (R?)(W?)(X?) access at iova 0x([0-9a-fA-F]+)$/;

function withExplained(r: LogRecord, e: Explained): LogRecord {
  Object.assign(r, { name: e.name, fields: e.fields, meaning: e.meaning, issues: e.issues });
  if (e.cause) r.cause = e.cause;
  if (e.error) r.error = e.error;
  return r;
}

/** The event record a decoded `event:` line at line `i` belongs to: the raw record just above it. */
function rawEventAbove(out: LogDecodeResult, i: number, device: string): LogRecord | undefined {
  const last = out.records[out.records.length - 1];
  return last && last.kind === 'event' && last.source === 'linux' && last.device === device && last.endLine === i && last.dwords ? last : undefined;
}

function readEvent(lines: readonly string[], i: number, out: LogDecodeResult, device: string, id: string): number {
  const words = kernelDwords(lines, i + 1, device, 4);
  if (words.length < 4) {
    out.unrecognised.push(...notRecognised(lines, i, i + words.length, `truncated event record: ${words.length} of 4 dwords after "event 0x${id} received:"`));
    return 1 + words.length;
  }
  const r = withExplained(record({ line: i + 1, endLine: i + 5, source: 'linux', kind: 'event', name: '', meaning: '', device, dwords: words }), explainEvent(words));
  const type = words[0] & 0xffn;
  if (type !== BigInt('0x' + id)) r.issues.push(`the header says event 0x${id} but the record's Type is ${hex(type)}`);
  out.records.push(r);
  return 5;
}

function readDecoded(lines: readonly string[], i: number, out: LogDecodeResult, device: string, m: RegExpExecArray): number {
  const [, name, client, sid, ssid, iova, ipa, fetch] = m;
  const facts: Array<[string, string]> = [['event', name], ['client', client], ['sid', sid], ['ssid', ssid]];
  if (iova !== undefined) facts.push(['iova', iova], ['ipa', ipa]);
  if (fetch !== undefined) facts.push(['fetch_addr', fetch]);
  let used = 1;
  const next = i + 1 < lines.length ? kernelLine(lines[i + 1]) : undefined;
  const acc = next && next.device === device ? EVENT_ACCESS.exec(next.body) : null;
  if (acc) {
    facts.push(['access', `${acc[1]} ${acc[2]} ${acc[3]}`], ['stage', acc[4]], ['class', acc[5]], ['stag', acc[8]]);
    if (acc[6]) facts.push(['ttd', acc[6].trim()]);
    if (acc[7]) facts.push(['stall', 'yes']);
    used = 2;
  }
  const above = rawEventAbove(out, i, device);
  if (above) {
    above.facts.push(...facts);
    above.endLine = i + used;
    if (above.name !== name) above.issues.push(`the kernel names this event ${name}, its Type field says ${above.name}`);
    return used;
  }
  const e = explainEventName(name);
  const r = record({ line: i + 1, endLine: i + used, source: 'linux', kind: 'event', name, meaning: e?.meaning ?? `event the kernel calls ${name}`, device, facts });
  if (e?.cause) r.cause = e.cause;
  const sidN = logNumber(sid);
  const ssidN = logNumber(ssid);
  if (sidN !== undefined) r.sid = Number(sidN);
  if (ssidN !== undefined) r.ssid = Number(ssidN);
  out.records.push(r);
  return used;
}

function readCmdqError(lines: readonly string[], i: number, out: LogDecodeResult, device: string, m: RegExpExecArray): number {
  const cons = BigInt('0x' + m[1]);
  const err = consErrOf(cons);
  const facts: Array<[string, string]> = [['cons', '0x' + m[1]], ['kernel', m[2]]];
  const next = i + 1 < lines.length ? kernelLine(lines[i + 1]) : undefined;
  if (next?.device === device && next.body === 'skipping command in error state:') {
    const words = kernelDwords(lines, i + 2, device, 2);
    if (words.length < 2) {
      out.unrecognised.push(...notRecognised(lines, i, i + 1 + words.length, `truncated CMDQ error: ${words.length} of 2 command dwords after "skipping command in error state:"`));
      return 2 + words.length;
    }
    const r = record({ line: i + 1, endLine: i + 4, source: 'linux', kind: 'command', name: '', meaning: '', device, dwords: words, facts });
    out.records.push(withExplained(r, explainCommand(words, err)));
    return 4;
  }
  const retry = next?.device === device && next.body === 'retrying command fetch';
  if (retry) facts.push(['kernel', 'retrying command fetch']);
  out.records.push(record({
    line: i + 1, endLine: i + (retry ? 2 : 1), source: 'linux', kind: 'command', name: 'CMDQ error', device, facts,
    meaning: 'The command queue stopped at SMMU_CMDQ_CONS (IHI 0070 §7.1); the log does not show the command.', error: cmdqErr(err),
  }));
  return retry ? 2 : 1;
}

function readGerror(lines: readonly string[], i: number, out: LogDecodeResult, device: string, value: bigint): number {
  const r = withExplained(record({ line: i + 1, endLine: i + 1, source: 'linux', kind: 'gerror', name: '', meaning: '', device, facts: [['active', hex(value)]] }), explainGerror(value));
  let j = i + 1;
  for (; j < lines.length; j++) {
    const k = kernelLine(lines[j]);
    if (!k || k.device !== device || !GERROR_LINES.includes(k.body)) break;
    r.facts.push(['kernel', k.body]);
  }
  r.endLine = j;
  out.records.push(r);
  return j - i;
}

function readPri(lines: readonly string[], i: number, out: LogDecodeResult, device: string): number {
  const k = i + 1 < lines.length ? kernelLine(lines[i + 1]) : undefined;
  const m = k && k.device === device ? PRI_LINE.exec(k.body) : null;
  if (!m) {
    out.unrecognised.push(...notRecognised(lines, i, i, 'truncated PRI report: the "sid ... access at iova" line is missing'));
    return 1;
  }
  const perms = `${m[6]}${m[7]}${m[8]}` || 'none';
  out.records.push(record({
    line: i + 1, endLine: i + 2, source: 'linux', kind: 'pri', name: 'PRI_PAGE_REQUEST', device, sid: Number.parseInt(m[1], 16), ssid: Number.parseInt(m[2], 16),
    meaning: 'A PCIe Page Request the driver did not expect (no I/O page fault handler for the device): it answers CMD_PRI_RESP DENY for the last request of the group.',
    facts: [['sid', '0x' + m[1]], ['ssid', '0x' + m[2]], ['prgi', m[3]], ['last', m[4] ? 'yes' : 'no'], ['privileged', m[5] ? 'no' : 'yes'], ['access', perms], ['iova', '0x' + m[9]]],
  }));
  return 2;
}

/** Reads one arm-smmu-v3 driver message starting at line `i`. */
export const readLinux: LineReader = (lines, i, out) => {
  const k = kernelLine(lines[i]);
  if (!k) return 0;
  const { device, body } = k;
  let m: RegExpExecArray | null;
  if ((m = EVENT_RECEIVED.exec(body))) return readEvent(lines, i, out, device, m[1]);
  if ((m = EVENT_DECODED.exec(body))) return readDecoded(lines, i, out, device, m);
  if ((m = CMDQ_ERROR.exec(body))) return readCmdqError(lines, i, out, device, m);
  if ((m = GERROR.exec(body))) return readGerror(lines, i, out, device, BigInt('0x' + m[1]));
  if (body === PRI_HEADER) return readPri(lines, i, out, device);
  const ov = OVERFLOW[body];
  if (ov) {
    out.records.push(record({ line: i + 1, endLine: i + 1, source: 'linux', kind: 'gerror', name: ov[0], meaning: ov[1], device, facts: [['kernel', body]] }));
    return 1;
  }
  if (GERROR_LINES.includes(body)) {
    out.records.push(record({ line: i + 1, endLine: i + 1, source: 'linux', kind: 'gerror', name: 'SMMU_GERROR', meaning: body, device, facts: [['kernel', body]] }));
    return 1;
  }
  const what = /^0x[0-9a-fA-F]+$/.test(body) ? 'a dword with no "event ... received:" or "skipping command" line above it'
    : 'an arm-smmu-v3 message that is not an event, command error or global error';
  out.unrecognised.push({ line: i + 1, text: lines[i], reason: what });
  return 1;
};
