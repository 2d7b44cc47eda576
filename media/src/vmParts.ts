// Pieces of the VM panel: plain text tables, the guest STE next to the host STE (decoded by STE
// field name, IHI 0070 §5.2), the current step's iommufd effects (guest command -> host command),
// and whatever fields a newer engine adds that this view does not know (shown, not dropped).
import type { WireIommufd, WireVEvent, WireVm } from '../../language-server/src/engine/api';
import { h } from './dom';
import { groupHex } from './lib/format';

export type Nested = WireVm['nested'][number];

/** An array, whatever arrives (the wire is validated only shallowly). */
export const arr = <T>(x: readonly T[] | undefined | null): readonly T[] => (Array.isArray(x) ? x : []);

/** Text of any wire value: strings as they are, numbers, booleans, and JSON for the rest (shortened). */
export function show(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v === undefined || v === null) return '—';
  const t = JSON.stringify(v) ?? '';
  return t.length > 240 ? t.slice(0, 239) + '…' : t;
}

/** Properties of `o` this view does not draw itself, as [name, text]. */
export function extras(o: object, known: readonly string[]): Array<[string, string]> {
  return Object.entries(o).filter(([k]) => !known.includes(k)).map(([k, v]) => [k, show(v)]);
}

export interface Col {
  label: string;
  mono?: boolean;
  title?: string;
}

/** A plain table: every cell text, a tooltip with the whole row, optional row classes. */
export function table(cols: readonly Col[], rows: ReadonlyArray<{ cells: string[]; cls?: string; title?: string }>, empty: string): HTMLElement {
  if (!rows.length) return h('p', { class: 'muted' }, empty);
  const head = h('tr', {}, ...cols.map((c) => h('th', { scope: 'col', title: c.title }, c.label)));
  const body = rows.map((r) =>
    h('tr', { class: r.cls, title: r.title ?? cols.map((c, i) => `${c.label}: ${r.cells[i] ?? ''}`).join('\n') },
      ...cols.map((c, i) => h('td', { class: c.mono ? 'mono' : undefined }, r.cells[i] ?? ''))),
  );
  return h('div', { class: 'vm-table-wrap' }, h('table', { class: 'vm-table' }, h('thead', {}, head), h('tbody', {}, ...body)));
}

export function kvGrid(rows: ReadonlyArray<[string, string]>): HTMLElement {
  const dl = h('dl', { class: 'kv' });
  for (const [k, v] of rows) dl.append(h('dt', {}, k), h('dd', {}, v));
  return dl;
}

/** Fields shown even when 0: the ones that say what the STE does. */
const KEY = new Set(['V', 'Config', 'S1ContextPtr', 'S2VMID', 'S2TTB']);

/** The guest's STE words next to the host STE the kernel installed for one attachment. */
export function steCompare(n: Nested, a: Nested['attached'][number] | undefined): HTMLElement {
  const guest = n.guestFields ?? {};
  const host = a?.hostFields ?? {};
  const names = [...new Set([...Object.keys(host), ...Object.keys(guest)])].filter((k) => KEY.has(k) || (guest[k] ?? '0x0') !== '0x0' || (host[k] ?? '0x0') !== '0x0');
  const cols: Col[] = [{ label: 'STE field' }, { label: 'Guest STE (words 0-1)', mono: true }, { label: a ? `Host STE (${a.smmu} StreamID ${a.sid})` : 'Host STE (not attached)', mono: true }];
  const rows = names.map((k) => {
    const g = k in guest ? guest[k] : '—';
    const hv = a ? host[k] ?? '—' : '—';
    const differs = k in guest && a !== undefined && g !== hv;
    return { cells: [`STE.${k}`, g, hv], cls: differs ? 'differs' : !(k in guest) && a ? 'host-only' : undefined };
  });
  const raw = h('div', { class: 'raw mono' },
    h('span', {}, 'guest ', ...arr(n.guest).map((w, i) => `[${i}] ${w} `)),
    a ? h('span', {}, `host ${a.smmu} `, ...arr(a.hostSte).map((w, i) => `[${i}] ${w} `)) : null);
  return h('div', { class: 'ste-compare' }, table(cols, rows, 'No STE fields.'), raw);
}

function veventText(e: WireVEvent): string {
  return `vEVENT #${e.vevent} ${e.type} virtual StreamID ${e.sid} on ${e.viommu}${e.delivered ? '' : ' (lost: vEVENTQ full)'}`;
}

/** What the current step's iommufd call (or guest action on a vSMMU) produced. */
export function stepEffects(fx: WireIommufd | undefined, vevents: readonly WireVEvent[] | undefined): HTMLElement | null {
  if (!fx && !arr(vevents).length) return null;
  const out = h('div', { class: 'step-effects' }, h('h2', {}, 'This step'));
  if (fx) {
    if (arr(fx.calls).length) out.append(h('h3', {}, 'iommufd calls'), h('pre', { class: 'calls mono' }, arr(fx.calls).join('\n')));
    if (arr(fx.hostCommands).length) {
      out.append(h('h3', {}, 'Commands: guest → host'), table(
        [{ label: 'Guest command' }, { label: 'Guest dwords', mono: true }, { label: 'Host command' }, { label: 'SMMU' }, { label: 'Host dwords', mono: true }],
        arr(fx.hostCommands).map((c) => ({ cells: [c.guestName ?? '(kernel)', arr(c.guest).join(' ') || '—', c.name, c.smmu, arr(c.raw).join(' ')] })),
        '',
      ));
    }
    if (arr(fx.steInstalls).length) {
      out.append(h('h3', {}, 'Host STEs installed'), table(
        [{ label: 'SMMU' }, { label: 'StreamID', mono: true }, { label: 'STE at', mono: true }, { label: 'Guest STE', mono: true }, { label: 'Host STE', mono: true }],
        arr(fx.steInstalls).map((i) => ({ cells: [i.smmu, i.sid, groupHex(i.addr), arr(i.guest).join(' ') || '—', arr(i.ste).join(' ')] })),
        '',
      ));
    }
    if (fx.handled !== undefined) out.append(h('p', {}, `IOMMU_HWPT_INVALIDATE handled ${fx.handled} entr${fx.handled === 1 ? 'y' : 'ies'}.`));
    for (const r of arr(fx.rejections)) {
      out.append(h('p', { class: 'problem' }, `✕ -${r.errno}: ${r.message}${r.field ? ` (field ${r.field})` : ''}${r.index !== undefined ? ` (entry ${r.index})` : ''}`));
    }
    for (const n of arr(fx.notes)) out.append(h('p', { class: 'note' }, `⚠ ${n}`));
    const known = ['calls', 'steInstalls', 'hostCommands', 'rejections', 'handled', 'guestEvents', 'notes'];
    const more = extras(fx, known);
    if (more.length) out.append(kvGrid(more));
  }
  const evs = arr(vevents);
  if (evs.length) out.append(h('h3', {}, 'Guest events'), h('ul', { class: 'vevents' }, ...evs.map((e) => h('li', { class: e.delivered ? undefined : 'lost' }, veventText(e)))));
  return out;
}
