// Decode one record's words by field, through the field tables and the model's own rules:
// events with meaning and likely cause, commands with the CERROR reason, STEs/CDs with the
// configuration they select and their illegal fields. Nothing here knows a bit position.

import { decode, type FieldValues, type StructDef } from '../fields/field';
import { valueName } from '../fields/describe';
import { decodeRecord, type DecodedField } from '../fields/dump';
import { STE } from '../fields/ste';
import { CD } from '../fields/cd';
import { commandByOpcode, commandByName } from '../fields/commands';
import { eventByType, eventByName, PRI_PAGE_REQUEST } from '../fields/events';
import { registerByName } from '../fields/registers';
import { usedFields } from '../fields/used';
import { interpretSte, type SteConfig } from '../smmu/ste';
import { interpretCd, type CdConfig } from '../smmu/cd';
import { executeCommand } from '../smmu/commands';
import { fullFeatures } from '../smmu/features';
import { SmmuSystem } from '../smmu/system';
import type { SmmuInstance } from '../smmu/instance';
import { hex } from '../bits';
import { eventCause } from './causes';
import type { LogRecord } from './types';

/** What explaining a record adds to it. */
export type Explained = Pick<LogRecord, 'name' | 'fields' | 'meaning' | 'cause' | 'error' | 'config' | 'issues'>;

const shown = (fs: DecodedField[]): DecodedField[] => fs.filter((f) => !(f.reserved && f.value === 0n));

/** Fields and issues of a record; with `used`, Reserved encodings of fields the configuration ignores are not issues. */
function decoded(def: StructDef, dwords: readonly bigint[], used?: Set<string>): { fields: DecodedField[]; values: FieldValues; issues: string[] } {
  const r = decodeRecord(def, dwords);
  const issues = r.issues.filter((i) => !used || i.field.startsWith('RES0') || used.has(i.field));
  return { fields: shown(r.fields), values: decode(def, r.dwords), issues: issues.map((i) => `${i.message} (${i.spec})`) };
}

/** An event record (4 dwords). */
export function explainEvent(dwords: readonly bigint[]): Explained {
  const code = dwords[0] & 0xffn;
  const def = eventByType(code);
  if (!def) return { name: `UNKNOWN_EVENT_${hex(code)}`, fields: [], meaning: `unknown event type ${hex(code)} (IHI 0070 §7.3)`, issues: [] };
  const d = decoded(def, dwords);
  return { name: def.name, fields: d.fields, meaning: def.summary ?? def.name, cause: eventCause(def.name, d.values), issues: d.issues };
}

/** An event known by name only (a decoded kernel line, a QEMU trace). */
export function explainEventName(name: string): Explained | undefined {
  const def = eventByName(name);
  if (!def) return undefined;
  return { name: def.name, fields: [], meaning: def.summary ?? def.name, cause: eventCause(def.name), issues: [] };
}

let scratch: SmmuInstance | undefined;

/**
 * A command (2 dwords). `consErr` is SMMU_CMDQ_CONS.ERR when the log gives it. The CERROR_ILL
 * rule comes from the model's own command execution on a scratch SMMU with every feature.
 */
export function explainCommand(dwords: readonly bigint[], consErr?: bigint): Explained {
  const raw: [bigint, bigint] = [dwords[0] ?? 0n, dwords[1] ?? 0n];
  const def = commandByOpcode(raw[0] & 0xffn);
  const d = def ? decoded(def, raw) : undefined;
  scratch ??= new SmmuSystem().getOrCreate('decode');
  const r = executeCommand(scratch, raw, 0);
  const errors: string[] = [];
  if (consErr !== undefined) errors.push(`SMMU_CMDQ_CONS.ERR ${cmdqErr(consErr)}`);
  if (r.error) errors.push(`the model: ${r.message.replace(/^CERROR_ILL: /, '')}`);
  else if (consErr === 1n) errors.push('the model accepts this command on an SMMU with every feature: the SMMU that refused it lacks one it needs, or a field is out of its range there');
  return {
    name: def?.name ?? r.name,
    fields: d?.fields ?? [],
    meaning: def?.summary ?? `unknown opcode ${hex(raw[0] & 0xffn)}`,
    error: errors.length ? errors.join('; ') : undefined,
    issues: d?.issues ?? [],
  };
}

/** A command known by name only (QEMU's trace). */
export function explainCommandName(name: string): Explained | undefined {
  const def = commandByName(name);
  if (!def) return undefined;
  return { name: /cfgi_all$/i.test(name) ? 'CMD_CFGI_ALL' : def.name, fields: [], meaning: def.summary ?? def.name, issues: [] };
}

/** SMMU_CMDQ_CONS.ERR as its spec name and meaning (IHI 0070 §6.3, §7.1). */
export function cmdqErr(err: bigint): string {
  const f = registerByName('SMMU_CMDQ_CONS')?.fields.find((x) => x.name === 'ERR');
  const v = f ? valueName(f, err) : undefined;
  return v ? `${v.name} (${v.meaning})` : `${hex(err)} (IMPLEMENTATION DEFINED)`;
}

/** SMMU_CMDQ_CONS.ERR of a CONS register value. */
export function consErrOf(cons: bigint): bigint {
  const def = registerByName('SMMU_CMDQ_CONS');
  return def ? decode(def, [cons]).ERR ?? 0n : 0n;
}

/** SMMU_GERROR (or the active bits GERROR ^ GERRORN): the errors it reports. */
export function explainGerror(value: bigint): Explained {
  const def = registerByName('SMMU_GERROR') as StructDef;
  const d = decoded(def, [value]);
  const active = def.fields.filter((f) => !f.reserved && d.values[f.name] !== 0n);
  return {
    name: 'SMMU_GERROR',
    fields: d.fields,
    meaning: active.length ? active.map((f) => `${f.name}: ${f.summary}`).join(' ') : 'no global error active',
    issues: d.issues,
  };
}

function s1Text(c: NonNullable<SteConfig['s1']>): string {
  const fmt = c.cdMax === 0 ? 'one CD' : `${c.fmt === 0 ? 'linear' : c.fmt === 1 ? '2-level (4KB leaves)' : '2-level (64KB leaves)'} CD table of 2^${c.cdMax} entries, S1DSS ${['TERMINATE', 'BYPASS', 'SSID0'][c.dss] ?? c.dss}`;
  return `stage 1 through ${fmt} at ${hex(c.contextPtr)}${c.strw === 2 ? ' (EL2 regime)' : ''}`;
}

function s2Text(c: NonNullable<SteConfig['s2']>): string {
  const w = c.walk;
  return `stage 2 VMID ${c.vmid}: S2TTB ${hex(w.ttb)}, ${w.granule}KB granule, ${64 - w.tsz}-bit IPA (S2T0SZ ${w.tsz}), S2SL0 ${w.sl0}, ${w.ps}-bit PA` +
    `${c.record ? '' : ', faults not recorded (S2R == 0)'}${c.stall ? ', stall (S2S)' : ''}`;
}

function steConfigText(c: SteConfig): string {
  const mode = { abort: 'ABORT: every transaction aborted, no event', bypass: 'BYPASS: stage 1 and stage 2 bypassed', s1: 'S1_TRANS', s2: 'S2_TRANS', nested: 'NESTED' }[c.mode];
  const parts = [mode];
  if (c.s1) parts.push(s1Text(c.s1));
  if (c.s2) parts.push(s2Text(c.s2));
  if (c.fields.EATS) parts.push(`ATS enabled (EATS ${hex(c.fields.EATS)})`);
  return parts.join('; ');
}

/** An STE (8 dwords): the configuration it selects on an SMMU with every feature, or the rule that makes it ILLEGAL. */
export function explainSte(dwords: readonly bigint[]): Explained {
  const d = decoded(STE, dwords, usedFields(STE, dwords));
  const chk = interpretSte(dwords, fullFeatures());
  const issues = [...d.issues];
  if (!chk.ok) issues.unshift(`${chk.rule.message}: C_BAD_STE (${chk.rule.spec})`);
  return {
    name: 'STE', fields: d.fields, meaning: STE.summary ?? 'STE', issues,
    config: chk.ok ? steConfigText(chk.config) : `ILLEGAL: ${chk.rule.message}`,
  };
}

function cdConfigText(c: CdConfig): string {
  const w = c.walk;
  const range = (n: number, r: typeof w.tt0): string =>
    r.epd ? `TTB${n} walks disabled (EPD${n})` : `TTB${n} ${hex(r.ttb)}, ${r.granule}KB granule, ${64 - r.tsz}-bit VA (T${n}SZ ${r.tsz})`;
  return [`ASID ${hex(c.asid)}`, range(0, w.tt0), ...(w.tt1 ? [range(1, w.tt1)] : []), `${w.ips}-bit output (IPS)`,
    c.record ? 'faults recorded (R)' : 'faults not recorded (R == 0)', ...(c.stall ? ['stall (S)'] : [])].join('; ');
}

/** A CD (8 dwords), as the NS-EL1 regime reads it on an SMMU with every feature. */
export function explainCd(dwords: readonly bigint[]): Explained {
  const d = decoded(CD, dwords, usedFields(CD, dwords));
  const chk = interpretCd(dwords, fullFeatures(), 'el1');
  const issues = [...d.issues];
  if (!chk.ok) issues.unshift(`${chk.rule.message}: C_BAD_CD (${chk.rule.spec})`);
  return { name: 'CD', fields: d.fields, meaning: CD.summary ?? 'CD', issues, config: chk.ok ? cdConfigText(chk.config) : `ILLEGAL: ${chk.rule.message}` };
}

/** A PRI queue page request (2 dwords). */
export function explainPri(dwords: readonly bigint[]): Explained {
  const d = decoded(PRI_PAGE_REQUEST, dwords);
  return { name: PRI_PAGE_REQUEST.name, fields: d.fields, meaning: PRI_PAGE_REQUEST.summary ?? '', issues: d.issues };
}
