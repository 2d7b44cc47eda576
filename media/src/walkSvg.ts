// SVG primitives shared by the walk drawings: text that fits (full text in a <title>), arrows,
// level colours, descriptor field chips, and which box of a walk faulted.
import type { WireWalk, WireWalkStep } from '../../language-server/src/engine/api';
import { s } from './dom';

/** How the two stages are called: "Stage 1"/"Stage 2", or "Guest stage 1"/"Host stage 2" in a VM. */
export interface StageNames {
  s1: string;
  s2: string;
}

export const PLAIN_STAGES: StageNames = { s1: 'Stage 1', s2: 'Stage 2' };
export const VM_STAGES: StageNames = { s1: 'Guest stage 1', s2: 'Host stage 2' };

export const CH = 7.3; // width of one 12px monospace character
export const LINE = 17;
export const PAD = 10;

export function textWidth(t: string, px = 12): number {
  return t.length * CH * (px / 12);
}

/** Truncates text to fit `width` pixels (full text stays in a <title> tooltip). */
export function fit(t: string, width: number, px = 12): string {
  const n = Math.floor(width / (CH * (px / 12)));
  return t.length <= n ? t : t.slice(0, Math.max(0, n - 1)) + '…';
}

export function label(x: number, y: number, t: string, cls: string, width?: number, anchor?: 'middle' | 'end'): SVGElement {
  const shown = width !== undefined ? fit(t, width, cls.includes('small') ? 11 : 12) : t;
  const el = s('text', { x, y, class: cls, 'text-anchor': anchor }, shown);
  if (shown !== t) el.appendChild(s('title', {}, t));
  return el;
}

export function levelClass(level: number | undefined): string {
  return level === undefined ? 'lv-off' : `lv-${level < 0 ? 'm1' : level}`;
}

export function arrow(x1: number, y1: number, x2: number, y2: number, cls = 'arrow'): SVGElement {
  return s('line', { x1, y1, x2, y2, class: cls, 'marker-end': 'url(#arrowhead)' });
}

export function defs(): SVGElement {
  return s(
    'defs',
    {},
    s('marker', { id: 'arrowhead', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      s('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrowhead' })),
  );
}

/** Descriptor fields worth showing: not the IGNORED/RES0 bits, not Valid/Type (the badge says it). */
export function meaningful(fields: Record<string, string>): Array<[string, string]> {
  return Object.entries(fields).filter(([k]) => !/^(IGNORED|RES0|RES1|Valid$|Type$)/.test(k));
}

/** Wraps `name=value` chips into lines no wider than `width`. */
export function fieldLines(fields: Record<string, string>, width: number): string[] {
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

export function isFaultStep(walk: WireWalk, st: WireWalkStep, i: number): boolean {
  const f = walk.fault;
  if (!f || f.stage !== walk.stage) return false;
  return i === walk.steps.length - 1 && st.level === f.level && !st.s2Walk?.fault;
}

export function wrap(t: string, width: number, px: number): string[] {
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
