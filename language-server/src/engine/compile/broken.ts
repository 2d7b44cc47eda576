// Statements that cannot run as written: a misspelt declaration keyword (`pagetabel vm_s2`), a
// reference to a name nothing declares. They are reported once, where the mistake is; whatever
// depends on them (a cd using the table, the ste using the cd, the DMAs on that StreamID and
// their expectations) is skipped rather than run as something else, and the one diagnostic lists
// what was skipped.

import type { WireDiagnostic, WireRange } from '../output/wire';

/** One statement's "not run because of" entry (kept in statement order: incremental compiles splice them). */
export interface SkipEntry {
  cause: WireDiagnostic;
  at: WireRange;
  what: string;
}

export class Broken {
  /** Unresolved references in order (their diagnostic, or the typo's when the name was misspelt). */
  readonly events: WireDiagnostic[] = [];
  /** Names a misspelt declaration would have declared -> the diagnostic at the typo. */
  readonly typoNames: Map<string, WireDiagnostic>;
  /** Declarations (`kind:name`) that failed because of an unresolved reference -> its cause. */
  readonly decls: Map<string, WireDiagnostic>;
  /** `smmu:sid` of STEs not written because of an unresolved reference: per key, the causes in
   *  statement order (`at`: the ste's statement; no cause: a later ste wrote it). */
  private readonly sidLog: Map<string, Array<{ at: number; cause?: WireDiagnostic }>>;
  /** What each cause made the run skip, in statement order (finish() groups them). */
  readonly skips: SkipEntry[];

  /** `from`: the broken state of an earlier compile whose declarations are kept (compile/reuse.ts):
   *  its declaration-side maps are shared (read only); `skips`: the entries so far. */
  constructor(from?: Broken, skips: SkipEntry[] = []) {
    this.typoNames = from ? from.typoNames : new Map();
    this.decls = from ? from.decls : new Map();
    this.sidLog = from ? from.sidLog : new Map();
    this.skips = skips;
  }

  /** No misspelt declaration, no declaration or STE left out by an unresolved reference (what
   *  an incremental compile that moves or re-lowers declarations relies on: compile/relower.ts). */
  clean(): boolean {
    return this.typoNames.size === 0 && this.decls.size === 0 && this.sidLog.size === 0;
  }

  /** A mark to pass to `since`. */
  mark(): number {
    return this.events.length;
  }

  /** The first unresolved reference since the mark. */
  since(mark: number): WireDiagnostic | undefined {
    return this.events[mark];
  }

  unresolved(cause: WireDiagnostic): void {
    this.events.push(cause);
  }

  /** The STE of `smmu:sid` was not written (cause) or was (undefined) by statement `at`. */
  setSid(key: string, at: number, cause?: WireDiagnostic): void {
    const log = this.sidLog.get(key);
    if (log) log.push({ at, cause });
    else if (cause) this.sidLog.set(key, [{ at, cause }]);
  }

  /** Why the STE of `smmu:sid` is not written as of statement `at` (after the statements before it). */
  sidCause(smmu: string, sid: bigint, at: number): WireDiagnostic | undefined {
    // (most scenarios have no such STE: no key string per transaction then)
    if (this.sidLog.size === 0) return undefined;
    const log = this.sidLog.get(`${smmu}:${sid}`);
    if (!log) return undefined;
    for (let i = log.length - 1; i >= 0; i--) if (log[i].at <= at) return log[i].cause;
    return undefined;
  }

  /** `what` at `at` was not run because of `cause`. */
  skip(cause: WireDiagnostic, at: WireRange, what: string): void {
    this.skips.push({ cause, at, what });
  }

  /**
   * `diags` with each cause replaced by a copy that says once what it made the run skip (the
   * diagnostics themselves are not changed: a later incremental compile reuses them).
   */
  finish(diags: WireDiagnostic[], skips: readonly SkipEntry[] = this.skips): WireDiagnostic[] {
    if (skips.length === 0) return diags.slice();
    const skipped = new Map<WireDiagnostic, Array<{ at: WireRange; what: string }>>();
    const seen = new Set<string>();
    for (const { cause, at, what } of skips) {
      const key = `${cause.line}:${cause.col}:${at.line}:${what}`;
      if (seen.has(key)) continue;
      seen.add(key);
      let list = skipped.get(cause);
      if (!list) skipped.set(cause, (list = []));
      list.push({ at, what });
    }
    const out = diags.slice();
    for (let i = 0; i < out.length; i++) {
      const cause = out[i];
      const list = skipped.get(cause);
      if (!list) continue;
      const lines = list.map((s) => `${s.what} at line ${s.at.line}`);
      const shown = lines.length > 6 ? [...lines.slice(0, 6), `${lines.length - 6} more`] : lines;
      // Related locations for the first 100 (a generated file may skip thousands).
      out[i] = {
        ...cause,
        message: `${cause.message}. Not run because of this: ${shown.join(', ')}`,
        related: [...(cause.related ?? []), ...list.slice(0, 100).map((s) => ({ line: s.at.line, col: s.at.col, message: `${s.what} not run: it depends on line ${cause.line}` }))],
      };
    }
    return out;
  }
}
