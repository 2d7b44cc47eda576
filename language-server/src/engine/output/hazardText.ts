// Hazard findings (model/hazards/finding.ts) in words: the message, the fix in scenario syntax (the
// missing commands as `cmd` lines the language accepts), and the related lines.

import { hex } from '../../model/bits';
import { describeMix } from '../../model/update';
import type { Finding, MissingCommand, NowOutcome } from '../../model/hazards';
import { permsText } from '../../model/smmu/perms';
import { commandText } from './commandText';
import { guestHazardText, isGuestFinding, outcomeText, staleParts, type HazardText } from './guestHazardText';

export type { HazardText } from './guestHazardText';

const quoted = (ms: MissingCommand[], sep: string): string => ms.map((m) => `\`${commandText(m)}\``).join(sep);

/** The message, fix and related lines of a finding; `L(step)` is the step's line. */
export function hazardText(f: Finding, L: (step: number) => number): HazardText {
  if (isGuestFinding(f)) return guestHazardText(f, L);
  const s = f.smmu;
  const syncAfter = (at: number, cite = '') => `insert \`${commandText(f.missing[0])}\` after line ${L(at)}${cite}.`;
  switch (f.state) {
    case 'tlb': {
      const w = f.write;
      const p = staleParts(f);
      if (f.invalidatedAt !== undefined) {
        const desc = w.nowValid ? `the descriptor at ${hex(w.addr)} is ${hex(w.now)}` : `F_TRANSLATION: the descriptor at ${hex(w.addr)} is invalid`;
        return {
          message: `${s}: the TLBI at line ${L(f.invalidatedAt)} has not been completed by a CMD_SYNC: this transaction may still get the old ${p.old} instead of ${outcomeText(f.now) ?? desc} (IHI 0070 §4.7.3).`,
          fix: syncAfter(f.invalidatedAt), related: [{ step: f.invalidatedAt, message: 'invalidation not completed by a CMD_SYNC' }, p.change],
        };
      }
      const b = f.broadcast;
      if (b) {
        return {
          message: `${s}: the CPU's ${b.instr} at line ${L(b.step)} does not reach this SMMU's TLB (${b.why}): ${hex(f.va)} may still translate to the old ${p.old} (walk at line ${L(f.walkStep)}) instead of ${p.now} (IHI 0070 §3.17.6).`,
          fix: `insert ${quoted(f.missing, ' then ')} after line ${L(b.step)}.`,
          related: [{ step: b.step, message: `CPU TLBI this SMMU ignores (${b.why})` }, p.change, { step: f.walkStep, message: 'walk whose result may still be cached' }],
        };
      }
      return {
        message: `${s}: stale translation possible: ${hex(f.va)} was cached as ${p.old} (walk at line ${L(f.walkStep)}); now ${p.now}, but no matching TLBI + CMD_SYNC ran on ${s} since the change at line ${L(w.step)}.`,
        fix: `insert ${quoted(f.missing, ' then ')} after line ${L(w.step)}.`, related: [p.change, { step: f.walkStep, message: 'walk whose result may still be cached' }],
      };
    }
    case 'freed':
      return {
        message: `${s}: ${f.page === 'data' ? 'the page' : 'the page-table page'} at ${hex(f.addr)} that the TLBI at line ${L(f.invalidatedAt)} freed is written again before a CMD_SYNC completed that TLBI: the device may still reach it through the old translation.`,
        fix: syncAfter(f.invalidatedAt, ' (IHI 0070 §4.7.3)'),
        related: [{ step: f.invalidatedAt, message: 'invalidation not completed by a CMD_SYNC' }, { step: f.unmapStep, message: 'write that unmapped it' }],
      };
    case 'descriptor': {
      const why = f.changes.map((c) => (typeof c.old === 'string' ? `${c.old} -> ${c.now}` : `${c.field} ${hex(c.old)} -> ${hex(c.now as bigint)}`));
      return {
        message: `break-before-make: the valid stage-${f.stage} level-${f.level} descriptor at ${hex(f.addr)} (read by a walk at line ${L(f.walkStep)}) ${f.direct ? 'was replaced by another valid one' : 'was made valid again before the invalidation of its old value completed'} (${why.join(', ')}); an SMMU may hold both (F_TLB_CONFLICT) or the old one.`,
        fix: `write ${hex(f.addr)} invalid first, then ${quoted(f.missing, ' and ')}, then the new value (DDI 0487 D8.16.1).`,
        related: [{ step: f.walkStep, message: 'walk that read the old descriptor' }],
      };
    }
    case 'config': {
      const what = f.kind === 'STE' ? `STE of StreamID ${hex(f.sid)}` : `CD of StreamID ${hex(f.sid)} SubstreamID ${hex(f.ssid)}`;
      if (f.invalidatedAt !== undefined) {
        return {
          message: `${s}: the ${what} was invalidated at line ${L(f.invalidatedAt)} but no CMD_SYNC completed it before this transaction: the old ${f.kind} (${f.fields.join(', ')}) may still be used.`,
          fix: syncAfter(f.invalidatedAt, ' (IHI 0070 §4.7.3)'),
          related: [{ step: f.invalidatedAt, message: 'invalidation without CMD_SYNC' }, { step: f.writeStep, message: `write that changed the ${f.kind}` }],
        };
      }
      return {
        message: `${s}: the ${what} at ${hex(f.addr)} was changed at line ${L(f.writeStep)} (${f.fields.join(', ')}) with no ${f.missing[0].name} + CMD_SYNC before this transaction: the SMMU may still use the old ${f.kind} (IHI 0070 §3.21.1).`,
        fix: `insert ${quoted(f.missing, ' and ')} after line ${L(f.writeStep)}.`,
        related: [{ step: f.writeStep, message: `write that changed the ${f.kind} (${f.fields.join(', ')})` }],
      };
    }
    case 'atc': {
      if (f.invalidatedAt !== undefined) {
        return {
          message: `${s}: the CMD_ATC_INV at line ${L(f.invalidatedAt)} was not completed by a CMD_SYNC before StreamID ${hex(f.sid)} was used again: its ATC may still translate ${hex(f.base)} to ${hex(f.output)}.`,
          fix: syncAfter(f.invalidatedAt), related: [{ step: f.changedAt, message: 'translation invalidated/changed here' }],
        };
      }
      return {
        message: `${s}: StreamID ${hex(f.sid)} has ATS enabled (STE.EATS) and its ATC may still hold ${hex(f.base)} -> ${hex(f.output)}, invalidated or changed at line ${L(f.changedAt)}, with no CMD_ATC_INV + CMD_SYNC before this use (IHI 0070 §3.9.1).`,
        fix: `insert ${quoted(f.missing, ' and ')} after line ${L(f.changedAt)} (after the TLBI and its sync).`,
        related: [{ step: f.changedAt, message: 'translation invalidated/changed here' }],
      };
    }
    case 'negative':
      return {
        message: `${s}: the descriptor at ${hex(f.addr)} was invalid when a walk read it (line ${L(f.walkStep)}) and was made valid at line ${L(f.madeValidAt)} with no TLBI: fine on real SMMUs (invalid entries are not cached), but a caching-mode vIOMMU would miss the new mapping.`,
        fix: `optionally insert the TLBI for ${hex(f.va)} and ${quoted(f.missing, ' and ')} after line ${L(f.madeValidAt)}.`,
        related: [{ step: f.madeValidAt, message: 'write that made it valid' }],
      };
    case 'shadow': {
      const host = outcomeText(f.now)!;
      const guest = outcomeText(f.guest)!;
      const when = f.changedAt !== undefined ? ` since the guest's write at line ${L(f.changedAt)}` : '';
      return {
        message: `${s} (shadowing vIOMMU): virtual StreamID ${hex(f.vsid)}${f.ssid !== undefined ? ` SubstreamID ${hex(f.ssid)}` : ''} (${f.host} StreamID ${hex(f.sid)}) at ${hex(f.va)} got ${host} from the shadow table, but the guest's page tables give ${guest}: the guest issued no invalidation${when}, so the VMM never re-walked it (under hardware nesting the walk would see it).`,
        fix: `${f.changedAt !== undefined ? 'insert' : 'issue'} ${quoted(f.missing, ' then ')}${f.changedAt !== undefined ? ` after line ${L(f.changedAt)}` : ' after the guest changes the mapping'} (a shadowing VMM needs it even for a non-present to present change).`,
        related: f.changedAt !== undefined ? [{ step: f.changedAt, message: `guest write to the descriptor at ${hex(f.desc ?? 0n)} the shadow does not know of` }] : [],
      };
    }
    case 'asid':
    case 'vmid': {
      const reuse = quoted(f.missing, ' + ');
      if (f.state === 'asid') {
        const a = hex(f.asid ?? 0);
        return {
          message: `${s}: ASID ${a} (VMID ${f.vmid}) is used with TTB0 ${hex(f.ttb)} here and with TTB0 ${hex(f.oldTtb)} at line ${L(f.oldStep)}, with no CMD_TLBI_NH_ASID + CMD_SYNC in between: entries of one table can translate for the other.`,
          fix: `give the CD its own ASID, or ${reuse} before reusing it.`, related: [{ step: f.oldStep, message: `ASID ${a} used with TTB0 ${hex(f.oldTtb)}` }],
        };
      }
      return {
        message: `${s}: VMID ${f.vmid} is used with S2TTB ${hex(f.ttb)} here and with S2TTB ${hex(f.oldTtb)} at line ${L(f.oldStep)}, with no CMD_TLBI_S12_VMALL + CMD_SYNC in between.`,
        fix: `give each stage-2 table its own VMID, or ${reuse} before reusing it.`, related: [{ step: f.oldStep, message: `VMID ${f.vmid} used with S2TTB ${hex(f.oldTtb)}` }],
      };
    }
    case 'torn': {
      const k = f.kind;
      const what = k === 'STE' ? `STE of StreamID ${hex(f.sid)} at ${hex(f.addr)}` : `CD of StreamID ${hex(f.sid)} SubstreamID ${hex(f.ssid ?? 0)} at ${hex(f.addr)}`;
      const window = f.ran > 0
        ? `${f.ran} transaction${f.ran === 1 ? '' : 's'} ran while it was mixed (the last at line ${L(f.lastTxn)})`
        : 'no transaction ran while it was mixed, but the SMMU may fetch a valid entry at any time';
      const p = f.plan;
      const order = p
        ? `${p.phases.map((x) => `dword${x.writes.length > 1 ? 's' : ''} ${x.writes.map((w) => w.dword).join(', ')}`).join(', then ')} with CMD_CFGI_${k} + CMD_SYNC after each group (${p.syncs} syncs${p.hitless ? '' : `, ${k}.V = 0 in between`})`
        : 'V = 0 first, then dwords 1-7, then dword 0';
      return {
        message: `${s}: the live ${what} was changed with ${f.writes} writes; after the write of dword ${f.dword} at line ${L(f.step)} an SMMU fetching it sees ${describeMix(k, f.mix)} (IHI 0070 §3.21.3); ${window}.`,
        fix: `write it in Linux's order: ${order}; the code action "Write this ${k} update in hitless order" inserts it, \`iommu-lens plan ${k.toLowerCase()} ${f.before.map(hex).join(' ')} -- ${f.after.map(hex).join(' ')}\` prints it.`,
        related: [{ step: f.usedAt, message: `transaction that used the updated ${k}` }],
      };
    }
    case 'cont': {
      const n = f.differ.length;
      const list = f.differ.slice(0, 4).map((d) => `${hex(d.sid)} (${d.fields.slice(0, 4).join(', ')}${d.fields.length > 4 ? ', ...' : ''})`).join(', ');
      return {
        message: `${s}: the STE at ${hex(f.addr)} has STE.CONT ${f.cont} (StreamIDs ${hex(f.base)}-${hex(f.base + f.size - 1)}), but the STE${n > 1 ? 's' : ''} of StreamID ${list}${n > 4 ? ', ...' : ''} differ${n > 1 ? '' : 's'}: an SMMU may use either STE for any StreamID of the span, or abort with F_CFG_CONFLICT (IHI 0070 §5.2).`,
        fix: 'make every STE of the span identical (but for CONT), or set STE.CONT to 0.', related: [],
      };
    }
  }
}
