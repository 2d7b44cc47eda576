// Scenario steps: writes, iommufd and vSMMU operations, external aborts, registers, commands,
// transactions (dma, ats, pri), map/unmap, pte, and expectations.

import type { AbortStmt, CmdStmt, CpuStmt, Expectation, IommufdStmt, Keyword, MapStmt, Mapping, NameRef, PteStmt, RegStmt, TransactionStmt, UnmapStmt, VsmmuStmt, WriteStmt } from '../ast';
import { DIAG } from '../diagnostics';
import { closest, didYouMean } from '../suggest';
import { EXPECT_FIELDS, EXPECT_KINDS, IOMMUFD_OPS, isPermsWord, TRANSACTION_OPTIONS, TX_ACCESS_OPTIONS, TX_NUMBER_OPTIONS, VSMMU_MODES } from '../keywords';
import { low } from './cursor';
import { TX_OPTIONS } from './blocks';
import { DeclParser } from './decls';
import { NO_OPTIONS, fastTransaction } from './fastTxn';

const EXPECT_KIND_SET: ReadonlySet<string> = new Set(EXPECT_KINDS);
const EXPECT_FIELD_SET: ReadonlySet<string> = new Set(EXPECT_FIELDS);

export abstract class StepParser extends DeclParser {
  // ---- steps --------------------------------------------------------------------------------

  protected writeStmt(kw: Keyword, width: 8 | 16 | 32 | 64): WriteStmt {
    const s: WriteStmt = { kind: 'write', keyword: kw, incomplete: false, start: kw.start, end: kw.end, width };
    const addr = this.expectNumber('an address', kw.text);
    if (addr) {
      s.addr = addr;
      const value = this.expectNumber('a value', 'the address');
      if (value) s.value = value;
    }
    return s;
  }

  protected iommufdStmt(kw: Keyword): IommufdStmt {
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

  protected vsmmuStmt(kw: Keyword): VsmmuStmt {
    const s: VsmmuStmt = { kind: 'vsmmu', keyword: kw, incomplete: false, start: kw.start, end: kw.end, viommus: [] };
    const name = this.declName(kw, 'vsmmu');
    if (!name) return s;
    s.name = name;
    while (this.tok.kind === 'word' && !this.atItemEnd() && !this.isWord('mode')) s.viommus.push(this.nameRef('viommu'));
    if (s.viommus.length === 0) this.errorAtTok(DIAG.expected, `expected the vIOMMUs of \`vsmmu ${name.name}\` (vsmmu ${name.name} VIOMMU...)`);
    if (this.isWord('mode')) {
      const kw = (s.modeKeyword = this.word());
      if (this.tok.kind !== 'word' || this.atItemEnd()) {
        this.errorAtTok(DIAG.expected, `expected ${VSMMU_MODES.join(' or ')} after \`mode\``);
        return s;
      }
      const v = this.word();
      if ((VSMMU_MODES as readonly string[]).includes(v.lower)) s.mode = v;
      else this.error(v.start, v.end, DIAG.expected, `unknown vsmmu mode \`${v.text}\` after \`${kw.text}\`: ${VSMMU_MODES.join(' (hardware nesting) or ')} (a shadowing VMM)${didYouMean(closest(v.lower, VSMMU_MODES))}`);
    }
    return s;
  }

  protected abortStmt(kw: Keyword): AbortStmt {
    const s: AbortStmt = { kind: 'abort', keyword: kw, incomplete: false, start: kw.start, end: kw.end };
    const addr = this.expectNumber('an address', kw.text);
    if (addr) {
      s.addr = addr;
      if (this.atNumber()) s.size = this.number();
    }
    return s;
  }

  protected regStmt(kw: Keyword): RegStmt {
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

  protected cmdStmt(kw: Keyword): CmdStmt {
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

  protected cpuStmt(kw: Keyword): CpuStmt {
    const s: CpuStmt = { kind: 'cpu', keyword: kw, incomplete: false, start: kw.start, end: kw.end, fields: [] };
    if (!this.isWord('tlbi')) {
      this.errorAtTok(DIAG.expected, 'expected `tlbi` after `cpu` (cpu tlbi vae1is asid 5 va 0x4000_0000)');
      return s;
    }
    s.op = this.word();
    if (this.tok.kind !== 'word') {
      this.errorAtTok(DIAG.expected, 'expected a TLBI instruction after `tlbi` (VAE1IS, VALE1IS, ASIDE1IS, VMALLE1IS, VAE2IS, ALLE2IS, ...)');
      return s;
    }
    s.instr = this.word();
    s.fields = this.onlyFields(this.inline(false), 'cpu tlbi');
    return s;
  }

  /** The commonest line of a trace, `dma`/`ats` at the current token, read without tokens
   *  (parse/fastTxn.ts; the same tree), or undefined (nothing read: the general path follows).
   *  Tried before the keyword is consumed: no token after it is read for nothing. */
  protected fastTransaction(lower: 'dma' | 'ats'): TransactionStmt | undefined {
    if (this.ahead.length !== 0 || this.noFastPath) return undefined;
    const t = this.tok;
    const s = fastTransaction(this.text, { kind: 'keyword', start: t.start, end: t.end, text: t.text }, lower, this.lx, this.lean);
    if (s) this.skipTo(s.end, s.end);
    return s;
  }

  /** A transaction through the general path (the keyword consumed). */
  protected transaction(kw: Keyword, lower: 'dma' | 'ats' | 'pri'): TransactionStmt {
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
      const member = TX_NUMBER_OPTIONS.get(n);
      if (TX_ACCESS_OPTIONS.includes(n)) {
        if (s.access && s.access.lower !== n) this.error(f.start, f.end, DIAG.unexpectedToken, 'a transaction is either `read` or `write`');
        s.access = f.name;
      } else if (n === 'priv') s.priv = !(v?.kind === 'number' && v.value === 0n); // `priv` or `priv 1`
      else if (n === 'exec') s.exec = !(v?.kind === 'number' && v.value === 0n);
      else if (n === 'translated' && lower === 'dma') s.translated = !(v?.kind === 'number' && v.value === 0n);
      else if (n === 'last' && lower === 'pri') s.last = !(v?.kind === 'number' && v.value === 0n);
      else if (n === 'prgi' && lower === 'pri') {
        if (!v || v.kind !== 'number') this.error(f.name.start, f.name.end, DIAG.expected, 'expected a number after `prgi`');
        else s.prgi = v;
      } else if (member) {
        if (!v || v.kind !== 'number') {
          this.error(f.name.start, f.name.end, DIAG.expected, `expected ${member === 'iova' ? 'an address' : 'a number'} after \`${f.name.text}\``);
          continue;
        }
        s[member] = v;
      } else {
        const near = closest(n, [...TRANSACTION_OPTIONS, 'expect']);
        this.error(f.name.start, f.name.end, DIAG.unknownOption, `unknown \`${lower}\` option \`${f.name.text}\`${near.length ? didYouMean(near) : `: expected ${TRANSACTION_OPTIONS.join(', ')}, expect`}`);
      }
    }
    const quiet = this.sink.count !== before;
    if (quiet) {
      // An option was already reported: do not pile "needs" errors on top.
    } else if (!s.sid && !s.options.some((f) => TX_NUMBER_OPTIONS.get(f.name.lower) === 'sid'))
      this.error(kw.start, Math.max(kw.end, this.lastEnd), DIAG.expected, `\`${lower}\` needs a StreamID: \`sid <n>\``);
    else if (!s.iova && !s.options.some((f) => TX_NUMBER_OPTIONS.get(f.name.lower) === 'iova'))
      this.error(kw.start, Math.max(kw.end, this.lastEnd), DIAG.expected, `\`${lower}\` needs an address: \`iova <addr>\``);
    while (this.isWord('expect')) s.expects.push(this.expectation(this.keyword()));
    // The runner's tree: the option nodes die here, young (the engine reads the members above).
    if (this.lean) s.options = NO_OPTIONS;
    return s;
  }

  protected tableRef(kw: Keyword): NameRef | undefined {
    if (this.tok.kind === 'word') return this.nameRef('pagetable');
    this.errorAtTok(DIAG.expected, `expected a pagetable name after \`${kw.text}\``);
    return undefined;
  }

  protected mapStmt(kw: Keyword): MapStmt {
    const table = this.tableRef(kw);
    const m = this.mappingRest(undefined);
    const s: MapStmt = { kind: 'map', keyword: kw, incomplete: false, start: kw.start, end: m.end, mapping: m };
    if (table) s.table = table;
    return s;
  }

  /** After `map` (and a table name): `IOVA SIZE -> PA [perms] [attrs]`. In a pagetable body
   *  the mapping owns its `map` keyword; in a `map TABLE` step the statement owns it. */
  protected mappingRest(kw: Keyword | undefined): Mapping {
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

  protected unmapStmt(kw: Keyword): UnmapStmt {
    const s: UnmapStmt = { kind: 'unmap', keyword: kw, incomplete: false, start: kw.start, end: kw.end };
    const table = this.tableRef(kw);
    if (table) s.table = table;
    const iova = this.expectNumber('an input address', table ? table.name : 'unmap');
    if (iova) s.iova = iova;
    if (this.atNumber()) s.size = this.number();
    return s;
  }

  protected pteStmt(kw: Keyword): PteStmt {
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

  protected expectation(kw: Keyword): Expectation {
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
}
