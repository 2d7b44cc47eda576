// Translation walk panel: the input address split into per-level index fields, one SVG box per
// descriptor fetch with arrows between levels, the output address and permissions; nested walks
// as a grid (stage-1 levels down, the stage-2 walk of each descriptor address across).
import type { WireState, WireStep, WireTlbEntry, WireWalk, WireWalkStep } from '../../language-server/src/engine/wire';
import { h, patchKeyed, s, replaceChildren } from './dom';
import { splitAddress, type GranuleKb } from './lib/addressSplit';
import { bitRange, groupHex, parseHex, rangeEnd, sizeName } from './lib/format';
import { leafPerms } from './lib/perms';
import { hashString } from './lib/keyed';
import type { PanelView, Update } from './panel';

const CH = 7.3; // width of one 12px monospace character
const LINE = 17;
const PAD = 10;

function textWidth(t: string, px = 12): number {
  return t.length * CH * (px / 12);
}

/** Truncates text to fit `width` pixels (full text stays in a <title> tooltip). */
function fit(t: string, width: number, px = 12): string {
  const n = Math.floor(width / (CH * (px / 12)));
  return t.length <= n ? t : t.slice(0, Math.max(0, n - 1)) + '…';
}

function label(x: number, y: number, t: string, cls: string, width?: number, anchor?: 'middle' | 'end'): SVGElement {
  const shown = width !== undefined ? fit(t, width, cls.includes('small') ? 11 : 12) : t;
  const el = s('text', { x, y, class: cls, 'text-anchor': anchor }, shown);
  if (shown !== t) el.appendChild(s('title', {}, t));
  return el;
}

function levelClass(level: number | undefined): string {
  return level === undefined ? 'lv-off' : `lv-${level < 0 ? 'm1' : level}`;
}

function arrow(x1: number, y1: number, x2: number, y2: number, cls = 'arrow'): SVGElement {
  return s('line', { x1, y1, x2, y2, class: cls, 'marker-end': 'url(#arrowhead)' });
}

function defs(): SVGElement {
  return s(
    'defs',
    {},
    s('marker', { id: 'arrowhead', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' })),
  );
}

/** Descriptor fields worth showing: not the IGNORED/RES0 bits, not Valid/Type (the badge says it). */
function meaningful(fields: Record<string, string>): Array<[string, string]> {
  return Object.entries(fields).filter(([k]) => !/^(IGNORED|RES0|RES1|Valid$|Type$)/.test(k));
}

/** Wraps `name=value` chips into lines no wider than `width`. */
function fieldLines(fields: Record<string, string>, width: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const [k, v] of meaningful(fields)) {
    const chip = `${k}=${v}`;
    if (cur && textWidth(cur + '  ' + chip, 11) > width) {
      lines.push(cur);
      cur = chip;
    } else cur = cur ? cur + '  ' + chip : chip;
  }
  if (cur) lines.push(cur);
  return lines;
}

function isFaultStep(walk: WireWalk, st: WireWalkStep, i: number): boolean {
  const f = walk.fault;
  if (!f || f.stage !== walk.stage) return false;
  return i === walk.steps.length - 1 && st.level === f.level && !st.s2Walk?.fault;
}

// ---- address split bar -------------------------------------------------------------------

function addressBar(walk: WireWalk, width: number, y0: number): { g: SVGElement; height: number } {
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

function stepBox(walk: WireWalk, st: WireWalkStep, i: number): BoxSpec {
  const rows: Array<[string, string]> = [
    ['table', groupHex(st.tableAddr)],
    ['index', `${st.index} (0x${st.index.toString(16)})`],
    ['descriptor at', st.descAddr !== st.descPa ? `${groupHex(st.descAddr)} (IPA) → ${groupHex(st.descPa)}` : groupHex(st.descPa)],
    ['descriptor', groupHex(st.desc)],
  ];
  const f = isFaultStep(walk, st, i) ? walk.fault : undefined;
  return {
    title: `Stage ${st.stage} · level ${st.level}`,
    badge: st.kind,
    rows,
    chips: st.fields,
    level: st.level,
    fault: f ? `${f.kind}: ${f.reason}` : undefined,
    kindCls: `kind-${st.kind}`,
  };
}

function drawBox(b: BoxSpec, x: number, y: number, w: number): { g: SVGElement; height: number } {
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

function wrap(t: string, width: number, px: number): string[] {
  const words = t.split(/\s+/);
  const out: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur && textWidth(cur + ' ' + w, px) > width) {
      out.push(cur);
      cur = w;
    } else cur = cur ? cur + ' ' + w : w;
  }
  if (cur) out.push(cur);
  return out.flatMap((l) => (textWidth(l, px) > width ? [fit(l, width, px)] : [l]));
}

function resultBox(walk: WireWalk, x: number, y: number, w: number): { g: SVGElement; height: number } {
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
  return drawBox({ title: walk.stage === 1 && !walk.steps.some((x) => x.s2Walk) ? 'Output address' : `Stage ${walk.stage} output`, badge: 'ok', rows, chips: {}, kindCls: 'kind-result' }, x, y, w);
}

function chainSvg(walk: WireWalk, width: number): SVGElement {
  const w = Math.max(width, 520);
  const svg = s('svg', { class: 'walk-svg', width: w, role: 'img', 'aria-label': `Stage ${walk.stage} walk of ${walk.inputAddr}` });
  svg.appendChild(defs());
  const bar = addressBar(walk, w, 0);
  svg.appendChild(bar.g);
  let y = bar.height + 14;
  svg.appendChild(label(0, y, `TTB ${groupHex(walk.ttb)}`, 'muted small mono'));
  y += 10;
  const boxW = w - 40;
  walk.steps.forEach((st, i) => {
    svg.appendChild(arrow(20 + 12, y, 20 + 12, y + 18));
    y += 20;
    const b = drawBox(stepBox(walk, st, i), 20, y, boxW);
    svg.appendChild(b.g);
    y += b.height;
  });
  svg.appendChild(arrow(32, y, 32, y + 18));
  y += 20;
  const r = resultBox(walk, 20, y, boxW);
  svg.appendChild(r.g);
  y += r.height + 4;
  svg.setAttribute('height', String(y));
  svg.setAttribute('viewBox', `0 0 ${w} ${y}`);
  return svg;
}

// ---- nested grid ---------------------------------------------------------------------------

function cellBox(title: string, lines: string[], x: number, y: number, w: number, hgt: number, cls: string, level?: number, tip?: string): SVGElement {
  const g = s('g', { class: `box cell ${cls}`, transform: `translate(${x} ${y})`, 'data-level': level ?? '' });
  g.appendChild(s('rect', { x: 0, y: 0, width: w, height: hgt, rx: 4, class: 'box-bg' }));
  g.appendChild(s('rect', { x: 0, y: 0, width: 4, height: hgt, class: `stripe ${levelClass(level)}` }));
  g.appendChild(label(10, 16, title, 'small strong', w - 14));
  lines.forEach((l, i) => g.appendChild(label(10, 32 + i * 14, l, i === lines.length - 1 && cls.includes('fault') ? 'small fault-text strong' : 'small mono', w - 14)));
  if (tip) g.appendChild(s('title', {}, tip));
  return g;
}

function nestedSvg(s1: WireWalk, finalS2: WireWalk | undefined, width: number): SVGElement {
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

// ---- TLB hit -------------------------------------------------------------------------------

function tlbEntryFor(state: WireState, step: WireStep): WireTlbEntry | undefined {
  const iova = parseHex(step.iova);
  if (iova === undefined) return undefined;
  const smmu = state.smmus.find((m) => m.name === step.smmu) ?? state.smmus[0];
  return smmu?.tlb.find((e) => {
    const b = parseHex(e.inputBase) ?? 0n;
    return iova >= b && iova < b + (1n << BigInt(e.sizeLog2));
  });
}

// ---- panel ---------------------------------------------------------------------------------

export function walkPanel(root: HTMLElement): PanelView {
  const header = h('header', { class: 'panel-header' });
  const list = h('div', { class: 'walks' });
  root.replaceChildren(header, list);
  let lastSig = '';
  return {
    update({ state, result }: Update) {
      const step = result?.steps.find((x) => x.index === state?.stepIndex);
      replaceChildren(
        header,
        h('h1', {}, 'Translation walk'),
        step ? h('p', { class: 'step-line' }, h('span', { class: 'muted' }, `Step ${step.index + 1} · line ${step.line} · `), step.label, step.outcome ? h('vscode-badge', { class: `outcome outcome-${step.outcome}` }, step.outcome) : null, step.tlb ? h('vscode-badge', { class: 'tlb-badge' }, `TLB ${step.tlb}`) : null) : h('p', { class: 'muted' }, 'No step at the cursor.'),
      );
      const walks = state?.walks ?? [];
      const sig = JSON.stringify(walks) + (step?.index ?? '') + list.clientWidth;
      if (sig === lastSig) return;
      lastSig = sig;
      const width = Math.max(560, Math.min(list.clientWidth || 760, 980) - 8);
      type Item = { key: string; walk: WireWalk; final?: WireWalk; cdFetch?: boolean };
      const items: Item[] = [];
      const used = new Set<WireWalk>();
      walks.forEach((wk, i) => {
        if (used.has(wk)) return;
        const nested = wk.stage === 1 && wk.steps.some((x) => x.s2Walk);
        let final: WireWalk | undefined;
        if (nested) {
          final = walks.find((o, j) => j > i && o.stage === 2 && (!wk.outputAddr || o.inputAddr === wk.outputAddr));
          if (final) used.add(final);
        }
        // A stage-2 walk before a nested stage-1 walk translated the CD's IPA (CD fetch).
        const cdFetch = wk.stage === 2 && walks.slice(i + 1).some((o) => o.stage === 1 && o.steps.some((x) => x.s2Walk));
        items.push({ key: `${i}:${width}:${hashString(JSON.stringify([wk, final]))}`, walk: wk, final, cdFetch });
      });
      if (!items.length) {
        const entry = step && state ? tlbEntryFor(state, step) : undefined;
        const box = h('div', { class: 'no-walk' });
        if (step?.tlb === 'hit' && entry) {
          box.append(
            h('h2', {}, 'TLB hit: no walk'),
            h('p', { class: 'muted' }, `The translation came from TLB entry #${entry.id} (inserted by step ${entry.insertedAt + 1}).`),
            kv([
              ['stage', entry.stage], ['ASID', entry.asid ?? '—'], ['VMID', entry.vmid ?? '—'], ['global', entry.global ? 'yes' : 'no'],
              ['input', `${groupHex(entry.inputBase)} – ${groupHex(rangeEnd(entry.inputBase, entry.sizeLog2))} (${sizeName(entry.sizeLog2)})`],
              ['output', groupHex(entry.outputBase)], ['permissions', entry.perms], ['hits', String(entry.hits)],
            ]),
          );
        } else {
          box.append(h('p', { class: 'muted' }, step?.iova ? 'This step did not walk the translation tables.' : 'This step does not translate an address. Put the cursor on a dma or ats step.'));
        }
        list.replaceChildren(box);
        return;
      }
      if (list.querySelector('.no-walk')) list.replaceChildren();
      patchKeyed(
        list,
        items,
        (it) => it.key,
        (it) => {
          const nested = it.walk.steps.some((x) => x.s2Walk);
          const title = nested
            ? `Nested walk (stage 1 × stage 2) of ${it.walk.inputAddr}`
            : it.cdFetch
              ? `Stage 2 walk of the CD address ${it.walk.inputAddr} (CD fetch)`
              : `Stage ${it.walk.stage} walk of ${it.walk.inputAddr}`;
          const sec = h('section', { class: `walk${it.walk.fault || it.final?.fault ? ' has-fault' : ''}` }, h('h2', {}, title));
          sec.appendChild(h('div', { class: 'svg-wrap' }, nested ? nestedSvg(it.walk, it.final, width) : chainSvg(it.walk, width)));
          return sec;
        },
        () => undefined,
      );
    },
  };
}

export function kv(rows: Array<[string, string]>): HTMLElement {
  const dl = h('dl', { class: 'kv' });
  for (const [k, v] of rows) dl.append(h('dt', {}, k), h('dd', {}, v));
  return dl;
}
