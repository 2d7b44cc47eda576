// Document phases and scheduling. Each open document moves through
//   source   (the text, cut at a line end above iommuLens.maxFileSize)
//   parsed   (syntax tree for the editor features, per version: trees.ts; the first in slices,
//            then re-parsing only the statements changed since the last tree: dsl/incremental.ts)
//   executed (compiled and run by the engine through an EngineRunner; debounced, published)
// An edit sets the cancel flag of the run in flight (the engine polls it) and restarts the
// debounce timer, so typing never queues work behind stale work; a result whose version is no
// longer current is dropped. Nothing is published before the debounce has passed, but the first
// edit after a quiet period starts its run at once (the debounce overlaps the engine; see
// update). Features ask for the phase they need; `executedAt` answers from the last completed
// run when the text under the cursor did not change, instead of waiting (runMaps.ts).
import type { CancellationToken } from 'vscode-languageserver';
import { DiagnosticSeverity } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { buildExecuted, type Executed } from './executed';
import { CancelFlag, type EngineRunner } from './runner';
import type { ServerSettings } from './settings';
import { commentOnlyEdit, type TextMap } from './textMap';
import { nextSource, type Source } from './sources';
import { EditLog, IDENTITY, type Extent, type TextEdit } from './textEdits';
import { RunMaps, type ExecutedView } from './runMaps';
import { TRACING, clock, mark, traceLine, type Marks } from './trace';
import type { Warmup } from './warmup';
import { DocTree, type Parsed, type ParsedView } from './trees';

export type { Source } from './sources';
export type { Executed } from './executed';
export type { Parsed, ParsedView } from './trees';
export type { ExecutedView } from './runMaps';

export interface AnalyzerDeps {
  settings(): ServerSettings;
  runner: EngineRunner;
  /** Workspace folder URIs (include roots). */
  roots(): string[];
  /** Texts of the open documents other than `uri` (for includes). */
  openDocs(uri: string): Record<string, string>;
  publish(ex: Executed): void;
  log(message: string): void;
  /** A first parse finished after a request was answered from part of it (the client may ask
   *  again: semantic tokens refresh). */
  parsedLate?(uri: string): void;
}

interface Waiter {
  version: number;
  resolve: (ex: Executed | undefined) => void;
}

interface Entry {
  doc: TextDocument;
  /** The syntax tree for the editor features (trees.ts). */
  tree: DocTree;
  executed?: Executed;
  /** The last run before `executed` whose steps came (a superseded run's never do), kept while `executed`'s steps are on their way. */
  previous?: Executed;
  timer?: ReturnType<typeof setTimeout>;
  waiters: Set<Waiter>;
  closed: boolean;
  /** Set when the run in flight becomes stale. */
  cancel?: CancelFlag;
  /** Lets the runner drop the full result behind `executed` (called one run after it is replaced). */
  release?: () => void;
  /** The run before: its full result is kept one run longer, for requests that began before it
   *  was replaced (a hover waiting on it fetches it after the next run published). */
  releasePrevious?: () => void;
  /** Opens the debounce gate of the latest edit early (a newer edit or close made it stale). */
  gate?: () => void;
  /** performance.now() of the latest edit. */
  lastEdit?: number;
  /** Set by a malformed edit: the next run reuses nothing. */
  fresh?: boolean;
  /** The source of the latest version analysed or parsed (its line starts seed the next). */
  source?: Source;
  /** The edits between the recent versions (their extents and line maps; the worker is sent them). */
  log: EditLog;
  /** Maps from the kept runs' texts to the current one. */
  runMaps: RunMaps;
  /** Tracing: when the latest edit arrived (trace.ts clock). */
  arrived?: number;
}

/** The common prefix and suffix of two analysed versions from the recorded edits (undefined when
 *  either text was cut at maxFileSize or the edits are not known: the texts are compared). */
function knownExtent(e: Entry, from: Source, to: Source): Extent | undefined {
  return from.partial || to.partial ? undefined : e.log.extent(from.version, to.version, from.fullLength);
}

export class Analyzer {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly deps: AnalyzerDeps) {}

  /**
   * didOpen / didChange: remember the newest text and (re)start the debounce timer. Nothing is
   * published before the debounce has passed without a newer edit. An edit after a quiet period
   * (the first of a burst) starts its run at once, so the debounce overlaps the engine instead of
   * adding to it; edits inside a burst wait for the debounce before running, so a burst costs at
   * most one cancelled run besides the run of its last version.
   */
  update(doc: TextDocument): void {
    let e = this.entries.get(doc.uri);
    if (!e) {
      const tree = new DocTree({
        uri: doc.uri,
        source: () => this.source(entry),
        extent: (from, to) => knownExtent(entry, from, to),
        log: this.deps.log,
        parsedLate: () => this.deps.parsedLate?.(doc.uri),
      });
      const log = new EditLog(doc.version);
      const entry: Entry = { doc, tree, waiters: new Set(), closed: false, log, runMaps: new RunMaps(log) };
      e = entry;
      this.entries.set(doc.uri, e);
      // The tree the editor features read, parsed in slices while the engine runs the document.
      this.warm(doc.uri);
    }
    e.doc = doc;
    e.cancel?.set();
    if (e.timer) clearTimeout(e.timer);
    e.gate?.();
    const entry = e;
    const version = doc.version;
    const debounceMs = this.deps.settings().debounceMs;
    const now = performance.now();
    const quiet = e.lastEdit === undefined || now - e.lastEdit >= debounceMs;
    e.lastEdit = now;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    e.gate = open;
    e.timer = setTimeout(() => {
      entry.timer = undefined;
      if (entry.gate === open) entry.gate = undefined;
      open();
    }, debounceMs);
    if (quiet) void this.execute(entry, version, gate);
    else void gate.then(() => this.execute(entry, version));
  }

  close(uri: string): void {
    const e = this.entries.get(uri);
    if (!e) return;
    e.closed = true;
    e.tree.close();
    e.cancel?.set();
    if (e.timer) clearTimeout(e.timer);
    e.gate?.();
    for (const w of e.waiters) w.resolve(undefined);
    e.release?.();
    e.releasePrevious?.();
    this.entries.delete(uri);
    this.deps.runner.forget(uri);
  }

  /** Re-run every open document (settings changed). */
  refreshAll(): void {
    for (const e of this.entries.values()) {
      this.dropTree(e);
      this.update(e.doc);
    }
  }

  document(uri: string): TextDocument | undefined {
    return this.entries.get(uri)?.doc;
  }

  /** The syntax tree of the current version (parsed now if needed, incrementally from the last;
   *  the first parse finished at once: for explicit actions that read every statement). */
  parsed(uri: string): Parsed | undefined {
    return this.entries.get(uri)?.tree.current();
  }

  /** A tree a request answers from without a whole parse (trees.ts `upTo`). */
  parsedUpTo(uri: string, upTo?: number): ParsedView | undefined {
    return this.entries.get(uri)?.tree.upTo(upTo);
  }

  /** `parsedUpTo` for a request at `position`: every statement up to the end of its line. */
  parsedAt(uri: string, position: { line: number; character: number }): ParsedView | undefined {
    const e = this.entries.get(uri);
    return e?.tree.upTo(e.doc.offsetAt({ line: position.line + 1, character: 0 }));
  }

  /** The tree of the current version once the first parse (in slices) is done: folding and the
   *  outline wait for the slices instead of parsing. */
  whenParsed(uri: string): Promise<Parsed | undefined> {
    return this.entries.get(uri)?.tree.whenParsed() ?? Promise.resolve(undefined);
  }

  /** The parse from scratch under way in slices, if any (its `work` counts what it parsed). */
  warming(uri: string): Warmup<Source> | undefined {
    return this.entries.get(uri)?.tree.warmup;
  }

  /** While idle: the syntax tree and name index toward the current version (trees.ts `warm`). */
  warm(uri: string): void {
    this.entries.get(uri)?.tree.warm();
  }

  /** Nothing parsed is reused (the tree, the warm-up under way, the last source). */
  private dropTree(e: Entry): void {
    e.tree.drop();
    e.source = undefined;
  }

  /** Version `from` of `uri` became `to` by `edits` (undefined: a whole-text or malformed change),
   *  `map` the version's line map. */
  edited(uri: string, from: number, to: number, edits: TextEdit[] | undefined, map?: TextMap): void {
    const e = this.entries.get(uri);
    e?.log.record(from, to, edits, map);
    if (e && TRACING) e.arrived = clock();
  }

  /** A file the document includes changed: it is analysed again (its last run is not reused). */
  dependencyChanged(uri: string): void {
    const e = this.entries.get(uri);
    if (!e) return;
    e.fresh = true;
    this.update(e.doc);
  }

  /** A malformed edit (out-of-range range, version going backwards): the next analysis starts
   *  from scratch (no tree, no run is reused). */
  distrust(uri: string): void {
    const e = this.entries.get(uri);
    if (!e) return;
    this.dropTree(e);
    e.runMaps.clear();
    e.log.reset(e.doc.version);
    e.fresh = true;
    // Versions may have gone backwards: no run answers for the new ones until the next completes.
    e.releasePrevious?.();
    e.releasePrevious = e.release;
    e.release = undefined;
    e.executed = undefined;
    e.previous = undefined;
    for (const w of [...e.waiters]) w.resolve(undefined);
  }

  /** The last completed run, whatever its version. */
  latest(uri: string): Executed | undefined {
    return this.entries.get(uri)?.executed;
  }

  /** The run of the current version (waits for it; undefined when cancelled or closed). */
  async executedNow(uri: string, token?: CancellationToken): Promise<Executed | undefined> {
    const e = this.entries.get(uri);
    if (!e) return undefined;
    const version = e.doc.version;
    if (e.executed && e.executed.version >= version) return e.executed;
    return this.waitFor(e, version, token);
  }

  /**
   * A run that can answer for `offset` of the current text: the last completed one when the line
   * holding `offset` is unchanged since, else the run of the current version. While the last
   * run's steps are still on their way from the worker, the run before it answers if that line
   * is unchanged since it too, so a hover right after a run does not wait for them.
   */
  async executedAt(uri: string, offset: number, token?: CancellationToken): Promise<ExecutedView | undefined> {
    const e = this.entries.get(uri);
    if (!e) return undefined;
    const last = e.executed;
    const order = last && !last.stepsReady() && e.previous?.stepsReady() ? [e.previous, last] : [last];
    for (const ex of order) {
      const view = ex && this.viewAt(e, ex, offset);
      if (view) return view;
    }
    const now = await this.executedNow(uri, token);
    return now ? { ex: now, map: IDENTITY } : undefined;
  }

  /** `ex` seen from the current text, when the line holding `offset` is unchanged since `ex`. */
  private viewAt(e: Entry, ex: Executed, offset: number): ExecutedView | undefined {
    const now = { version: e.doc.version, text: e.doc.getText(), partial: this.source(e).partial };
    return e.runMaps.view(ex, now, offset, [e.executed?.version, e.previous?.version]);
  }

  private waitFor(e: Entry, version: number, token?: CancellationToken): Promise<Executed | undefined> {
    if (token?.isCancellationRequested) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const w: Waiter = {
        version,
        resolve: (ex) => {
          e.waiters.delete(w);
          sub?.dispose();
          resolve(ex);
        },
      };
      const sub = token?.onCancellationRequested(() => w.resolve(undefined));
      e.waiters.add(w);
    });
  }

  /** The source of the current version; line starts updated from the entry's last source. */
  private source(e: Entry): Source {
    const doc = e.doc;
    if (e.source?.version === doc.version) return e.source;
    e.source = nextSource(e.source, doc, this.deps.settings().maxFileSize, e.source && e.log.extent(e.source.version, doc.version, e.source.fullLength));
    return e.source;
  }

  /** Runs `version`; publishes once `gate` (the debounce, when the run started early) is open. */
  private async execute(e: Entry, version: number, gate?: Promise<void>): Promise<void> {
    const stale = () => e.closed || e.doc.version !== version;
    if (stale()) return;
    const t0 = performance.now();
    const marks: Marks | undefined = TRACING ? [['edit', e.arrived ?? clock()], ['execute', clock()]] : undefined;
    // The engine parses on its own; the tree for the editor features is parsed only on demand.
    const parsed = e.tree.parsed;
    const src = parsed?.version === version ? parsed : this.source(e);
    mark(marks, 'source');
    // Typing inside a comment changes no token: the last run stands for this version too.
    const last = e.fresh ? undefined : e.executed;
    e.fresh = false;
    if (last && last.version < version && last.source.partial === src.partial && commentOnlyEdit(last.source.text, src.text, knownExtent(e, last.source, src))) {
      const ex: Executed = { ...last, source: src, version, elapsedMs: performance.now() - t0 };
      if (gate) await gate;
      if (stale()) return;
      e.executed = ex;
      for (const w of [...e.waiters]) if (w.version <= version) w.resolve(ex);
      this.deps.publish(ex);
      return;
    }
    const cancel = new CancelFlag();
    e.cancel = cancel;
    const maxFileSize = this.deps.settings().maxFileSize;
    const openDocs = src.includes ? this.deps.openDocs(e.doc.uri) : {};
    // The engine cuts a file above the limit the same way, and gives the I_PARTIAL notice.
    const text = src.partial ? e.doc.getText() : src.text;
    const log = e.log;
    const editsSince = (v: number) => log.since(v, version);
    const out = await this.deps.runner.run({ uri: e.doc.uri, version, text, maxFileSize, roots: this.deps.roots(), openDocs, editsSince, marks }, cancel);
    if (e.cancel === cancel) e.cancel = undefined;
    if (gate && out.kind !== 'cancelled') await gate;
    mark(marks, 'debounce');
    if (stale() || out.kind === 'cancelled') {
      if (out.kind === 'done') out.release?.();
      return;
    }
    let ex: Executed;
    if (out.kind === 'done') {
      ex = buildExecuted(src, out, performance.now() - t0);
    } else {
      // The engine is not supposed to fail; if it does, show the syntax diagnostics and why.
      this.deps.log(`engine failed for ${e.doc.uri}: ${out.message}`);
      ex = buildExecuted(src, undefined, performance.now() - t0);
      ex.diagnostics.push({ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, severity: DiagnosticSeverity.Error, code: 'E_INTERNAL',
        source: 'iommu-lens', message: `the scenario could not be run: ${out.message.split('\n')[0]}` });
    }
    if (!e.previous || e.executed?.stepsReady() !== false) e.previous = e.executed;
    e.executed = ex;
    e.releasePrevious?.();
    e.releasePrevious = e.release;
    e.release = out.kind === 'done' ? out.release : undefined;
    for (const w of [...e.waiters]) if (w.version <= version) w.resolve(ex);
    this.deps.publish(ex);
    mark(marks, 'published');
    if (marks) process.stderr.write(traceLine(`${e.doc.uri} v${version}`, marks) + '\n');
    // The server brings the syntax tree and name index up to this version once it is published,
    // while idle (server.ts publish); the full result is fetched only when a feature asks for it.
  }
}
