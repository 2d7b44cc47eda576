// Declarations: include, smmu, pagetable, cd, cdtable, ste, and the raw data of a declaration.

import type { CdDecl, CdTableDecl, DeclKind, IncludeStmt, Keyword, NameDecl, NameRef, PagetableDecl, RawData, SmmuDecl, Statement, SteDecl } from '../ast';
import { DIAG } from '../diagnostics';
import { low } from './cursor';
import { BlockParser } from './blocks';

/** Statement keywords that are also fields of a declaration's block. */
const CD_FIELDS: ReadonlySet<string> = new Set(['pagetable', 'smmu']);
const SMMU_FIELD: ReadonlySet<string> = new Set(['smmu']);

export abstract class DeclParser extends BlockParser {
  // ---- declarations -------------------------------------------------------------------------

  protected declName(kw: Keyword, declares: DeclKind): NameDecl | undefined {
    if (this.tok.kind === 'word') return this.nameDecl(declares);
    this.errorAtTok(DIAG.expected, `expected a name after \`${kw.text}\``);
    return undefined;
  }

  /** The declared name after `kw`, set on the declaration `s` when present. */
  protected nameInto(s: { name?: NameDecl }, kw: Keyword, declares: DeclKind): NameDecl | undefined {
    const name = this.declName(kw, declares);
    if (name) s.name = name;
    return name;
  }

  protected includeStmt(kw: Keyword): IncludeStmt {
    const s: IncludeStmt = { kind: 'include', keyword: kw, incomplete: false, start: kw.start, end: kw.end };
    if (this.tok.kind === 'string') s.path = this.string();
    else this.errorAtTok(DIAG.expected, 'expected a file name in quotes after `include` (include "other.smmu")');
    return s;
  }

  protected smmuDecl(kw: Keyword): SmmuDecl {
    const s: SmmuDecl = { kind: 'smmu', keyword: kw, incomplete: false, start: kw.start, end: kw.end, options: [] };
    this.nameInto(s, kw, 'smmu');
    s.options = this.onlyFields(this.inline(false), 'smmu');
    if (this.isPunct('{')) s.body = this.block(0, false);
    return s;
  }

  protected pagetableDecl(kw: Keyword): PagetableDecl {
    const s: PagetableDecl = { kind: 'pagetable', keyword: kw, incomplete: false, start: kw.start, end: kw.end, options: [] };
    this.nameInto(s, kw, 'pagetable');
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

  protected cdDecl(kw: Keyword): CdDecl {
    const s: CdDecl = { kind: 'cd', keyword: kw, incomplete: false, start: kw.start, end: kw.end, options: [] };
    const name = this.nameInto(s, kw, 'cd');
    if (this.isWord('raw')) s.raw = this.raw();
    else {
      s.options = this.onlyFields(this.inline(false, true), 'cd');
      if (this.isWord('raw')) s.raw = this.raw();
      else if (this.isPunct('{')) s.body = this.block(0, false, CD_FIELDS);
      else if (name) this.errorAtTok(DIAG.expected, 'expected `{` with CD fields or `raw` with CD dwords');
    }
    return s;
  }

  protected cdTableDecl(kw: Keyword): CdTableDecl {
    const s: CdTableDecl = { kind: 'cdtable', keyword: kw, incomplete: false, start: kw.start, end: kw.end, options: [] };
    this.nameInto(s, kw, 'cdtable');
    if (this.isPunct(':')) this.advance();
    s.options = this.onlyFields(this.inline(false), 'cdtable');
    if (this.isPunct('{')) s.body = this.block(0, false, SMMU_FIELD);
    return s;
  }

  /** `[SMMU]` before a StreamID / opcode: a word that is not `stop`. */
  protected optSmmu(stop: (lower: string) => boolean): NameRef | undefined {
    const t = this.tok;
    if (t.kind !== 'word' || stop(low(t))) return undefined;
    return this.nameRef('smmu');
  }

  protected steDecl(kw: Keyword): SteDecl {
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

  protected raw(): RawData {
    const kw = this.keyword();
    const r: RawData = { kind: 'raw', keyword: kw, dwords: [], start: kw.start, end: kw.end };
    while (this.atNumber()) r.dwords.push(this.number());
    if (r.dwords.length === 0) this.errorAtTok(DIAG.expected, 'expected dwords (numbers) after `raw`');
    r.end = this.lastEnd;
    return r;
  }
}
