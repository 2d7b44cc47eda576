// Compiling a scenario: parse (dsl/), expand includes, resolve names, lower every statement to
// steps. Never throws: every problem is a diagnostic (an internal error in one statement becomes
// E_INTERNAL on that statement and compiling goes on). A compile also returns what the next
// compile of the same document needs to lower only what an edit changed (memo.ts, reuse.ts).

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
import { StmtStates, Watched, type CompileMemo, type IncludeRead, type Outputs } from './memo';

/** Include nesting bound (a chain deeper than this is reported, not followed). */
const MAX_INCLUDE_DEPTH = 16;

const SEVERITY = ['error', 'error', 'warning', 'information', 'hint'] as const;

/** Reports a file's syntax diagnostics (in `f`'s context). */
export function reportSyntax(ctx: LowerCtx, f: SourceFile, diagnostics: ParseResult['diagnostics']): void {
  const prev = ctx.file;
  ctx.file = f;
  for (const d of diagnostics) {
    const sev = SEVERITY[d.severity] ?? 'error';
    ctx.report(d, d.code.startsWith('E_') ? d.code : `E_SYNTAX_${d.code.toUpperCase().replace(/-/g, '_')}`, d.message, sev);
  }
  ctx.file = prev;
}

function parseFile(ctx: LowerCtx, uri: string, text: string, via?: WireRange, parsed?: ParseResult): SourceFile {
  const { tree, diagnostics } = parsed ?? parse(text, uri);
  const f: SourceFile = { uri, tree, text, via };
  reportSyntax(ctx, f, diagnostics);
  return f;
}

/** Reads an include (never throws). */
export function readInclude(ctx: LowerCtx, from: string, path: string): IncludeRead['got'] {
  try {
    return ctx.options.readInclude!(from, path);
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

/** The main file and its includes, depth-first, in statement order (an include expands in place). */
function expand(ctx: LowerCtx, root: SourceFile, reads: IncludeRead[]): Array<{ file: SourceFile; stmt: Statement }> {
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
      const got = readInclude(ctx, file.uri, p);
      reads.push({ from: file.uri, path: p, got });
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
export function noteTypos(ctx: LowerCtx, stmts: Array<{ file: SourceFile; stmt: Statement }>): void {
  for (const { file, stmt } of stmts) {
    const name = stmt.kind === 'error' ? stmt.typo?.name : undefined;
    if (name === undefined || ctx.symbols.isDeclared(name)) continue;
    ctx.file = file;
    const r = ctx.range({ start: stmt.start, end: stmt.start });
    const d = ctx.diagnostics.find((x) => x.code === 'E_SYNTAX_UNKNOWN_STATEMENT' && x.line === r.line && x.col === r.col);
    if (d && !ctx.broken.typoNames.has(name)) ctx.broken.typoNames.set(name, d);
  }
}

/** Lowers statement `stmt` of `file` (the statement at `ctx.ordinal`). */
export function lowerOne(ctx: LowerCtx, file: SourceFile, stmt: Statement): void {
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

/** The program of a finished context (the names and layout from `decl`, the context that laid them out). */
export function programOf(ctx: LowerCtx, uri: string, out: Outputs, watched: Watched, decl?: Program): Program {
  let sids = decl?.sids;
  if (!sids) {
    sids = new Map<string, number[]>();
    for (const [k, v] of ctx.symbols.sids) sids.set(k, v.filter((x) => x < 1n << 32n).map(Number));
  }
  return {
    uri, steps: out.steps, diagnostics: ctx.broken.finish(out.diagnostics, out.skips), setup: ctx.setup, setupKey: decl?.setupKey ?? sigOf(ctx.setupSig), sids,
    tableNames: ctx.decls.tableNames, watched,
    ...(ctx.decls.steVmids.size ? { steVmids: ctx.decls.steVmids } : {}),
  };
}

export function compile(text: string, uri: string, options: EngineOptions = {}): Program {
  return compileFull(text, uri, options).program;
}

/** Compiles from scratch; with `keep`, also what the next compile reuses (undefined when the compile
 *  was cut short: cancelled, or a partial file). */
export function compileFull(text: string, uri: string, options: EngineOptions = {}, keep = false): { program: Program; memo?: CompileMemo } {
  const symbols = new Symbols();
  const ctx = new LowerCtx(uri, symbols, options);
  ctx.keysNow = keep;
  const max = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const fullLength = text.length;
  text = cutToSize(text, max);
  const partial = text.length < fullLength;
  const parsed = partial || !options.parsed ? parse(text, uri) : options.parsed;
  const root = parseFile(ctx, uri, text, undefined, parsed);
  const mainDiags = ctx.diagnostics.length;
  ctx.file = root;
  if (partial) ctx.report({ start: 0, end: 0 }, 'I_PARTIAL', partialNotice(fullLength, max, root.tree.lineStarts.length - 1), 'information');
  const reads: IncludeRead[] = [];
  const stmts = expand(ctx, root, reads);
  // Pre-pass: every declaration, so references may come before or after (names are file-global).
  collectSymbols(ctx, stmts);
  noteTypos(ctx, stmts);
  collectGuests(ctx, stmts);
  const cancelled = options.isCancelled;
  const states = keep ? new StmtStates(stmts.length) : undefined;
  let stopped = false;
  for (let i = 0; i < stmts.length; i++) {
    // A stale edit stops compiling (polled every 256 statements: the poll is an atomic load).
    if (cancelled && (i & 255) === 0 && cancelled()) {
      stopped = true;
      break;
    }
    states?.record(i, ctx);
    ctx.ordinal = i;
    lowerOne(ctx, stmts[i].file, stmts[i].stmt);
  }
  // A stopped compile keeps no memo (and has not recorded the statements it did not reach).
  if (!stopped) states?.record(stmts.length, ctx);
  ctx.file = root;
  const out: Outputs = { steps: ctx.steps, diagnostics: ctx.diagnostics, skips: ctx.broken.skips, watchLog: ctx.watchLog };
  const watched = Watched.of(ctx.watchLog, ctx.steps.length);
  const program = programOf(ctx, uri, out, watched);
  if (partial) program.partial = true;
  if (partial || stopped || !states) return { program };
  // Main-file statement -> ordinal (an include's statements take its place in the expanded list).
  const main = root.tree.statements;
  const ordOf = new Int32Array(main.length).fill(-1);
  for (let m = 0, k = 0; m < main.length; m++) {
    if (main[m].kind === 'include') continue;
    while (stmts[k].stmt !== main[m]) k++;
    ordOf[m] = k++;
  }
  const memo: CompileMemo = {
    uri, text, parsed, ctx, out, watched, ordOf, declsAt: ordOf, count: stmts.length, states, reads, includes: options.readInclude !== undefined, mainDiags, program,
  };
  return { program, memo };
}
