// Stream table and CDs panel: per SMMU, every STE in use decoded, expandable to its CDs, with
// problems marked, and a memory map of what each stream can reach (input range → output range)
// from the run's walks and the TLB.
import type { WireScenarioResult, WireSmmuState, WireSteView, WireWalk } from '../../language-server/src/engine/api';
import { h, patchKeyed, replaceChildren, s } from './dom';
import { levelLowBit, type GranuleKb } from './lib/addressSplit';
import { groupHex, parseHex, rangeEnd, sizeName } from './lib/format';
import { hashString } from './lib/keyed';
import type { Host, PanelView, Update } from './panel';
import { details, fieldGrid, section } from './widgets';

export interface Mapping {
  inBase: string;
  sizeLog2: number;
  outBase: string;
  source: string;
}

/** Leaf mapping of a successful walk: the block/page containing the input address. */
function walkMapping(w: WireWalk): Mapping | undefined {
  const leaf = w.steps[w.steps.length - 1];
  const inp = parseHex(w.inputAddr);
  const out = parseHex(w.outputAddr);
  if (!leaf || w.fault || inp === undefined || out === undefined) return undefined;
  const shift = levelLowBit(w.granule as GranuleKb, leaf.level);
  const m = ~((1n << BigInt(shift)) - 1n);
  return { inBase: '0x' + (inp & m).toString(16), sizeLog2: shift, outBase: '0x' + (out & m).toString(16), source: 'walk' };
}

function mappingsFor(ste: WireSteView, smmu: WireSmmuState, result: WireScenarioResult | null): Mapping[] {
  const out = new Map<string, Mapping>();
  for (const st of result?.steps ?? []) {
    if (st.sid !== ste.sid || (st.smmu && st.smmu !== smmu.name) || !st.walks?.length) continue;
    const s1 = st.walks[0];
    const m = walkMapping(s1);
    const last = st.walks[st.walks.length - 1];
    if (m) {
      // Nested: the stage-1 output is an IPA; show the final PA when the stage-2 walk succeeded.
      if (st.walks.length > 1 && last.stage === 2 && last.outputAddr && st.pa) m.outBase = '0x' + ((parseHex(st.pa) ?? 0n) & ~((1n << BigInt(m.sizeLog2)) - 1n)).toString(16);
      out.set(`${m.inBase}/${m.sizeLog2}`, { ...m, source: `step ${st.index + 1}` });
    }
  }
  const asids = new Set(ste.cds.map((c) => c.fields.ASID).filter(Boolean));
  const vmid = ste.fields.S2VMID;
  for (const e of smmu.tlb) {
    const match = (e.asid !== undefined && asids.has(e.asid) && (!vmid || !e.vmid || e.vmid === vmid)) || (e.stage === 'S2' && vmid !== undefined && e.vmid === vmid);
    if (!match) continue;
    const k = `${e.inputBase}/${e.sizeLog2}`;
    if (!out.has(k)) out.set(k, { inBase: e.inputBase, sizeLog2: e.sizeLog2, outBase: e.outputBase, source: `TLB #${e.id}` });
  }
  return [...out.values()].sort((a, b) => ((parseHex(a.inBase) ?? 0n) < (parseHex(b.inBase) ?? 0n) ? -1 : 1));
}

function memoryMap(maps: Mapping[], inputName: string): SVGElement | HTMLElement {
  if (!maps.length) return h('p', { class: 'muted' }, 'No translations seen for this stream yet.');
  const shown = maps.slice(0, 40);
  const rowH = 24;
  const w = 700;
  const svg = s('svg', { class: 'memmap', width: w, height: shown.length * rowH + 26, viewBox: `0 0 ${w} ${shown.length * rowH + 26}`, role: 'img', 'aria-label': 'Memory map' });
  svg.appendChild(s('text', { x: 0, y: 14, class: 'muted small strong' }, `Input (${inputName})`));
  svg.appendChild(s('text', { x: 400, y: 14, class: 'muted small strong' }, 'Output (PA)'));
  shown.forEach((m, i) => {
    const y = 22 + i * rowH;
    const g = s('g', { class: 'map-row', transform: `translate(0 ${y})` });
    g.appendChild(s('rect', { x: 0, y: 0, width: 300, height: rowH - 4, rx: 3, class: 'map-in' }));
    g.appendChild(s('text', { x: 8, y: 14, class: 'small mono' }, `${groupHex(m.inBase)} – ${groupHex(rangeEnd(m.inBase, m.sizeLog2))}`));
    g.appendChild(s('line', { x1: 304, y1: (rowH - 4) / 2, x2: 394, y2: (rowH - 4) / 2, class: 'arrow', 'marker-end': 'url(#mm-arrow)' }));
    g.appendChild(s('text', { x: 349, y: (rowH - 4) / 2 - 3, class: 'small muted', 'text-anchor': 'middle' }, sizeName(m.sizeLog2)));
    g.appendChild(s('rect', { x: 400, y: 0, width: 300, height: rowH - 4, rx: 3, class: 'map-out' }));
    g.appendChild(s('text', { x: 408, y: 14, class: 'small mono' }, `${groupHex(m.outBase)} – ${groupHex(rangeEnd(m.outBase, m.sizeLog2))}`));
    g.appendChild(s('title', {}, m.source));
    svg.appendChild(g);
  });
  svg.insertBefore(
    s('defs', {}, s('marker', { id: 'mm-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto' }, s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' }))),
    svg.firstChild,
  );
  const wrap = h('div', { class: 'svg-wrap' }, svg);
  if (maps.length > shown.length) wrap.appendChild(h('p', { class: 'muted' }, `… and ${maps.length - shown.length} more.`));
  return wrap;
}

/** Fields always shown even when 0 (IHI 0070 §5.2 STE, §5.4 CD): the ones that select the translation. */
const KEY_COMMON = ['V', 'Config', 'EATS', 'STRW', 'ASID', 'TTB0', 'T0SZ', 'TG0', 'IPS', 'EPD0', 'EPD1', 'AA64', 'MAIR'];
const KEY_S1 = ['S1Fmt', 'S1ContextPtr', 'S1CDMax'];
const KEY_S2 = ['S2VMID', 'S2T0SZ', 'S2SL0', 'S2TG', 'S2PS', 'S2AA64', 'S2TTB'];

/** Key fields for an STE's Config: stage-1 fields only when stage 1 translates, likewise stage 2. */
function keyFields(config: string): Set<string> {
  const s1 = config === 'S1_TRANS' || config === 'NESTED';
  const s2 = config === 'S2_TRANS' || config === 'NESTED';
  return new Set([...KEY_COMMON, ...(s1 ? KEY_S1 : []), ...(s2 ? KEY_S2 : [])]);
}

/** A field grid of the non-zero and key fields, with the remaining zero fields behind a disclosure. */
function fieldsView(prefix: string, fields: Record<string, string>, config: string): HTMLElement[] {
  const KEY_FIELDS = keyFields(config);
  const all = Object.entries(fields);
  const shown = all.filter(([k, v]) => v !== '0x0' || KEY_FIELDS.has(k));
  const zero = all.filter(([k, v]) => v === '0x0' && !KEY_FIELDS.has(k));
  const g = fieldGrid();
  g.set(shown.map(([k, v]) => [`${prefix}.${k}`, v]));
  const out: HTMLElement[] = [g.el];
  if (zero.length) {
    const z = details(false);
    z.el.classList.add('zero-fields');
    z.set(`${zero.length} more field${zero.length === 1 ? '' : 's'}`, 'all 0');
    const zg = fieldGrid();
    zg.set(zero.map(([k, v]) => [`${prefix}.${k}`, v]));
    z.body.appendChild(zg.el);
    out.push(z.el);
  }
  return out;
}

function raw(words: string[]): HTMLElement {
  return h('div', { class: 'raw mono' }, ...words.map((w, i) => h('span', {}, `[${i}] ${w}`)));
}

function steContent(ste: WireSteView, smmu: WireSmmuState, result: WireScenarioResult | null): HTMLElement[] {
  const out: HTMLElement[] = [];
  if (ste.problem) out.push(h('p', { class: 'problem' }, '⚠ ', ste.problem));
  out.push(h('p', { class: 'muted small' }, `STE at ${groupHex(ste.addr)}`), ...fieldsView('STE', ste.fields, ste.config), raw(ste.raw));
  if (ste.cds.length) {
    out.push(h('h3', {}, `Context descriptors (${ste.cds.length})`));
    for (const cd of ste.cds) {
      const c = details(ste.cds.length <= 2);
      c.set(`SSID ${cd.ssid}`, `ASID ${cd.fields.ASID ?? '—'} · TTB0 ${cd.fields.TTB0 ?? '—'}${cd.problem ? ' · ⚠ problem' : ''}`);
      if (cd.problem) c.body.appendChild(h('p', { class: 'problem' }, '⚠ ', cd.problem));
      c.body.append(h('p', { class: 'muted small' }, `CD at ${groupHex(cd.addr)}`), ...fieldsView('CD', cd.fields, ste.config), raw(cd.raw));
      c.el.classList.add('cd');
      if (cd.problem) c.el.classList.add('has-problem');
      out.push(c.el);
    }
  }
  if (ste.tables.length) {
    out.push(h('h3', {}, 'Page tables'));
    out.push(h('ul', { class: 'tables' }, ...ste.tables.map((t) => h('li', {}, h('span', { class: 'tag' }, `stage ${t.stage}`), ' ', t.name ?? '(unnamed)', ' ', h('span', { class: 'mono muted' }, `@ ${groupHex(t.base)}`)))));
  }
  out.push(h('h3', {}, 'Memory map'), memoryMap(mappingsFor(ste, smmu, result), ste.config === 'S2_TRANS' ? 'IPA' : 'IOVA') as HTMLElement);
  return out;
}

export function streamsPanel(root: HTMLElement, _host: Host): PanelView {
  const summary = h('p', { class: 'muted summary' });
  const list = h('div', { class: 'instances' });
  root.replaceChildren(h('header', { class: 'panel-header' }, h('h1', {}, 'Stream table & context descriptors'), summary), list);
  const secs = new Map<string, ReturnType<typeof section> & { body: HTMLElement; streams: HTMLElement }>();
  const hashes = new WeakMap<Element, string>();
  const items = new WeakMap<Element, ReturnType<typeof details>>();
  return {
    update({ state, result }: Update) {
      const smmus = state?.smmus ?? [];
      const n = smmus.reduce((a, m) => a + m.streams.length, 0);
      const bad = smmus.reduce((a, m) => a + m.streams.filter((x) => x.problem || x.cds.some((c) => c.problem)).length, 0);
      summary.textContent = state ? `${n} stream${n === 1 ? '' : 's'} in use across ${smmus.length} SMMU${smmus.length === 1 ? '' : 's'}${bad ? ` · ${bad} with problems` : ''}` : 'No state.';
      patchKeyed(
        list,
        smmus,
        (m) => m.name,
        (m) => {
          const sec = section(m.name);
          const streams = h('div', { class: 'streams' });
          sec.body.appendChild(streams);
          (sec.el as HTMLElement).dataset.smmu = m.name;
          secs.set(m.name, { ...sec, streams });
          return sec.el;
        },
        (_el, m) => {
          const sec = secs.get(m.name)!;
          sec.setTitle(m.name, `${m.streams.length} STE${m.streams.length === 1 ? '' : 's'}${m.enabled ? '' : ' · SMMUEN=0'}`);
          if (!m.streams.length) {
            replaceChildren(sec.streams, h('p', { class: 'muted' }, 'No stream table entries in use.'));
            return;
          }
          if (sec.streams.querySelector(':scope > p')) sec.streams.replaceChildren();
          patchKeyed(
            sec.streams,
            m.streams,
            (x) => x.sid,
            (x) => {
              const c = details(m.streams.length <= 3);
              c.el.classList.add('ste');
              items.set(c.el, c);
              return c.el;
            },
            (el, x) => {
              items.get(el)?.set(`StreamID ${x.sid} · ${x.config}`, `${x.cds.length} CD${x.cds.length === 1 ? '' : 's'}${x.problem || x.cds.some((c) => c.problem) ? ' · ⚠ problem' : ''}`);
              el.classList.toggle('has-problem', !!(x.problem || x.cds.some((c) => c.problem)));
              const sig = hashString(JSON.stringify([x, m.tlb, result?.steps.filter((st) => st.sid === x.sid).map((st) => st.walks)]));
              if (hashes.get(el) === sig) return;
              hashes.set(el, sig);
              const body = el.querySelector(':scope > .section-body') ?? el.appendChild(h('div', { class: 'section-body' }));
              body.replaceChildren(...steContent(x, m, result));
            },
          );
        },
      );
    },
  };
}
