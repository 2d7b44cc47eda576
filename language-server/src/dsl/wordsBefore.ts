// The words written before the cursor, read with the language's own lexer (lexer.ts), so that
// completion and signature help see strings, comments, numbers and punctuation exactly as the
// parser does: one lexer, no second set of rules. Tokens with no space between them form one word
// (`smmu0.SMMU_CR0`, `+4K`, `"a b"`); spaces, line breaks, comments and `; , : = { }` separate words.
import { Lexer, type Token } from './lexer';

export interface WordsBefore {
  /** Completed words before the cursor, in order. */
  words: string[];
  /** The word the cursor is in or right after ('' after a separator), cut at the cursor. */
  typing: string;
  /** `{` not closed yet at the cursor (never below 0). */
  depth: number;
  /** Index in `words` of the first word after the last `{`, `}` or `;` (where the current item starts). */
  itemStart: number;
  /** The cursor is in a comment (`#` or `//` before it on its line). */
  inComment: boolean;
}

const SEPARATORS = new Set([';', ',', ':', '=', '{', '}']);

/** The words of `text` in [from, to); `from` is a line or statement start. */
export function wordsBefore(text: string, from: number, to: number): WordsBefore {
  const lx = new Lexer(text, undefined, from);
  const tk: Token = { kind: 'eof', start: 0, end: 0, text: '' };
  const words: string[] = [];
  let word = '';
  let wordEnd = -1;
  let depth = 0;
  let itemStart = 0;
  let inComment = false;
  const end = () => {
    if (word) words.push(word);
    word = '';
  };
  for (;;) {
    lx.nextInto(tk);
    if (tk.kind === 'eof' || tk.start >= to) break;
    if (tk.kind === 'comment') {
      end();
      if (tk.end >= to) {
        inComment = true;
        break;
      }
      continue;
    }
    if (tk.kind === 'newline' || (tk.kind === 'punct' && SEPARATORS.has(tk.text))) {
      end();
      if (tk.text === '{') depth++;
      else if (tk.text === '}') depth = Math.max(0, depth - 1);
      if (tk.text === '{' || tk.text === '}' || tk.text === ';') itemStart = words.length;
      continue;
    }
    if (tk.start !== wordEnd) end();
    word += tk.end <= to ? tk.text : text.slice(tk.start, to);
    wordEnd = tk.end;
  }
  // A word that reaches the cursor is the one being typed.
  const typing = word && wordEnd >= to ? word : '';
  if (!typing) end();
  return { words, typing, depth, itemStart, inComment };
}
