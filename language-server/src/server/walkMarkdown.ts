// Markdown for a transaction's result: every level of every walk (with stage-2 sub-walks when
// nested), the final PA, the leaf descriptor's attributes and permissions, the TLB outcome and
// the event records. Every string from the scenario is escaped.
import type { WireEvent, WireStep, WireWalk, WireWalkStep } from '../engine/api';
import { decode, decodePte } from '../model/fields';
import { leafPerms } from '../model/smmu/perms';
import { md } from './convert';
import { stage2Story, walkRoles } from '../engine/output/nestedText';

/** A descriptor's fields: as the engine decoded them, else decoded here from the field tables. */
function stepFields(w: WireWalk, s: WireWalkStep): Record<string, string> {
  if (Object.keys(s.fields).length) return s.fields;
  try {
    const desc = BigInt(s.desc);
    const d = decodePte(desc, { stage: s.stage, granule: w.granule, level: s.level });
    if (!d.def) return {};
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(decode(d.def, [desc]))) out[k] = '0x' + v.toString(16);
    return out;
  } catch {
    return {};
  }
}

const LEAF_FIELDS = ['AP', 'S2AP', 'UXN', 'PXN', 'XN', 'AttrIndx', 'MemAttr', 'SH', 'AF', 'nG', 'DBM', 'Contiguous', 'NS'];

/** Descriptor fields worth showing: not the ignored/RES0 ranges, not Valid/Type (the Kind column). */
const HIDDEN = /^(IGNORED|RES0|Valid$|Type$)/;

function fieldsText(f: Record<string, string>, limit = 8): string {
  const keys = Object.keys(f).filter((k) => !HIDDEN.test(k));
  const shown = keys.slice(0, limit).map((k) => `${md(k)}=${md(f[k])}`);
  if (keys.length > limit) shown.push('…');
  return shown.join(' ');
}

function permsText(stage: 1 | 2, f: Record<string, string>): string {
  const p = leafPerms(stage, f, true);
  if (!p) return '';
  const name = stage === 1 ? 'AP' : 'S2AP';
  return [`${name} ${md(f[name])}: ${p.access}`, p.exec].filter(Boolean).join('; ');
}

function walkTitle(w: WireWalk, prefix: string): string {
  return `${prefix}**Stage ${w.stage} walk** of ${md(w.inputAddr)}: ${w.granule}KB granule, ${w.inputSize}-bit input, start level ${w.startLevel}, TTB ${md(w.ttb)}`;
}

function renderWalk(w: WireWalk, out: string[], prefix = '', depth = 0): void {
  out.push(walkTitle(w, prefix), '');
  out.push('| Level | Table | Index | Descriptor at | Descriptor | Kind | Fields |', '|---|---|---|---|---|---|---|');
  const subs: Array<{ step: WireWalkStep; walk: WireWalk }> = [];
  for (const s of w.steps) {
    const at = s.descPa !== s.descAddr ? `${md(s.descAddr)} (PA ${md(s.descPa)})` : md(s.descAddr);
    out.push(`| ${s.stage === 2 && w.stage === 1 ? 'S2 ' : ''}${s.level} | ${md(s.tableAddr)} | ${s.index} | ${at} | ${md(s.desc)} | ${s.kind} | ${fieldsText(stepFields(w, s))} |`);
    if (s.s2Walk) subs.push({ step: s, walk: s.s2Walk });
  }
  out.push('');
  if (w.outputAddr !== undefined) out.push(`Output: **${md(w.outputAddr)}**`, '');
  if (w.fault) {
    const f = w.fault;
    out.push(`⚠ **${md(f.kind)}** at stage ${f.stage} level ${f.level} (class ${f.class})${f.ipa ? `, IPA ${md(f.ipa)}` : ''}: ${md(f.reason)}`, '');
  }
  if (depth < 2) {
    for (const { step, walk } of subs) {
      renderWalk(walk, out, `↳ level ${step.level} descriptor address (IPA ${md(step.descAddr)}): `, depth + 1);
    }
  }
}

/** The page/block descriptor that ended each top-level walk. */
function leaves(walks: readonly WireWalk[]): Array<{ walk: WireWalk; leaf: WireWalkStep }> {
  const out: Array<{ walk: WireWalk; leaf: WireWalkStep }> = [];
  for (const w of walks) {
    const last = w.steps[w.steps.length - 1];
    if (last && (last.kind === 'page' || last.kind === 'block') && w.fault === undefined) out.push({ walk: w, leaf: last });
  }
  return out;
}

export function eventMarkdown(e: WireEvent): string {
  const parts = [`**${md(e.type)}** (${md(e.code)}) StreamID ${md(e.sid)}`];
  if (e.ssv && e.ssid !== undefined) parts.push(`SubstreamID ${md(e.ssid)}`);
  if (e.inputAddr !== undefined) parts.push(`InputAddr ${md(e.inputAddr)}`);
  if (e.ipa !== undefined) parts.push(`IPA ${md(e.ipa)}`);
  if (e.class !== undefined) parts.push(`CLASS ${e.class}`);
  if (e.s2 !== undefined) parts.push(`S2 ${e.s2 ? 1 : 0}`);
  if (e.rnw !== undefined) parts.push(`RnW ${e.rnw ? 1 : 0}`);
  const extra = fieldsText(e.fields, 12);
  return parts.join(', ') + (extra ? `; ${extra}` : '') + (e.raw.length ? `  \nrecord: \`${e.raw.map((r) => r.replace(/[^0-9a-fx]/gi, '')).join(' ')}\`` : '');
}

/** Full markdown for a transaction step. */
export function transactionMarkdown(s: WireStep): string {
  const out: string[] = [];
  const head = [`**${md(s.kind)}**`];
  if (s.smmu) head.push(md(s.smmu));
  if (s.sid !== undefined) head.push(`sid ${md(s.sid)}`);
  if (s.ssid !== undefined) head.push(`ssid ${md(s.ssid)}`);
  if (s.iova !== undefined) head.push(`iova ${md(s.iova)}`);
  let outcome = s.outcome ?? 'not run';
  if (s.outcome === 'ok' && s.pa !== undefined) outcome = `${s.bypass ? `bypass (${md(s.bypass)}) ` : ''}→ PA **${md(s.pa)}**`;
  else if (s.outcome === 'fault') outcome = s.abort ? `⚠ aborted (${md(s.abort)}), no event` : `⚠ fault${s.events[0] ? ` **${md(s.events[0].type)}**` : ''}`;
  out.push(`${head.join(' ')} ${outcome}`);
  if (s.tlb) out.push('', `TLB **${s.tlb}**${s.tlb === 'hit' ? ' (no table walk)' : ''}`);
  out.push('');
  const walks = s.walks ?? [];
  // Under nesting the CD pointer is an IPA: the stage-2 walks before the stage-1 walk translate the
  // context fetches (L1CD, CD; IHI 0070 §3.3.3); a stage-2 walk after it translates the output IPA.
  const roles = walkRoles(walks, s.events);
  const story = stage2Story(walks, roles);
  if (story) out.push(`Through stage 2: ${md(story)}`, '');
  walks.forEach((w, i) => {
    const role = roles[i] === 'cd' ? 'CD fetch (the context descriptor pointer is an IPA): ' : roles[i] === 'output' ? 'Output IPA (the stage-1 result): ' : '';
    renderWalk(w, out, role);
  });
  for (const { walk, leaf } of leaves(walks)) {
    const fields = stepFields(walk, leaf);
    const shown: Record<string, string> = {};
    for (const k of LEAF_FIELDS) if (fields[k] !== undefined) shown[k] = fields[k];
    const perms = permsText(leaf.stage, fields);
    out.push(`Stage ${leaf.stage} ${leaf.kind} descriptor: attributes ${fieldsText(shown, 20)}${perms ? `  \npermissions: ${perms}` : ''}`, '');
  }
  for (const e of s.events) out.push(`Event: ${eventMarkdown(e)}`, '');
  for (const h of s.hazards) out.push(`Hazard **${md(h.code)}**: ${md(h.message)} — fix: ${md(h.fix)}`, '');
  if (s.expectation) out.push(`Expectation ${s.expectation.passed ? 'passed' : '**failed**'}: ${md(s.expectation.message)}`, '');
  return out.join('\n').trimEnd();
}
