// The comparison as the editor shows it: one row per DMA that differs or cannot be compared, with
// its place in the scenario, a severity (information: known departure or not comparable; warning:
// unexplained) and a one-line message. Pure: used by the language server and the Events panel.

import { sideText } from './compare';
import type { QemuReport, QemuRow, QemuSummary } from './report';

export type { QemuRow, QemuSummary } from './report';

const CODES = { known: 'QEMU_KNOWN_DEPARTURE', unexplained: 'QEMU_UNEXPLAINED', 'not comparable': 'QEMU_NOT_COMPARABLE' } as const;

export function summarizeQemu(r: QemuReport, rangeOf: (step: number) => { line: number; col: number; endLine: number; endCol: number }): QemuSummary {
  const n = (s: string) => r.dmas.filter((d) => d.status === s).length;
  const rows: QemuRow[] = [];
  for (const d of r.dmas) {
    if (d.status === 'same') continue;
    const head = `QEMU ${r.qemu?.version ?? ''}: DMA sid ${d.sid} iova ${d.iova}`;
    const message = d.status === 'not comparable' ? `${head}: not comparable: ${d.reason ?? ''}`
      : `${head}: ${d.status === 'known' ? 'known QEMU departure' : 'UNEXPLAINED difference'} (${d.fields!.join(', ')}). Model: ${sideText(d.model!)}. QEMU: ${sideText(d.qemu!)}.` +
        (d.departures ?? []).map((k) => ` ${k.id} (${k.spec}): ${k.text}`).join('');
    rows.push({ ...rangeOf(d.step), sid: d.sid, iova: d.iova, status: d.status, severity: d.status === 'unexplained' ? 'warning' : 'information', code: CODES[d.status], message });
  }
  const q = r.qemu;
  return {
    title: q ? `QEMU ${q.version} (-M ${q.machine}${q.stage ? `, arm-smmuv3.stage=${q.stage}` : ''})` : 'QEMU',
    ...(r.cannotRun ? { cannotRun: r.cannotRunDeparture ? `${r.cannotRun} (known departure ${r.cannotRunDeparture.id}: ${r.cannotRunDeparture.text})` : r.cannotRun } : {}),
    counts: { same: n('same'), known: n('known'), unexplained: n('unexplained'), notComparable: n('not comparable') },
    rows,
  };
}
