// TLB and configuration caches panel: per SMMU instance, every TLB entry with its tags and ranges,
// and every cached STE/CD; entries the current step added are highlighted, entries it removed are
// shown struck through (from the previous update when we have it).
import type { WireConfigEntry, WireSmmuState, WireTlbEntry } from '../../language-server/src/engine/api';
import { DataTable, type Row } from './datatable';
import { h, patchKeyed } from './dom';
import { groupHex, rangeEnd, sizeName } from './lib/format';
import type { Host, PanelView, Update } from './panel';
import { filterField, section } from './widgets';

const TLB_COLUMNS = [
  { label: 'ID', width: '5%' },
  { label: 'Stage', width: '6%' },
  { label: 'ASID', width: '6%', mono: true },
  { label: 'VMID', width: '6%', mono: true },
  { label: 'Global', width: '6%' },
  { label: 'Input range', width: '28%', mono: true },
  { label: 'Size', width: '5%' },
  { label: 'Output', width: '18%', mono: true },
  { label: 'Perms', width: '7%' },
  { label: 'Hits', width: '6%' },
  { label: 'Step', width: '7%' },
];

const CFG_COLUMNS = [
  { label: 'ID', width: '6%' },
  { label: 'Kind', width: '7%' },
  { label: 'StreamID', width: '10%', mono: true },
  { label: 'SSID', width: '8%', mono: true },
  { label: 'Fields', width: '55%', mono: true },
  { label: 'Hits', width: '7%' },
  { label: 'Step', width: '7%' },
];

function tlbRow(e: WireTlbEntry, cls: string[]): Row {
  return {
    key: String(e.id),
    classes: cls,
    cells: [
      String(e.id), e.stage, e.asid ?? '—', e.vmid ?? '—', e.global ? 'yes' : 'no',
      `${groupHex(e.inputBase)} – ${groupHex(rangeEnd(e.inputBase, e.sizeLog2))}`, sizeName(e.sizeLog2),
      groupHex(e.outputBase), e.perms, String(e.hits), String(e.insertedAt + 1),
    ],
    title: e.regime ? `regime ${e.regime}` : undefined,
  };
}

function cfgRow(e: WireConfigEntry, cls: string[]): Row {
  // Non-zero fields only: a cached STE has ~70 fields, most of them 0.
  const f = Object.entries(e.fields).filter(([k, v]) => v !== '0x0' || k === 'V' || k === 'Config').map(([k, v]) => `${k}=${v}`).join(' ');
  return { key: String(e.id), classes: cls, cells: [String(e.id), e.kind, e.span ? `${e.span[0]}–${e.span[1]}` : e.sid, e.ssid ?? '—', f, String(e.hits), String(e.insertedAt + 1)], title: f };
}

interface Instance {
  el: HTMLElement;
  tlb: DataTable;
  cfg: DataTable;
  setTitle(t: string, d?: string): void;
  lastTlb: WireTlbEntry[];
  lastCfg: WireConfigEntry[];
}

export function tlbPanel(root: HTMLElement, host: Host): PanelView {
  let query = host.load('filter', '');
  const instances = new Map<string, Instance>();
  const summary = h('p', { class: 'muted summary' });
  const filter = filterField('Filter entries (any column)', query, (q) => {
    query = q;
    host.save('filter', q);
    for (const i of instances.values()) {
      i.tlb.setFilter(q);
      i.cfg.setFilter(q);
    }
  });
  const list = h('div', { class: 'instances' });
  root.replaceChildren(h('header', { class: 'panel-header' }, h('h1', {}, 'TLB & configuration caches'), summary, filter), list);

  function instance(name: string): Instance {
    let inst = instances.get(name);
    if (!inst) {
      const sec = section(name);
      const sort = host.load<{ col: number; dir: 'asc' | 'desc' } | undefined>(`sort:${name}`, undefined);
      const tlb = new DataTable(TLB_COLUMNS, { empty: 'TLB empty.', sort, onSort: (col, dir) => host.save(`sort:${name}`, { col, dir }) });
      const cfg = new DataTable(CFG_COLUMNS, { empty: 'Configuration cache empty.' });
      tlb.setFilter(query);
      cfg.setFilter(query);
      sec.body.append(h('h3', {}, 'TLB'), tlb.el, h('h3', {}, 'Configuration cache (STE/CD)'), cfg.el);
      inst = { el: sec.el, tlb, cfg, setTitle: sec.setTitle, lastTlb: [], lastCfg: [] };
      (sec.el as HTMLElement).dataset.smmu = name;
      instances.set(name, inst);
    }
    return inst;
  }

  return {
    update({ state }: Update) {
      const smmus: WireSmmuState[] = state?.smmus ?? [];
      const ch = state?.changes ?? { tlbAdded: [], tlbRemoved: [], configAdded: [], configRemoved: [] };
      const added = new Set(ch.tlbAdded);
      const removed = new Set(ch.tlbRemoved);
      const cAdded = new Set(ch.configAdded);
      const cRemoved = new Set(ch.configRemoved);
      const total = smmus.reduce((n, m) => n + m.tlb.length, 0);
      summary.textContent = state
        ? `After line ${state.line}: ${total} TLB entr${total === 1 ? 'y' : 'ies'} in ${smmus.length} SMMU${smmus.length === 1 ? '' : 's'}` +
          (added.size || removed.size ? ` · this step added ${added.size}, removed ${removed.size}` : '')
        : 'No state.';
      patchKeyed(list, smmus, (m) => m.name, (m) => instance(m.name).el, (_el, m) => {
        const inst = instance(m.name);
        const gone = inst.lastTlb.filter((e) => removed.has(e.id) && !m.tlb.some((x) => x.id === e.id));
        const rows = [
          ...m.tlb.map((e) => tlbRow(e, added.has(e.id) ? ['added'] : [])),
          ...gone.map((e) => tlbRow(e, ['removed'])),
        ];
        inst.tlb.setRows(rows);
        const cgone = inst.lastCfg.filter((e) => cRemoved.has(e.id) && !m.configCache.some((x) => x.id === e.id));
        inst.cfg.setRows([...m.configCache.map((e) => cfgRow(e, cAdded.has(e.id) ? ['added'] : [])), ...cgone.map((e) => cfgRow(e, ['removed']))]);
        const a = m.tlb.filter((e) => added.has(e.id)).length;
        inst.setTitle(`${m.name}`, `${m.tlb.length} TLB · ${m.configCache.length} config${a ? ` · +${a}` : ''}${gone.length ? ` · −${gone.length}` : ''}${m.enabled ? '' : ' · SMMUEN=0'}`);
        inst.lastTlb = m.tlb;
        inst.lastCfg = m.configCache;
      });
    },
  };
}
