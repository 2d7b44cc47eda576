// The decoded-log panel (IOMMU Lens: Decode Log): one item per record found in the log, with its
// input lines (choosing them reveals them in the log), what it is, its likely cause / CERROR
// reason / configuration, its illegal fields and every field; then the lines not recognised.
// "Open as Scenario" asks the extension for the starting .smmu. Every string is a text node.
import { setFields, type WireLogRecord, type WireLogResult } from '../../language-server/src/model/logs/wire';
import { h } from './dom';
import type { Host } from './panel';
import { details, fieldGrid, section } from './widgets';

const lines = (r: { line: number; endLine: number }): string => (r.endLine > r.line ? `lines ${r.line}–${r.endLine}` : `line ${r.line}`);

function item(r: WireLogRecord, reveal: (line: number) => void, open: boolean): HTMLElement {
  const d = details(open);
  const who = [r.device, r.sid !== undefined ? `sid ${r.sid}` : '', r.ssid !== undefined ? `ssid ${r.ssid}` : ''].filter(Boolean).join(' ');
  d.set(`${r.name}`, `${r.kind} · ${lines(r)}${who ? ` · ${who}` : ''}`);
  d.el.classList.add('log-record', `log-${r.kind}`);
  const go = h('a', { href: '#', class: 'log-lines' }, lines(r));
  go.addEventListener('click', (e) => {
    e.preventDefault();
    reveal(r.line);
  });
  const say = (label: string, text: string | undefined, cls = ''): HTMLElement | false =>
    !!text && h('p', { class: `log-${label.replace(/\W+/g, '-')} ${cls}`.trim() }, h('strong', {}, `${label}: `), text);
  d.body.append(
    h('p', { class: 'log-meaning' }, go, ` — ${r.meaning}`),
    ...[say('likely cause', r.cause), say('error', r.error, 'problem'), say('configuration', r.config)].filter((x): x is HTMLElement => !!x),
  );
  if (r.issues.length) d.body.append(h('ul', { class: 'log-issues problem' }, ...r.issues.map((i) => h('li', {}, i))));
  if (r.fields.length) {
    const g = fieldGrid();
    const set = setFields(r.fields);
    g.set(set.map((f) => [
      `${f.name} ${f.bits}`, `${f.value}${f.valueName ? ` ${f.valueName}` : ''}${f.meaning ? `: ${f.meaning}` : ''}`,
    ] as [string, string]));
    d.body.append(g.el);
    if (set.length < r.fields.length) d.body.append(h('p', { class: 'muted' }, `${r.fields.length - set.length} fields are zero`));
  }
  if (r.raw) d.body.append(h('p', { class: 'log-raw mono muted' }, r.raw.join(' ')));
  if (r.facts.length) d.body.append(h('p', { class: 'log-facts muted' }, `log: ${r.facts.map(([k, v]) => `${k}=${v}`).join('  ')}`));
  return d.el;
}

/** The decode panel view: `show` renders one decoded log. */
export function decodePanel(root: HTMLElement, host: Host): { show(source: string, log: WireLogResult): void } {
  const reveal = (line: number): void => host.post({ type: 'reveal', line });
  return {
    show(source, log) {
      const open = h('button', { class: 'action', id: 'open-scenario', type: 'button' }, 'Open as Scenario');
      open.addEventListener('click', () => host.post({ type: 'openScenario' }));
      const head = h('div', { class: 'log-head' },
        h('span', { class: 'log-summary' }, `${source}: ${log.records.length} record${log.records.length === 1 ? '' : 's'} decoded, ` +
          `${log.unrecognised.length} line${log.unrecognised.length === 1 ? '' : 's'} not recognised (of ${log.lines})`), open);
      const recs = section(`Records (${log.records.length})`);
      if (!log.records.length) recs.body.append(h('p', { class: 'empty' }, 'No arm-smmu-v3 message, QEMU smmu trace line or STE/CD dump found.'));
      log.records.forEach((r, i) => recs.body.append(item(r, reveal, i < 20)));
      const un = section(`Not recognised (${log.unrecognised.length})`, log.records.length === 0);
      for (const u of log.unrecognised.slice(0, 2000)) {
        const a = h('a', { href: '#', class: 'log-lines' }, `line ${u.line}`);
        a.addEventListener('click', (e) => {
          e.preventDefault();
          reveal(u.line);
        });
        un.body.append(h('p', { class: 'log-unrecognised' }, a, `: ${u.reason}: `, h('span', { class: 'mono muted' }, u.text)));
      }
      root.replaceChildren(head, recs.el, un.el);
    },
  };
}
