// Syntax diagnostics: stable codes, line/character conversion, and a capped collector.
import type { Diagnostic, Position, Range, Script, Span } from './ast';
import { Severity } from './ast';
import { byValue, lowerBound } from './lowerBound';

/** Stable diagnostic codes produced by the front end. */
export const DIAG = {
  invalidCharacter: 'invalid-character',
  unterminatedString: 'unterminated-string',
  invalidNumber: 'invalid-number',
  numberOverflow: 'number-overflow',
  expected: 'expected',
  unexpectedToken: 'unexpected-token',
  unknownStatement: 'unknown-statement',
  unknownOption: 'unknown-option',
  unclosedBrace: 'unclosed-brace',
  unmatchedBrace: 'unmatched-brace',
  tooDeep: 'nesting-too-deep',
  tooManyErrors: 'too-many-errors',
} as const;

/** After this many diagnostics the parser reports one `too-many-errors` and stays quiet. */
export const MAX_DIAGNOSTICS = 1000;

/** Offsets where each line starts. `\r\n`, `\n` and a lone `\r` end a line (as in LSP). */
export function computeLineStarts(text: string): number[] {
  const starts = [0];
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (i + 1 < n && text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/** 0-based index of the line holding `offset` (binary search; allocates nothing). */
export function lineIndexIn(lineStarts: readonly number[], offset: number): number {
  // The last two lines without a search: the runner's streaming compile asks about the statement
  // just read, whose line break is the last one read (compile/stream.ts).
  const n = lineStarts.length;
  if (n > 1 && offset >= lineStarts[n - 2]) return offset >= lineStarts[n - 1] ? n - 1 : n - 2;
  return Math.max(0, lowerBound(lineStarts, offset + 1, byValue) - 1);
}

/** 0-based line/character (UTF-16 units) of an offset. */
export function positionIn(lineStarts: readonly number[], offset: number): Position {
  const line = lineIndexIn(lineStarts, offset);
  return { line, character: offset - lineStarts[line] };
}

export function positionAt(tree: Script, offset: number): Position {
  return positionIn(tree.lineStarts, offset);
}

export function rangeOf(tree: Script, span: Span): Range {
  return { start: positionAt(tree, span.start), end: positionAt(tree, span.end) };
}

/** Offset of a line/character position (clamped to the text). */
export function offsetAt(tree: Script, pos: Position): number {
  if (pos.line < 0) return 0;
  if (pos.line >= tree.lineStarts.length) return tree.end;
  const lineStart = tree.lineStarts[pos.line];
  const next = pos.line + 1 < tree.lineStarts.length ? tree.lineStarts[pos.line + 1] : tree.end;
  return Math.min(lineStart + Math.max(0, pos.character), next);
}

/** Collects diagnostics as offsets; `finish` converts them to ranges. */
export class DiagnosticSink {
  private readonly items: { start: number; end: number; message: string; code: string; severity: Severity }[] = [];
  private capped = false;

  report(start: number, end: number, code: string, message: string, severity: Severity = Severity.Error): void {
    if (this.capped) return;
    if (this.items.length >= MAX_DIAGNOSTICS) {
      this.capped = true;
      this.items.push({ start, end, code: DIAG.tooManyErrors, message: `too many errors; further diagnostics are not shown`, severity: Severity.Error });
      return;
    }
    this.items.push({ start, end: Math.max(start, end), message, code, severity });
  }

  get count(): number {
    return this.items.length;
  }

  finish(lineStarts: readonly number[]): Diagnostic[] {
    return this.items.map((d) => ({
      start: d.start,
      end: d.end,
      range: { start: positionIn(lineStarts, d.start), end: positionIn(lineStarts, d.end) },
      message: d.message,
      code: d.code,
      severity: d.severity,
      source: 'smmu' as const,
    }));
  }
}
