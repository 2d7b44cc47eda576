// The syntax tree and name index of a document brought up to date off the request path. A parse
// from scratch (a document just opened, or analysed again from scratch) runs in slices of a few
// milliseconds with a turn of the event loop between them, so an edit or a request arriving
// meanwhile is handled at once instead of queueing behind a 100,000-line parse; then the names of
// every statement are walked in slices (names.ts keeps them per statement), so the first
// completion, hover or semantic tokens find them ready. A request never finishes the parse: it
// answers from the statements parsed so far (`prefix`), parsed on at once only up to the offset it
// needs (`advance`: work in proportion to that offset); `finish` is left to the features that need
// every statement (rename, references). Nothing done is ever done again.
import { MAX_DIAGNOSTICS, parse, type Diagnostic, type ParseResult, type Script, type Span, type Statement } from '../dsl';
import { parseFrom } from '../dsl/parser';
import { nameIndex, warmNames } from './names';

/** Milliseconds of work between two turns of the event loop. */
export const SLICE_MS = 6;

/** True once the current slice may end before a statement starting at offset `o`. */
type Due = (o: number) => boolean;

/** What a parse in slices has made final so far: the statements, comments and diagnostics before
 *  offset `stop` (arrays that grow slice by slice); `work`: characters parsed, a statement parsed
 *  again by the next slice counted twice. */
export interface SliceState {
  statements: Statement[];
  comments: Span[];
  diagnostics: Diagnostic[];
  stop: number;
  work: number;
}

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
 * `lineStarts`: computeLineStarts(text); `state` (when given) shows the progress between slices.
 */
export function* parseInSlices(text: string, uri: string | undefined, lineStarts: number[], due: Due, state?: SliceState): Generator<void, ParseResult, void> {
  const st: SliceState = state ?? { statements: [], comments: [], diagnostics: [], stop: 0, work: 0 };
  const { statements, comments, diagnostics } = st;
  let from = 0;
  /** A slice ends at a statement starting after this offset (each slice gets further than the last). */
  let min = 0;
  for (;;) {
    const slice = parseFrom(text, from, (o) => o > min && atLineStart(text, o) && due(o), lineStarts);
    let stop = slice.stop;
    st.work += Math.min(stop, text.length) - from;
    let got = slice.statements;
    const last = got[got.length - 1];
    if (stop < text.length && last && !clean(last)) {
      // Parsed again by the next slice (from the line of the first of them that starts one),
      // which gets past the statement after them before it may stop.
      let k = got.length - 1;
      while (k > 0 && !clean(got[k - 1])) k--;
      while (k >= 0 && !firstOnLine(text, got[k].start)) k--;
      if (k < 0) return whole(text, uri, st);
      min = stop;
      stop = lineStartOf(text, got[k].start);
      got = got.slice(0, k);
    } else min = stop;
    for (const x of got) statements.push(x);
    for (const c of slice.comments) if (c.start < stop) comments.push(c);
    for (const d of slice.diagnostics) if (d.start < stop) diagnostics.push(d);
    if (diagnostics.length >= MAX_DIAGNOSTICS / 2) return whole(text, uri, st);
    if (stop >= text.length) break;
    from = st.stop = stop;
    yield;
  }
  st.stop = text.length;
  diagnostics.sort((x, y) => x.start - y.start || x.end - y.end);
  const tree: ParseResult['tree'] = { kind: 'script', start: 0, end: text.length, statements, comments, lineStarts };
  if (uri !== undefined) tree.uri = uri;
  return { tree, diagnostics };
}

/** The parse of the whole text at once (a slice could not end cleanly, or too many diagnostics). */
function whole(text: string, uri: string | undefined, st: SliceState): ParseResult {
  st.work += text.length;
  return parse(text, uri);
}

function lineStartOf(text: string, o: number): number {
  while (o > 0 && !atLineStart(text, o)) o--;
  return o;
}

/** A statement that reported nothing (one that did may have reported at the token after it). */
export function clean(st: Statement): boolean {
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

/** The statements parsed so far, as a tree of the whole text whose statements end at `covered`. */
export interface Prefix {
  tree: Script;
  syntax: Diagnostic[];
  /** Statements, comments and diagnostics are final before this offset; none is known after it. */
  covered: number;
}

/**
 * A parse of `src` in slices between turns of the event loop, then its statements' names and its
 * name index; `done` gets the parse once it is complete (from a slice, `advance` or `finish`).
 */
export class Warmup<S extends WarmSource = WarmSource> {
  /** A slice may end once past `until` and at `deadline` (performance.now()). */
  private deadline = 0;
  private until = -1;
  private readonly job: Generator<void, ParseResult, void>;
  private readonly state: SliceState = { statements: [], comments: [], diagnostics: [], stop: 0, work: 0 };
  private result?: ParseResult;
  private snapshot?: Prefix;
  private next?: ReturnType<typeof setImmediate>;
  private stopped = false;
  /** Called once the names are walked too (not when cancelled). */
  ended?: () => void;

  constructor(readonly src: S, private readonly done: (r: ParseResult) => void, private readonly log: (m: string) => void) {
    this.job = parseInSlices(src.text, src.uri, src.lineStarts, (o) => o > this.until && performance.now() >= this.deadline, this.state);
    this.schedule(() => this.parseSlice(performance.now() + SLICE_MS));
  }

  /** The parse once complete. */
  get parsed(): ParseResult | undefined {
    return this.result;
  }

  /** Characters parsed so far (SliceState.work): what tests count to see that a request parsed in
   *  proportion to what it needs, not the whole text. */
  get work(): number {
    return this.state.work;
  }

  /** Final up to this offset: the whole text once complete. */
  get covered(): number {
    return this.result ? this.src.text.length : this.state.stop;
  }

  /** The statements parsed so far (every statement once complete). */
  prefix(): Prefix {
    if (this.result) return { tree: this.result.tree, syntax: this.result.diagnostics, covered: this.src.text.length };
    const { statements, comments, diagnostics, stop } = this.state;
    if (this.snapshot?.covered !== stop) {
      const tree: Script = { kind: 'script', start: 0, end: this.src.text.length, statements: statements.slice(), comments: comments.slice(), lineStarts: this.src.lineStarts };
      tree.uri = this.src.uri;
      this.snapshot = { tree, syntax: diagnostics.slice(), covered: stop };
    }
    return this.snapshot;
  }

  /** Parses on at once until every statement holding an offset up to `offset` is final: work in
   *  proportion to how far `offset` lies beyond what the slices reached, not to the text. */
  advance(offset: number): void {
    this.until = offset;
    try {
      while (!this.result && !this.stopped && this.state.stop <= offset) this.parseSlice(0);
    } finally {
      this.until = -1;
    }
  }

  /** The parse, completed now if a slice has not done it yet. */
  finish(): ParseResult {
    return this.result ?? this.parseSlice(Infinity)!;
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

  /** One slice, ending at `deadline` (0: as soon as it is past `until`; Infinity: at the end). */
  private parseSlice(deadline: number): ParseResult | undefined {
    if (this.result) return this.result;
    this.deadline = deadline;
    const r = this.job.next();
    if (!r.done) {
      if (!this.next) this.schedule(() => this.parseSlice(performance.now() + SLICE_MS));
      return undefined;
    }
    this.result = r.value;
    this.snapshot = undefined;
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
