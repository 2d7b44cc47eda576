// Event queue and hazards panel: a timeline of the run's steps with faults and hazards marked
// (choosing one reveals its line in the editor), the hazards with their fixes, and each SMMU's
// event queue decoded (IHI 0070 §7.3 field names).
import type { WireEvent, WireHazard, WireStep } from '../../language-server/src/engine/api';
import { DataTable } from './datatable';
import { h, patchKeyed, replaceChildren, s, setText } from './dom';
import type { Host, PanelView, Update } from './panel';
import { section } from './widgets';
import { qemuSection } from './qemu';

const STEP_COLUMNS = [
  { label: '#', width: '5%' },
  { label: 'Line', width: '6%' },
  { label: 'Kind', width: '8%' },
  { label: 'Step', width: '43%' },
  { label: 'Outcome', width: '9%' },
  { label: 'Events', width: '14%' },
  { label: 'Hazards', width: '15%' },
];

const EVENT_COLUMNS = [
  { label: 'Type', width: '14%' },
  { label: 'Code', width: '5%', mono: true },
  { label: 'StreamID', width: '7%', mono: true },
  { label: 'SSID', width: '5%', mono: true },
  { label: 'InputAddr', width: '14%', mono: true },
  { label: 'IPA', width: '12%', mono: true },
  { label: 'CLASS', width: '6%' },
  { label: 'S2', width: '4%' },
  { label: 'RnW', width: '5%' },
  { label: 'PnU', width: '5%' },
  { label: 'InD', width: '5%' },
  { label: 'Stall', width: '5%' },
  { label: 'Other fields', width: '13%', mono: true },
];

const flag = (b: boolean | undefined): string => (b === undefined ? '—' : b ? '1' : '0');

function eventCells(e: WireEvent): string[] {
  return [
    e.type, e.code, e.sid, e.ssv ? e.ssid ?? '—' : '—', e.inputAddr ?? '—', e.ipa ?? '—', e.class ?? '—',
    flag(e.s2), flag(e.rnw), flag(e.pnu), flag(e.ind), e.stall ? `1 (STAG ${e.stag ?? '?'})` : flag(e.stall),
    Object.entries(e.fields).map(([k, v]) => `${k}=${v}`).join(' '),
  ];
}

function stepClass(st: WireStep): string {
  if (st.hazards.some((x) => x.severity === 'error') || st.outcome === 'fault' || st.expectation?.passed === false) return 'bad';
  if (st.hazards.length || st.outcome === 'stalled') return 'warn';
  if (st.outcome === 'ok' || st.expectation?.passed) return 'good';
  return 'plain';
}

/** The timeline strip: one mark per step; faults red, hazards amber triangles, the current step ringed. */
function timeline(steps: WireStep[], current: number, width: number, reveal: (line: number) => void): SVGElement {
  const n = steps.length;
  const pitch = n > 1 ? Math.max(8, Math.min(64, (width - 32) / (n - 1))) : 28;
  const w = Math.max(240, 32 + (n - 1) * pitch);
  const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(width / 44))));
  const svg = s('svg', { class: 'timeline', width: w, height: 62, viewBox: `0 0 ${w} 62`, role: 'list', 'aria-label': 'Steps' });
  svg.appendChild(s('line', { x1: 8, y1: 26, x2: w - 8, y2: 26, class: 'axis' }));
  steps.forEach((st, i) => {
    const x = 16 + i * pitch;
    const cls = stepClass(st);
    const g = s('g', { class: `tick ${cls}${st.index === current ? ' current' : ''}`, role: 'listitem', tabindex: 0, 'data-index': st.index, 'data-line': st.line });
    g.appendChild(s('title', {}, `Step ${st.index + 1} · line ${st.line}: ${st.label}${st.outcome ? ` (${st.outcome})` : ''}${st.hazards.length ? `\n${st.hazards.map((x) => x.code).join(', ')}` : ''}`));
    if (st.index === current) g.appendChild(s('circle', { cx: x, cy: 26, r: 9, class: 'ring' }));
    g.appendChild(s('circle', { cx: x, cy: 26, r: st.outcome || st.events.length ? 5 : 3, class: 'dot' }));
    if (st.hazards.length) g.appendChild(s('path', { d: `M${x - 5},${12} L${x + 5},${12} L${x},${4} z`, class: 'hazard-mark' }));
    if (st.events.length) g.appendChild(s('rect', { x: x - 3, y: 38, width: 6, height: 6, class: 'event-mark' }));
    if (i % every === 0 || st.index === current) g.appendChild(s('text', { x, y: 58, 'text-anchor': 'middle', class: 'tick-label' }, String(st.index + 1)));
    const go = (): void => reveal(st.line);
    g.addEventListener('click', go);
    g.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'Enter') go();
    });
    svg.appendChild(g);
  });
  return svg;
}

function hazardItem(hz: WireHazard, reveal: (line: number) => void): HTMLElement {
  const link = (line: number, text: string): HTMLElement => {
    const a = h('a', { href: '#', class: 'line-link' }, text);
    a.addEventListener('click', (e) => {
      e.preventDefault();
      reveal(line);
    });
    return a;
  };
  return h(
    'li',
    { class: `hazard sev-${hz.severity}` },
    h('div', { class: 'hazard-head' }, h('vscode-badge', { class: `sev sev-${hz.severity}` }, hz.code), ' ', link(hz.line, `line ${hz.line}`)),
    h('div', { class: 'hazard-msg' }, hz.message),
    hz.fix ? h('div', { class: 'hazard-fix' }, h('span', { class: 'muted' }, 'Fix: '), hz.fix) : null,
    hz.related.length ? h('ul', { class: 'related' }, ...hz.related.map((r) => h('li', {}, link(r.line, `line ${r.line}`), ' ', r.message))) : null,
  );
}

export function eventsPanel(root: HTMLElement, host: Host): PanelView {
  const reveal = (line: number): void => host.post({ type: 'reveal', line });
  const summary = h('p', { class: 'muted summary' });
  const tl = h('div', { class: 'timeline-wrap' });
  let stepsByKey = new Map<string, WireStep>();
  const stepTable = new DataTable(STEP_COLUMNS, { empty: 'No steps.', onRowClick: (k) => { const st = stepsByKey.get(k); if (st) reveal(st.line); } });
  const hazardList = h('ul', { class: 'hazards' });
  const hzSec = section('Hazards');
  hzSec.body.appendChild(hazardList);
  const stepSec = section('Steps');
  stepSec.body.appendChild(stepTable.el);
  const queues = h('div', { class: 'queues' });
  const qSecs = new Map<string, { el: HTMLElement; table: DataTable; setTitle(t: string, d?: string): void }>();
  const legend = h(
    'div',
    { class: 'legend' },
    ...([['good', '●', 'ok'], ['bad', '●', 'fault / failed'], ['warn', '●', 'hazard / stalled'], ['plain', '●', 'other step'], ['hazard', '▲', 'hazard'], ['event', '■', 'event recorded']] as const).map(([c, g, t]) =>
      h('span', {}, h('span', { class: `sw sw-${c}`, 'aria-hidden': 'true' }, g), t),
    ),
  );
  const qemu = qemuSection(reveal);
  root.replaceChildren(h('header', { class: 'panel-header' }, h('h1', {}, 'Events & hazards'), summary), tl, legend, qemu.el, hzSec.el, queues, stepSec.el);
  let lastTl = '';
  return {
    update({ state, result, qemu: q }: Update) {
      qemu.update(q);
      const steps = result?.steps ?? [];
      const current = state?.stepIndex ?? -1;
      stepsByKey = new Map(steps.map((st) => [String(st.index), st]));
      const hazards = steps.flatMap((st) => st.hazards);
      const faults = steps.filter((st) => st.outcome === 'fault').length;
      const exp = result?.expectations;
      setText(summary, result ? `${steps.length} steps · ${faults} faulted · ${hazards.length} hazard${hazards.length === 1 ? '' : 's'}${exp ? ` · expectations ${exp.passed} passed, ${exp.failed} failed` : ''}${result.partial ? ' · partial analysis' : ''}` : 'No result.');
      const sig = JSON.stringify(steps.map((st) => [st.index, st.line, st.label, st.outcome, st.hazards.length, st.events.length])) + current + ':' + tl.clientWidth;
      if (sig !== lastTl) {
        lastTl = sig;
        replaceChildren(tl, timeline(steps, current, tl.clientWidth || 800, reveal));
      }
      stepTable.setRows(
        steps.map((st) => ({
          key: String(st.index),
          classes: [stepClass(st), ...(st.hazards.length ? ['has-hazard'] : []), ...(st.index === current ? ['current'] : [])],
          cells: [String(st.index + 1), String(st.line), st.kind, st.label, st.outcome ?? (st.expectation ? (st.expectation.passed ? 'passed' : 'FAILED') : ''), st.events.map((e) => e.type).join(', '), st.hazards.map((x) => x.code).join(', ')],
          title: st.expectation?.message,
        })),
      );
      hzSec.setTitle('Hazards', `${hazards.length}`);
      if (!hazards.length) replaceChildren(hazardList, h('li', { class: 'muted' }, 'No hazards found.'));
      else
        patchKeyed(
          hazardList,
          hazards.map((hz, i) => ({ hz, key: `${i}:${hz.code}:${hz.line}:${hz.message}` })),
          (x) => x.key,
          (x) => hazardItem(x.hz, reveal),
          () => undefined,
        );
      const smmus = state?.smmus ?? [];
      patchKeyed(
        queues,
        smmus,
        (m) => m.name,
        (m) => {
          const sec = section(`${m.name} event queue`);
          const table = new DataTable(EVENT_COLUMNS, { empty: 'Event queue empty.' });
          sec.body.appendChild(table.el);
          (sec.el as HTMLElement).dataset.smmu = m.name;
          qSecs.set(m.name, { el: sec.el, table, setTitle: sec.setTitle });
          return sec.el;
        },
        (_el, m) => {
          const q = qSecs.get(m.name)!;
          q.setTitle(`${m.name} event queue`, `${m.eventQueue.length} record${m.eventQueue.length === 1 ? '' : 's'}${m.stalled.length ? ` · ${m.stalled.length} stalled` : ''}`);
          q.table.setRows(m.eventQueue.map((e, i) => ({ key: `${i}:${e.raw.join(',')}`, cells: eventCells(e), classes: ['event'], title: `raw: ${e.raw.join(' ')}` })));
        },
      );
    },
  };
}
