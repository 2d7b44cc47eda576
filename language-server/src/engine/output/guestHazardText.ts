// The guest's hazards (model/hazards/viommu.ts) in words: what the guest or the VMM did, on which
// vIOMMU and physical SMMU, and the fix as the line the guest (or the VMM) would write: a guest
// `cmd` on its vSMMU or on the vIOMMU's vCMDQ, an `iommufd invalidate`, `iommufd vdevice` or
// `iommufd ioas_unmap` line.

import { hex } from '../../model/bits';
import type { Finding, GuestCommand, NowOutcome, GuestTlbFinding, ParentS2Finding, TlbFinding, VdeviceFinding, VmidParentsFinding } from '../../model/hazards';
import { permsText } from '../../model/smmu/perms';
import { commandText } from './commandText';

/** A finding in words (hazardText.ts words the host's, this module the guest's). */
export interface HazardText {
  message: string;
  fix: string;
  related: Array<{ step: number; message: string }>;
}

type GuestFinding = GuestTlbFinding | ParentS2Finding | VdeviceFinding | VmidParentsFinding;
type L = (step: number) => number;

export function outcomeText(n: NowOutcome): string | undefined {
  if (n.kind === 'pa') return `PA ${hex(n.pa)}${n.perms ? ` (${permsText(n.perms)})` : ''}`;
  return n.kind === 'fault' ? n.event : undefined;
}

/** What a stale translation was and what the transaction gets now (shared with the host's wording). */
export function staleParts(f: TlbFinding): { old: string; now: string; change: { step: number; message: string } } {
  const w = f.write;
  const old = `PA ${hex(f.cachedPa)} (${permsText(f.cachedPerms)})`;
  const desc = w.nowValid ? `the descriptor at ${hex(w.addr)} is ${hex(w.now)}` : `F_TRANSLATION: the descriptor at ${hex(w.addr)} is invalid`;
  const out = outcomeText(f.now);
  return { old, now: out === undefined || desc.startsWith(out) ? desc : `${out} (${desc})`, change: { step: w.step, message: `write that changed the descriptor at ${hex(w.addr)}: ${hex(w.old)} -> ${hex(w.now)}` } };
}

/** The guest command as its line(s): `cmd VSMMU|VIOMMU ...` then its CMD_SYNC, or one `iommufd invalidate` (the kernel adds the sync). */
export function guestCommandText(g: GuestCommand): string {
  if (g.route.via === 'invalidate') return `\`iommufd invalidate ${g.route.name} ${hex(g.raw[0])} ${hex(g.raw[1])}\``;
  const on = g.route.name;
  const sync = `\`${commandText({ smmu: on, name: 'CMD_SYNC', fields: {} })}\``;
  return g.name === 'CMD_SYNC' ? sync : `\`${commandText({ smmu: on, name: g.name, fields: g.fields })}\` then ${sync}`;
}

export function isGuestFinding(f: Finding): f is GuestFinding {
  return f.state === 'guestTlb' || f.state === 'parentS2' || f.state === 'vdevice' || f.state === 'vmidParents';
}

export function guestHazardText(f: GuestFinding, L: L): HazardText {
  switch (f.state) {
    case 'guestTlb': return guestTlb(f, L);
    case 'parentS2': return parentS2(f, L);
    case 'vdevice': return vdevice(f, L);
    case 'vmidParents': return vmidParents(f, L);
  }
}

function guestTlb(f: GuestTlbFinding, L: L): HazardText {
  const h = f.host;
  const p = staleParts(h);
  const dev = f.vsid !== undefined ? `virtual StreamID ${hex(f.vsid)} (StreamID ${hex(h.sid)} on ${f.smmu})` : `StreamID ${hex(h.sid)} on ${f.smmu}`;
  const cached = `${hex(h.va)} was cached as ${p.old} (walk at line ${L(h.walkStep)}) under ${f.viommu}'s VMID ${h.entry.vmid}; now ${p.now}`;
  const related = [p.change, { step: h.walkStep, message: 'walk whose result may still be cached' }];
  const u = f.unsynced;
  if (u) {
    const where = u.vsmmu ? `on ${u.vsmmu}, which its VMM forwards to ${u.viommu} only at the guest's CMD_SYNC` : `on ${u.viommu}'s vCMDQ, which ${u.smmu} completes only at a CMD_SYNC on that queue`;
    return {
      message: `${f.viommu}: the guest's ${u.name} at line ${L(u.step)} is ${where}, and none came before this transaction: ${dev} may still use the old translation: ${cached} (IHI 0070 §4.7.3).`,
      fix: `insert ${guestCommandText(f.fix)} after line ${L(u.step)}.`,
      related: [{ step: u.step, message: 'guest TLBI not completed by a guest CMD_SYNC' }, ...related],
    };
  }
  const s = f.sent;
  if (s) {
    const through = s.vsmmu ? ` (trapped from ${s.vsmmu})` : s.via === 'vcmdq' ? ` through ${s.viommu}'s vCMDQ` : '';
    return {
      message: `${f.viommu}: the guest's ${s.name} at line ${L(s.step)} went to ${s.viommu}${through}, which runs it on ${s.smmu} only, but ${dev} is behind ${f.viommu}: ${f.smmu} may still use the old translation: ${cached}.`,
      fix: `insert ${guestCommandText(f.fix)} after line ${L(s.step)} (the guest TLBI, sent to ${f.viommu} too).`,
      related: [{ step: s.step, message: `guest TLBI sent to ${s.viommu} (${s.smmu})` }, ...related],
    };
  }
  return {
    message: `${f.viommu}: stale guest translation possible for ${dev}: ${cached}, but the guest sent no TLBI to ${f.viommu} since it changed its stage 1 at line ${L(h.write.step)}.`,
    fix: `insert ${guestCommandText(f.fix)} after line ${L(h.write.step)}.`, related,
  };
}

function parentS2(f: ParentS2Finding, L: L): HazardText {
  const h = f.host;
  const p = staleParts(h);
  const users = f.viommus.length ? ` (vIOMMU ${f.viommus.join(', ')})` : '';
  const how = f.unmap ? `the IOAS unmap at line ${L(h.write.step)} skipped ${f.smmu}` : `no CMD_TLBI_S2_IPA / CMD_TLBI_S12_VMALL + CMD_SYNC ran on ${f.smmu} since line ${L(h.write.step)}`;
  const u = f.unmap;
  return {
    message: `${f.smmu}: the stage-2 table of nesting parent ${f.parent} (IOAS ${f.ioas}) changed, and ${f.smmu}, which uses it with VMID ${f.vmid}${users}, was not invalidated (${how}): ${hex(h.va)} was cached as ${p.old} (walk at line ${L(h.walkStep)}); now ${p.now}.`,
    fix: u
      ? `write line ${L(h.write.step)} as \`iommufd ioas_unmap ${u.ioas} ${hex(u.iova)} ${hex(u.length)}\` (without \`skip ${f.smmu}\`): the kernel invalidates every SMMU that uses ${f.parent}.`
      : `insert ${f.missing.map((m) => `\`${commandText(m)}\``).join(' then ')} after line ${L(h.write.step)}, on every SMMU that uses ${f.parent} with its own VMID.`,
    related: [p.change, { step: h.walkStep, message: 'walk whose result may still be cached' }],
  };
}

function vdevice(f: VdeviceFinding, L: L): HazardText {
  const ste = `guest STE ${hex(f.guest[0])} ${hex(f.guest[1])} (S1_TRANS)`;
  const what = f.vsmmu
    ? `the guest's CMD_CFGI_STE for virtual StreamID ${hex(f.vsid ?? 0)} on ${f.vsmmu} cannot be forwarded: the ${ste} needs a vDEVICE on ${f.viommu}, and there is none`
    : `attaching StreamID ${hex(f.sid ?? 0)} to the nested HWPT of the ${ste} is refused with -ENOENT: StreamID ${hex(f.sid ?? 0)} has no vDEVICE on ${f.viommu}`;
  const vsid = f.vsid !== undefined ? hex(f.vsid) : '<VSID>';
  const sid = f.sid !== undefined ? hex(f.sid) : '<SID>';
  return {
    message: `${f.viommu} (${f.smmu}): ${what}; the device keeps its old host STE and the guest's stage 1 is not used (arm-smmu-v3-iommufd: a translating nested STE needs a vDEVICE).`,
    fix: `insert \`iommufd vdevice ${f.viommu} ${vsid} ${sid}\` before line ${L(f.step)}${f.vsid === undefined ? ' (VSID: the StreamID the guest gives the device)' : f.sid === undefined ? ` (SID: the device's StreamID on ${f.smmu})` : ''}.`,
    related: [],
  };
}

function vmidParents(f: VmidParentsFinding, L: L): HazardText {
  const h = f.host;
  const parentTtb = f.parentIsNew ? h.ttb : h.oldTtb;
  const otherTtb = f.parentIsNew ? h.oldTtb : h.ttb;
  const other = f.otherParent ? `nesting parent ${f.otherParent}'s table` : 'a stage-2 table that is no nesting parent\'s';
  const users = f.viommus.length ? ` (vIOMMU ${f.viommus.join(', ')})` : '';
  const reuse = f.missing.map((m) => `\`${commandText(m)}\``).join(' then ');
  return {
    message: `${f.smmu}: VMID ${h.vmid} is the VMID iommufd gave nesting parent ${f.parent} (S2TTB ${hex(parentTtb)}) on ${f.smmu}${users}, and it is also used there with S2TTB ${hex(otherTtb)}, ${other} (line ${L(f.parentIsNew ? h.oldStep : f.step)}), with no CMD_TLBI_S12_VMALL + CMD_SYNC in between: the two VMs' translations can be mixed.`,
    fix: `give the other stage-2 table a VMID iommufd did not allocate on ${f.smmu}, or insert ${reuse} before this line.`,
    related: [{ step: h.oldStep, message: `VMID ${h.vmid} used with S2TTB ${hex(h.oldTtb)}` }],
  };
}
