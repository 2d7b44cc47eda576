// The hitless update planner: how to change a live STE or CD from its current words to target
// words so that the SMMU, which may fetch the entry at any moment with 64-bit single-copy
// atomicity only (IHI 0070 §3.21.3, §3.21.1), never sees a configuration nobody wrote. The
// order is the one Linux's arm_smmu_write_entry() uses (its "used bits" algorithm; facts only):
// 1. bits the target reads and the current configuration does not (or that are update-safe)
//    take their target values; the one dword whose used bits must change is kept for step 2 (then CFGI + SYNC);
// 2. that "critical" dword is written in one 64-bit store (CFGI + SYNC);
// 3. bits the target does not read are cleaned up (CFGI + SYNC).
// When more than one dword's used bits must change, no order is hitless: dword 0 is written 0
// (V = 0), then dwords 1..7, then dword 0 (a sync after each). A phase that writes nothing is
// skipped with its sync, as Linux's entry_set() does.

import { STE } from '../fields/ste';
import { CD } from '../fields/cd';
import { getField, type StructDef } from '../fields/field';
import { validate } from '../fields/validate';
import { usedFields, usedMask, updateSafeMask } from '../fields/used';
import { hex, MASK64 } from '../bits';
import { fullFeatures, type SmmuFeatures } from '../smmu/features';
import { interpretSte } from '../smmu/ste';
import { interpretCd } from '../smmu/cd';

export type EntryKind = 'STE' | 'CD';

export interface PlanWrite {
  dword: number;
  value: bigint;
}

/** Writes followed by one CMD_CFGI_STE / CMD_CFGI_CD and a CMD_SYNC. */
export interface PlanPhase {
  writes: PlanWrite[];
  why: string;
}

export interface UpdatePlan {
  kind: EntryKind;
  from: bigint[];
  to: bigint[];
  phases: PlanPhase[];
  /** CMD_SYNCs the plan issues (one per phase). */
  syncs: number;
  /** False when a sync sees the entry invalid (V = 0), as Linux's KUnit suite counts it: the
   * update goes through V = 0, or starts or ends there. */
  hitless: boolean;
  /** The dword whose store switches the configuration (hitless updates that change used bits). */
  critical?: number;
}

export type PlanResult = { ok: true; plan: UpdatePlan } | { ok: false; error: string };

export const ENTRY_DWORDS = 8;

export function structOf(kind: EntryKind): StructDef {
  return kind === 'STE' ? STE : CD;
}

/** Why these words cannot be planned for, or undefined: 8 dwords in [0, 2^64), no RES0 bit set,
 * no Reserved encoding, and (target only) a legal configuration for these SMMU features. */
export function checkEntryWords(kind: EntryKind, words: readonly bigint[], role: 'current' | 'target', f: SmmuFeatures = fullFeatures()): string | undefined {
  const def = structOf(kind);
  if (words.length !== ENTRY_DWORDS) return `the ${role} ${kind} must be ${ENTRY_DWORDS} dwords (64 bytes), got ${words.length}`;
  const wide = words.findIndex((w) => w < 0n || w > MASK64);
  if (wide >= 0) return `the ${role} ${kind}'s dword ${wide} does not fit in 64 bits`;
  // A Reserved encoding matters only in a field the entry reads (CD.TG1 is 0 when EPD1 == 1).
  const reads = usedFields(def, words);
  const issues = validate(def, words).filter((i) => i.field.startsWith('RES0_') || reads.has(i.field));
  if (issues.length) return `the ${role} words are not ${kind === 'STE' ? 'an STE' : 'a CD'}: ${issues.map((i) => `${i.message} (${i.spec})`).join('; ')}`;
  const ill = role === 'target' ? illegality(kind, words, f) : undefined;
  return ill && `the target ${kind} is ILLEGAL (${ill})`;
}

/** Why a valid STE/CD is ILLEGAL for these features (the C_BAD_STE/C_BAD_CD it raises), or
 * undefined when it is legal or invalid (V == 0). */
export function illegality(kind: EntryKind, words: readonly bigint[], f: SmmuFeatures = fullFeatures()): string | undefined {
  if (getField(structOf(kind), words, 'V') === 0n) return undefined;
  const c = kind === 'STE' ? interpretSte(words, f) : interpretCd(words, f, 'el1');
  return c.ok ? undefined : `${kind === 'STE' ? 'C_BAD_STE' : 'C_BAD_CD'}: ${c.rule.message} (${c.rule.spec})`;
}

/** Plan the update of one STE or CD from `from` to `to` (Linux's order; see the file header). */
export function planUpdate(kind: EntryKind, from: readonly bigint[], to: readonly bigint[], f?: SmmuFeatures): PlanResult {
  const bad = checkEntryWords(kind, from, 'current', f) ?? checkEntryWords(kind, to, 'target', f);
  if (bad) return { ok: false, error: bad };
  const def = structOf(kind);
  const curUsed = usedMask(def, from);
  const tgtUsed = usedMask(def, to);
  const safe = updateSafeMask(def, from, to);
  // Per dword: A = bits the target reads and the current entry does not (or update-safe ones),
  // which must change before the switch; B = bits only the current entry reads, after it; C = bits
  // neither reads, whenever: with A if there is a step 1, else with B (Linux puts every bit the
  // current entry does not read in step 1; this order never needs more syncs than that).
  const early: bigint[] = [];
  const late: bigint[] = [];
  const free: bigint[] = [];
  let diff = 0;
  for (let i = 0; i < ENTRY_DWORDS; i++) {
    const s = safe[i] & curUsed[i] & tgtUsed[i];
    const cur = curUsed[i] & ~s;
    const changes = from[i] ^ to[i];
    early.push(changes & tgtUsed[i] & ~cur);
    late.push(changes & cur & ~tgtUsed[i]);
    free.push(changes & ~cur & ~tgtUsed[i]);
    // A dword is critical when a bit both read must change (it cannot move before or after).
    if ((changes & tgtUsed[i] & cur) !== 0n) diff |= 1 << i;
  }
  const apart = (m: bigint[], i: number) => m.some((x, j) => j !== i && x !== 0n);
  const unused = (crit: number) => {
    const withFree = apart(early, crit) || !apart(late, crit);
    return from.map((w, i) => {
      const take = early[i] | (withFree ? free[i] : 0n);
      return (w & ~take) | (to[i] & take);
    });
  };
  const entry = from.slice();
  const phases: PlanPhase[] = [];
  let invalidAtSync = false;
  const set = (target: readonly bigint[], start: number, len: number, why: string) => {
    const writes: PlanWrite[] = [];
    for (let i = start; i < start + len; i++) {
      if (entry[i] !== target[i]) {
        entry[i] = target[i];
        writes.push({ dword: i, value: target[i] });
      }
    }
    if (!writes.length) return;
    phases.push({ writes, why });
    if (getField(def, entry, 'V') === 0n) invalidAtSync = true;
  };
  const changed = popcount(diff);
  let critical: number | undefined;
  if (changed === 1) {
    critical = ctz(diff);
    const step1 = unused(critical);
    step1[critical] = entry[critical];
    set(step1, 0, ENTRY_DWORDS, `bits the current ${kind} does not read take their new values`);
    set(to, critical, 1, `dword ${critical} switches the ${kind} to the new configuration in one 64-bit write`);
    set(to, 0, ENTRY_DWORDS, `bits the new ${kind} does not read are cleaned up`);
  } else if (changed > 1) {
    const zero = entry.slice();
    zero[0] = 0n;
    set(zero, 0, 1, `${changed} dwords change bits the SMMU reads: no order is hitless, so ${kind}.V = 0 first`);
    set(to, 1, ENTRY_DWORDS - 1, `dwords 1-7 take their new values while ${kind}.V == 0`);
    set(to, 0, 1, `dword 0 makes the new ${kind} valid`);
  } else {
    set(to, 0, ENTRY_DWORDS, `only bits neither ${kind} reads change`);
  }
  return { ok: true, plan: { kind, from: from.slice(), to: to.slice(), phases, syncs: phases.length, hitless: !invalidAtSync, critical } };
}

/** The entry after each write of a plan, in order (the states an SMMU may fetch). */
export function planStates(plan: UpdatePlan): bigint[][] {
  const cur = plan.from.slice();
  const out: bigint[][] = [];
  for (const p of plan.phases) {
    for (const w of p.writes) {
      cur[w.dword] = w.value;
      out.push(cur.slice());
    }
  }
  return out;
}

/** A plan as text: one line per write and per sync, then the count. */
export function formatPlan(plan: UpdatePlan): string {
  const lines: string[] = [];
  const inv = plan.kind === 'STE' ? 'CMD_CFGI_STE' : 'CMD_CFGI_CD';
  plan.phases.forEach((p, n) => {
    lines.push(`# ${n + 1}. ${p.why}`);
    for (const w of p.writes) lines.push(`write dword ${w.dword} = ${hex(w.value)}`);
    lines.push(`${inv} + CMD_SYNC`);
  });
  const how = plan.phases.length === 0 ? 'nothing to write' : plan.hitless ? 'hitless' : `not hitless (${plan.kind}.V = 0 in between)`;
  lines.push(`${plan.syncs} sync${plan.syncs === 1 ? '' : 's'}, ${how}`);
  return lines.join('\n');
}

function popcount(x: number): number {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}

function ctz(x: number): number {
  let n = 0;
  while (((x >> n) & 1) === 0) n++;
  return n;
}
