// "Open as Scenario": the STEs, CDs and commands found in a decoded log (model/logs) as a starting
// `.smmu` scenario. Words go in raw (`ste SMMU SID raw`, `cd NAME [at ADDR] raw`, `cmd SMMU raw`),
// exactly as logged; what the log only names (commands from a QEMU trace, the faulting DMAs of its
// events) is written as comments to edit, since the log does not say the rest of their fields.
// One `smmu` per device the kernel named (smmu0 when none).

import { decodeLog, type LogDecodeResult, type LogRecord } from '../../model/logs/index';
import { wireLog } from '../../model/logs/wire';
import type { DecodeLogResponse } from './requests';
import { hex } from '../../model/bits';

const words = (d: readonly bigint[]): string => d.map((w) => hex(w)).join(' ');
const from = (r: LogRecord): string => `line ${r.line}${r.endLine > r.line ? `-${r.endLine}` : ''}`;

/** The `.smmu` text for the structures and commands of a decoded log. */
export function scenarioFromLog(log: LogDecodeResult, source = 'the log'): string {
  const devices = [...new Set(log.records.map((r) => r.device).filter((d): d is string => d !== undefined))];
  const smmuOf = (r: LogRecord): string => `smmu${Math.max(0, devices.indexOf(r.device ?? ''))}`;
  const out: string[] = [
    `# Started from ${source} by IOMMU Lens: Decode Log. Words are as logged; page tables, and the`,
    '# fields of what the log only names, are not in the log: the DMAs of its events are comments to edit.',
  ];
  const n = Math.max(1, devices.length);
  for (let i = 0; i < n; i++) out.push(`smmu smmu${i}${devices[i] ? `  # ${devices[i]}` : ''}`);
  const sids = new Set<string>();
  let nextSid = 0x100;
  let cds = 0;
  for (const r of log.records) {
    const smmu = smmuOf(r);
    if (r.kind === 'ste' && r.dwords) {
      let sid = r.sid;
      const note = sid === undefined ? ' (StreamID not in the log: pick the real one)' : '';
      if (sid === undefined) while (sids.has(`${smmu}:${nextSid}`)) nextSid++;
      sid ??= nextSid;
      out.push('', `# ${from(r)}: STE${note}: ${r.config ?? ''}`);
      if (sids.has(`${smmu}:${sid}`)) {
        out.push(`# a second STE for StreamID ${hex(sid)}: ste ${smmu} ${hex(sid)} raw ${words(r.dwords)}`);
        continue;
      }
      sids.add(`${smmu}:${sid}`);
      out.push(`ste ${smmu} ${hex(sid)} raw ${words(r.dwords)}`);
    } else if (r.kind === 'cd' && r.dwords) {
      const where = r.address !== undefined ? ` at ${hex(r.address)}` : '';
      out.push('', `# ${from(r)}: CD${r.sid !== undefined ? ` of StreamID ${hex(r.sid)}` : ''}${r.ssid !== undefined ? ` SubstreamID ${hex(r.ssid)}` : ''}: ${r.config ?? ''}`);
      if (!where) out.push('# (address not in the log: point an STE\'s S1ContextPtr, or a cdtable entry, at it)');
      out.push(`cd log_cd${cds++}${where} raw ${words(r.dwords)}`);
    } else if (r.kind === 'command') {
      out.push('', `# ${from(r)}: ${r.name}${r.error ? `: ${r.error}` : ''}`);
      if (r.dwords) out.push(`cmd ${smmu} raw ${words(r.dwords)}`);
      else if (/^CMD_/.test(r.name)) out.push(`# cmd ${smmu} ${r.name}    (fields not in the log)`);
    } else if (r.kind === 'event') {
      const f = (name: string) => r.fields.find((x) => x.name === name)?.value;
      const sid = f('StreamID') ?? (r.sid !== undefined ? BigInt(r.sid) : undefined);
      const addr = f('InputAddr');
      const ssid = f('SSV') ? f('SubstreamID') : undefined;
      out.push('', `# ${from(r)}: ${r.name}${r.cause ? `: ${r.cause}` : ''}`);
      if (sid !== undefined && addr !== undefined) {
        out.push(`# dma ${smmu} ${f('RnW') ? 'read' : 'write'} sid ${hex(sid)}${ssid !== undefined ? ` ssid ${hex(ssid)}` : ''} iova ${hex(addr)}${f('InD') ? ' exec' : ''}${f('PnU') ? ' priv' : ''} expect fault ${r.name}`);
      }
    }
  }
  return out.join('\n') + '\n';
}

/** Largest log text decoded at once (a longer one is cut, and the cut said in `unrecognised`). */
export const MAX_LOG_TEXT = 8 * 1024 * 1024;

/** The answer to `iommuLens/decodeLog`. */
export function decodeLogText(text: string, source?: string): DecodeLogResponse {
  const cut = text.length > MAX_LOG_TEXT;
  const log = decodeLog(cut ? text.slice(0, MAX_LOG_TEXT) : text);
  if (cut) log.unrecognised.push({ line: log.lines, text: '', reason: `the text was cut at ${MAX_LOG_TEXT} characters` });
  return { log: wireLog(log), scenario: scenarioFromLog(log, source) };
}
