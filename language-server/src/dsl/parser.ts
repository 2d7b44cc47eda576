// Hand-written parser for the `.smmu` language (docs/language.md).
// Never throws, linear time: every loop consumes a token or stops; block nesting recurses at most
// MAX_DEPTH levels, deeper braces are skipped by counting. Errors resynchronise at the end of the
// line, `;`, `}` or a statement keyword starting a line.
import type {
  Block,
  BlockItem,
  CdDecl,
  CdTableDecl,
  CmdStmt,
  DeclKind,
  ErrorStmt,
  Expectation,
  Field,
  IncludeStmt,
  Keyword,
  Mapping,
  MapStmt,
  NameDecl,
  NameRef,
  NumberLit,
  PagetableDecl,
  ParseResult,
  PteStmt,
  RawData,
  RegStmt,
  Script,
  SmmuDecl,
  Span,
  Statement,
  SteDecl,
  StringLit,
  TransactionStmt,
  UnmapStmt,
  Value,
  Word,
  WriteStmt,
  AbortStmt,
  IommufdStmt,
  VsmmuStmt,
} from './ast';
import { Severity } from './ast';
import { DIAG, DiagnosticSink } from './diagnostics';
import { Lexer, Token } from './lexer';
import { closest, didYouMean } from './suggest';
import {
  BLOCK_BREAKERS,
  EXPECT_FIELDS,
  EXPECT_KINDS,
  FLAG_WORDS,
  IOMMUFD_OPS,
  isPermsWord,
  isStatementKeyword,
  STATEMENT_KEYWORDS,
  TRANSACTION_OPTIONS,
} from './keywords';

/** Deepest `{` nesting that is parsed into nodes; deeper content is skipped with a diagnostic. */
export const MAX_DEPTH = 16;
const RING = 8;
const NO_FIELDS: ReadonlySet<string> = new Set();
/** Statement keywords that are also fields of a declaration's block. */
const CD_FIELDS: ReadonlySet<string> = new Set(['pagetable', 'smmu']);
const SMMU_FIELD: ReadonlySet<string> = new Set(['smmu']);

const TX_OPTIONS: ReadonlySet<string> = new Set(TRANSACTION_OPTIONS);
const EXPECT_KIND_SET: ReadonlySet<string> = new Set(EXPECT_KINDS);
const EXPECT_FIELD_SET: ReadonlySet<string> = new Set(EXPECT_FIELDS);

/** Parses a scenario. Never throws; returns a tree for any input plus syntax diagnostics. */
export function parse(text: string, uri?: string): ParseResult {
  const p = new Parser(typeof text === 'string' ? text : String(text));
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

/** A token's text lower-cased, computed once. */
function low(t: Token): string {
  return (t.lower ??= t.text.toLowerCase());
}

function show(t: Token): string {
  if (t.kind === 'eof') return 'end of file';
  if (t.kind === 'newline') return 'end of line';
  const s = t.text.length > 30 ? t.text.slice(0, 27) + '...' : t.text;
  return '`' + s + '`';
}

class Parser {
  readonly sink = new DiagnosticSink();
  readonly comments: Span[] = [];
  private readonly lx: Lexer;
  /** Token objects are recycled through this ring (an advance may use two slots: a comment and a
   *  token; a peek two more), so a token taken from `this.tok` stays valid for two further
   *  `advance()` calls. Keep offsets, not tokens, for longer. */
  private readonly ring: Token[] = [];
  private ringPos = 0;
  private tok: Token;
  private readonly ahead: Token[] = [];
  /** End offset of the last consumed significant token. */
  private lastEnd = 0;
  /** The current token is the first significant token on its line. */
  private lineStart = true;

  /** Where parseScript stopped (the start of the statement `stopAt` accepted, else the end). */
  stoppedAt: number;

  constructor(readonly text: string, from = 0) {
    this.stoppedAt = text.length;
    this.lx = new Lexer(text, this.sink, from);
    for (let i = 0; i < RING; i++) this.ring.push({ kind: 'eof', start: 0, end: 0, text: '', lower: undefined, value: undefined, suffixed: undefined, str: undefined });
    this.tok = this.pull();
  }

  /** Line starts, complete once the whole text has been read. */
  lineStarts(): number[] {
    return this.lx.lineStarts;
  }

  private lex(): Token {
    const t = this.ring[this.ringPos];
    this.ringPos = (this.ringPos + 1) % RING;
    this.lx.nextInto(t);
    return t;
  }

  // ---- token cursor -------------------------------------------------------------------------

  private pull(): Token {
    for (;;) {
      const t = this.ahead.length > 0 ? this.ahead.pop()! : this.lex();
      if (t.kind === 'comment') {
        this.comments.push({ start: t.start, end: t.end });
        continue;
      }
      return t;
    }
  }

  private peek(): Token {
    if (this.ahead.length === 0) {
      for (;;) {
        const t = this.lex();
        if (t.kind === 'comment') {
          this.comments.push({ start: t.start, end: t.end });
          continue;
        }
        this.ahead.push(t);
        break;
      }
    }
    return this.ahead[0];
  }

  private advance(): void {
    if (this.tok.kind === 'eof') return;
    if (this.tok.kind !== 'newline') this.lastEnd = this.tok.end;
    this.lineStart = this.tok.kind === 'newline';
    this.tok = this.pull();
  }

  private isPunct(p: string, t: Token = this.tok): boolean {
    return t.kind === 'punct' && t.text === p;
  }

  /** `t` is the word `lower`, case-insensitively (no allocation: this runs for every token). */
  private isWord(lower: string, t: Token = this.tok): boolean {
    if (t.kind !== 'word' || t.text.length !== lower.length) return false;
    for (let i = 0; i < lower.length; i++) {
      const c = t.text.charCodeAt(i);
      if ((c >= 65 && c <= 90 ? c | 0x20 : c) !== lower.charCodeAt(i)) return false;
    }
    return true;
  }

  /** End of a statement / block item: newline, `;`, `}`, end of file. */
  private atItemEnd(): boolean {
    const t = this.tok;
    return t.kind === 'newline' || t.kind === 'eof' || (t.kind === 'punct' && (t.text === ';' || t.text === '}'));
  }

  private error(start: number, end: number, code: string, message: string): void {
    this.sink.report(start, end, code, message, Severity.Error);
  }

  private errorAtTok(code: string, message: string): void {
    const t = this.tok;
    if (t.kind === 'newline' || t.kind === 'eof') this.error(this.lastEnd, this.lastEnd, code, message);
    else this.error(t.start, t.end, code, message);
  }

  // ---- leaves -------------------------------------------------------------------------------

  private keyword(): Keyword {
    const t = this.tok;
    this.advance();
    return { kind: 'keyword', start: t.start, end: t.end, text: t.text };
  }

  private word(): Word {
    const t = this.tok;
    this.advance();
    return { kind: 'word', start: t.start, end: t.end, text: t.text, lower: low(t) };
  }

  private nameDecl(declares: DeclKind): NameDecl {
    const t = this.tok;
    this.advance();
    return { kind: 'nameDecl', start: t.start, end: t.end, name: t.text, declares };
  }

  private nameRef(refers: DeclKind): NameRef {
    const t = this.tok;
    this.advance();
    return { kind: 'nameRef', start: t.start, end: t.end, name: t.text, refers };
  }

  /** A number at the cursor, `+N` included (a size). */
  private atNumber(): boolean {
    return this.tok.kind === 'number' || (this.isPunct('+') && this.peek().kind === 'number' && this.peek().start === this.tok.end);
  }

  private number(): NumberLit {
    if (this.isPunct('+')) {
      const plus = this.tok;
      this.advance();
      const t = this.tok;
      this.advance();
      return { kind: 'number', start: plus.start, end: t.end, text: '+' + t.text, value: t.value ?? 0n, size: true };
    }
    const t = this.tok;
    this.advance();
    return { kind: 'number', start: t.start, end: t.end, text: t.text, value: t.value ?? 0n, size: t.suffixed === true };
  }

  /** A number, or a diagnostic "expected WHAT after `AFTER`". */
  private expectNumber(what: string, after: string): NumberLit | undefined {
    if (this.atNumber()) return this.number();
    this.errorAtTok(DIAG.expected, `expected ${what} after \`${after}\`${this.atItemEnd() ? '' : `, found ${show(this.tok)}`}`);
    return undefined;
  }

  private string(): StringLit {
    const t = this.tok;
    this.advance();
    return { kind: 'string', start: t.start, end: t.end, value: t.str ?? '' };
  }

  // ---- skipping -----------------------------------------------------------------------------

  /** Skips to the end of the statement / block item, stepping over balanced `{}` (by counting,
   *  so any nesting depth costs nothing). Stops at a statement keyword starting a line inside an
   *  unclosed brace. */
  private skipRest(initialDepth = 0): void {
    let depth = initialDepth;
    for (;;) {
      const t = this.tok;
      if (t.kind === 'eof') return;
      if (depth === 0 && this.atItemEnd()) return;
      if (depth > 0 && this.lineStart && t.kind === 'word' && BLOCK_BREAKERS.has(low(t))) return;
      if (t.kind === 'punct') {
        if (t.text === '{') depth++;
        else if (t.text === '}') depth--;
      }
      this.advance();
    }
  }

  /** Consumes the end of a statement; reports and skips anything left over. */
  private endStatement(topLevel: boolean, quiet: boolean): void {
    // A statement keyword starting a line ends the statement (after an unclosed `{`).
    if (this.lineStart && this.tok.kind === 'word' && BLOCK_BREAKERS.has(low(this.tok))) return;
    if (!this.atItemEnd()) {
      // One diagnostic per statement: after an error inside it, the rest is skipped silently.
      if (!quiet && this.tok.kind !== 'invalid') this.errorAtTok(DIAG.unexpectedToken, `unexpected ${show(this.tok)}: expected end of line or \`;\``);
      this.skipRest();
    }
    if (this.isPunct(';')) this.advance();
    else if (topLevel && this.isPunct('}')) {
      this.error(this.tok.start, this.tok.end, DIAG.unmatchedBrace, 'unmatched `}`');
      this.advance();
    }
  }

  // ---- script -------------------------------------------------------------------------------

  parseScript(stopAt?: (offset: number) => boolean): Statement[] {
    const out: Statement[] = [];
    for (;;) {
      const t = this.tok;
      if (t.kind === 'eof') return out;
      if (t.kind === 'newline' || this.isPunct(';')) {
        this.advance();
        continue;
      }
      if (stopAt?.(t.start)) {
        this.stoppedAt = t.start;
        return out;
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
      out.push(s);
    }
  }

  private statement(): Statement {
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

  // ---- declarations -------------------------------------------------------------------------

  private declName(kw: Keyword, declares: DeclKind): NameDecl | undefined {
    if (this.tok.kind === 'word') return this.nameDecl(declares);
    this.errorAtTok(DIAG.expected, `expected a name after \`${kw.text}\``);
    return undefined;
  }

  private includeStmt(kw: Keyword): IncludeStmt {
    const s: IncludeStmt = { kind: 'include', keyword: kw, incomplete: false, start: kw.start, end: kw.end };
    if (this.tok.kind === 'string') s.path = this.string();
    else this.errorAtTok(DIAG.expected, 'expected a file name in quotes after `include` (include "other.smmu")');
    return s;
  }

  private smmuDecl(kw: Keyword): SmmuDecl {
    const s: SmmuDecl = { kind: 'smmu', keyword: kw, incomplete: false, start: kw.start, end: kw.end, options: [] };
    const name = this.declName(kw, 'smmu');
    if (name) s.name = name;
    s.options = this.onlyFields(this.inline(false), 'smmu');
    if (this.isPunct('{')) s.body = this.block(0, false);
    return s;
  }

  private pagetableDecl(kw: Keyword): PagetableDecl {
    const s: PagetableDecl = { kind: 'pagetable', keyword: kw, incomplete: false, start: kw.start, end: kw.end, options: [] };
    const name = this.declName(kw, 'pagetable');
    if (name) s.name = name;
    if (this.isPunct(':')) this.advance();
    for (const it of this.inline(false)) {
      if (it.kind === 'field' && it.values.length === 0 && /^(s1|s2|stage1|stage2)$/.test(it.name.lower) && !s.stage) s.stage = it.name;
      else if (it.kind === 'field') s.options.push(it);
      else if (it.kind === 'number' && !s.granule) s.granule = it;
      else this.error(it.start, it.end, DIAG.unexpectedToken, 'unexpected value: a pagetable header takes a stage (s1/s2), a granule (4k/16k/64k) and options');
    }
    if (this.isPunct('{')) s.body = this.block(0, true, SMMU_FIELD);
    return s;
  }

  private cdDecl(kw: Keyword): CdDecl {
    const s: CdDecl = { kind: 'cd', keyword: kw, incomplete: false, start: kw.start, end: kw.end, options: [] };
    const name = this.declName(kw, 'cd');
    if (name) s.name = name;
    if (this.isWord('raw')) s.raw = this.raw();
    else {
      s.options = this.onlyFields(this.inline(false, true), 'cd');
      if (this.isWord('raw')) s.raw = this.raw();
      else if (this.isPunct('{')) s.body = this.block(0, false, CD_FIELDS);
      else if (name) this.errorAtTok(DIAG.expected, 'expected `{` with CD fields or `raw` with CD dwords');
    }
    return s;
  }

  private cdTableDecl(kw: Keyword): CdTableDecl {
    const s: CdTableDecl = { kind: 'cdtable', keyword: kw, incomplete: false, start: kw.start, end: kw.end, options: [] };
    const name = this.declName(kw, 'cdtable');
    if (name) s.name = name;
    if (this.isPunct(':')) this.advance();
    s.options = this.onlyFields(this.inline(false), 'cdtable');
    if (this.isPunct('{')) s.body = this.block(0, false, SMMU_FIELD);
    return s;
  }

  /** `[SMMU]` before a StreamID / opcode: a word that is not `stop`. */
  private optSmmu(stop: (lower: string) => boolean): NameRef | undefined {
    const t = this.tok;
    if (t.kind !== 'word' || stop(low(t))) return undefined;
    return this.nameRef('smmu');
  }

  private steDecl(kw: Keyword): SteDecl {
    const s: SteDecl = { kind: 'ste', keyword: kw, incomplete: false, start: kw.start, end: kw.end };
    const smmu = this.optSmmu((w) => w === 'raw');
    if (smmu) s.smmu = smmu;
    const sid = this.expectNumber('a StreamID', smmu ? smmu.name : 'ste');
    if (sid) s.sid = sid;
    if (this.isWord('raw')) s.raw = this.raw();
    else if (this.isPunct('{')) s.body = this.block(0, false);
    else if (sid) this.errorAtTok(DIAG.expected, 'expected `{` with STE fields or `raw` with STE dwords after the StreamID');
    return s;
  }

  private raw(): RawData {
    const kw = this.keyword();
    const r: RawData = { kind: 'raw', keyword: kw, dwords: [], start: kw.start, end: kw.end };
    while (this.atNumber()) r.dwords.push(this.number());
    if (r.dwords.length === 0) this.errorAtTok(DIAG.expected, 'expected dwords (numbers) after `raw`');
    r.end = this.lastEnd;
    return r;
  }

  // ---- steps --------------------------------------------------------------------------------

  private writeStmt(kw: Keyword, width: 8 | 16 | 32 | 64): WriteStmt {
    const s: WriteStmt = { kind: 'write', keyword: kw, incomplete: false, start: kw.start, end: kw.end, width };
    const addr = this.expectNumber('an address', kw.text);
    if (addr) {
      s.addr = addr;
      const value = this.expectNumber('a value', 'the address');
      if (value) s.value = value;
    }
    return s;
  }

  private iommufdStmt(kw: Keyword): IommufdStmt {
    const s: IommufdStmt = { kind: 'iommufd', keyword: kw, incomplete: false, start: kw.start, end: kw.end, operands: [] };
    const ops = Object.keys(IOMMUFD_OPS);
    if (this.tok.kind !== 'word') {
      this.errorAtTok(DIAG.expected, `expected an iommufd operation after \`iommufd\` (${ops.join(', ')})`);
      return s;
    }
    const op = this.word();
    s.op = op;
    const sig = IOMMUFD_OPS[op.lower];
    if (!sig) {
      this.error(op.start, op.end, DIAG.expected, `unknown iommufd operation \`${op.text}\`: expected one of ${ops.join(', ')}`);
      this.skipRest();
      return s;
    }
    for (const o of sig) {
      if (o.kind === 'flag') {
        if (!this.isWord(o.word)) continue;
        s.operands.push(this.word());
        if (o.takesName) {
          if (this.tok.kind === 'word') s.operands.push(this.nameRef(o.takesName));
          else this.errorAtTok(DIAG.expected, `expected an SMMU name after \`${o.word}\``);
        }
      } else if (o.kind === 'num') {
        const n = this.expectNumber(o.what, s.operands.length ? 'the previous operand' : `iommufd ${op.text}`);
        if (!n) return s;
        s.operands.push(n);
        while (o.repeat && this.atNumber()) s.operands.push(this.number());
      } else {
        if (this.tok.kind !== 'word') {
          this.errorAtTok(DIAG.expected, `expected ${o.what} in \`iommufd ${op.text}\``);
          return s;
        }
        s.operands.push(o.kind === 'decl' ? this.nameDecl(o.of) : this.nameRef(o.of));
      }
    }
    return s;
  }

  private vsmmuStmt(kw: Keyword): VsmmuStmt {
    const s: VsmmuStmt = { kind: 'vsmmu', keyword: kw, incomplete: false, start: kw.start, end: kw.end, viommus: [] };
    const name = this.declName(kw, 'vsmmu');
    if (!name) return s;
    s.name = name;
    while (this.tok.kind === 'word' && !this.atItemEnd()) s.viommus.push(this.nameRef('viommu'));
    if (s.viommus.length === 0) this.errorAtTok(DIAG.expected, `expected the vIOMMUs of \`vsmmu ${name.name}\` (vsmmu ${name.name} VIOMMU...)`);
    return s;
  }

  private abortStmt(kw: Keyword): AbortStmt {
    const s: AbortStmt = { kind: 'abort', keyword: kw, incomplete: false, start: kw.start, end: kw.end };
    const addr = this.expectNumber('an address', kw.text);
    if (addr) {
      s.addr = addr;
      if (this.atNumber()) s.size = this.number();
    }
    return s;
  }

  private regStmt(kw: Keyword): RegStmt {
    const s: RegStmt = { kind: 'reg', keyword: kw, incomplete: false, start: kw.start, end: kw.end, fields: [] };
    if (this.tok.kind !== 'word') {
      this.errorAtTok(DIAG.expected, 'expected a register after `reg` (reg smmu0.SMMU_CR0 0x1)');
      return s;
    }
    if (this.isPunct('.', this.peek())) {
      s.smmu = this.nameRef('smmu');
      this.advance(); // .
      if (this.tok.kind !== 'word') {
        this.errorAtTok(DIAG.expected, `expected a register name after \`${s.smmu.name}.\``);
        return s;
      }
    }
    s.register = this.word();
    if (this.atNumber()) s.value = this.number();
    else {
      s.fields = this.onlyFields(this.inline(false), 'reg');
      if (s.fields.length === 0) this.errorAtTok(DIAG.expected, `expected a value after \`${s.register.text}\``);
    }
    return s;
  }

  private cmdStmt(kw: Keyword): CmdStmt {
    const s: CmdStmt = { kind: 'cmd', keyword: kw, incomplete: false, start: kw.start, end: kw.end, fields: [] };
    const smmu = this.optSmmu((w) => w === 'raw' || w.startsWith('cmd_'));
    if (smmu) s.smmu = smmu;
    if (this.isWord('raw')) {
      s.raw = this.raw();
      return s;
    }
    if (this.tok.kind !== 'word') {
      this.errorAtTok(DIAG.expected, 'expected a command name (CMD_SYNC, CMD_TLBI_NH_VA, ...) or `raw`');
      return s;
    }
    s.opcode = this.word();
    s.fields = this.onlyFields(this.inline(false), 'cmd');
    if (this.isPunct('{')) s.body = this.block(0, false);
    return s;
  }

  private transaction(kw: Keyword, lower: 'dma' | 'ats' | 'pri'): TransactionStmt {
    const s: TransactionStmt = {
      kind: lower,
      keyword: kw,
      incomplete: false,
      start: kw.start,
      end: kw.end,
      options: [],
      priv: false,
      exec: false,
      expects: [],
    };
    const before = this.sink.count;
    const smmu = this.optSmmu((w) => TX_OPTIONS.has(w) || w === 'expect');
    if (smmu) s.smmu = smmu;
    s.options = this.onlyFields(this.dropMisspeltExpect(this.inline(true), lower), lower);
    for (const f of s.options) {
      const n = f.name.lower;
      const v = f.values[0];
      if (n === 'read' || n === 'write') {
        if (s.access && s.access.lower !== n) this.error(f.start, f.end, DIAG.unexpectedToken, 'a transaction is either `read` or `write`');
        s.access = f.name;
      } else if (n === 'priv') s.priv = !(v?.kind === 'number' && v.value === 0n); // `priv` or `priv 1`
      else if (n === 'exec') s.exec = !(v?.kind === 'number' && v.value === 0n);
      else if (n === 'translated' && lower === 'dma') s.translated = !(v?.kind === 'number' && v.value === 0n);
      else if (n === 'last' && lower === 'pri') s.last = !(v?.kind === 'number' && v.value === 0n);
      else if (n === 'prgi' && lower === 'pri') {
        if (!v || v.kind !== 'number') this.error(f.name.start, f.name.end, DIAG.expected, 'expected a number after `prgi`');
        else s.prgi = v;
      } else if (n === 'sid' || n === 'ssid' || n === 'iova' || n === 'addr' || n === 'len') {
        if (!v || v.kind !== 'number') {
          this.error(f.name.start, f.name.end, DIAG.expected, `expected ${n === 'iova' || n === 'addr' ? 'an address' : 'a number'} after \`${f.name.text}\``);
          continue;
        }
        if (n === 'sid') s.sid = v;
        else if (n === 'ssid') s.ssid = v;
        else if (n === 'len') s.len = v;
        else s.iova = v;
      } else {
        const near = closest(n, [...TRANSACTION_OPTIONS, 'expect']);
        this.error(f.name.start, f.name.end, DIAG.unknownOption, `unknown \`${lower}\` option \`${f.name.text}\`${near.length ? didYouMean(near) : `: expected ${TRANSACTION_OPTIONS.join(', ')}, expect`}`);
      }
    }
    const quiet = this.sink.count !== before;
    if (quiet) {
      // An option was already reported: do not pile "needs" errors on top.
    } else if (!s.sid && !s.options.some((f) => f.name.lower === 'sid'))
      this.error(kw.start, Math.max(kw.end, this.lastEnd), DIAG.expected, `\`${lower}\` needs a StreamID: \`sid <n>\``);
    else if (!s.iova && !s.options.some((f) => f.name.lower === 'iova' || f.name.lower === 'addr'))
      this.error(kw.start, Math.max(kw.end, this.lastEnd), DIAG.expected, `\`${lower}\` needs an address: \`iova <addr>\``);
    while (this.isWord('expect')) s.expects.push(this.expectation(this.keyword()));
    return s;
  }

  private tableRef(kw: Keyword): NameRef | undefined {
    if (this.tok.kind === 'word') return this.nameRef('pagetable');
    this.errorAtTok(DIAG.expected, `expected a pagetable name after \`${kw.text}\``);
    return undefined;
  }

  private mapStmt(kw: Keyword): MapStmt {
    const table = this.tableRef(kw);
    const m = this.mappingRest(undefined);
    const s: MapStmt = { kind: 'map', keyword: kw, incomplete: false, start: kw.start, end: m.end, mapping: m };
    if (table) s.table = table;
    return s;
  }

  /** After `map` (and a table name): `IOVA SIZE -> PA [perms] [attrs]`. In a pagetable body
   *  the mapping owns its `map` keyword; in a `map TABLE` step the statement owns it. */
  private mappingRest(kw: Keyword | undefined): Mapping {
    const first = this.tok.kind === 'newline' || this.tok.kind === 'eof' ? this.lastEnd : this.tok.start;
    const m: Mapping = { kind: 'mapping', attrs: [], start: kw ? kw.start : first, end: kw ? kw.end : first };
    if (kw) m.keyword = kw;
    const iova = this.expectNumber('an input address', 'map');
    if (iova) {
      m.iova = iova;
      const size = this.expectNumber('a size (+4K, +2M, ...)', 'the address');
      if (size) {
        m.size = size;
        if (this.isPunct('->')) m.arrow = this.keyword();
        else this.errorAtTok(DIAG.expected, 'expected `->` and an output address after the size');
        const pa = this.expectNumber('an output address', '->');
        if (pa) {
          m.pa = pa;
          if (this.tok.kind === 'word' && isPermsWord(low(this.tok))) m.perms = this.word();
          m.attrs = this.onlyFields(this.inline(false), 'map');
        }
      }
    }
    m.end = Math.max(m.end, this.lastEnd);
    return m;
  }

  private unmapStmt(kw: Keyword): UnmapStmt {
    const s: UnmapStmt = { kind: 'unmap', keyword: kw, incomplete: false, start: kw.start, end: kw.end };
    const table = this.tableRef(kw);
    if (table) s.table = table;
    const iova = this.expectNumber('an input address', table ? table.name : 'unmap');
    if (iova) s.iova = iova;
    if (this.atNumber()) s.size = this.number();
    return s;
  }

  private pteStmt(kw: Keyword): PteStmt {
    const s: PteStmt = { kind: 'pte', keyword: kw, incomplete: false, start: kw.start, end: kw.end, fields: [] };
    const table = this.tableRef(kw);
    if (table) s.table = table;
    const iova = this.expectNumber('an input address', table ? table.name : 'pte');
    if (!iova) return s;
    s.iova = iova;
    for (const it of this.inline(false)) {
      if (it.kind === 'field') s.fields.push(it);
      else if (it.kind === 'number' && !s.value) s.value = it;
      else this.error(it.start, it.end, DIAG.unexpectedToken, 'unexpected value: `pte` takes one descriptor value and/or fields');
    }
    if (!s.value && !s.fields.some((f) => f.name.lower !== 'level'))
      this.errorAtTok(DIAG.expected, 'expected a descriptor value or fields to change after the address');
    return s;
  }

  private expectation(kw: Keyword): Expectation {
    const e: Expectation = { kind: 'expectation', keyword: kw, values: [], fields: [], start: kw.start, end: kw.end };
    if (this.isWord('no')) e.negated = this.keyword();
    if (this.tok.kind !== 'word') {
      this.errorAtTok(DIAG.expected, `expected what to check after \`expect\`: ${EXPECT_KINDS.join(', ')}`);
      return e;
    }
    const what = this.word();
    e.what = what;
    const w = what.lower;
    if (!EXPECT_KIND_SET.has(w)) {
      const near = closest(w, EXPECT_KINDS);
      this.error(what.start, what.end, DIAG.unknownOption, `unknown expectation \`${what.text}\`${near.length ? didYouMean(near) : `: expected ${EXPECT_KINDS.join(', ')}`}`);
    }
    if (w === 'pa') {
      const v = this.expectNumber('an address', 'pa');
      if (v) e.values.push(v);
    } else if (w === 'mem') {
      const a = this.expectNumber('an address', 'mem');
      if (a) {
        e.values.push(a);
        const v = this.expectNumber('a value', 'the address');
        if (v) e.values.push(v);
      }
    } else {
      const t = this.tok;
      if (this.atNumber()) e.values.push(this.number());
      else if (t.kind === 'word') {
        const l = low(t);
        if (!EXPECT_FIELD_SET.has(l) && l !== 'expect') e.values.push(this.word());
      } else if (t.kind === 'string') e.values.push(this.string());
      if (e.values.length === 0 && (w === 'tlb' || w === 'outcome' || w === 'event'))
        this.errorAtTok(DIAG.expected, `expected a value after \`${what.text}\`${w === 'tlb' ? ' (hit or miss)' : ''}`);
    }
    e.fields = this.onlyFields(this.inline(true), 'expect');
    e.end = Math.max(e.end, this.lastEnd);
    return e;
  }

  // ---- option lists and blocks --------------------------------------------------------------

  /** Inline options up to the end of the statement (or `{`, or `expect` when stopAtExpect):
   *  `name value` pairs, flags (FLAG_WORDS, or a name with nothing after it) and bare values. */
  private inline(stopAtExpect: boolean, stopAtRaw = false): (Field | Value)[] {
    const out: (Field | Value)[] = [];
    for (;;) {
      const t = this.tok;
      if (this.atItemEnd() || this.isPunct('{')) return out;
      if (t.kind === 'word') {
        const lower = low(t);
        if ((stopAtExpect && lower === 'expect') || (stopAtRaw && lower === 'raw')) return out;
        const name = this.word();
        const f: Field = { kind: 'field', name, values: [], start: name.start, end: name.end };
        if (FLAG_WORDS.has(lower)) {
          // A flag may still be given an explicit 0 or 1 (`leaf 0`, `priv 1`).
          const v = this.tok;
          if (v.kind === 'number' && v.suffixed !== true && (v.value === 0n || v.value === 1n)) f.values.push(this.number());
        } else {
          if (this.isPunct('=') || this.isPunct(':')) this.advance();
          const v = this.tok;
          if (this.atNumber()) f.values.push(this.number());
          else if (v.kind === 'string') f.values.push(this.string());
          else if (v.kind === 'word') {
            const vl = low(v);
            if (!(stopAtExpect && vl === 'expect') && !(stopAtRaw && vl === 'raw')) f.values.push(this.word());
          }
        }
        f.end = this.lastEnd;
        out.push(f);
      } else if (this.atNumber()) out.push(this.number());
      else if (t.kind === 'string') out.push(this.string());
      else if (this.isPunct(',')) this.advance();
      else {
        if (t.kind !== 'invalid') this.error(t.start, t.end, DIAG.unexpectedToken, `unexpected ${show(t)}`);
        this.advance();
      }
    }
  }

  /** `dma ... expcet pa 0x...`: one error at the misspelt `expect`; the rest of the line is its expectation, not options. */
  private dropMisspeltExpect(items: (Field | Value)[], where: string): (Field | Value)[] {
    const i = items.findIndex((it) => it.kind === 'field' && !TX_OPTIONS.has(it.name.lower) && closest(it.name.lower, ['expect']).length > 0 && closest(it.name.lower, TRANSACTION_OPTIONS).length === 0);
    if (i < 0) return items;
    const f = items[i] as Field;
    this.error(f.name.start, f.name.end, DIAG.unknownOption, `unknown \`${where}\` option \`${f.name.text}\`${didYouMean(['expect'])}`);
    return items.slice(0, i);
  }

  /** Keeps the fields of an inline list, reporting bare values. */
  private onlyFields(items: (Field | Value)[], where: string): Field[] {
    const out: Field[] = [];
    for (const it of items) {
      if (it.kind === 'field') out.push(it);
      else this.error(it.start, it.end, DIAG.unexpectedToken, `unexpected value in \`${where}\`: values follow a field name (name value)`);
    }
    return out;
  }

  /** `{ items }`; the cursor is on `{`. depth = number of enclosing blocks. */
  private block(depth: number, allowMap: boolean, fields: ReadonlySet<string> = NO_FIELDS): Block {
    const open = { start: this.tok.start, end: this.tok.end };
    this.advance();
    const b: Block = { kind: 'block', items: [], closed: false, start: open.start, end: open.end };
    for (;;) {
      const t = this.tok;
      if (t.kind === 'newline' || this.isPunct(';') || this.isPunct(',')) {
        this.advance();
        continue;
      }
      if (this.isPunct('}')) {
        this.advance();
        b.closed = true;
        break;
      }
      // A statement keyword starting a line closes an unterminated block, unless it is a field of
      // this block followed by its value (`pagetable nic` in a cd, `smmu smmu1` in a pagetable).
      const breaker = this.lineStart && t.kind === 'word' && BLOCK_BREAKERS.has(low(t)) && !(fields.has(low(t)) && this.peek().kind === 'word');
      if (t.kind === 'eof' || breaker) {
        this.error(open.start, open.end, DIAG.unclosedBrace, 'this `{` is never closed: expected `}`');
        break;
      }
      if (t.kind === 'word') {
        const item = allowMap && this.isWord('map') ? this.mappingRest(this.keyword()) : this.blockField(depth);
        b.items.push(item);
        if (!this.atItemEnd()) {
          this.errorAtTok(DIAG.unexpectedToken, `unexpected ${show(this.tok)}: expected end of line, \`;\` or \`}\``);
          this.skipRest();
        }
        continue;
      }
      if (t.kind !== 'invalid') this.error(t.start, t.end, DIAG.unexpectedToken, `unexpected ${show(t)}: expected a field name`);
      const brace = t.kind === 'punct' && t.text === '{';
      this.advance();
      this.skipRest(brace ? 1 : 0);
    }
    b.end = this.lastEnd;
    return b;
  }

  /** `name [=|:] value* [{ ... }]` inside a block. */
  private blockField(depth: number): BlockItem {
    const name = this.word();
    const f: Field = { kind: 'field', name, values: [], start: name.start, end: name.end };
    if (this.isPunct('=') || this.isPunct(':')) this.advance();
    for (;;) {
      const t = this.tok;
      if (this.atItemEnd()) break;
      if (this.atNumber()) f.values.push(this.number());
      else if (t.kind === 'word') f.values.push(this.word());
      else if (t.kind === 'string') f.values.push(this.string());
      else if (this.isPunct(',')) this.advance();
      else if (this.isPunct('{')) {
        if (depth + 1 >= MAX_DEPTH) {
          this.error(t.start, t.end, DIAG.tooDeep, `blocks nested more than ${MAX_DEPTH} deep are not read`);
          this.advance();
          this.skipBalanced();
        } else f.values.push(this.block(depth + 1, false));
      } else {
        if (t.kind !== 'invalid') this.error(t.start, t.end, DIAG.unexpectedToken, `unexpected ${show(t)} in the value of \`${name.text}\``);
        this.advance();
      }
    }
    f.end = this.lastEnd;
    return f;
  }

  /** After a consumed `{`: skips to its matching `}` (consumed) by counting. */
  private skipBalanced(): void {
    let depth = 1;
    while (depth > 0 && this.tok.kind !== 'eof') {
      if (this.isPunct('{')) depth++;
      else if (this.isPunct('}')) depth--;
      this.advance();
    }
  }
}
