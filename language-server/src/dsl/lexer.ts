// Lexer for the `.smmu` language: a single forward pass over UTF-16 code units, no regexes on
// the hot path, bounded work per character. Never throws; bad input becomes `invalid` tokens and
// diagnostics.
import { DIAG, DiagnosticSink } from './diagnostics';

export type TokenKind =
  | 'word' // identifier: [A-Za-z_][A-Za-z0-9_]*, or a digit-led word such as `2level` / `3.1`
  | 'number' // 0x.., 0b.., decimal, with `_` separators and an optional K/M/G/T/P size suffix
  | 'string' // "..." with \" and \\ escapes
  | 'punct' // { } ; : . , = + ( ) [ ] ->
  | 'newline'
  | 'comment' // # ... or // ... to end of line
  | 'invalid' // a run of characters that start no token
  | 'eof';

export interface Token {
  kind: TokenKind;
  start: number;
  end: number;
  text: string;
  /** `text` lower-cased, cached by the parser. */
  lower?: string;
  /** number: exact value with suffix applied (may exceed 2^64-1 after a diagnostic). */
  value?: bigint;
  /** number: written with a K/M/G/T/P suffix. */
  suffixed?: boolean;
  /** string: contents with escapes resolved. */
  str?: string;
}

const MAX64 = (1n << 64n) - 1n;
const TOO_BIG = 1n << 64n;

function isWordStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}
function isWordPart(c: number): boolean {
  return isWordStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 11 || c === 12 || c === 0xfeff;
}
function startsToken(c: number): boolean {
  return isWordPart(c) || c === 34 || c === 35 || c === 10 || c === 13 || isSpace(c) || PUNCT.has(c) || c === 45 || c === 47;
}

const PUNCT_TEXT: Record<number, string> = { 10: '\n', 123: '{', 125: '}', 59: ';', 58: ':', 46: '.', 44: ',', 61: '=', 43: '+', 40: '(', 41: ')', 91: '[', 93: ']', 45: '->' };
const PUNCT = new Set<number>([123, 125, 59, 58, 46, 44, 61, 43, 40, 41, 91, 93]); // { } ; : . , = + ( ) [ ]

/** Reads a number literal's text (no `+`). Returns undefined when the text is not a number. */
export function parseNumberText(text: string): { value: bigint; suffixed: boolean; error?: 'invalid' | 'overflow' } | undefined {
  const len = text.length;
  const c1 = len > 1 ? text.charCodeAt(1) | 0x20 : 0;
  const prefixed = text.charCodeAt(0) === 48 && (c1 === 120 || c1 === 98); // 0x / 0b
  const radix = !prefixed ? 10 : c1 === 120 ? 16 : 2;
  let end = len;
  let shift = 0n;
  const last = text.charCodeAt(len - 1) | 0x20;
  // Size suffix K/M/G/T/P (none of them is a hex digit).
  if (len > 1 && (last === 107 || last === 109 || last === 103 || last === 116 || last === 112)) {
    shift = last === 107 ? 10n : last === 109 ? 20n : last === 103 ? 30n : last === 116 ? 40n : 50n;
    end--;
  }
  const from = prefixed ? 2 : 0;
  let sig = 0; // significant digits (after leading zeros)
  let digits = 0;
  let underscores = false;
  let acc = 0; // exact while sig <= SAFE_DIGITS[radix]
  for (let i = from; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c === 95) {
      underscores = true;
      continue;
    }
    let d: number;
    if (c >= 48 && c <= 57) d = c - 48;
    else if (radix === 16 && (c | 0x20) >= 97 && (c | 0x20) <= 102) d = (c | 0x20) - 87;
    else d = 99;
    if (d >= radix) return prefixed ? { value: 0n, suffixed: shift !== 0n, error: 'invalid' } : undefined;
    digits++;
    if (sig > 0 || d !== 0) sig++;
    acc = acc * radix + d;
  }
  const suffixed = shift !== 0n;
  if (digits === 0) return prefixed ? { value: 0n, suffixed, error: 'invalid' } : undefined;
  const limit = radix === 16 ? 16 : radix === 2 ? 64 : 20;
  if (sig > limit) return { value: TOO_BIG, suffixed, error: 'overflow' };
  let value: bigint;
  if (sig <= (radix === 16 ? 13 : radix === 2 ? 53 : 15)) value = BigInt(acc); // exact in a double
  else {
    let body = end === len ? text : text.slice(0, end);
    if (underscores) body = body.split('_').join('');
    value = BigInt(body);
  }
  if (suffixed) value <<= shift;
  if (value > MAX64) return { value, suffixed, error: 'overflow' };
  return { value, suffixed };
}

/** Words and short numbers repeat (`dma`, `sid`, `smmu0`, `8`): their text, lower case and value
 *  are read once per lexer and shared by every token that repeats them (a scenario's tree keeps
 *  one string per distinct word, not one per occurrence). Bounded; beyond it texts are not shared. */
const MAX_INTERNED = 4096;
/** Numbers this long or shorter are shared (StreamIDs, lengths, small values); addresses rarely repeat. */
const SHARED_NUMBER_LENGTH = 6;

interface Interned {
  text: string;
  lower?: string;
  value?: bigint;
  suffixed?: boolean;
}

/** Streaming lexer: `next()` returns tokens one at a time, ending with `eof` (repeatedly). */
export class Lexer {
  private pos = 0;
  private readonly n: number;
  private readonly interned = new Map<string, Interned>();
  /** Offsets where each line starts, filled as newlines are read (every line break is a token). */
  readonly lineStarts: number[] = [0];

  /** `from`: where to start reading (a line start; incremental re-parsing). */
  constructor(
    private readonly text: string,
    private readonly sink?: DiagnosticSink,
    from = 0,
  ) {
    this.n = text.length;
    this.pos = from;
  }

  next(): Token {
    const tok: Token = { kind: 'eof', start: 0, end: 0, text: '', lower: undefined, value: undefined, suffixed: undefined, str: undefined };
    this.nextInto(tok);
    return tok;
  }

  /** Reads the next token into `out` (no allocation besides the token's text and value). */
  nextInto(out: Token): void {
    out.lower = undefined;
    out.value = undefined;
    out.suffixed = undefined;
    out.str = undefined;
    const t = this.text;
    const n = this.n;
    let i = this.pos;
    while (i < n && isSpace(t.charCodeAt(i))) i++;
    if (i >= n) {
      this.pos = n;
      out.kind = 'eof';
      out.start = out.end = n;
      out.text = '';
      return;
    }
    const start = i;
    const c = t.charCodeAt(i);
    let kind: TokenKind;
    let text: string | undefined;
    if (c === 10 || c === 13) {
      i += c === 13 && i + 1 < n && t.charCodeAt(i + 1) === 10 ? 2 : 1;
      kind = 'newline';
      this.lineStarts.push(i);
    } else if (c === 35 || (c === 47 && i + 1 < n && t.charCodeAt(i + 1) === 47)) {
      while (i < n) {
        const d = t.charCodeAt(i);
        if (d === 10 || d === 13) break;
        i++;
      }
      kind = 'comment';
    } else if (isWordStart(c)) {
      i++;
      while (i < n && isWordPart(t.charCodeAt(i))) i++;
      kind = 'word';
      const w = this.intern(t.slice(start, i));
      text = w.text;
      out.lower = w.lower ??= w.text.toLowerCase();
    } else if (isDigit(c)) {
      i++;
      while (i < n && isWordPart(t.charCodeAt(i))) i++;
      // `3.1` (a version) reads as one word.
      let dotted = false;
      while (i + 1 < n && t.charCodeAt(i) === 46 && isDigit(t.charCodeAt(i + 1))) {
        dotted = true;
        i += 2;
        while (i < n && isWordPart(t.charCodeAt(i))) i++;
      }
      text = t.slice(start, i);
      const shared = !dotted && i - start <= SHARED_NUMBER_LENGTH ? this.interned.get(text) : undefined;
      if (shared?.value !== undefined) {
        kind = 'number';
        text = shared.text;
        out.value = shared.value;
        out.suffixed = shared.suffixed;
      } else if (dotted) {
        kind = 'word';
      } else {
        const r = parseNumberText(text);
        if (r === undefined) {
          kind = 'word'; // `2level`, `64bit`
        } else {
          kind = 'number';
          out.value = r.value;
          out.suffixed = r.suffixed;
          if (r.error === undefined && i - start <= SHARED_NUMBER_LENGTH && this.interned.size < MAX_INTERNED) this.interned.set(text, { text, value: r.value, suffixed: r.suffixed });
          if (r.error === 'invalid') this.sink?.report(start, i, DIAG.invalidNumber, `invalid number \`${clip(text)}\``);
          else if (r.error === 'overflow')
            this.sink?.report(start, i, DIAG.numberOverflow, `number \`${clip(text)}\` does not fit in 64 bits (max 0xffff_ffff_ffff_ffff)`);
        }
      }
    } else if (c === 34) {
      i++;
      let str = '';
      let closed = false;
      let segStart = i;
      while (i < n) {
        const d = t.charCodeAt(i);
        if (d === 34) {
          str += t.slice(segStart, i);
          i++;
          closed = true;
          break;
        }
        if (d === 10 || d === 13) break;
        if (d === 92 && i + 1 < n && (t.charCodeAt(i + 1) === 34 || t.charCodeAt(i + 1) === 92)) {
          str += t.slice(segStart, i) + t[i + 1];
          i += 2;
          segStart = i;
          continue;
        }
        i++;
      }
      if (!closed) {
        str += t.slice(segStart, i);
        this.sink?.report(start, i, DIAG.unterminatedString, 'unterminated string: expected a closing `"` on the same line');
      }
      kind = 'string';
      out.str = str;
    } else if (c === 45 && i + 1 < n && t.charCodeAt(i + 1) === 62) {
      i += 2;
      kind = 'punct';
    } else if (PUNCT.has(c)) {
      i++;
      kind = 'punct';
    } else {
      i++;
      while (i < n && !startsToken(t.charCodeAt(i))) i++;
      kind = 'invalid';
      this.sink?.report(start, i, DIAG.invalidCharacter, `unexpected character${i - start > 1 ? 's' : ''} \`${clip(t.slice(start, i))}\``);
    }
    this.pos = i;
    out.kind = kind;
    out.start = start;
    out.end = i;
    out.text = text ?? (kind === 'punct' || kind === 'newline' ? (PUNCT_TEXT[c] ?? t.slice(start, i)) : t.slice(start, i));
  }

  /** Moves to `pos` (a parser's fast path read the text up to there; not past a line break). */
  seek(pos: number): void {
    this.pos = pos;
  }

  /** The shared text of the word at `start..end` and its lower case (parse/fastTxn.ts). */
  wordAt(start: number, end: number): { text: string; lower: string } {
    const w = this.intern(this.text.slice(start, end));
    w.lower ??= w.text.toLowerCase();
    return w as { text: string; lower: string };
  }

  /** The number literal at `start..end` of value `value` (exact in a double: read by the caller),
   *  shared as the lexer shares short numbers. */
  numberAt(start: number, end: number, value: number): { text: string; value: bigint } {
    const text = this.text.slice(start, end);
    if (end - start > SHARED_NUMBER_LENGTH) return { text, value: BigInt(value) };
    let e = this.interned.get(text);
    if (e?.value === undefined) {
      e = { text, value: BigInt(value), suffixed: false };
      if (this.interned.size < MAX_INTERNED) this.interned.set(text, e);
    }
    return e as { text: string; value: bigint };
  }

  /** The shared entry of a word's text (a new one while there is room). */
  private intern(text: string): Interned {
    let w = this.interned.get(text);
    if (w === undefined) {
      w = { text };
      if (this.interned.size < MAX_INTERNED) this.interned.set(text, w);
    }
    return w;
  }
}

function clip(s: string): string {
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

/** All tokens of a text, including comments and newlines, without the final `eof`. */
export function tokenize(text: string): Token[] {
  const lx = new Lexer(text);
  const out: Token[] = [];
  for (;;) {
    const tk = lx.next();
    if (tk.kind === 'eof') return out;
    out.push(tk);
  }
}
