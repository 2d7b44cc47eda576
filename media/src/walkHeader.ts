// The walk panel's header: the step (line, statement, outcome, TLB) and the translation context of
// its walks: SMMU, StreamID, STE.Config, CD.ASID and STE.S2VMID, the tables' scenario names, and
// for a stream attached to a nested HWPT the VM objects it goes through (vDEVICE, vIOMMU, HWPT).
import type { WireState, WireStep, WireWalk } from '../../language-server/src/engine/api';
import { h } from './dom';
import type { VmRoute } from './lib/vmRoute';

const CONFIG: Record<string, string> = { abort: 'abort', bypass: 'bypass', s1: 'S1_TRANS', s2: 'S2_TRANS', nested: 'NESTED' };

function chip(name: string, value: string, title?: string): HTMLElement {
  return h('span', { class: 'ctx', title }, h('span', { class: 'muted' }, name), ' ', h('span', { class: 'mono ctx-value' }, value));
}

/** Every table the walks used, by stage, named as the scenario names it. */
function tableNames(walks: readonly WireWalk[]): { s1: string[]; s2: string[] } {
  const out = { s1: new Set<string>(), s2: new Set<string>() };
  const add = (w: WireWalk) => {
    if (w.table) out[w.stage === 1 ? 's1' : 's2'].add(w.table);
    for (const st of w.steps) if (st.s2Walk) add(st.s2Walk);
  };
  walks.forEach(add);
  return { s1: [...out.s1], s2: [...out.s2] };
}

export function stepLine(step: WireStep | undefined): HTMLElement {
  if (!step) return h('p', { class: 'muted' }, 'No step at the cursor.');
  return h(
    'p',
    { class: 'step-line' },
    h('span', { class: 'muted' }, `Line ${step.line} · `),
    step.label,
    step.outcome ? h('vscode-badge', { class: `outcome outcome-${step.outcome}` }, step.outcome) : null,
    step.tlb ? h('vscode-badge', { class: 'tlb-badge' }, `TLB ${step.tlb}`) : null,
  );
}

/** The context chips; null when the step translated nothing. */
export function contextLine(state: WireState | null, route: VmRoute | undefined): HTMLElement | null {
  const c = state?.walkContext;
  if (!c || !state?.walks.length) return null;
  const t = tableNames(state.walks);
  const p = h('p', { class: 'walk-context' });
  p.append(chip('SMMU', c.smmu), chip('StreamID', c.sid));
  if (c.ssid !== undefined) p.append(chip('SubstreamID', c.ssid));
  if (c.config) p.append(chip('STE.Config', CONFIG[c.config] ?? c.config));
  p.append(chip('ASID', c.asid ?? '—', 'CD.ASID (IHI 0070 §5.4): the stage-1 TLB tag'));
  p.append(chip('VMID', c.vmid ?? '—', 'STE.S2VMID (IHI 0070 §5.2): the stage-2 TLB tag'));
  if (t.s1.length) p.append(chip(route ? 'guest S1 table' : 'S1 table', t.s1.join(', ')));
  if (t.s2.length) p.append(chip(route ? 'host S2 table' : 'S2 table', t.s2.join(', ')));
  return p;
}

/** The VM line: which vDEVICE, vIOMMU and nested HWPT the transaction went through. */
export function vmLine(route: VmRoute | undefined, sid: string | undefined): HTMLElement | null {
  if (!route) return null;
  const p = h('p', { class: 'walk-context vm-context' }, h('span', { class: 'tag' }, 'VM'));
  if (route.vsmmu) p.append(chip('vSMMU', route.vsmmu));
  if (route.vsid !== undefined) p.append(chip('vDEVICE', `${route.vsid} → ${sid ?? '?'}`, 'virtual StreamID → physical StreamID'));
  p.append(chip('vIOMMU', route.vmid !== undefined ? `${route.viommu} (VMID ${route.vmid})` : route.viommu));
  p.append(chip('nested HWPT', route.hwpt));
  if (route.parent) p.append(chip('parent', route.parent));
  p.append(h('span', { class: 'muted' }, 'guest stage 1 over host stage 2'));
  return p;
}
