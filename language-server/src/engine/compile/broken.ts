// Statements that cannot run as written: a misspelt declaration keyword (`pagetabel vm_s2`), a
// reference to a name nothing declares. They are reported once, where the mistake is; whatever
// depends on them (a cd using the table, the ste using the cd, the DMAs on that StreamID and
// their expectations) is skipped rather than run as something else, and the one diagnostic lists
// what was skipped.

import type { WireDiagnostic, WireRange } from '../output/wire';

export class Broken {
  /** Unresolved references in order (their diagnostic, or the typo's when the name was misspelt). */
  readonly events: WireDiagnostic[] = [];
  /** Names a misspelt declaration would have declared -> the diagnostic at the typo. */
  readonly typoNames = new Map<string, WireDiagnostic>();
  /** Declarations (`kind:name`) that failed because of an unresolved reference -> its cause. */
  readonly decls = new Map<string, WireDiagnostic>();
  /** `smmu:sid` of STEs not written because of an unresolved reference -> its cause. */
  readonly sids = new Map<string, WireDiagnostic>();
  private readonly skipped = new Map<WireDiagnostic, Array<{ at: WireRange; what: string }>>();
  private readonly seen = new Set<string>();

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

  /** `what` at `at` was not run because of `cause`. */
  skip(cause: WireDiagnostic, at: WireRange, what: string): void {
    let list = this.skipped.get(cause);
    if (!list) this.skipped.set(cause, (list = []));
    const key = `${cause.line}:${cause.col}:${at.line}:${what}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    list.push({ at, what });
  }

  /** Says once, on each cause, what it made the run skip. */
  finish(): void {
    for (const [cause, list] of this.skipped) {
      const lines = list.map((s) => `${s.what} at line ${s.at.line}`);
      const shown = lines.length > 6 ? [...lines.slice(0, 6), `${lines.length - 6} more`] : lines;
      cause.message += `. Not run because of this: ${shown.join(', ')}`;
      // Related locations for the first 100 (a generated file may skip thousands).
      cause.related = [...(cause.related ?? []), ...list.slice(0, 100).map((s) => ({ line: s.at.line, col: s.at.col, message: `${s.what} not run: it depends on line ${cause.line}` }))];
    }
  }
}
