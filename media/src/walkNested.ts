// Nested walk drawing (STE.Config = 0b111, IHI 0070 §5.2): one row per stage-1 descriptor fetch, across it the
// stage-2 walk that translated that descriptor's IPA, then the stage-1 descriptor itself; a last
// row for the stage-2 walk of the output IPA. A stage-2 fault marks its box and the stage-1 fetch
// it stopped is drawn dashed ("not fetched"). Columns are as wide as their longest line, so no
// address or leaf field is cut; every cell has a tooltip with the whole fetch.
import type { WireWalk, WireWalkStep } from '../../language-server/src/engine/api';
import { s } from './dom';
import { groupHex } from './lib/format';
import { addressBar } from './walkChain';
import { arrow, defs, fieldLines, isFaultStep, label, levelClass, meaningful, PLAIN_STAGES, textWidth, wrap, type StageNames } from './walkSvg';

const LINE_H = 14;
const PX = 11;

interface Cell {
  title: string;
  lines: string[];
  cls: string;
  level?: number;
  tip: string;
  faultLast?: boolean;
}

/** Whole text of one descriptor fetch, for the cell's tooltip. */
function fetchTip(stage: string, table: string | undefined, st: WireWalkStep, extra: string[]): string {
  const at = st.descAddr !== st.descPa ? `IPA ${st.descAddr} → PA ${st.descPa}` : `PA ${st.descPa}`;
  const fields = Object.entries(st.fields).filter(([k]) => !/^(IGNORED|RES0|RES1)/.test(k)).map(([k, v]) => `${k}=${v}`);
  return [
    `${stage}, level ${st.level}${table ? ` (table ${table})` : ''}: ${st.kind}`,
    `table ${st.tableAddr}, index ${st.index} (0x${st.index.toString(16)})`,
    `descriptor at ${at}: ${st.desc}`,
    ...(fields.length ? [fields.join(' ')] : []),
    ...extra,
  ].join('\n');
}

function s2Cell(names: StageNames, s2: WireWalk, st: WireWalkStep, si: number): Cell {
  const faulty = isFaultStep(s2, st, si);
  const f = faulty ? s2.fault : undefined;
  const oa = st.fields.OA ?? st.fields.OutputAddress;
  const last = f ? f.kind : (st.kind === 'page' || st.kind === 'block') && oa ? `${st.kind} → ${groupHex(oa)}` : st.kind;
  return {
    title: `S2 L${st.level}`,
    lines: [`idx ${st.index} @ ${groupHex(st.descPa)}`, groupHex(st.desc), last],
    cls: `s2 kind-${st.kind}${faulty ? ' fault' : ''}`,
    level: st.level,
    tip: fetchTip(names.s2, s2.table, st, f ? [`${f.kind}: ${f.reason}`] : []),
    faultLast: faulty,
  };
}

function s1Cell(names: StageNames, s1: WireWalk, st: WireWalkStep, i: number, chipWidth: number): Cell {
  const stopped = st.s2Walk?.fault;
  const faulty = isFaultStep(s1, st, i);
  const tip = fetchTip(names.s1, s1.table, st, stopped ? [`not fetched: ${names.s2.toLowerCase()} ${stopped.kind} at IPA ${st.descAddr}`] : faulty && s1.fault ? [`${s1.fault.kind}: ${s1.fault.reason}`] : []);
  if (stopped) {
    return { title: `S1 L${st.level} · skipped`, lines: ['not fetched:', `stage 2 ${stopped.kind}`, `at IPA ${groupHex(st.descAddr)}`], cls: `s1 kind-${st.kind} skipped`, level: st.level, tip };
  }
  const head = [`idx ${st.index} @ PA ${groupHex(st.descPa)}`, groupHex(st.desc)];
  let rest: string[];
  if (faulty && s1.fault) rest = [s1.fault.kind];
  else if (st.kind === 'table') rest = [`next table IPA ${groupHex(st.fields.NLTA ?? st.fields.NextLevelTableAddr ?? '—')}`];
  else if (st.kind === 'page' || st.kind === 'block') {
    const oa = st.fields.OA ?? st.fields.OutputAddress;
    const others = Object.fromEntries(meaningful(st.fields).filter(([k]) => k !== 'OA' && k !== 'OutputAddress'));
    rest = [...(oa ? [`OA ${groupHex(oa)} (IPA)`] : []), ...fieldLines(others, chipWidth)];
  } else rest = [st.kind];
  return { title: `S1 L${st.level} · ${st.kind}`, lines: [...head, ...rest], cls: `s1 kind-${st.kind}${faulty ? ' fault' : ''}`, level: st.level, tip, faultLast: faulty };
}

function drawCell(c: Cell, x: number, y: number, w: number, hgt: number): SVGElement {
  const g = s('g', { class: `box cell ${c.cls}`, transform: `translate(${x} ${y})`, 'data-level': c.level ?? '' });
  g.appendChild(s('title', {}, c.tip));
  g.appendChild(s('rect', { x: 0, y: 0, width: w, height: hgt, rx: 4, class: 'box-bg' }));
  g.appendChild(s('rect', { x: 0, y: 0, width: 4, height: hgt, class: `stripe ${levelClass(c.level)}` }));
  g.appendChild(label(10, 16, c.title, 'small strong'));
  c.lines.forEach((l, i) => g.appendChild(label(10, 32 + i * LINE_H, l, i === c.lines.length - 1 && c.faultLast ? 'small fault-text strong' : 'small mono')));
  return g;
}

const cellWidth = (c: Cell, min: number): number => Math.ceil(Math.max(min, textWidth(c.title, PX) + 20, ...c.lines.map((l) => textWidth(l, PX) + 20)));
const cellHeight = (c: Cell): number => 26 + c.lines.length * LINE_H;

export function nestedSvg(s1: WireWalk, finalS2: WireWalk | undefined, width: number, names: StageNames = PLAIN_STAGES): SVGElement {
  type Row = { head: string; sub: string; s2?: WireWalk; s1Step?: WireWalkStep; s1Index: number };
  const rows: Row[] = s1.steps.map((st, i) => ({ head: `S1 L${st.level}`, sub: `IPA ${groupHex(st.descAddr)}`, s2: st.s2Walk, s1Step: st, s1Index: i }));
  if (finalS2) rows.push({ head: 'Output', sub: `IPA ${groupHex(finalS2.inputAddr)}`, s2: finalS2, s1Index: -1 });
  const s2Levels = [...new Set(rows.flatMap((r) => r.s2?.steps.map((x) => x.level) ?? []))].sort((a, b) => a - b);
  // Cells first, so that every column is as wide as its widest cell.
  const chipWidth = 190;
  const grid = rows.map((r) => ({
    s2: s2Levels.map((lv) => {
      const si = r.s2 ? r.s2.steps.findIndex((x) => x.level === lv) : -1;
      return r.s2 && si >= 0 ? s2Cell(names, r.s2, r.s2.steps[si], si) : undefined;
    }),
    s1: r.s1Step ? s1Cell(names, s1, r.s1Step, r.s1Index, chipWidth) : r.s2?.outputAddr ? ({ title: 'Output PA', lines: [groupHex(r.s2.outputAddr)], cls: 'kind-result', tip: `Output PA ${r.s2.outputAddr}` } as Cell) : undefined,
  }));
  const headW = Math.ceil(Math.max(96, ...rows.map((r) => textWidth(r.sub, PX) + 14)));
  const colW = s2Levels.map((_, c) => Math.max(140, ...grid.map((g) => (g.s2[c] ? cellWidth(g.s2[c]!, 140) : 0))));
  const s1W = Math.max(190, ...grid.map((g) => (g.s1 ? cellWidth(g.s1, 190) : 0)));
  const rowH = grid.map((g) => Math.max(76, ...g.s2.map((c) => (c ? cellHeight(c) : 0)), g.s1 ? cellHeight(g.s1) : 0));
  const gapX = 16;
  const gapY = 26;
  const colX = colW.map((_, c) => headW + colW.slice(0, c).reduce((a, b) => a + b + gapX, 0));
  const sx = headW + colW.reduce((a, b) => a + b + gapX, 0);
  const gridW = sx + s1W;
  const w = Math.max(width, gridW + 10);
  const svg = s('svg', { class: 'walk-svg nested', width: w, role: 'img', 'aria-label': `Nested walk of ${s1.inputAddr}: ${names.s1.toLowerCase()} × ${names.s2.toLowerCase()}` });
  svg.appendChild(defs());
  const bar = addressBar(s1, Math.min(w, 760), 0);
  svg.appendChild(bar.g);
  let y = bar.height + 16;
  const tableOf = (wk: WireWalk | undefined) => (wk?.table ? ` (${wk.table})` : '');
  s2Levels.forEach((lv, c) => svg.appendChild(label(colX[c] + colW[c] / 2, y, `${names.s2}${c === 0 ? tableOf(finalS2 ?? rows.find((r) => r.s2)?.s2) : ''} · level ${lv}`, 'muted small strong', undefined, 'middle')));
  svg.appendChild(label(sx + s1W / 2, y, `${names.s1} descriptor${tableOf(s1)}`, 'muted small strong', undefined, 'middle'));
  y += 10;
  let top = y;
  rows.forEach((r, ri) => {
    const hgt = rowH[ri];
    const mid = top + Math.min(hgt, 76) / 2;
    svg.appendChild(label(0, top + 18, r.head, 'strong'));
    svg.appendChild(label(0, top + 34, r.sub, 'small mono'));
    let prevRight = headW - 14;
    grid[ri].s2.forEach((c, ci) => {
      if (!c) return;
      svg.appendChild(arrow(prevRight, mid, colX[ci] - 2, mid));
      svg.appendChild(drawCell(c, colX[ci], top, colW[ci], hgt));
      prevRight = colX[ci] + colW[ci];
    });
    const c1 = grid[ri].s1;
    if (c1) {
      const stopped = !!r.s1Step?.s2Walk?.fault;
      svg.appendChild(arrow(prevRight, mid, sx - 2, mid, stopped ? 'arrow broken' : 'arrow'));
      svg.appendChild(drawCell(c1, sx, top, s1W, hgt));
      if (r.s1Step && ri < rows.length - 1 && !stopped) svg.appendChild(arrow(sx + s1W / 2, top + hgt, sx + s1W / 2, top + hgt + gapY - 2));
    }
    top += hgt + gapY;
  });
  y = top;
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
