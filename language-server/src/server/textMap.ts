// Maps offsets of a newer text to an older one when the edit between them lies elsewhere, so a
// feature can answer from the last completed analysis instead of waiting for the next one.

import { commonExtent, commonPrefix, commonSuffix } from '../dsl/incremental';

export interface TextMap {
  /** Offset in the old text for `offset` in the new text, or undefined if it lies in the edit. */
  toOld(offset: number): number | undefined;
  /** Offset in the new text for `offset` in the old text, or undefined if it lies in the edit. */
  toNew(offset: number): number | undefined;
}

function lineStart(t: string, o: number): boolean {
  if (o === 0) return true;
  const c = t.charCodeAt(o - 1);
  return c === 10 || (c === 13 && t.charCodeAt(o) !== 10);
}

/** One contiguous changed region: common prefix and common suffix are unchanged. `prefix` and
 *  `suffix`: the texts' common prefix and suffix lengths when already known (else scanned). */
export function textMap(oldText: string, newText: string, prefix?: number, suffix?: number): TextMap {
  const min = Math.min(oldText.length, newText.length);
  let p = prefix ?? commonPrefix(oldText, newText, min);
  // Whole lines only: the changed region starts and ends at line starts, so a line is either
  // unchanged (and maps) or inside the edit.
  while (p > 0 && !lineStart(oldText, p)) p--;
  let s = Math.min(suffix ?? commonSuffix(oldText, newText, min - p), min - p);
  while (s > 0 && !(lineStart(oldText, oldText.length - s) && lineStart(newText, newText.length - s))) s--;
  const oldEnd = oldText.length - s;
  const newEnd = newText.length - s;
  const delta = newText.length - oldText.length;
  // No common suffix: the end of the text is the end of the edit's last line, inside the edit.
  const tail = s > 0 || (oldEnd === p && newEnd === p);
  return {
    toOld: (o) => (o < p ? o : tail && o >= newEnd ? o - delta : undefined),
    toNew: (o) => (o < p ? o : tail && o >= oldEnd ? o + delta : undefined),
  };
}

/** `first` (A to B) then `second` (B to C): A to C. An offset maps when it maps through both, so
 *  two edits far apart leave the lines between them mapped (one region around both would not). */
export function composeMaps(first: TextMap, second: TextMap): TextMap {
  return {
    toOld: (o) => {
      const b = second.toOld(o);
      return b === undefined ? undefined : first.toOld(b);
    },
    toNew: (o) => {
      const b = first.toNew(o);
      return b === undefined ? undefined : second.toNew(b);
    },
  };
}

/** Start and end (before the line break) of the line holding `offset`. */
export function lineBounds(text: string, offset: number): { start: number; end: number } {
  let start = offset;
  while (start > 0 && text.charCodeAt(start - 1) !== 10 && text.charCodeAt(start - 1) !== 13) start--;
  let end = offset;
  while (end < text.length && text.charCodeAt(end) !== 10 && text.charCodeAt(end) !== 13) end++;
  return { start, end };
}

/** Offset where a `#` or `//` comment starts on the line [start, end), or -1 (strings skipped). */
function commentStart(text: string, start: number, end: number): number {
  let inString = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash escape
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 35 || (c === 47 && text.charCodeAt(i + 1) === 47)) return i;
  }
  return -1;
}

/**
 * True when `newText` differs from `oldText` only inside one comment at the end of one line, with
 * no line added or removed: every token keeps its line and column, so a run of the old text is a
 * run of the new one. `extent`: a common prefix and suffix known from the edits (else scanned).
 */
export function commentOnlyEdit(oldText: string, newText: string, extent?: { p: number; s: number }): boolean {
  if (!extent && oldText === newText) return true;
  const { p, s } = commonExtent(oldText, newText, extent);
  if (p === oldText.length && oldText.length === newText.length) return true;
  const oldEnd = oldText.length - s;
  const newEnd = newText.length - s;
  for (const [t, e] of [[oldText, oldEnd], [newText, newEnd]] as const) {
    for (let i = p; i < e; i++) {
      const c = t.charCodeAt(i);
      if (c === 10 || c === 13) return false;
    }
  }
  const line = lineBounds(oldText, p);
  const oc = commentStart(oldText, line.start, line.end);
  const nline = lineBounds(newText, p);
  const nc = commentStart(newText, nline.start, nline.end);
  return oc >= 0 && oc === nc && oc < p;
}
