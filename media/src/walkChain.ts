// One-stage walk drawing: the address split bar, one box per descriptor fetch (table address,
// index, descriptor address and value, decoded fields) with arrows between levels, then the output
// address and leaf permissions, or the fault (red border, fault name, reason).
import type { WireWalk, WireWalkStep } from '../../language-server/src/engine/api';
import { s } from './dom';
import { splitAddress, type GranuleKb } from './lib/addressSplit';
import { bitRange, groupHex, parseHex } from './lib/format';
import { leafPerms } from './lib/perms';
import { arrow, defs, fieldLines, isFaultStep, label, levelClass, LINE, PAD, textWidth, wrap, type StageNames } from './walkSvg';

// ---- address split bar -------------------------------------------------------------------

export function addressBar(walk: WireWalk, width: number, y0: number): { g: SVGElement; height: number } {
  const addr = parseHex(walk.inputAddr) ?? 0n;
  const last = walk.steps.length ? walk.steps[walk.steps.length - 1] : undefined;
  const endLevel = last && last.kind === 'block' && last.stage === walk.stage ? last.level : 3;
  const fields = splitAddress(addr, walk.granule as GranuleKb, walk.inputSize, walk.startLevel, Math.max(endLevel, walk.startLevel));
  const weights = fields.map((f) => Math.max(f.hi - f.lo + 1, 7));
  const total = weights.reduce((a, b) => a + b, 0);
  const g = s('g', { class: 'addr-bar', transform: `translate(0 ${y0})` });
  g.appendChild(label(0, 14, `${walk.stage === 1 ? 'Input address' : 'IPA'} ${groupHex(walk.inputAddr)}`, 'addr-title'));
  g.appendChild(label(width, 14, `${walk.granule}K granule · ${walk.inputSize}-bit input · start level ${walk.startLevel}`, 'muted small', undefined, 'end'));
  let x = 0;
  fields.forEach((f, i) => {
    const w = (weights[i] / total) * width;
    const cls = levelClass(f.kind === 'index' ? f.level : undefined);
    const name = f.kind === 'index' ? `L${f.level} index` : 'offset';
    const seg = s('g', { class: `field ${cls}`, 'data-field': name });
    seg.appendChild(s('rect', { x: x + 1, y: 24, width: w - 2, height: 46, rx: 3, class: 'field-bg' }));
    seg.appendChild(label(x + w / 2, 39, bitRange(f.hi, f.lo), 'small strong', w - 6, 'middle'));
    seg.appendChild(label(x + w / 2, 53, name, 'small', w - 6, 'middle'));
    seg.appendChild(label(x + w / 2, 66, f.kind === 'index' ? `${f.value} (0x${f.value.toString(16)})` : `0x${f.value.toString(16)}`, 'small mono', w - 6, 'middle'));
    g.appendChild(seg);
    x += w;
  });
  return { g, height: 80 };
}

// ---- one-stage chain ------------------------------------------------------------------------

interface BoxSpec {
  title: string;
  badge: string;
  rows: Array<[string, string]>;
  chips: Record<string, string>;
  level?: number;
  fault?: string;
  kindCls: string;
}

export function stepBox(walk: WireWalk, st: WireWalkStep, i: number, stageName = `Stage ${st.stage}`): BoxSpec {
  const rows: Array<[string, string]> = [
    ['table', groupHex(st.tableAddr)],
    ['index', `${st.index} (0x${st.index.toString(16)})`],
    ['descriptor at', st.descAddr !== st.descPa ? `${groupHex(st.descAddr)} (IPA) → ${groupHex(st.descPa)}` : groupHex(st.descPa)],
    ['descriptor', st.kind === 'abort' ? '— (the read got an external abort)' : groupHex(st.desc)],
  ];
  const f = isFaultStep(walk, st, i) ? walk.fault : undefined;
  return {
    title: `${stageName} · level ${st.level}`,
    badge: st.kind,
    rows,
    chips: st.fields,
    level: st.level,
    fault: f ? `${f.kind}: ${f.reason}` : undefined,
    kindCls: `kind-${st.kind}`,
  };
}

export function drawBox(b: BoxSpec, x: number, y: number, w: number): { g: SVGElement; height: number } {
  const chipLines = fieldLines(b.chips, w - 2 * PAD - 6);
  const faultLines = b.fault ? wrap(b.fault, w - 2 * PAD - 6, 11) : [];
  const height = 30 + b.rows.length * LINE + chipLines.length * 15 + (chipLines.length ? 6 : 0) + faultLines.length * 15 + (faultLines.length ? 6 : 0) + 6;
  const g = s('g', { class: `box ${b.kindCls}${b.fault ? ' fault' : ''}`, transform: `translate(${x} ${y})`, 'data-level': b.level ?? '' });
  g.appendChild(s('rect', { x: 0, y: 0, width: w, height, rx: 5, class: 'box-bg' }));
  g.appendChild(s('rect', { x: 0, y: 0, width: 5, height, class: `stripe ${levelClass(b.level)}` }));
  g.appendChild(label(PAD + 4, 19, b.title, 'strong'));
  const bw = textWidth(b.badge, 11) + 12;
  g.appendChild(s('rect', { x: w - PAD - bw, y: 7, width: bw, height: 17, rx: 8, class: 'badge-bg' }));
  g.appendChild(label(w - PAD - bw / 2, 19, b.badge, 'small badge-text', undefined, 'middle'));
  let yy = 30 + 12;
  for (const [k, v] of b.rows) {
    g.appendChild(label(PAD + 4, yy, k, 'muted small'));
    g.appendChild(label(PAD + 4 + 100, yy, v, 'mono', w - PAD - 110));
    yy += LINE;
  }
  if (chipLines.length) yy += 4;
  for (const line of chipLines) {
    g.appendChild(label(PAD + 4, yy, line, 'mono small chips'));
    yy += 15;
  }
  if (faultLines.length) yy += 4;
  for (const line of faultLines) {
    g.appendChild(label(PAD + 4, yy, line, 'fault-text small strong'));
    yy += 15;
  }
  return { g, height };
}

export function resultBox(walk: WireWalk, x: number, y: number, w: number, stageName = `Stage ${walk.stage}`): { g: SVGElement; height: number } {
  const f = walk.fault;
  const leaf = walk.steps[walk.steps.length - 1];
  if (f && !(leaf && (isFaultStep(walk, leaf, walk.steps.length - 1) || leaf.s2Walk?.fault))) {
    // A fault without a descriptor of its own (e.g. input address out of range): its own box.
    return drawBox({ title: `${f.kind} · stage ${f.stage} level ${f.level}`, badge: f.class, rows: [['input', groupHex(f.inputAddr)], ...(f.ipa ? ([['IPA', groupHex(f.ipa)]] as Array<[string, string]>) : [])], chips: {}, fault: f.reason, kindCls: 'kind-fault' }, x, y, w);
  }
  if (f) {
    const g = s('g', { class: 'result fault-summary', transform: `translate(${x} ${y})` });
    g.appendChild(label(0, 16, `✕ ${f.kind} (CLASS=${f.class}, stage ${f.stage}, level ${f.level})`, 'fault-text strong', w));
    return { g, height: 24 };
  }
  const rows: Array<[string, string]> = [['output', walk.outputAddr ? groupHex(walk.outputAddr) : '—']];
  const perms = leaf ? leafPerms(walk.stage, leaf.fields) : undefined;
  if (perms) rows.push(['access', perms.access], ['execute', perms.exec]);
  return drawBox({ title: walk.stage === 1 && !walk.steps.some((x) => x.s2Walk) ? 'Output address' : `${stageName} output`, badge: 'ok', rows, chips: {}, kindCls: 'kind-result' }, x, y, w);
}

export function chainSvg(walk: WireWalk, width: number, names?: StageNames): SVGElement {
  const stageName = names ? (walk.stage === 1 ? names.s1 : names.s2) : `Stage ${walk.stage}`;
  const w = Math.max(width, 520);
  const svg = s('svg', { class: 'walk-svg', width: w, role: 'img', 'aria-label': `${stageName} walk of ${walk.inputAddr}` });
  svg.appendChild(defs());
  const bar = addressBar(walk, w, 0);
  svg.appendChild(bar.g);
  let y = bar.height + 14;
  svg.appendChild(label(0, y, `TTB ${groupHex(walk.ttb)}${walk.table ? ` · table ${walk.table}` : ''}`, 'muted small mono'));
  y += 10;
  const boxW = w - 40;
  walk.steps.forEach((st, i) => {
    svg.appendChild(arrow(20 + 12, y, 20 + 12, y + 18));
    y += 20;
    const b = drawBox(stepBox(walk, st, i, stageName), 20, y, boxW);
    svg.appendChild(b.g);
    y += b.height;
  });
  svg.appendChild(arrow(32, y, 32, y + 18));
  y += 20;
  const r = resultBox(walk, 20, y, boxW, stageName);
  svg.appendChild(r.g);
  y += r.height + 4;
  svg.setAttribute('height', String(y));
  svg.setAttribute('viewBox', `0 0 ${w} ${y}`);
  return svg;
}
