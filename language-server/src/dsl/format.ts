// Canonical layout of a scenario. Works on tokens, so nothing the user wrote (token or comment)
// can be lost: it only changes whitespace. Rules: indentation of 2 spaces per open `{`, one space
// between tokens that were apart (adjacent tokens stay adjacent), no space before `;` `,`, one
// space around `{` `}` `->` and after `;` `,`, trailing spaces removed, at most one blank line in
// a row, no blank lines at the start or end, exactly one final line break, the file's line
// break style kept. A text with syntax errors is returned unchanged.
import type { ParseResult } from './ast';
import { Severity } from './ast';
import { tokenize, type Token } from './lexer';
import { parse } from './parser';

export const INDENT = '  ';

export function format(text: string, parsed?: ParseResult): string {
  const result = parsed ?? parse(text);
  if (result.diagnostics.some((d) => d.severity === Severity.Error)) return text;
  const eol = /\r\n/.test(text.slice(0, 10000)) ? '\r\n' : '\n';
  const lines: string[] = [];
  let depth = 0;
  let line: Token[] = [];
  const flush = (): void => {
    let closes = 0;
    while (closes < line.length && line[closes].kind === 'punct' && line[closes].text === '}') closes++;
    const indent = INDENT.repeat(Math.max(0, depth - closes));
    let out = '';
    for (let i = 0; i < line.length; i++) {
      const t = line[i];
      const txt = t.kind === 'comment' ? t.text.trimEnd() : t.text;
      if (i > 0) out += spaceBetween(line[i - 1], t) + txt;
      else out = txt;
      if (t.kind === 'punct' && t.text === '{') depth++;
      else if (t.kind === 'punct' && t.text === '}') depth = Math.max(0, depth - 1);
    }
    lines.push(out.length > 0 ? indent + out : '');
    line = [];
  };
  for (const t of tokenize(text)) {
    if (t.kind === 'newline') flush();
    else line.push(t);
  }
  flush();
  // Blank lines: none at the start or end, at most one in a row.
  const kept: string[] = [];
  for (const l of lines) {
    if (l === '' && (kept.length === 0 || kept[kept.length - 1] === '')) continue;
    kept.push(l);
  }
  while (kept.length > 0 && kept[kept.length - 1] === '') kept.pop();
  return kept.length === 0 ? '' : kept.join(eol) + eol;
}

function isP(t: Token, s: string): boolean {
  return t.kind === 'punct' && t.text === s;
}

function spaceBetween(a: Token, b: Token): string {
  if (b.kind === 'comment') return ' ';
  if (isP(b, ';') || isP(b, ',')) return '';
  if (isP(a, ';') || isP(a, ',') || isP(a, '{') || isP(b, '{') || isP(a, '}') || isP(b, '}') || isP(a, '->') || isP(b, '->')) return ' ';
  return a.end === b.start ? '' : ' ';
}
