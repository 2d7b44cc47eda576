// The Events panel's "Compared with QEMU" section: the DMAs where QEMU's SMMUv3 and the model
// disagree (known departure or unexplained) or that QEMU cannot run, each revealing its line.
import type { QemuRow, QemuSummary } from '../../language-server/src/qemu/report';
import { h, patchKeyed, replaceChildren, setText } from './dom';
import { section } from './widgets';

const STATUS: Record<QemuRow['status'], string> = { known: 'known departure', unexplained: 'UNEXPLAINED', 'not comparable': 'not comparable' };

function row(r: QemuRow, reveal: (line: number) => void): HTMLElement {
  const link = h('a', { href: '#', class: 'line-link' }, `line ${r.line}`);
  link.addEventListener('click', (e) => { e.preventDefault(); reveal(r.line); });
  return h(
    'li',
    { class: `hazard qemu-row sev-${r.severity}`, 'data-status': r.status },
    h('div', { class: 'hazard-head' }, h('vscode-badge', { class: `sev sev-${r.severity}` }, STATUS[r.status]), ' ', link, ` · sid ${r.sid} iova ${r.iova}`),
    h('div', { class: 'hazard-msg' }, r.message),
  );
}

export function qemuSection(reveal: (line: number) => void): { el: HTMLElement; update(q: QemuSummary | undefined): void } {
  const sec = section('Compared with QEMU');
  const head = h('p', { class: 'muted' });
  const list = h('ul', { class: 'hazards qemu' });
  sec.body.append(head, list);
  const el = sec.el as HTMLElement;
  el.hidden = true;
  return {
    el,
    update(q) {
      el.hidden = !q;
      if (!q) return;
      const c = q.counts;
      sec.setTitle('Compared with QEMU', q.cannotRun ? 'not run' : `${c.unexplained} unexplained · ${c.known} known · ${c.notComparable} not comparable`);
      setText(head, q.cannotRun ? `${q.title}: cannot run: ${q.cannotRun}` : `${q.title}: ${c.same} DMA${c.same === 1 ? '' : 's'} the same, ${c.known} known QEMU departure${c.known === 1 ? '' : 's'}, ${c.unexplained} unexplained, ${c.notComparable} not comparable.`);
      if (!q.rows.length) replaceChildren(list, h('li', { class: 'muted' }, q.cannotRun ? '' : 'No differences.'));
      else patchKeyed(list, q.rows, (r) => `${r.line}:${r.code}:${r.message}`, (r) => row(r, reveal), () => undefined);
    },
  };
}
