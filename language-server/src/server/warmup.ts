// The syntax tree and name index of a document brought up to date off the request path. A parse
// from scratch (a document just opened, or analysed again from scratch) runs in slices of a few
// milliseconds with a turn of the event loop between them, so an edit or a request arriving
// meanwhile is handled at once instead of queueing behind a 100,000-line parse; then the names of
// every statement are walked in slices (names.ts keeps them per statement), so the first
// completion, hover or semantic tokens find them ready. A feature that needs the tree before the
// parse is done finishes it at once (`finish`): nothing done so far is done again.
import { MAX_DIAGNOSTICS, parse, type Diagnostic, type ParseResult, type Span, type Statement } from '../dsl';
import { parseFrom } from '../dsl/parser';
import { nameIndex, warmNames } from './names';

/** Milliseconds of work between two turns of the event loop. */
export const SLICE_MS = 6;

/** True once the current slice has used its time. */
type Due = () => boolean;

function atLineStart(text: string, o: number): boolean {
  const c = text.charCodeAt(o - 1);
  return c === 10 || c === 13;
}

/**
 * `parse(text, uri)` in slices, pausing (yield) between them once `due()`. A slice ends before a
 * statement that starts a line (parseFrom starts the next one there, as dsl/incremental.ts
 * re-parses from one) and after a statement that parsed cleanly: statements with errors at the
 * end of a slice may have reported one at the token after them, so the next slice parses them
 * again. Equals
 * `parse(text, uri)`, diagnostics in offset order; with many diagnostics it parses whole.
 * `lineStarts`: computeLineStarts(text).
 */
export function* parseInSlices(text: string, uri: string | undefined, lineStarts: number[], due: Due): Generator<void, ParseResult, void> {
  let statements: Statement[] = [];
  const comments: Span[] = [];
  const diagnostics: Diagnostic[] = [];
  let from = 0;
  /** A slice ends at a statement starting after this offset (each slice gets further than the last). */
  let min = 0;
  for (;;) {
    const slice = parseFrom(text, from, (o) => o > min && atLineStart(text, o) && due(), lineStarts);
    let stop = slice.stop;
    let got = slice.statements;
    const last = got[got.length - 1];
    if (stop < text.length && last && !clean(last)) {
      // Parsed again by the next slice (from the line of the first of them that starts one),
      // which gets past the statement after them before it may stop.
      let k = got.length - 1;
      while (k > 0 && !clean(got[k - 1])) k--;
      while (k >= 0 && !firstOnLine(text, got[k].start)) k--;
      if (k < 0) return parse(text, uri);
      min = stop;
      stop = lineStartOf(text, got[k].start);
      got = got.slice(0, k);
    } else min = stop;
    statements = statements.concat(got);
    for (const c of slice.comments) if (c.start < stop) comments.push(c);
    for (const d of slice.diagnostics) if (d.start < stop) diagnostics.push(d);
    if (diagnostics.length >= MAX_DIAGNOSTICS / 2) return parse(text, uri);
    if (stop >= text.length) break;
    from = stop;
    yield;
  }
  diagnostics.sort((x, y) => x.start - y.start || x.end - y.end);
  const tree: ParseResult['tree'] = { kind: 'script', start: 0, end: text.length, statements, comments, lineStarts };
  if (uri !== undefined) tree.uri = uri;
  return { tree, diagnostics };
}

function lineStartOf(text: string, o: number): number {
  while (o > 0 && !atLineStart(text, o)) o--;
  return o;
}

/** A statement that reported nothing (one that did may have reported at the token after it). */
function clean(st: Statement): boolean {
  return st.kind !== 'error' && !st.incomplete;
}

/** Only spaces and tabs before offset `o` on its line. */
function firstOnLine(text: string, o: number): boolean {
  while (o > 0 && !atLineStart(text, o)) {
    const c = text.charCodeAt(o - 1);
    if (c !== 32 && c !== 9) return false;
    o--;
  }
  return true;
}

/** What a warm-up works on: a version's text, its line starts. */
export interface WarmSource {
  uri: string;
  version: number;
  text: string;
  lineStarts: number[];
}

/**
 * A parse of `src` in slices between turns of the event loop, then its statements' names and its
 * name index; `done` gets the parse once it is complete (from a slice, or from `finish`).
 */
export class Warmup {
  private deadline = 0;
  private readonly job: Generator<void, ParseResult, void>;
  private result?: ParseResult;
  private next?: ReturnType<typeof setImmediate>;
  private stopped = false;
  /** Called once the names are walked too (not when cancelled). */
  ended?: () => void;

  constructor(readonly src: WarmSource, private readonly done: (r: ParseResult) => void, private readonly log: (m: string) => void) {
    this.job = parseInSlices(src.text, src.uri, src.lineStarts, () => performance.now() >= this.deadline);
    this.schedule(() => this.parseSlice());
  }

  /** The parse, completed now if a slice has not done it yet. */
  finish(): ParseResult {
    if (this.result) return this.result;
    this.deadline = Infinity;
    return this.parseSlice()!;
  }

  /** No more slices (the document closed, or its tree is analysed again from scratch). */
  cancel(): void {
    this.stopped = true;
    if (this.next) clearImmediate(this.next);
    this.next = undefined;
  }

  private schedule(fn: () => void): void {
    if (this.stopped) return;
    this.next = setImmediate(() => {
      this.next = undefined;
      try {
        fn();
      } catch (e) {
        this.cancel();
        this.log(`warming ${this.src.uri}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  }

  private parseSlice(): ParseResult | undefined {
    if (this.result) return this.result;
    this.deadline = Math.max(this.deadline, performance.now() + SLICE_MS);
    const r = this.job.next();
    if (!r.done) {
      if (!this.next) this.schedule(() => this.parseSlice());
      return undefined;
    }
    this.result = r.value;
    if (this.next) clearImmediate(this.next);
    this.next = undefined;
    this.done(r.value);
    let at = 0;
    const names = () => {
      this.deadline = performance.now() + SLICE_MS;
      const statements = r.value.tree.statements;
      at = warmNames(statements, at, () => performance.now() >= this.deadline);
      if (at < statements.length) return this.schedule(names);
      nameIndex(r.value.tree);
      this.ended?.();
    };
    this.schedule(names);
    return r.value;
  }
}
