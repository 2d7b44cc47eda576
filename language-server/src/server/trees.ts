// The syntax tree of an open document for the editor features, per version. The first tree is
// parsed in slices between turns of the event loop (warmup.ts); every later one is re-parsed from
// the one before in proportion to the edits (dsl/incremental.ts). A request never waits for a
// whole parse on the main thread: `upTo` answers from the tree of the current version when there
// is one, else from the statements the slices have parsed so far (parsed on at once only up to the
// request's line); `whenParsed` waits for the slices (folding, the outline). `current` alone
// finishes the first parse at once, for the features that read every statement on an explicit
// action (rename, references, code actions).
import { parse } from '../dsl';
import type { Diagnostic as DslDiagnostic, Script } from '../dsl/ast';
import { reparse } from '../dsl/incremental';
import { lineIndexIn } from '../dsl/diagnostics';
import { byEnd, lowerBound } from '../dsl/lowerBound';
import { nameIndex } from './names';
import type { Source } from './sources';
import type { Extent } from './textEdits';
import { Warmup, clean } from './warmup';

export interface Parsed extends Source {
  tree: Script;
  syntax: DslDiagnostic[];
}

/** A tree a request may answer from without a whole parse: every statement of the current version
 *  (`complete`), or, while the document's first parse is under way, those ending before `covered`. */
export interface ParsedView extends Parsed {
  complete: boolean;
  covered: number;
}

/** What a document's tree needs from the analyzer. */
export interface TreeHost {
  uri: string;
  /** The source of the current version. */
  source(): Source;
  /** The common prefix and suffix of two sources from the recorded edits, when known. */
  extent(from: Source, to: Source): Extent | undefined;
  log(message: string): void;
  /** The first parse finished after a request was answered from part of it. */
  parsedLate?(): void;
}

/** Characters a request parses at once rather than answering from part of the statements (about
 *  2,000 lines: a few milliseconds). */
export const AT_ONCE = 64 * 1024;

/** `view` with only the statements, comments and diagnostics that end before `at`. */
function cutAt(view: ParsedView, at: number): ParsedView {
  const t = view.tree;
  const before = <T extends { end: number }>(xs: readonly T[]) => xs.slice(0, lowerBound(xs, at, byEnd));
  const statements = before(t.statements);
  // A statement with errors may read differently once the text after it changed (as in reparse).
  while (statements.length && !clean(statements[statements.length - 1])) statements.pop();
  const tree: Script = { ...t, statements, comments: before(t.comments) };
  return { ...view, tree, syntax: view.syntax.filter((d) => d.end < at), covered: Math.min(view.covered, at) };
}

export class DocTree {
  /** The last tree made (of the current version or an earlier one). */
  parsed?: Parsed;
  /** The parse from scratch under way in slices, then the walk of its names. */
  warmup?: Warmup<Source>;
  /** A request was answered from part of the warm-up's statements. */
  private answeredPart = false;
  /** Requests waiting for the warm-up's parse (`whenParsed`). */
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly host: TreeHost) {}

  /** The tree of the current version (parsed now if needed, incrementally from the last). */
  current(): Parsed {
    const src = this.host.source();
    if (this.parsed?.version !== src.version) {
      this.warmup?.finish();
      if (this.parsed?.version !== src.version) this.parsed = this.parse(src, this.parsed);
    }
    return this.parsed;
  }

  /**
   * The tree a request answers from, never a whole parse: the current version's when there is a
   * tree to re-parse it from; while the first parse is still under way, the statements parsed so
   * far, parsed on at once up to `upTo` when given (all of it when at most AT_ONCE characters are
   * left). The one whole parse left: a request below an edit made while that first parse is under
   * way (the statements after the edit are not known).
   */
  upTo(upTo?: number): ParsedView {
    const w = this.warmup;
    if (w && !w.parsed && !this.parsed) {
      const src = this.host.source();
      // Unchanged since the warm-up's version: the lines before the first edit.
      const same = w.src.version === src.version;
      const ext = same ? undefined : this.host.extent(w.src, src);
      const valid = same ? Infinity : ext ? src.lineStarts[lineIndexIn(src.lineStarts, ext.p)] : 0;
      if (upTo === undefined || upTo < valid) {
        // What is left of a small document is parsed at once (a few milliseconds).
        if (w.src.text.length - w.covered <= AT_ONCE) w.finish();
        else if (upTo !== undefined) w.advance(Math.min(upTo, src.text.length - 1));
        if (!w.parsed) {
          const pre = w.prefix();
          this.answeredPart = true;
          const view = { ...src, tree: pre.tree, syntax: pre.syntax, complete: false, covered: pre.covered };
          return same ? view : cutAt(view, valid);
        }
      }
    }
    const p = this.current();
    return { ...p, complete: true, covered: p.text.length };
  }

  /** The tree of the current version once the first parse (in slices) is done. */
  async whenParsed(): Promise<Parsed | undefined> {
    const w = this.warmup;
    if (w && !w.parsed && !this.parsed) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.closed ? undefined : this.current();
  }

  /** While idle: the tree and name index toward the current version, so the next completion or
   *  hover finds them warm. A tree of an earlier version is re-parsed at once (in proportion to
   *  the edits); with none, the current version is parsed in slices (warmup.ts). */
  warm(): void {
    if (this.warmup || this.closed) return;
    if (this.parsed) {
      nameIndex(this.current().tree);
      return;
    }
    const src = this.host.source();
    const job: Warmup<Source> = new Warmup(src, (r) => {
      if (this.warmup !== job) return;
      this.parsed = { ...src, lineStarts: r.tree.lineStarts, tree: r.tree, syntax: r.diagnostics };
      this.parseDone();
    }, this.host.log);
    // Kept while it walks the names: a later warm would walk the rest at once.
    job.ended = () => {
      if (this.warmup === job) this.warmup = undefined;
    };
    this.warmup = job;
  }

  /** Nothing parsed is reused (the document is analysed again from scratch). */
  drop(): void {
    this.warmup?.cancel();
    this.warmup = undefined;
    this.parsed = undefined;
    this.parseDone();
  }

  close(): void {
    this.closed = true;
    this.drop();
  }

  /** The first parse is done (or given up): waiting requests go on, parts answered are announced. */
  private parseDone(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
    if (this.answeredPart && !this.closed && this.parsed) {
      this.answeredPart = false;
      this.host.parsedLate?.();
    }
  }

  private parse(src: Source, prev?: Parsed): Parsed {
    // The source's line starts (sources.ts made them from the last source's): not computed again.
    const r = prev
      ? reparse({ tree: prev.tree, diagnostics: prev.syntax }, prev.text, src.text, this.host.uri, this.host.extent(prev, src), src.lineStarts)
      : parse(src.text, this.host.uri);
    return { ...src, lineStarts: r.tree.lineStarts, tree: r.tree, syntax: r.diagnostics };
  }
}
