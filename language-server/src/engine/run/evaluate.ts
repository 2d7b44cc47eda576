// Debug-console expressions (api.ts ScenarioSession.evaluate), evaluated against the current
// state without changing it (translations are dry runs).

import { hex } from '../../model/bits';
import { CD, STE } from '../../model/fields';
import { COMMANDS, commandByOpcode } from '../../model/fields/commands';
import { EVENTS } from '../../model/fields/events';
import { L1CD, L1STD } from '../../model/fields/l1';
import { decode, type StructDef } from '../../model/fields/field';
import { describeStructText } from '../../model/fields/describe';
import { registerByName } from '../../model/fields/registers';
import { interpretSte } from '../../model/smmu/ste';
import { locateCd, locateSte, readStruct } from '../../model/smmu/tables';
import { parseNumber } from './numbers';
import { DUMP_HINTS, decodeDump, formatDump, type DumpHint } from '../../model/fields/dump';
import { permsText } from '../../model/smmu/perms';
import type { Runtime } from './runtime';

const EVALUATE_HELP = [
  'Accepted expressions:',
  '  translate SMMU sid N [ssid N] ADDR [read|write|exec] [priv]',
  '  ste SMMU SID',
  '  cd SMMU SID [SSID]',
  '  tlb SMMU',
  '  reg SMMU.REGISTER',
  '  read64 ADDR',
  '  decode ste|cd|l1std|l1cd|cmd|event DWORD...',
  '  decode [ste|cd|cmd|event|pri|pte-s1|pte-s2|l1std|l1cd] PASTED TEXT (kernel log, debugfs, QEMU trace)',
].join('\n');

export function evaluate(rt: Runtime, expression: string): string {
  const t = expression.trim().split(/\s+/).filter(Boolean);
  const kw = t[0]?.toLowerCase();
  const n = (s: string | undefined): bigint | undefined => (s === undefined ? undefined : parseNumber(s));
  const inst = (name: string | undefined) => {
    if (!name) return undefined;
    return rt.smmus.get(name);
  };
  const noSmmu = (name: string | undefined) => `no SMMU '${name ?? ''}' (known: ${[...rt.smmus.keys()].join(', ') || 'none yet'})`;
  switch (kw) {
    case 'read64': {
      const a = n(t[1]);
      if (a === undefined) return 'usage: read64 ADDR';
      return `${hex(a)}: ${hex(rt.mem.read64(a))}`;
    }
    case 'reg': {
      const [sm, r] = (t[1] ?? '').split('.');
      const s = inst(sm);
      if (!s) return noSmmu(sm);
      const def = r ? registerByName(r) : undefined;
      if (!def) return `unknown register '${r ?? ''}'`;
      const v = s.reg(def.name);
      const f = decode(def, [v]);
      return `${sm}.${def.name} = ${hex(v)}\n` + Object.entries(f).filter(([k]) => !k.startsWith('RES0')).map(([k, x]) => `  ${k} = ${hex(x)}`).join('\n');
    }
    case 'tlb': {
      const s = inst(t[1]);
      if (!s) return noSmmu(t[1]);
      const es = s.tlb.snapshot();
      if (!es.length) return `${t[1]}: TLB empty`;
      return es.map((e) => `#${e.id} ${e.kind} ${e.regime} VMID ${hex(e.vmid)} ${e.global ? 'global' : `ASID ${hex(e.asid)}`} ` +
        `${hex(e.inputBase)}/${e.blockShift} -> ${hex(e.outputBase)} ${permsText(e.perms)} hits ${e.hits}`).join('\n');
    }
    case 'ste':
    case 'cd': {
      const s = inst(t[1]);
      if (!s) return noSmmu(t[1]);
      const sid = n(t[2]);
      if (sid === undefined) return `usage: ${kw} SMMU SID${kw === 'cd' ? ' [SSID]' : ''}`;
      const loc = locateSte(rt.mem, s.streamTable(), Number(sid));
      if (!loc.ok) return `StreamID ${hex(sid)}: ${loc.reason}`;
      const raw = readStruct(rt.mem, loc.addr, 8);
      if (kw === 'ste') return `STE of StreamID ${hex(sid)} at ${hex(loc.addr)}\n${describeStructText(STE, raw)}`;
      const chk = interpretSte(raw, s.features);
      if (!chk.ok) return `STE of StreamID ${hex(sid)} is not usable: ${chk.rule.message}`;
      const s1 = chk.config.s1;
      if (!s1) return `StreamID ${hex(sid)} has no stage 1 (Config ${chk.config.mode})`;
      const ssid = n(t[3]) ?? 0n;
      const cdLoc = locateCd(rt.mem, s1, ssid);
      if (!cdLoc.ok) return cdLoc.reason;
      const addr = cdLoc.addr;
      return `CD of StreamID ${hex(sid)} SubstreamID ${hex(ssid)} at ${hex(addr)}${chk.config.mode === 'nested' ? ' (an IPA: shown as PA)' : ''}\n${describeStructText(CD, readStruct(rt.mem, addr, 8))}`;
    }
    case 'translate': {
      const s = inst(t[1]);
      if (!s) return noSmmu(t[1]);
      let sid: bigint | undefined;
      let ssid: bigint | undefined;
      let addr: bigint | undefined;
      const access = { read: true, exec: false, priv: false };
      for (let i = 2; i < t.length; i++) {
        const w = t[i].toLowerCase();
        if (w === 'sid') sid = n(t[++i]);
        else if (w === 'ssid') ssid = n(t[++i]);
        else if (w === 'read') access.read = true;
        else if (w === 'write') access.read = false;
        else if (w === 'exec') access.exec = true;
        else if (w === 'priv') access.priv = true;
        else if (w === 'iova' || w === 'addr') addr = n(t[++i]);
        else addr = n(t[i]);
      }
      if (sid === undefined || addr === undefined) return 'usage: translate SMMU sid N [ssid N] ADDR [read|write|exec] [priv]';
      const r = s.translate({ sid, ssid: ssid === undefined ? undefined : Number(ssid), iova: addr, access }, { dryRun: true });
      const lines = [`${r.outcome}${r.pa !== undefined ? ` pa ${hex(r.pa)}` : ''}${r.tlb !== 'n/a' ? ` (TLB ${r.tlb})` : ''}`];
      if (r.reason) lines.push(`  ${r.reason}`);
      for (const e of r.events) lines.push(`  ${e.type}: ${e.reason}`);
      for (const w of [r.walks.stage1, r.walks.stage2].filter((x) => x !== undefined)) {
        lines.push(`  stage ${w.stage} walk from ${hex(w.ttb)}: ` + w.steps.map((st) => `L${st.level}[${st.index}] ${st.kind} ${hex(st.desc)}`).join(' -> '));
      }
      return lines.join('\n');
    }
    case 'decode': {
      const what = t[1]?.toLowerCase();
      const dw = t.slice(2).map((x) => n(x));
      // Anything else (pasted kernel log / debugfs / QEMU text, no or another hint): the dump decoder.
      if (dw.some((x) => x === undefined) || dw.length === 0 || !['ste', 'cd', 'l1std', 'l1cd', 'cmd', 'event'].includes(what ?? '')) return decodePasted(expression);
      const words = dw as bigint[];
      let def: StructDef | undefined;
      if (what === 'ste') def = STE;
      else if (what === 'cd') def = CD;
      else if (what === 'l1std') def = L1STD;
      else if (what === 'l1cd') def = L1CD;
      else if (what === 'cmd') def = commandByOpcode(words[0] & 0xffn) ?? undefined;
      else if (what === 'event') def = EVENTS.find((e) => isType(e, words[0]));
      if (!def) return what === 'cmd' ? `unknown opcode ${hex(words[0] & 0xffn)} (known: ${COMMANDS.map((c) => c.name).join(', ')})` : `cannot decode '${t[1] ?? ''}': ste, cd, l1std, l1cd, cmd, event`;
      return describeStructText(def, words);
    }
    default:
      return EVALUATE_HELP;
  }
}

/** `decode [HINT] TEXT`: hex words pasted from a kernel log ("event 0x10 received:" + 0x%016llx lines),
 *  a debugfs STE dump or a QEMU trace, identified and decoded by model/fields/dump.ts. */
function decodePasted(expression: string): string {
  const rest = expression.trim().replace(/^decode\b/i, '').trim();
  const m = /^([a-z0-9-]+)\b/i.exec(rest);
  const hint = m && (DUMP_HINTS as readonly string[]).includes(m[1].toLowerCase()) ? (m[1].toLowerCase() as DumpHint) : undefined;
  const text = hint ? rest.slice(m![0].length) : rest;
  if (!text.trim()) return `usage: decode [${DUMP_HINTS.join('|')}] WORDS (hex, as printed by the kernel, debugfs or QEMU)`;
  const r = decodeDump(text.length > 100_000 ? text.slice(0, 100_000) : text, hint ? { hint } : {});
  return formatDump(r) || 'nothing decoded';
}

function isType(def: StructDef, d0: bigint): boolean {
  const m = /= 0x([0-9a-f]+)/.exec(def.fields[0].summary);
  return m !== null && BigInt('0x' + m[1]) === (d0 & 0xffn);
}
