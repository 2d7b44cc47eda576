// The runner's streaming compile (issue 14): a plain trace, whose every line is a `write`, `reg`,
// `cmd`, `dma` or `expect` statement, a comment or blank, is parsed, lowered and run one statement
// at a time: a statement's tree and step are not kept once it has run, so they die young (a
// 20,000-DMA trace no longer builds a 15 MB tree and a 10 MB program that the garbage collector
// copies twice before the run starts). Same result as compileScenario(...).runStreaming: such a
// file declares nothing, so lowering a statement reads nothing that a later statement adds (names
// and declarations are the only whole-file inputs: compile.ts collectSymbols), and an expectation
// reads the latest transaction, whose step runs only once the next transaction is lowered (so it
// knows whether its result is kept: Program.watched). Any other file (a declaration, an include, a
// block, `;`, a string): undefined, compiled whole.

import { StatementStream } from '../../dsl/parser';
import type { Statement } from '../../dsl/ast';
import type { EngineOptions } from '../api';
import type { WireScenarioResult, WireStep } from '../output/wire';
import type { StepDef } from '../run/runtime';
import { Session } from '../run/session';
import { LowerCtx } from './lowerCtx';
import { Symbols } from './names/symbols';
import { collectSymbols } from './names/resolve';
import { lowerOne, programOf, reportSyntax } from './compile';
import { Watched } from './memo';
import type { SourceFile } from './source';

/** A line that is not blank, not a comment and does not start with a plain statement's keyword
 *  (white space as the lexer reads it: dsl/lexer.ts isSpace; all of it is read before the test). */
const OTHER_LINE = /^[ \t\v\f\ufeff]*(?![ \t\v\f\ufeff\r\n]|$|#|\/\/|(?:dma|write(?:8|16|32|64)|reg|cmd|expect)(?=[ \t\v\f\ufeff\r\n]|$))/im;
/** What may open a block, join statements or quote a path (anywhere, comments included). */
const NOT_PLAIN = /[{};"\u2028\u2029]/;

/** `text` is a plain trace (above). */
export function streamable(text: string): boolean {
  return !NOT_PLAIN.test(text) && !OTHER_LINE.test(text);
}

/** A step that has run, as later steps still see it: its place (a hazard's related locations). */
function ran(s: StepDef): StepDef {
  return { range: s.range, kind: s.kind, label: '', key: '', run: NOTHING };
}
const NOTHING = () => undefined;

/**
 * Runs a plain trace statement by statement, handing each step to `onStep` as it runs; the result
 * has no steps. Undefined when `text` is not a plain trace (the caller compiles it whole).
 */
export function runStreamed(text: string, uri: string, options: EngineOptions, onStep: (s: WireStep) => void): WireScenarioResult | undefined {
  if (!streamable(text)) return undefined;
  const stream = new StatementStream(text, { lean: true });
  const ctx = new LowerCtx(uri, new Symbols(), options);
  const root: SourceFile = { uri, text, tree: { kind: 'script', start: 0, end: text.length, statements: [], comments: [], lineStarts: stream.lineStarts as number[], uri } };
  ctx.file = root;
  // The steps the session may run (ctx.steps: every step lowered so far) and the transactions whose
  // results an expectation reads, as they are lowered.
  const steps: StepDef[] = [];
  const watched = new Set<number>();
  const program = programOf(ctx, uri, { steps, diagnostics: ctx.diagnostics, skips: ctx.broken.skips, watchLog: ctx.watchLog }, Watched.of([], 0));
  program.watched = watched;
  let kept = 0;
  let watches = 0;
  let ended = false;
  const item = { file: root, stmt: undefined as unknown as Statement };
  const one = [item];
  // Called by the session when every step handed to it has run: lowers the next statement and hands
  // over its steps, up to the latest transaction's (an expectation after it may still read it).
  const more = (): boolean => {
    for (; kept < steps.length; kept++) steps[kept] = ctx.steps[kept] = ran(steps[kept]);
    if (!ended) {
      const stmt = stream.next();
      if (stmt) {
        // (the pre-pass's other parts read declarations, misspelt statements and STEs: none here;
        // of the statements collectSymbols reads, a plain trace has only writes, whose pages it notes)
        item.stmt = stmt;
        if (stmt.kind === 'write') collectSymbols(ctx, one);
        lowerOne(ctx, root, stmt);
        ctx.ordinal++;
        for (; watches < ctx.watchLog.length; watches++) watched.add(ctx.watchLog[watches]);
      } else {
        ended = true;
        // The diagnostics in compile.ts's order (syntax first, then lowering's).
        const lowered = ctx.diagnostics.splice(0);
        reportSyntax(ctx, root, stream.diagnostics());
        ctx.diagnostics.push(...lowered);
        ctx.file = root;
        program.diagnostics = ctx.broken.finish(ctx.diagnostics);
      }
    }
    const upTo = ended ? ctx.steps.length : (ctx.lastTxn?.step ?? ctx.steps.length);
    const before = steps.length;
    while (steps.length < upTo) steps.push(ctx.steps[steps.length]);
    return !ended || steps.length > before;
  };
  return new Session(program).runStreaming(onStep, more);
}
