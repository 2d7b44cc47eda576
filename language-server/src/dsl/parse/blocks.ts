// Option lists and `{ }` blocks: inline `name value` items up to the end of a statement, nested
// blocks of fields (at most MAX_DEPTH levels; deeper braces are skipped by counting).

import type { Block, BlockItem, Field, Keyword, Mapping, Value } from '../ast';
import { DIAG } from '../diagnostics';
import { closest, didYouMean } from '../suggest';
import { BLOCK_BREAKERS, FLAG_WORDS, TRANSACTION_OPTIONS } from '../keywords';
import { Cursor, low, show } from './cursor';

/** Deepest `{` nesting that is parsed into nodes; deeper content is skipped with a diagnostic. */
export const MAX_DEPTH = 16;
const NO_FIELDS: ReadonlySet<string> = new Set();
export const TX_OPTIONS: ReadonlySet<string> = new Set(TRANSACTION_OPTIONS);

export abstract class BlockParser extends Cursor {
  /** A `map` item of a block (parsed by the statements' parser). */
  protected abstract mappingRest(kw: Keyword | undefined): Mapping;

  // ---- option lists and blocks --------------------------------------------------------------

  /** Inline options up to the end of the statement (or `{`, or `expect` when stopAtExpect):
   *  `name value` pairs, flags (FLAG_WORDS, or a name with nothing after it) and bare values. */
  protected inline(stopAtExpect: boolean, stopAtRaw = false): (Field | Value)[] {
    const out: (Field | Value)[] = [];
    for (;;) {
      const t = this.tok;
      if (this.atItemEnd() || this.isPunct('{')) return out;
      if (t.kind === 'word') {
        const lower = low(t);
        if ((stopAtExpect && lower === 'expect') || (stopAtRaw && lower === 'raw')) return out;
        const name = this.word();
        let value: Value | undefined;
        if (FLAG_WORDS.has(lower)) {
          // A flag may still be given an explicit 0 or 1 (`leaf 0`, `priv 1`).
          const v = this.tok;
          if (v.kind === 'number' && v.suffixed !== true && (v.value === 0n || v.value === 1n)) value = this.number();
        } else {
          if (this.isPunct('=') || this.isPunct(':')) this.advance();
          const v = this.tok;
          if (this.atNumber()) value = this.number();
          else if (v.kind === 'string') value = this.string();
          else if (v.kind === 'word') {
            const vl = low(v);
            if (!(stopAtExpect && vl === 'expect') && !(stopAtRaw && vl === 'raw')) value = this.word();
          }
        }
        // The values array is made at its size (a tree keeps one per field).
        out.push({ kind: 'field', name, values: value ? [value] : [], start: name.start, end: this.lastEnd });
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
  protected dropMisspeltExpect(items: (Field | Value)[], where: string): (Field | Value)[] {
    const i = items.findIndex((it) => it.kind === 'field' && !TX_OPTIONS.has(it.name.lower) && closest(it.name.lower, ['expect']).length > 0 && closest(it.name.lower, TRANSACTION_OPTIONS).length === 0);
    if (i < 0) return items;
    const f = items[i] as Field;
    this.error(f.name.start, f.name.end, DIAG.unknownOption, `unknown \`${where}\` option \`${f.name.text}\`${didYouMean(['expect'])}`);
    return items.slice(0, i);
  }

  /** Keeps the fields of an inline list, reporting bare values. */
  protected onlyFields(items: (Field | Value)[], where: string): Field[] {
    const out: Field[] = [];
    for (const it of items) {
      if (it.kind === 'field') out.push(it);
      else this.error(it.start, it.end, DIAG.unexpectedToken, `unexpected value in \`${where}\`: values follow a field name (name value)`);
    }
    // A copy at its size: the tree keeps it (a grown array has room for 16).
    return out.length ? out.slice() : out;
  }

  /** `{ items }`; the cursor is on `{`. depth = number of enclosing blocks. */
  protected block(depth: number, allowMap: boolean, fields: ReadonlySet<string> = NO_FIELDS): Block {
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
  protected blockField(depth: number): BlockItem {
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
  protected skipBalanced(): void {
    let depth = 1;
    while (depth > 0 && this.tok.kind !== 'eof') {
      if (this.isPunct('{')) depth++;
      else if (this.isPunct('}')) depth--;
      this.advance();
    }
  }
}
