// Nested walk drawing (STE.Config = 0b111, IHI 0070 §5.2): one row per stage-1 descriptor fetch, across it the
// stage-2 walk that translated that descriptor's IPA, then the stage-1 descriptor itself; a last
// row for the stage-2 walk of the output IPA. A stage-2 fault marks its box and the stage-1 fetch
// it stopped is drawn dashed ("not fetched").
import type { WireWalk, WireWalkStep } from '../../language-server/src/engine/api';
import { s } from './dom';
import { groupHex } from './lib/format';
import { addressBar } from './walkChain';
import { arrow, defs, isFaultStep, label, levelClass, meaningful, wrap } from './walkSvg';

function cellBox(title: string, lines: string[], x: number, y: number, w: number, hgt: number, cls: string, level?: number, tip?: string): SVGElement {
  const g = s('g', { class: `box cell ${cls}`, transform: `translate(${x} ${y})`, 'data-level': level ?? '' });
  g.appendChild(s('rect', { x: 0, y: 0, width: w, height: hgt, rx: 4, class: 'box-bg' }));
  g.appendChild(s('rect', { x: 0, y: 0, width: 4, height: hgt, class: `stripe ${levelClass(level)}` }));
  g.appendChild(label(10, 16, title, 'small strong', w - 14));
  lines.forEach((l, i) => g.appendChild(label(10, 32 + i * 14, l, i === lines.length - 1 && cls.includes('fault') ? 'small fault-text strong' : 'small mono', w - 14)));
  if (tip) g.appendChild(s('title', {}, tip));
  return g;
}

export function nestedSvg(s1: WireWalk, finalS2: WireWalk | undefined, width: number): SVGElement {
  const rowsSrc: Array<{ head: string; sub: string; s2?: WireWalk; s1Step?: WireWalkStep; s1Index: number }> = s1.steps.map((st, i) => ({
    head: `S1 L${st.level}`,
    sub: `IPA ${groupHex(st.descAddr)}`,
    s2: st.s2Walk,
    s1Step: st,
    s1Index: i,
  }));
  if (finalS2) rowsSrc.push({ head: 'Output', sub: `IPA ${groupHex(finalS2.inputAddr)}`, s2: finalS2, s1Index: -1 });
  const s2Levels = [...new Set(rowsSrc.flatMap((r) => r.s2?.steps.map((x) => x.level) ?? []))].sort((a, b) => a - b);
  const headW = 128;
  const cellW = 146;
  const s1W = 204;
  const cellH = 76;
  const gapX = 20;
  const gapY = 26;
  const gridW = headW + s2Levels.length * (cellW + gapX) + s1W;
  const w = Math.max(width, gridW + 10);
  const svg = s('svg', { class: 'walk-svg nested', width: w, role: 'img', 'aria-label': `Nested walk of ${s1.inputAddr}` });
  svg.appendChild(defs());
  const bar = addressBar(s1, Math.min(w, 760), 0);
  svg.appendChild(bar.g);
  let y = bar.height + 16;
  // Column headings.
  s2Levels.forEach((lv, c) => svg.appendChild(label(headW + c * (cellW + gapX) + cellW / 2, y, `Stage 2 · level ${lv}`, 'muted small strong', cellW, 'middle')));
  svg.appendChild(label(headW + s2Levels.length * (cellW + gapX) + s1W / 2, y, 'Stage 1 descriptor', 'muted small strong', s1W, 'middle'));
  y += 10;
  rowsSrc.forEach((r, ri) => {
    const top = y + ri * (cellH + gapY);
    svg.appendChild(label(0, top + 18, r.head, 'strong'));
    svg.appendChild(label(0, top + 34, r.sub, 'small mono', headW - 8));
    let prevRight = headW - 14;
    const s2 = r.s2;
    s2Levels.forEach((lv, c) => {
      const si = s2 ? s2.steps.findIndex((x) => x.level === lv) : -1;
      if (!s2 || si < 0) return;
      const st = s2.steps[si];
      const x = headW + c * (cellW + gapX);
      const faulty = isFaultStep(s2, st, si);
      svg.appendChild(arrow(prevRight, top + cellH / 2, x - 2, top + cellH / 2));
      const lines = [`idx ${st.index}  @ ${groupHex(st.descPa)}`, groupHex(st.desc), faulty && s2.fault ? s2.fault.kind : st.kind];
      svg.appendChild(cellBox(`S2 L${st.level}`, lines, x, top, cellW, cellH, `s2 kind-${st.kind}${faulty ? ' fault' : ''}`, st.level, `${s2.fault && faulty ? `${s2.fault.kind}: ${s2.fault.reason}\n` : ''}${Object.entries(st.fields).map(([k, v]) => `${k}=${v}`).join(' ')}`));
      prevRight = x + cellW;
    });
    const sx = headW + s2Levels.length * (cellW + gapX);
    if (r.s1Step) {
      const st = r.s1Step;
      const stopped = !!st.s2Walk?.fault;
      const faulty = isFaultStep(s1, st, r.s1Index);
      svg.appendChild(arrow(prevRight, top + cellH / 2, sx - 2, top + cellH / 2, stopped ? 'arrow broken' : 'arrow'));
      const lines = stopped
        ? ['not fetched:', `stage 2 ${st.s2Walk!.fault!.kind}`, 'at IPA ' + groupHex(st.descAddr)]
        : [`idx ${st.index}  @ PA ${groupHex(st.descPa)}`, groupHex(st.desc), faulty && s1.fault ? s1.fault.kind : meaningful(st.fields).slice(0, 3).map(([k, v]) => `${k}=${v}`).join(' ') || st.kind];
      svg.appendChild(cellBox(`S1 L${st.level} · ${stopped ? 'skipped' : st.kind}`, lines, sx, top, s1W, cellH, `s1 kind-${st.kind}${faulty ? ' fault' : ''}${stopped ? ' skipped' : ''}`, st.level));
      if (ri < rowsSrc.length - 1 && !stopped) svg.appendChild(arrow(sx + s1W / 2, top + cellH, sx + s1W / 2, top + cellH + gapY - 2));
    } else if (r.s2?.outputAddr) {
      svg.appendChild(arrow(prevRight, top + cellH / 2, sx - 2, top + cellH / 2));
      svg.appendChild(cellBox('PA', [groupHex(r.s2.outputAddr)], sx, top, s1W, cellH, 'kind-result'));
    }
  });
  y += rowsSrc.length * (cellH + gapY);
  const f = s1.fault ?? finalS2?.fault;
  if (f) {
    const lines = wrap(`✕ ${f.kind} (stage ${f.stage}, level ${f.level}, CLASS=${f.class}${f.ipa ? `, IPA ${f.ipa}` : ''}): ${f.reason}`, w - 10, 12);
    lines.forEach((l, i) => svg.appendChild(label(0, y + 4 + i * 16, l, 'fault-text strong')));
    y += lines.length * 16 + 10;
  } else if (finalS2?.outputAddr) {
    svg.appendChild(label(0, y + 4, `Output PA ${groupHex(finalS2.outputAddr)}`, 'strong mono'));
    y += 20;
  }
  svg.setAttribute('height', String(y));
  svg.setAttribute('viewBox', `0 0 ${w} ${y}`);
  return svg;
}
