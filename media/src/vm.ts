// VM panel: one VM as one object (issue "Virtual SMMUs"): its IOAS mappings and nesting-parent
// stage 2 with the VMID each physical SMMU gives it, each vIOMMU with its vDEVICEs (virtual ->
// physical StreamID), vEVENTQ (sequence numbers, lost-events mark) and hardware queues (vCMDQ
// state, CERROR), the nested HWPTs as guest STE next to host STE, the vSMMUs, and what the current
// step's iommufd call did. Names are iommufd's (include/uapi/linux/iommufd.h).
import type { WireVm } from '../../language-server/src/engine/api';
import { h, replaceChildren } from './dom';
import { groupHex } from './lib/format';
import type { Host, PanelView, Update } from './panel';
import { arr, extras, kvGrid, stepEffects, steCompare, table } from './vmParts';
import { details, section } from './widgets';

type VIommu = WireVm['viommus'][number];

function end(base: string, length: string): string {
  try {
    return groupHex('0x' + (BigInt(base) + BigInt(length) - 1n).toString(16));
  } catch {
    return '?';
  }
}

function memorySection(vm: WireVm): HTMLElement {
  const sec = section('IOAS and nesting parent', true);
  sec.el.dataset.vm = 'ioas';
  for (const io of arr(vm.ioas)) {
    sec.body.append(h('h3', {}, `IOAS ${io.name}: guest-physical → host-physical`), table(
      [{ label: 'IOVA (IPA)', mono: true }, { label: 'PA', mono: true }, { label: 'Length', mono: true }, { label: 'Access' }],
      arr(io.maps).map((m) => ({ cells: [`${groupHex(m.iova)} – ${end(m.iova, m.length)}`, `${groupHex(m.pa)} – ${end(m.pa, m.length)}`, groupHex(m.length), m.readOnly ? 'read-only' : 'read-write'] })),
      'No mappings (iommufd ioas_map).',
    ));
  }
  for (const p of arr(vm.parents)) {
    const vmids = arr(p.vmids);
    sec.body.append(
      h('h3', {}, `Nesting parent ${p.name} (stage 2 of IOAS ${p.ioas})`),
      kvGrid([
        ['page-table format of', p.smmu], ['root (S2TTB)', groupHex(p.root)], ['granule', `${p.granule}K`], ['input size', `${p.inputSize}-bit IPA`], ['start level', String(p.startLevel)],
        ['shared by', `${vmids.length} physical SMMU${vmids.length === 1 ? '' : 's'}: one table in memory, a VMID per SMMU`],
        ...extras(p, ['name', 'ioas', 'smmu', 'root', 'granule', 'inputSize', 'startLevel', 'vmids']),
      ]),
      table(
        [{ label: 'Physical SMMU' }, { label: 'VMID (STE.S2VMID)', mono: true }, { label: 'vIOMMUs' }],
        vmids.map((v) => ({ cells: [v.smmu, String(v.vmid), arr(vm.viommus).filter((x) => x.smmu === v.smmu && x.parent === p.name).map((x) => x.name).join(', ') || '—'] })),
        'No vIOMMU uses this parent yet.',
      ),
    );
  }
  if (!arr(vm.ioas).length && !arr(vm.parents).length) sec.body.append(h('p', { class: 'muted' }, 'No IOAS yet (iommufd ioas).'));
  return sec.el;
}

function viommuSection(vm: WireVm, v: VIommu): HTMLElement {
  const queues = arr(v.hwQueues);
  const stopped = queues.filter((q) => q.stopped !== undefined).length;
  const q = v.veventq;
  const sec = section(`vIOMMU ${v.name}`, true);
  sec.setTitle(`vIOMMU ${v.name}`, `${v.smmu} · VMID ${v.vmid} · parent ${v.parent} · ${arr(v.vdevices).length} vDEVICE${arr(v.vdevices).length === 1 ? '' : 's'}${q?.lost ? ` · ${q.lost} event${q.lost === 1 ? '' : 's'} lost` : ''}${stopped ? ` · ${stopped} vCMDQ stopped` : ''}`);
  sec.el.dataset.viommu = v.name;
  const vsmmu = arr(vm.vsmmus).find((x) => arr(x.viommus).includes(v.name));
  sec.body.append(kvGrid([
    ['physical SMMU', v.smmu], ['VMID on it', String(v.vmid)], ['nesting parent', v.parent],
    ...(vsmmu ? ([['presented to the guest as', `vSMMU ${vsmmu.name}`]] as Array<[string, string]>) : []),
    ...extras(v, ['name', 'smmu', 'parent', 'vmid', 'vdevices', 'veventq', 'hwQueues']),
  ]));
  const hwptOf = (sid: string) => arr(vm.nested).find((n) => arr(n.attached).some((a) => a.smmu === v.smmu && a.sid === sid))?.name ?? '—';
  sec.body.append(h('h3', {}, 'vDEVICEs'), table(
    [{ label: 'Virtual StreamID', mono: true }, { label: `Physical StreamID (${v.smmu})`, mono: true }, { label: 'Attached HWPT' }],
    arr(v.vdevices).map((d) => ({ cells: [d.vsid, d.sid, hwptOf(d.sid)] })),
    'No vDEVICE (iommufd vdevice).',
  ));
  sec.body.append(h('h3', {}, q ? `vEVENTQ (depth ${q.depth}${q.lost ? `, ${q.lost} lost` : ''})` : 'vEVENTQ'));
  if (q) {
    sec.body.append(table(
      [{ label: 'Sequence', mono: true }, { label: 'Event' }, { label: 'Virtual StreamID', mono: true }, { label: 'Mark' }],
      arr(q.events).map((e) => (e.lost
        ? { cells: [String(e.sequence), '—', '—', 'IOMMU_VEVENTQ_FLAG_LOST_EVENTS: events lost here'], cls: 'lost' }
        : { cells: [String(e.sequence), e.type ?? '?', e.sid ?? '—', ''] })),
      'Empty: no guest event waiting.',
    ));
  } else sec.body.append(h('p', { class: 'muted' }, 'No vEVENTQ: guest faults are not delivered (iommufd veventq VIOMMU DEPTH).'));
  if (queues.length) {
    sec.body.append(h('h3', {}, 'Hardware queues (vCMDQ)'), table(
      [{ label: 'Index' }, { label: 'IPA', mono: true }, { label: 'PA', mono: true }, { label: 'Size' }, { label: 'PROD', mono: true }, { label: 'CONS', mono: true }, { label: 'State' }],
      queues.map((hq) => ({
        cells: [String(hq.index), groupHex(hq.ipa), groupHex(hq.pa), `${2 ** hq.log2size} entries`, String(hq.prod), String(hq.cons), hq.stopped !== undefined ? `stopped: ${hq.stopped}` : 'running'],
        cls: hq.stopped !== undefined ? 'bad' : undefined,
      })),
      '',
    ));
  }
  return sec.el;
}

function nestedSection(vm: WireVm): HTMLElement {
  const nested = arr(vm.nested);
  const sec = section('Nested HWPTs: guest STE → host STE', true);
  sec.el.dataset.vm = 'nested';
  sec.setTitle('Nested HWPTs: guest STE → host STE', `${nested.length}`);
  if (!nested.length) sec.body.append(h('p', { class: 'muted' }, 'No nested HWPT (iommufd hwpt_nested).'));
  for (const n of nested) {
    const at = arr(n.attached);
    const d = details(nested.length <= 3);
    d.el.classList.add('nested-hwpt');
    d.el.dataset.hwpt = n.name;
    d.set(n.name, `on ${n.viommu} · guest ${n.kind} · ${at.length ? at.map((a) => `${a.smmu} StreamID ${a.sid}${a.vsid ? ` (vSID ${a.vsid})` : ''}`).join(', ') : 'not attached'}`);
    for (const a of at.length ? at : [undefined]) d.body.append(steCompare(n, a));
    const more = extras(n, ['name', 'viommu', 'kind', 'guest', 'guestFields', 'attached']);
    if (more.length) d.body.append(kvGrid(more));
    sec.body.append(d.el);
  }
  return sec.el;
}

function vsmmuSection(vm: WireVm): HTMLElement | null {
  const list = arr(vm.vsmmus);
  if (!list.length) return null;
  const sec = section('vSMMUs (the guest\'s view)', true);
  const other = (v: (typeof list)[number]) => extras(v, ['name', 'viommus']).map(([k, x]) => `${k}=${x}`).join(' ');
  const more = list.some((v) => other(v) !== '');
  sec.body.append(table(
    [{ label: 'vSMMU' }, { label: 'over vIOMMUs' }, ...(more ? [{ label: 'Other' }] : [])],
    list.map((v) => ({ cells: [v.name, arr(v.viommus).join(', '), ...(more ? [other(v)] : [])] })),
    '',
  ));
  return sec.el;
}

export function vmPanel(root: HTMLElement, _host: Host): PanelView {
  const summary = h('p', { class: 'muted summary' });
  const effects = h('div', { class: 'effects' });
  const body = h('div', { class: 'vm-body' });
  root.replaceChildren(h('header', { class: 'panel-header' }, h('h1', {}, 'Virtual machine (iommufd)'), summary), effects, body);
  let lastSig = '';
  return {
    update({ state, result }: Update) {
      const vm = state?.vm;
      const step = result?.steps.find((x) => x.index === state?.stepIndex);
      replaceChildren(effects, stepEffects(step?.iommufd, step?.vevents));
      if (!vm) {
        summary.textContent = state ? `After line ${state.line}` : 'No state.';
        lastSig = '';
        replaceChildren(body, h('p', { class: 'empty' }, 'This scenario has no VM: add iommufd lines (ioas, hwpt_parent, viommu, vdevice, hwpt_nested, attach) or a vsmmu.'));
        return;
      }
      const vi = arr(vm.viommus);
      const smmus = new Set(vi.map((v) => v.smmu));
      summary.textContent = `After line ${state!.line}: ${arr(vm.ioas).length} IOAS · ${arr(vm.parents).length} nesting parent${arr(vm.parents).length === 1 ? '' : 's'} · ${vi.length} vIOMMU${vi.length === 1 ? '' : 's'} on ${smmus.size} physical SMMU${smmus.size === 1 ? '' : 's'} · ${arr(vm.nested).length} nested HWPT${arr(vm.nested).length === 1 ? '' : 's'}${arr(vm.vsmmus).length ? ` · ${arr(vm.vsmmus).length} vSMMU` : ''}`;
      const sig = JSON.stringify(vm);
      if (sig === lastSig && body.childElementCount) return;
      lastSig = sig;
      replaceChildren(body, memorySection(vm), ...vi.map((v) => viommuSection(vm, v)), nestedSection(vm), vsmmuSection(vm));
      const more = extras(vm, ['ioas', 'parents', 'viommus', 'nested', 'vsmmus']);
      if (more.length) body.append(h('h2', {}, 'Other VM state'), kvGrid(more));
    },
  };
}
