// TLB and configuration caches panel: per SMMU instance, every TLB entry with its tags and ranges,
// and every cached STE/CD; entries the current step added are highlighted, entries it removed are
// shown struck through (from the previous update when we have it).
import type { WireConfigEntry, WireHazard, WireScenarioResult, WireSmmuState, WireTlbEntry } from '../../language-server/src/engine/api';
import { DataTable, type Row } from './datatable';
import { h, patchKeyed, replaceChildren } from './dom';
import { groupHex, parseHex, rangeEnd, sizeName } from './lib/format';
import type { Host, PanelView, Update } from './panel';
import { filterField, section } from './widgets';

const TLB_COLUMNS = [
  { label: 'ID', width: '5%' },
  { label: 'Stage', width: '6%' },
  { label: 'ASID', width: '6%', mono: true },
  { label: 'VMID', width: '6%', mono: true },
  { label: 'Global', width: '6%' },
  { label: 'Input range', width: '24%', mono: true },
  { label: 'Size', width: '5%' },
  { label: 'Output', width: '18%', mono: true },
  { label: 'Perms', width: '11%' },
  { label: 'Hits', width: '6%' },
  { label: 'Line', width: '7%' },
];

const CFG_COLUMNS = [
  { label: 'ID', width: '6%' },
  { label: 'Kind', width: '7%' },
  { label: 'StreamID', width: '10%', mono: true },
  { label: 'SSID', width: '8%', mono: true },
  { label: 'Fields', width: '55%', mono: true },
  { label: 'Hits', width: '7%' },
  { label: 'Line', width: '7%' },
];

/** The line of a step index (a TLB or cache entry's `insertedAt`), as the user reads positions. */
type LineOf = (step: number) => number;

function tlbRow(e: WireTlbEntry, cls: string[], lineOf: LineOf): Row {
  return {
    key: String(e.id),
    classes: cls,
    cells: [
      String(e.id), e.stage, e.asid ?? '—', e.vmid ?? '—', e.global ? 'yes' : 'no',
      `${groupHex(e.inputBase)} – ${groupHex(rangeEnd(e.inputBase, e.sizeLog2))}`, sizeName(e.sizeLog2),
      groupHex(e.outputBase), e.perms, String(e.hits), String(lineOf(e.insertedAt)),
    ],
    title: e.regime ? `regime ${e.regime}` : undefined,
  };
}

function cfgRow(e: WireConfigEntry, cls: string[], lineOf: LineOf): Row {
  // Non-zero fields only: a cached STE has ~70 fields, most of them 0.
  const f = Object.entries(e.fields).filter(([k, v]) => v !== '0x0' || k === 'V' || k === 'Config').map(([k, v]) => `${k}=${v}`).join(' ');
  return { key: String(e.id), classes: cls, cells: [String(e.id), e.kind, e.span ? `${e.span[0]}–${e.span[1]}` : e.sid, e.ssid ?? '—', f, String(e.hits), String(lineOf(e.insertedAt))], title: f };
}

/** A stale-translation hazard of the current step and the TLB entry it is about (WireHazard.tlb). */
interface StaleMark {
  hazard: WireHazard;
  smmu: string;
  insertedAt: number;
  va?: bigint;
}

function staleMarks(result: WireScenarioResult | null, stepIndex: number | undefined): StaleMark[] {
  const step = result?.steps.find((x) => x.index === stepIndex);
  return (step?.hazards ?? []).flatMap((hz) => {
    const t = hz.tlb;
    if (!t || typeof t.smmu !== 'string' || !Number.isInteger(t.insertedAt)) return [];
    return [{ hazard: hz, smmu: t.smmu, insertedAt: t.insertedAt, va: parseHex(t.va) }];
  });
}

/** The hazard an entry is the subject of: filled by that walk, covering the address. */
function markFor(e: WireTlbEntry, smmu: string, marks: readonly StaleMark[]): StaleMark | undefined {
  return marks.find((m) => {
    if (m.smmu !== smmu || m.insertedAt !== e.insertedAt) return false;
    if (m.va === undefined) return true;
    const b = parseHex(e.inputBase) ?? 0n;
    return m.va >= b && m.va < b + (1n << BigInt(e.sizeLog2));
  });
}

interface Instance {
  el: HTMLElement;
  notes: HTMLElement;
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
      const notes = h('div', { class: 'stale-notes' });
      sec.body.append(notes, h('h3', {}, 'TLB'), tlb.el, h('h3', {}, 'Configuration cache (STE/CD)'), cfg.el);
      inst = { el: sec.el, notes, tlb, cfg, setTitle: sec.setTitle, lastTlb: [], lastCfg: [] };
      (sec.el as HTMLElement).dataset.smmu = name;
      instances.set(name, inst);
    }
    return inst;
  }

  return {
    update({ state, result }: Update) {
      const marks = staleMarks(result, state?.stepIndex);
      const lineOf = (i: number) => result?.steps[i]?.line ?? i + 1;
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
        const stale = new Map<number, StaleMark>();
        for (const e of m.tlb) {
          const mk = markFor(e, m.name, marks);
          if (mk) stale.set(e.id, mk);
        }
        const rows = [
          ...m.tlb.map((e) => {
            const r = tlbRow(e, [...(added.has(e.id) ? ['added'] : []), ...(stale.has(e.id) ? ['stale'] : [])], lineOf);
            const mk = stale.get(e.id);
            if (mk) r.title = `${mk.hazard.code} (line ${mk.hazard.line}): ${mk.hazard.message}`;
            return r;
          }),
          ...gone.map((e) => tlbRow(e, ['removed'], lineOf)),
        ];
        inst.tlb.setRows(rows);
        replaceChildren(
          inst.notes,
          ...m.tlb.filter((e) => stale.has(e.id)).map((e) => {
            const hz = stale.get(e.id)!.hazard;
            return h('p', { class: 'stale-note' }, h('vscode-badge', { class: 'sev-warning' }, hz.code), ' ',
              `line ${hz.line}: TLB entry #${e.id} (${groupHex(e.inputBase)}, ${sizeName(e.sizeLog2)}, filled by line ${lineOf(e.insertedAt)}) may still give the old translation ${groupHex(e.outputBase)}.`);
          }),
        );
        const cgone = inst.lastCfg.filter((e) => cRemoved.has(e.id) && !m.configCache.some((x) => x.id === e.id));
        inst.cfg.setRows([...m.configCache.map((e) => cfgRow(e, cAdded.has(e.id) ? ['added'] : [], lineOf)), ...cgone.map((e) => cfgRow(e, ['removed'], lineOf))]);
        const a = m.tlb.filter((e) => added.has(e.id)).length;
        inst.setTitle(`${m.name}`, `${m.tlb.length} TLB · ${m.configCache.length} config${a ? ` · +${a}` : ''}${gone.length ? ` · −${gone.length}` : ''}${m.enabled ? '' : ' · SMMUEN=0'}`);
        inst.lastTlb = m.tlb;
        inst.lastCfg = m.configCache;
      });
    },
  };
}
