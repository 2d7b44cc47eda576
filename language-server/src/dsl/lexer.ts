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

const PUNCT = new Set<number>([123, 125, 59, 58, 46, 44, 61, 43, 40, 41, 91, 93]); // { } ; : . , = + ( ) [ ]
const SUFFIX: Record<string, bigint> = { k: 10n, m: 20n, g: 30n, t: 40n, p: 50n };

/** Reads a number literal's text (no `+`). Returns undefined when the text is not a number. */
export function parseNumberText(text: string): { value: bigint; suffixed: boolean; error?: 'invalid' | 'overflow' } | undefined {
  let body = text;
  let shift = 0n;
  let suffixed = false;
  const last = body.charCodeAt(body.length - 1) | 0x20;
  const lower = String.fromCharCode(last);
  const isRadixPrefixed = body.length > 1 && body[0] === '0' && (body[1] === 'x' || body[1] === 'X' || body[1] === 'b' || body[1] === 'B');
  if (SUFFIX[lower] !== undefined && body.length > 1) {
    shift = SUFFIX[lower];
    suffixed = true;
    body = body.slice(0, -1);
  }
  let radix = 10;
  let digits = body;
  if (isRadixPrefixed && body.length >= 2) {
    radix = body[1] === 'x' || body[1] === 'X' ? 16 : 2;
    digits = body.slice(2);
  }
  let clean = '';
  let sig = 0; // significant digits (after leading zeros)
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c === 95) continue; // _
    const ok =
      radix === 16 ? isDigit(c) || ((c | 0x20) >= 97 && (c | 0x20) <= 102) : radix === 2 ? c === 48 || c === 49 : isDigit(c);
    if (!ok) return isRadixPrefixed ? { value: 0n, suffixed, error: 'invalid' } : undefined;
    if (sig > 0 || c !== 48) {
      sig++;
      if (sig <= 80) clean += digits[i];
    }
  }
  if (digits.replace(/_/g, '').length === 0) return isRadixPrefixed ? { value: 0n, suffixed, error: 'invalid' } : undefined;
  const limit = radix === 16 ? 16 : radix === 2 ? 64 : 20;
  if (sig > limit) return { value: TOO_BIG, suffixed, error: 'overflow' };
  let value = sig === 0 ? 0n : BigInt(radix === 16 ? '0x' + clean : radix === 2 ? '0b' + clean : clean);
  value <<= shift;
  if (value > MAX64) return { value, suffixed, error: 'overflow' };
  return { value, suffixed };
}

/** Streaming lexer: `next()` returns tokens one at a time, ending with `eof` (repeatedly). */
export class Lexer {
  private pos = 0;
  private readonly n: number;

  constructor(
    private readonly text: string,
    private readonly sink?: DiagnosticSink,
  ) {
    this.n = text.length;
  }

  next(): Token {
    const t = this.text;
    const n = this.n;
    let i = this.pos;
    while (i < n && isSpace(t.charCodeAt(i))) i++;
    if (i >= n) {
      this.pos = n;
      return { kind: 'eof', start: n, end: n, text: '' };
    }
    const start = i;
    const c = t.charCodeAt(i);
    let kind: TokenKind;
    let tok: Token | undefined;
    if (c === 10 || c === 13) {
      i += c === 13 && i + 1 < n && t.charCodeAt(i + 1) === 10 ? 2 : 1;
      kind = 'newline';
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
      const text = t.slice(start, i);
      if (dotted) {
        kind = 'word';
      } else {
        const r = parseNumberText(text);
        if (r === undefined) {
          kind = 'word'; // `2level`, `64bit`
        } else {
          kind = 'number';
          tok = { kind, start, end: i, text, value: r.value, suffixed: r.suffixed };
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
      tok = { kind, start, end: i, text: t.slice(start, i), str };
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
    return tok ?? { kind, start, end: i, text: t.slice(start, i) };
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
