// The Variables view's VM node: one VM as one object, each iommufd object named as the scenario
// names it with a one-line summary (physical SMMU, VMID, vDEVICEs, vEVENTQ, vCMDQ state), and its
// details below (the generic JSON tree for everything else, so new fields still appear).

import type { WireVm } from '../engine/api';

/** A Variables node (structurally variables.ts's VarNode). */
export interface VmVarNode {
  name: string;
  value: string;
  children?: () => VmVarNode[];
}

type Json = (name: string, v: unknown) => VmVarNode;

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;

function viommuNode(v: WireVm['viommus'][number], json: Json): VmVarNode {
  const q = v.veventq;
  const stopped = v.hwQueues.filter((x) => x.stopped !== undefined).length;
  const parts = [`${v.smmu}`, `VMID ${v.vmid}`, `parent ${v.parent}`, plural(v.vdevices.length, 'vDEVICE')];
  if (q) parts.push(`vEVENTQ ${q.events.filter((e) => !e.lost).length}/${q.depth}${q.lost ? `, ${q.lost} lost` : ''}`);
  if (v.hwQueues.length) parts.push(`${plural(v.hwQueues.length, 'vCMDQ')}${stopped ? ` (${stopped} stopped)` : ''}`);
  return {
    name: v.name,
    value: parts.join(' · '),
    children: () => [
      { name: 'vDEVICEs', value: `[${v.vdevices.length}]`, children: () => v.vdevices.map((d) => ({ name: `vSID ${d.vsid}`, value: `SID ${d.sid} on ${v.smmu}` })) },
      ...(q ? [{
        name: 'vEVENTQ', value: `depth ${q.depth}${q.lost ? `, ${q.lost} lost` : ''}`,
        children: () => q.events.map((e) => ({ name: `#${e.sequence}`, value: e.lost ? 'IOMMU_VEVENTQ_FLAG_LOST_EVENTS (events lost)' : `${e.type ?? '?'} vSID ${e.sid ?? '?'}` })),
      }] : []),
      ...(v.hwQueues.length ? [json('vCMDQs', v.hwQueues)] : []),
      ...Object.entries(v).filter(([k]) => !['name', 'vdevices', 'veventq', 'hwQueues'].includes(k)).map(([k, x]) => json(k, x)),
    ],
  };
}

function nestedNode(n: WireVm['nested'][number], json: Json): VmVarNode {
  const at = n.attached.map((a) => `${a.smmu} SID ${a.sid}${a.vsid ? ` (vSID ${a.vsid})` : ''}`).join(', ') || 'not attached';
  return {
    name: n.name,
    value: `on ${n.viommu} · guest ${n.kind} · ${at}`,
    children: () => [
      json('guest STE (words 0-1)', n.guestFields ? { raw: n.guest, ...n.guestFields } : n.guest),
      ...n.attached.map((a) => json(`host STE ${a.smmu} SID ${a.sid}`, a.hostFields ? { raw: a.hostSte, ...a.hostFields } : a.hostSte)),
      ...Object.entries(n).filter(([k]) => !['name', 'guest', 'guestFields', 'attached'].includes(k)).map(([k, x]) => json(k, x)),
    ],
  };
}

export function vmNode(vm: WireVm, json: Json): VmVarNode {
  return {
    name: 'VM',
    value: `${vm.viommus.length} vIOMMU(s), ${vm.nested.length} nested HWPT(s)`,
    children: () => [
      json('IOAS', vm.ioas),
      {
        name: 'Nesting parents', value: `[${vm.parents.length}]`,
        children: () => vm.parents.map((p) => ({ ...json(p.name, p), value: `stage 2 of ${p.ioas} · ${p.vmids.map((x) => `VMID ${x.vmid} on ${x.smmu}`).join(', ') || 'no vIOMMU'}` })),
      },
      { name: 'vIOMMUs', value: `[${vm.viommus.length}]`, children: () => vm.viommus.map((v) => viommuNode(v, json)) },
      { name: 'Nested HWPTs (guest STE -> host STE)', value: `[${vm.nested.length}]`, children: () => vm.nested.map((n) => nestedNode(n, json)) },
      ...(vm.vsmmus.length ? [json('vSMMUs', vm.vsmmus)] : []),
      ...Object.entries(vm).filter(([k]) => !['ioas', 'parents', 'viommus', 'nested', 'vsmmus'].includes(k)).map(([k, x]) => json(k, x)),
    ],
  };
}
