// Hand-written parser for the `.smmu` language (docs/language.md).
// Never throws, linear time: every loop consumes a token or stops; block nesting recurses at most
// MAX_DEPTH levels, deeper braces are skipped by counting. Errors resynchronise at the end of the
// line, `;`, `}` or a statement keyword starting a line.
import type { ErrorStmt, ParseResult, Script, Statement } from './ast';
import { DIAG } from './diagnostics';
import { closest, didYouMean } from './suggest';
import { isStatementKeyword, STATEMENT_KEYWORDS } from './keywords';
import { low, show } from './parse/cursor';
import { StepParser } from './parse/steps';

export { MAX_DEPTH } from './parse/blocks';

/** How to parse. */
export interface ParseOptions {
  /**
   * The tree the engine reads, without what only the editor reads (the runner's parse): a
   * transaction's `options` list is left empty (its sid, ssid, iova, len, access and flags are in
   * their own members, which are all the engine reads) and comment spans are not kept. Same
   * diagnostics.
   */
  lean?: boolean;
  /** Reads every line with the general path, not the fast path of plain transaction lines
   *  (parse/fastTxn.ts): the same tree, slower; tests compare the two. */
  noFastPath?: boolean;
}

/** Parses a scenario. Never throws; returns a tree for any input plus syntax diagnostics. */
export function parse(text: string, uri?: string, options?: ParseOptions): ParseResult {
  const p = new Parser(typeof text === 'string' ? text : String(text), 0, options?.lean === true, options?.noFastPath === true);
  const statements = p.parseScript();
  const lineStarts = p.lineStarts();
  const tree: Script = { kind: 'script', start: 0, end: p.text.length, statements, comments: p.comments, lineStarts };
  if (uri !== undefined) tree.uri = uri;
  return { tree, diagnostics: p.sink.finish(lineStarts) };
}

/**
 * Top-level statements of `text` from offset `from` (a line start outside any statement) to the
 * end, or up to the first statement whose start `stopAt` accepts (dsl/incremental.ts). Offsets
 * are the whole text's; `lineStarts` are the whole text's (for the diagnostics' ranges).
 */
export function parseFrom(text: string, from: number, stopAt: (offset: number) => boolean, lineStarts: readonly number[]) {
  const p = new Parser(text, from);
  const statements = p.parseScript(stopAt);
  return { statements, comments: p.comments, diagnostics: p.sink.finish(lineStarts), stop: p.stoppedAt };
}

/**
 * The statements of `text` one at a time (the runner's streaming compile, engine/compile/stream.ts):
 * the same statements and diagnostics as `parse(text, uri, options)`, none of them kept here.
 * `lineStarts` grows as the text is read: it holds every line start up to the end of the last
 * statement returned.
 */
export class StatementStream {
  private readonly p: Parser;
  readonly lineStarts: readonly number[];

  constructor(text: string, options?: ParseOptions) {
    this.p = new Parser(text, 0, options?.lean === true, options?.noFastPath === true);
    this.lineStarts = this.p.lineStarts();
  }

  next(): Statement | undefined {
    return this.p.next();
  }

  /** The syntax diagnostics, once `next()` has returned undefined. */
  diagnostics(): ParseResult['diagnostics'] {
    return this.p.sink.finish(this.p.lineStarts());
  }
}

/** The whole parser: the script and its statements' dispatch (declarations, steps, blocks and the cursor below it in parse/). */
class Parser extends StepParser {
  // ---- script -------------------------------------------------------------------------------

  parseScript(stopAt?: (offset: number) => boolean): Statement[] {
    const out: Statement[] = [];
    for (let s = this.next(stopAt); s; s = this.next(stopAt)) out.push(s);
    return out;
  }

  /** The next top-level statement, or undefined at the end (or where `stopAt` accepts a start). */
  next(stopAt?: (offset: number) => boolean): Statement | undefined {
    for (;;) {
      const t = this.tok;
      if (t.kind === 'eof') return undefined;
      if (t.kind === 'newline' || this.isPunct(';')) {
        this.advance();
        continue;
      }
      if (stopAt?.(t.start)) {
        this.stoppedAt = t.start;
        return undefined;
      }
      if (this.isPunct('}')) {
        this.error(t.start, t.end, DIAG.unmatchedBrace, 'unmatched `}`');
        this.advance();
        continue;
      }
      const before = this.sink.count;
      const s = this.statement();
      if (s.kind !== 'error') {
        this.endStatement(true, this.sink.count !== before);
        if (this.sink.count !== before) s.incomplete = true;
      }
      return s;
    }
  }

  protected statement(): Statement {
    const t = this.tok;
    const lower = t.kind === 'word' ? low(t) : '';
    if (!isStatementKeyword(lower)) {
      const suggestions = t.kind === 'word' ? closest(lower, STATEMENT_KEYWORDS) : [];
      const msg =
        t.kind === 'word'
          ? `unknown statement \`${t.text.length > 30 ? t.text.slice(0, 27) + '...' : t.text}\`${suggestions.length ? didYouMean(suggestions) : `: expected one of ${STATEMENT_KEYWORDS.join(', ')}`}`
          : `expected a statement, found ${show(t)}`;
      if (t.kind !== 'invalid') this.error(t.start, t.end, DIAG.unknownStatement, msg);
      const start = t.start;
      const brace = t.kind === 'punct' && t.text === '{';
      this.advance();
      // `pagetabel vm_s2 ...`: the name the misspelt declaration would have declared.
      const named = suggestions.length > 0 && this.tok.kind === 'word' ? this.tok.text : undefined;
      this.skipRest(brace ? 1 : 0);
      if (this.isPunct(';')) this.advance();
      const err: ErrorStmt = { kind: 'error', start, end: this.lastEnd };
      if (suggestions.length) err.typo = { suggestions, ...(named !== undefined ? { name: named } : {}) };
      return err;
    }
    if (lower === 'dma' || lower === 'ats') {
      const fast = this.fastTransaction(lower);
      if (fast) return fast;
    }
    const kw = this.keyword();
    let s: Statement;
    switch (lower) {
      case 'include':
        s = this.includeStmt(kw);
        break;
      case 'smmu':
        s = this.smmuDecl(kw);
        break;
      case 'pagetable':
        s = this.pagetableDecl(kw);
        break;
      case 'cd':
        s = this.cdDecl(kw);
        break;
      case 'cdtable':
        s = this.cdTableDecl(kw);
        break;
      case 'ste':
        s = this.steDecl(kw);
        break;
      case 'write64':
      case 'write32':
      case 'write16':
      case 'write8':
        s = this.writeStmt(kw, Number(lower.slice(5)) as 8 | 16 | 32 | 64);
        break;
      case 'abort':
        s = this.abortStmt(kw);
        break;
      case 'iommufd':
        s = this.iommufdStmt(kw);
        break;
      case 'vsmmu':
        s = this.vsmmuStmt(kw);
        break;
      case 'reg':
        s = this.regStmt(kw);
        break;
      case 'cmd':
        s = this.cmdStmt(kw);
        break;
      case 'cpu':
        s = this.cpuStmt(kw);
        break;
      case 'dma':
      case 'ats':
      case 'pri':
        s = this.transaction(kw, lower);
        break;
      case 'map':
        s = this.mapStmt(kw);
        break;
      case 'unmap':
        s = this.unmapStmt(kw);
        break;
      case 'pte':
        s = this.pteStmt(kw);
        break;
      case 'expect': {
        const e = this.expectation(kw);
        s = { kind: 'expect', keyword: kw, incomplete: false, expectation: e, start: kw.start, end: e.end };
        break;
      }
    }
    s.end = Math.max(s.end, this.lastEnd);
    return s;
  }
}
