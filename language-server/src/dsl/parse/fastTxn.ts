// The parser's fast path for the commonest line of a trace: `dma|ats [SMMU] read|write sid N
// [ssid N] iova A [len N]` (any order, plain spacing, hexadecimal or decimal numbers without `_` or
// a size suffix), read straight from the text without tokens or option nodes. Anything else (a
// comment, `;`, `=`, a flag, `expect`, a repeated option, a missing sid or iova, an unusual number)
// returns undefined and the line is parsed by the general path, which also reports its errors:
// the tree is the one the general path builds (test/unit/dsl/fastTxn.test.ts and lean.test.ts compare them).

import type { Field, Keyword, NameRef, NumberLit, TransactionStmt, Word } from '../ast';
import { TX_OPTIONS } from './blocks';
import { TX_ACCESS_OPTIONS, TX_NUMBER_OPTIONS } from '../keywords';

/** The option list of a transaction in a lean tree (empty, shared). */
export const NO_OPTIONS = Object.freeze([]) as unknown as TransactionStmt['options'];

/** The members the fast path sets, one bit each (a repeated one sends the line to the general path). */
const BIT = { sid: 1, ssid: 2, iova: 4, len: 8, access: 16 } as const;
const SID = BIT.sid;
const IOVA = BIT.iova;
const ACCESS = BIT.access;

/** The option words the fast path reads, and their bits: the valued options and the access words
 *  of dsl/keywords.ts. Any other option (or `expect`) sends the line to the general path. */
const WORDS: readonly string[] = [...TX_NUMBER_OPTIONS.keys(), ...TX_ACCESS_OPTIONS];
const MEMBERS = WORDS.map((w) => TX_NUMBER_OPTIONS.get(w));
const BITS: readonly number[] = MEMBERS.map((m) => BIT[m ?? 'access']);

const isSpace = (c: number) => c === 32 || c === 9 || c === 11 || c === 12 || c === 0xfeff;
const isWordPart = (c: number) => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57);
/** A token ends here: white space, a line break or the end of the text. */
const ends = (t: string, i: number) => i >= t.length || isSpace(t.charCodeAt(i)) || t.charCodeAt(i) === 10 || t.charCodeAt(i) === 13;

/** `t[i..]` starts with the lower-case word `w` (then a token end). */
function isWordAt(t: string, i: number, w: string): boolean {
  for (let k = 0; k < w.length; k++) if (t.charCodeAt(i + k) !== w.charCodeAt(k)) return false;
  return ends(t, i + w.length);
}

/** What the fast path needs from the parser: shared strings and values (the lexer's). */
export interface FastTxnHost {
  /** The shared text of the word at `start..end`, and its lower case. */
  wordAt(start: number, end: number): { text: string; lower: string };
  /** The number literal at `start..end` whose value is `value` (exact in a double): its shared text and value. */
  numberAt(start: number, end: number, value: number): { text: string; value: bigint };
}

/** The statement after keyword `kw` (its `end` is its last token's: the parser goes on from there),
 *  or undefined. `lean`: without the option list (ParseOptions.lean). */
export function fastTransaction(text: string, kw: Keyword, kind: 'dma' | 'ats', host: FastTxnHost, lean: boolean): TransactionStmt | undefined {
  const options: Field[] | undefined = lean ? undefined : [];
  const s: TransactionStmt = { kind, keyword: kw, incomplete: false, start: kw.start, end: kw.end, options: NO_OPTIONS, priv: false, exec: false, expects: [] };
  const n = text.length;
  let i = kw.end;
  let seen = 0;
  let lastEnd = kw.end;
  let first = true;
  for (;;) {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    if (i >= n) break;
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) break;
    const start = i;
    while (i < n && isWordPart(text.charCodeAt(i))) i++;
    if (i === start || !ends(text, i) || !((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95)) return undefined;
    let k = 0;
    while (k < WORDS.length && !isWordAt(text, start, WORDS[k])) k++;
    const bit = k < WORDS.length ? BITS[k] : 0;
    if (bit === 0 && first) {
      const w = host.wordAt(start, i);
      // A transaction option or `expect` is not an SMMU name (optSmmu).
      if (TX_OPTIONS.has(w.lower) || w.lower === 'expect') return undefined;
      const smmu: NameRef = { kind: 'nameRef', start, end: i, name: w.text, refers: 'smmu' };
      s.smmu = smmu;
      lastEnd = i;
      first = false;
      continue;
    }
    if (bit === 0) return undefined;
    first = false;
    if (seen & bit) return undefined;
    seen |= bit;
    const wordEnd = i;
    lastEnd = i;
    while (i < n && isSpace(text.charCodeAt(i))) i++;
    const d = i < n ? text.charCodeAt(i) : 0;
    if (bit === ACCESS) {
      // `read 0`: a flag's explicit value (the general path).
      if (d >= 48 && d <= 57) return undefined;
      const name = wordNode(host, start, wordEnd);
      s.access = name;
      options?.push({ kind: 'field', name, values: [], start, end: wordEnd });
      continue;
    }
    const end = readNumber(text, i);
    if (end < 0) return undefined;
    const v = host.numberAt(i, end, numberValue);
    const lit: NumberLit = { kind: 'number', start: i, end, text: v.text, value: v.value, size: false };
    // (named stores: a computed one is a megamorphic store and a map transition in the runtime on
    // every line, most of this function's time)
    switch (MEMBERS[k]) {
      case 'sid': s.sid = lit; break;
      case 'ssid': s.ssid = lit; break;
      case 'iova': s.iova = lit; break;
      default: s.len = lit;
    }
    i = lastEnd = end;
    // (a number option's word node only in an option list)
    options?.push({ kind: 'field', name: wordNode(host, start, wordEnd), values: [lit], start, end: lastEnd });
  }
  if ((seen & (SID | IOVA)) !== (SID | IOVA)) return undefined;
  s.options = options ?? NO_OPTIONS;
  s.end = lastEnd;
  return s;
}

function wordNode(host: FastTxnHost, start: number, end: number): Word {
  const w = host.wordAt(start, end);
  return { kind: 'word', start, end, text: w.text, lower: w.lower };
}

/** The value of the number readNumber read last (no object per number). */
let numberValue = 0;

/** `0x` and 1-13 hex digits, or 1-15 decimal digits, then a token end (exact in a double): where
 *  it ends, its value in `numberValue`; -1 for anything else. */
function readNumber(t: string, i: number): number {
  const n = t.length;
  let value = 0;
  let j: number;
  let ok: boolean;
  if (t.charCodeAt(i) === 48 && (t.charCodeAt(i + 1) | 0x20) === 120) {
    for (j = i + 2; j < n; j++) {
      const c = t.charCodeAt(j);
      const l = c | 0x20;
      if (c >= 48 && c <= 57) value = value * 16 + (c - 48);
      else if (l >= 97 && l <= 102) value = value * 16 + (l - 87);
      else break;
    }
    ok = j > i + 2 && j - i - 2 <= 13;
  } else {
    for (j = i; j < n; j++) {
      const c = t.charCodeAt(j);
      if (c < 48 || c > 57) break;
      value = value * 10 + (c - 48);
    }
    ok = j > i && j - i <= 15;
  }
  numberValue = value;
  return ok && ends(t, j) ? j : -1;
}
