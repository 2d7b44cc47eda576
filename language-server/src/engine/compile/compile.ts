// Compiling a scenario: parse (dsl/), expand includes, resolve names, lower every statement to
// steps. Never throws: every problem is a diagnostic (an internal error in one statement becomes
// E_INTERNAL on that statement and compiling goes on).

import { parse } from '../../dsl/parser';
import type { ParseResult, Statement } from '../../dsl/ast';
import type { EngineOptions } from '../api';
import type { WireRange } from '../output/wire';
import type { Program } from '../run/runtime';
import { Symbols } from './names/symbols';
import { collectSymbols } from './names/resolve';
import { collectGuests } from './decls/guest';
import { lowerStatement } from './lowering/lower';
import { LowerCtx } from './lowerCtx';
import type { SourceFile } from './source';
import { DEFAULT_MAX_FILE_SIZE, cutToSize, partialNotice } from './fileSize';
import { sigOf } from '../run/checkpoints';

/** Include nesting bound (a chain deeper than this is reported, not followed). */
const MAX_INCLUDE_DEPTH = 16;

const SEVERITY = ['error', 'error', 'warning', 'information', 'hint'] as const;

function parseFile(ctx: LowerCtx, uri: string, text: string, via?: WireRange, parsed?: ParseResult): SourceFile {
  const { tree, diagnostics } = parsed ?? parse(text, uri);
  const f: SourceFile = { uri, tree, text, via };
  const prev = ctx.file;
  ctx.file = f;
  for (const d of diagnostics) {
    const sev = SEVERITY[d.severity] ?? 'error';
    ctx.report(d, d.code.startsWith('E_') ? d.code : `E_SYNTAX_${d.code.toUpperCase().replace(/-/g, '_')}`, d.message, sev);
  }
  ctx.file = prev;
  return f;
}

/** The main file and its includes, depth-first, in statement order (an include expands in place). */
function expand(ctx: LowerCtx, root: SourceFile): Array<{ file: SourceFile; stmt: Statement }> {
  const out: Array<{ file: SourceFile; stmt: Statement }> = [];
  const stack: string[] = [];
  const visit = (file: SourceFile, depth: number) => {
    stack.push(file.uri);
    for (const stmt of file.tree.statements) {
      if (stmt.kind !== 'include') {
        out.push({ file, stmt });
        continue;
      }
      ctx.file = file;
      if (!stmt.path) continue; // syntax error already reported
      const p = stmt.path.value;
      if (!ctx.options.readInclude) {
        ctx.report(stmt, 'E_INCLUDE', `cannot include "${p}": includes are not available here`);
        continue;
      }
      if (depth + 1 > MAX_INCLUDE_DEPTH) {
        ctx.report(stmt, 'E_INCLUDE_DEPTH', `include "${p}" nests deeper than ${MAX_INCLUDE_DEPTH} files`);
        continue;
      }
      let got: ReturnType<NonNullable<EngineOptions['readInclude']>>;
      try {
        got = ctx.options.readInclude(file.uri, p);
      } catch (e) {
        got = { error: e instanceof Error ? e.message : String(e) };
      }
      if ('error' in got) {
        ctx.report(stmt.path, 'E_INCLUDE', got.error);
        continue;
      }
      if (stack.includes(got.uri)) {
        ctx.report(stmt.path, 'E_INCLUDE_CYCLE', `include cycle: ${[...stack, got.uri].join(' -> ')}`);
        continue;
      }
      const via = file.via ?? ctx.range(stmt);
      const inc = parseFile(ctx, got.uri, got.text, via);
      visit(inc, depth + 1);
    }
    stack.pop();
  };
  visit(root, 0);
  return out;
}

/** `pagetabel vm_s2 ...`: the names misspelt declarations meant, with the diagnostic at the typo. */
function noteTypos(ctx: LowerCtx, stmts: Array<{ file: SourceFile; stmt: Statement }>): void {
  for (const { file, stmt } of stmts) {
    const name = stmt.kind === 'error' ? stmt.typo?.name : undefined;
    if (name === undefined || ctx.symbols.isDeclared(name)) continue;
    ctx.file = file;
    const r = ctx.range({ start: stmt.start, end: stmt.start });
    const d = ctx.diagnostics.find((x) => x.code === 'E_SYNTAX_UNKNOWN_STATEMENT' && x.line === r.line && x.col === r.col);
    if (d && !ctx.broken.typoNames.has(name)) ctx.broken.typoNames.set(name, d);
  }
}

export function compile(text: string, uri: string, options: EngineOptions = {}): Program {
  const symbols = new Symbols();
  const ctx = new LowerCtx(uri, symbols, options);
  const max = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const fullLength = text.length;
  text = cutToSize(text, max);
  const partial = text.length < fullLength;
  const root = parseFile(ctx, uri, text, undefined, partial ? undefined : options.parsed);
  ctx.file = root;
  if (partial) ctx.report({ start: 0, end: 0 }, 'I_PARTIAL', partialNotice(fullLength, max, root.tree.lineStarts.length - 1), 'information');
  const stmts = expand(ctx, root);
  // Pre-pass: every declaration, so references may come before or after (names are file-global).
  collectSymbols(ctx, stmts);
  noteTypos(ctx, stmts);
  collectGuests(ctx, stmts);
  const cancelled = options.isCancelled;
  for (let i = 0; i < stmts.length; i++) {
    // A stale edit stops compiling (polled every 256 statements: the poll is an atomic load).
    if (cancelled && (i & 255) === 0 && cancelled()) break;
    const { file, stmt } = stmts[i];
    ctx.file = file;
    const mark = ctx.broken.mark();
    const d0 = ctx.diagnostics.length;
    try {
      lowerStatement(ctx, stmt);
    } catch (e) {
      ctx.report(stmt, 'E_INTERNAL', `internal error lowering this statement: ${e instanceof Error ? e.message : String(e)}`);
    }
    // Not listed on its own diagnostic (an ste with an unknown cd): only what depends on it is.
    const cause = ctx.broken.since(mark);
    if (cause && stmt.kind !== 'error' && ctx.diagnostics.indexOf(cause, d0) < 0) ctx.broken.skip(cause, ctx.range(stmt), stmt.kind);
  }
  ctx.broken.finish();
  ctx.file = root;
  const sids = new Map<string, number[]>();
  for (const [k, v] of symbols.sids) sids.set(k, v.filter((x) => x < 1n << 32n).map(Number));
  const program: Program = {
    uri, steps: ctx.steps, diagnostics: ctx.diagnostics, setup: ctx.setup, setupKey: sigOf(ctx.setupSig), sids, tableNames: ctx.decls.tableNames, watched: ctx.watched,
  };
  if (ctx.decls.steVmids.size) program.steVmids = ctx.decls.steVmids;
  if (partial) program.partial = true;
  return program;
}
