// A document's edits as offsets (from the LSP contentChanges), kept per version, so per-edit work
// is proportional to the edit: the common prefix and suffix of two versions come from their
// edits (no scan of the whole text), the engine worker receives the edits since the version it
// holds instead of the whole text (it applies them to its own copy; engineWorker.ts), and a kept
// run's text maps to the current one through each version's line map (documents.ts viewAt).
import type { RunRequest, WireRunRequest } from './runner';
import { composeMaps, type TextMap } from './textMap';

/** `text` replaces [start, end) of the text as it is just before this edit. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** Two versions share their first `p` and last `s` characters (p + s <= both lengths). */
export interface Extent {
  p: number;
  s: number;
}

/** `text` with `edits` applied in order; undefined when an edit lies outside the text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string | undefined {
  for (const e of edits) {
    if (!(Number.isInteger(e.start) && Number.isInteger(e.end) && e.start >= 0 && e.start <= e.end && e.end <= text.length && typeof e.text === 'string')) return undefined;
    text = text.slice(0, e.start) + e.text + text.slice(e.end);
  }
  return text;
}

/** The extent of `edits` applied to a text of `length` characters. */
export function extentOf(edits: readonly TextEdit[], length: number): Extent {
  const before = length;
  let p = length;
  let s = length;
  for (const e of edits) {
    p = Math.min(p, e.start);
    s = Math.min(s, length - e.end);
    length += e.text.length - (e.end - e.start);
  }
  return { p, s: Math.max(0, Math.min(s, Math.min(before, length) - p)) };
}

/** Old to mid, then mid to new: old to new. */
export function composeExtents(a: Extent, b: Extent): Extent {
  return { p: Math.min(a.p, b.p), s: Math.min(a.s, b.s) };
}

interface Step {
  /** The version these edits lead to (from the entry before, or from `base`). */
  version: number;
  edits: TextEdit[];
  /** The version's whole-line map (editCheck.ts, made from the texts around each edit). */
  map?: TextMap;
}

export const IDENTITY: TextMap = { toOld: (o) => o, toNew: (o) => o };

/** Edits kept per document: a version further back is reached by a whole-text resync. */
const MAX_STEPS = 256;

/**
 * The edits between consecutive versions of one document, newest last. A gap (a version that did
 * not follow the last, a whole-text change, a malformed edit) starts the log again from the new
 * version: nothing before it is reachable.
 */
export class EditLog {
  private steps: Step[] = [];

  /** `base`: the oldest version the log reaches. */
  constructor(private base: number) {}

  get version(): number {
    return this.steps.length ? this.steps[this.steps.length - 1].version : this.base;
  }

  /** Version `from` became `to` by `edits` (undefined: not known as edits), `map` its line map. */
  record(from: number, to: number, edits: TextEdit[] | undefined, map?: TextMap): void {
    if (!edits || from !== this.version || to <= from) {
      this.reset(to);
      return;
    }
    this.steps.push({ version: to, edits, map });
    if (this.steps.length > MAX_STEPS) {
      const cut = this.steps.length - MAX_STEPS;
      this.base = this.steps[cut - 1].version;
      this.steps = this.steps.slice(cut);
    }
  }

  /** Nothing before `version` is reachable. */
  reset(version: number): void {
    this.base = version;
    this.steps = [];
  }

  /** The steps from version `from` to `to`, or undefined unless `to` is the newest version the log
   *  knows and `from` one it reaches. */
  private stepsSince(from: number, to: number): Step[] | undefined {
    if (to !== this.version || from < this.base || from > to) return undefined;
    let k = this.steps.length;
    while (k > 0 && this.steps[k - 1].version > from) k--;
    // `from` must be a version the log holds (the base or an entry's).
    if (from !== (k === 0 ? this.base : this.steps[k - 1].version)) return undefined;
    return this.steps.slice(k);
  }

  /** The edits from version `from` to `to` (as `stepsSince`). */
  since(from: number, to: number): TextEdit[] | undefined {
    const steps = this.stepsSince(from, to);
    if (!steps) return undefined;
    const out: TextEdit[] = [];
    for (const st of steps) for (const e of st.edits) out.push(e);
    return out;
  }

  /** The map from version `from`'s text to `to`'s, each version's line map composed in turn: a
   *  line maps when no edit touched it, however far apart the edits (undefined: not reachable). */
  map(from: number, to: number): TextMap | undefined {
    const steps = this.stepsSince(from, to);
    if (!steps) return undefined;
    let map: TextMap = IDENTITY;
    for (const st of steps) {
      if (!st.map) return undefined;
      map = map === IDENTITY ? st.map : composeMaps(map, st.map);
    }
    return map;
  }

  /** The extent from version `from` (of `length` characters) to `to`, or undefined. */
  extent(from: number, to: number, length: number): Extent | undefined {
    const edits = this.since(from, to);
    return edits && extentOf(edits, length);
  }
}

/** The version of each document last posted to the engine worker, which holds that text: a run
 *  request carries the edits since, or the whole text when they are not known. */
export class PostedTexts {
  private readonly sent = new Map<string, number>();
  /** Requests posted with edits / with the whole text (for tests and benchmarks). */
  readonly count = { edits: 0, text: 0 };

  /** `req` as posted (`whole`: the worker asked for the text). */
  request(req: RunRequest, whole = false): WireRunRequest {
    const { text, editsSince, marks, ...rest } = req;
    const wire: WireRunRequest = marks ? { ...rest, trace: true } : rest;
    const base = whole ? undefined : this.sent.get(req.uri);
    const list = base !== undefined && base < req.version ? editsSince?.(base) : undefined;
    this.sent.set(req.uri, req.version);
    // Edits larger than the text (a long burst of pastes) are not worth applying.
    if (base === undefined || !list || list.reduce((n, e) => n + e.text.length + 16, 0) > text.length) {
      this.count.text++;
      return { ...wire, text };
    }
    this.count.edits++;
    return { ...wire, edits: { base, list, length: text.length } };
  }

  forget(uri: string): void {
    this.sent.delete(uri);
  }

  /** A new worker holds nothing. */
  clear(): void {
    this.sent.clear();
  }
}
