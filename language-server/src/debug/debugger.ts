// The debugger: steps a compiled scenario forward and backward, knows breakpoints and
// exception filters, and walks a transaction's translation descriptor by descriptor.
// It knows nothing of DAP (debug/adapter.ts translates); like vscode-mock-debug's MockRuntime.
//
// Positions: `session.position` is the number of steps executed. When stopped on a breakpoint or
// after a step, the *focus* is the next step to run (as a debugger shows the next statement).
// When stopped on an exception (fault, hazard, failed expectation), the focus is the step that
// raised it, which has run.

import type { ScenarioSession, StepInfo, WireStep, WireWalk, WireWalkStep } from '../engine/api';

export type ExceptionFilter = 'fault' | 'hazard' | 'expectation';
export const EXCEPTION_FILTERS: ReadonlyArray<{ filter: ExceptionFilter; label: string; description: string }> = [
  { filter: 'fault', label: 'On fault', description: 'Stop after a transaction that faults (an event record is written or the access aborts).' },
  { filter: 'hazard', label: 'On hazard', description: 'Stop after a step the hazard analysis flags (stale TLB, missing CMD_SYNC, ...).' },
  { filter: 'expectation', label: 'On failed expectation', description: 'Stop at an `expect` that does not hold.' },
];

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'exception' | 'end';

export interface Stop {
  reason: StopReason;
  /** For exceptions: what was raised, e.g. `F_TRANSLATION` or `H_STALE_TLB`. */
  text?: string;
  description?: string;
}

/** One descriptor fetch of a walk, flattened in the order the SMMU performs them. */
export interface WalkCursorItem {
  stage: 1 | 2;
  /** Where this fetch sits: 'S2 for S1 L1 table' etc. */
  label: string;
  step: WireWalkStep;
  walk: WireWalk;
}

/** Flatten walks: each stage-1 fetch is preceded by the stage-2 walk that translated its IPA. */
function flattenWalks(walks: readonly WireWalk[]): WalkCursorItem[] {
  const out: WalkCursorItem[] = [];
  const visit = (walk: WireWalk, context: string) => {
    for (const s of walk.steps) {
      if (s.s2Walk) visit(s.s2Walk, `for S${s.stage} L${s.level} fetch`);
      const where = context ? ` (${context})` : '';
      out.push({ stage: s.stage, label: `S${s.stage} L${s.level} [${s.index}] ${s.kind}${where}`, step: s, walk });
    }
  };
  for (const w of walks) visit(w, '');
  return out;
}

export class ScenarioDebugger {
  private readonly breakpointLines = new Set<number>();
  private readonly filters = new Set<ExceptionFilter>();
  /** Index of the step the editor shows. */
  private focusIndex = 0;
  /** Set while stepping into a transaction's walk. */
  private walk?: { items: WalkCursorItem[]; cursor: number; stepIndex: number };

  constructor(readonly session: ScenarioSession) {}

  get steps(): readonly StepInfo[] {
    return this.session.steps;
  }

  get focus(): StepInfo | undefined {
    return this.session.steps[Math.min(this.focusIndex, this.session.steps.length - 1)];
  }

  get focusStepIndex(): number {
    return this.focusIndex;
  }

  /** The walk item under the cursor when stepping into a walk. */
  get walkItem(): WalkCursorItem | undefined {
    return this.walk ? this.walk.items[this.walk.cursor] : undefined;
  }

  /** Walk items fetched so far (up to and including the cursor). */
  walkSoFar(): WalkCursorItem[] {
    return this.walk ? this.walk.items.slice(0, this.walk.cursor + 1) : [];
  }

  get finished(): boolean {
    return this.session.position >= this.session.steps.length;
  }

  /** The result of the most recently executed step; for `dma ... expect ...` the transaction's,
   *  not its inline expectation's (Variables show the DMA's walk, events and hazards). */
  lastResult(): WireStep | undefined {
    const r = this.session.results();
    let i = r.length - 1;
    while (i > 0 && r[i].kind === 'expect' && r[i - 1].line === r[i].line) i--;
    return r[i];
  }

  /**
   * Set breakpoints; each is moved to the first step line at or after the requested line.
   * Returns, per requested line, the line it is bound to, or undefined when no step follows.
   */
  setBreakpoints(lines: readonly number[]): Array<number | undefined> {
    this.breakpointLines.clear();
    const stepLines = [...new Set(this.session.steps.map((s) => s.line))].sort((a, b) => a - b);
    return lines.map((l) => {
      const bound = stepLines.find((s) => s >= l);
      if (bound !== undefined) this.breakpointLines.add(bound);
      return bound;
    });
  }

  setExceptionFilters(filters: readonly string[]): void {
    this.filters.clear();
    for (const f of filters) if (EXCEPTION_FILTERS.some((e) => e.filter === f)) this.filters.add(f as ExceptionFilter);
  }

  start(stopOnEntry: boolean): Stop {
    this.focusIndex = 0;
    if (stopOnEntry || this.atBreakpoint()) return { reason: stopOnEntry ? 'entry' : 'breakpoint' };
    return this.continue();
  }

  /** Run until a breakpoint, an exception or the end. */
  continue(): Stop {
    this.walk = undefined;
    // Stopped before a step (breakpoint or step stop): run it without stopping at its own breakpoint.
    let skip = this.focusIndex === this.session.position;
    while (!this.finished) {
      if (!skip && this.atBreakpoint()) return { reason: 'breakpoint' };
      skip = false;
      const stop = this.runOne();
      if (stop) return stop;
    }
    return this.end();
  }

  /** Step over: run the rest of the current statement (every step its line produced). */
  next(): Stop {
    this.walk = undefined;
    if (this.finished) return this.end();
    // After an exception stop the focus step has run: only finish its statement.
    return this.finishStatement(this.focusIndex === this.session.position);
  }

  /** Step into: into the walk of a transaction, one descriptor fetch at a time. */
  stepIn(): Stop {
    if (this.walk) {
      if (this.walk.cursor + 1 < this.walk.items.length) {
        this.walk.cursor++;
        return { reason: 'step' };
      }
      this.walk = undefined;
      return this.finishStatement(false);
    }
    if (this.finished) return this.end();
    let first = this.focusIndex === this.session.position;
    while (!this.finished && (first || !this.statementStart(this.session.position))) {
      first = false;
      const index = this.session.position;
      const stop = this.runOne();
      if (stop) return stop;
      const items = flattenWalks(this.lastResult()?.walks ?? []);
      if (items.length > 0) {
        this.walk = { items, cursor: 0, stepIndex: index };
        this.focusIndex = index;
        return { reason: 'step' };
      }
    }
    this.focusIndex = this.session.position;
    return this.finished ? this.end() : { reason: 'step' };
  }

  /** Step out of a walk back to the statement level. */
  stepOut(): Stop {
    if (this.walk) {
      this.walk = undefined;
      return this.finishStatement(false);
    }
    return this.next();
  }

  /** Step back one descriptor (inside a walk) or one statement (replaying from the latest checkpoint before it). */
  stepBack(): Stop {
    if (this.walk && this.walk.cursor > 0) {
      this.walk.cursor--;
      return { reason: 'step' };
    }
    let target: number;
    if (this.walk) {
      // Leave the walk: undo its statement.
      target = this.statementOf(this.walk.stepIndex);
      this.walk = undefined;
    } else {
      // After an exception or the end, the focus step has run: undo its statement. Otherwise the one before.
      const pos = this.session.position;
      target = this.focusIndex < pos ? this.statementOf(this.focusIndex) : this.statementOf(pos - 1);
    }
    this.session.goto(target);
    this.focusIndex = target;
    return { reason: target === 0 ? 'entry' : 'step' };
  }

  /** Run backwards to the previous breakpoint or the start. */
  reverseContinue(): Stop {
    this.walk = undefined;
    const pos = this.session.position;
    let target = this.statementOf(this.focusIndex < pos ? this.focusIndex : pos - 1);
    while (target > 0 && !this.breakpointLines.has(this.session.steps[target].line)) target = this.statementOf(target - 1);
    this.session.goto(target);
    this.focusIndex = target;
    return { reason: target > 0 || this.atBreakpoint() ? 'breakpoint' : 'entry' };
  }

  /** Back to the start (restart without reloading). */
  restart(): void {
    this.walk = undefined;
    this.session.goto(0);
    this.focusIndex = 0;
  }

  /**
   * A statement is the run of consecutive steps one source line produced (an `smmu` declaration
   * programs a dozen registers; a `dma … expect …` line is a transaction and its expectations).
   * Stepping, breakpoints and step back move by statements.
   */
  private statementStart(i: number): boolean {
    const steps = this.session.steps;
    return i <= 0 || i >= steps.length || steps[i].line !== steps[i - 1].line;
  }

  /** Index of the first step of the statement containing step i (0 for i <= 0). */
  private statementOf(i: number): number {
    while (i > 0 && !this.statementStart(i)) i--;
    return Math.max(0, i);
  }

  /** Run steps until the next statement starts; `runFirst` runs at least one step. */
  private finishStatement(runFirst: boolean): Stop {
    let first = runFirst;
    while (!this.finished && (first || !this.statementStart(this.session.position))) {
      first = false;
      const stop = this.runOne();
      if (stop) return stop;
    }
    this.focusIndex = this.session.position;
    return this.finished ? this.end() : { reason: 'step' };
  }

  private atBreakpoint(): boolean {
    const p = this.session.position;
    const s = this.session.steps[p];
    return !!s && this.statementStart(p) && this.breakpointLines.has(s.line);
  }

  private end(): Stop {
    this.focusIndex = Math.max(0, this.session.steps.length - 1);
    return { reason: 'end', description: 'End of scenario' };
  }

  /** Execute the next step; returns an exception stop when a filter matches. */
  private runOne(): Stop | undefined {
    const index = this.session.position;
    const result = this.session.step();
    this.focusIndex = this.session.position;
    if (!result) return undefined;
    const exception = this.exceptionOf(result);
    if (!exception) return undefined;
    if (exception.fault) {
      // A fault the scenario expects (`expect fault|event|outcome` right after it) is no exception.
      const after = this.runExpectations();
      if (after.intended) return after.stop;
      if (after.stop) return after.stop;
    }
    this.focusIndex = index;
    return { reason: exception.reason, text: exception.text, description: exception.description };
  }

  /** Runs the expectations that directly follow a faulting transaction (inline or on the next
   *  lines): whether one of them says the fault was intended, and a failed-expectation stop. */
  private runExpectations(): { intended: boolean; stop?: Stop } {
    let intended = false;
    while (!this.finished && this.session.steps[this.session.position].kind === 'expect') {
      const index = this.session.position;
      const r = this.session.step();
      this.focusIndex = this.session.position;
      if (!r?.expectation) continue;
      if (r.expectation.passed && /^expect (fault|event|outcome (?!ok))/i.test(r.expectation.text ?? r.label)) intended = true;
      if (!r.expectation.passed && this.filters.has('expectation')) {
        this.focusIndex = index;
        return { intended, stop: { reason: 'exception', text: 'Expectation failed', description: r.expectation.message } };
      }
    }
    return { intended };
  }

  private exceptionOf(r: WireStep): (Stop & { fault?: boolean }) | undefined {
    if (this.filters.has('expectation') && r.expectation && !r.expectation.passed) {
      return { reason: 'exception', text: 'Expectation failed', description: r.expectation.message };
    }
    if (this.filters.has('fault') && r.outcome === 'fault') {
      const ev = r.events[0];
      const text = ev ? ev.type : 'Abort';
      const description = ev ? faultText(r) : `Transaction aborted with no event (${r.abort ?? 'no record'})${r.reason ? `: ${r.reason}` : ''}`;
      return { reason: 'exception', text, description, fault: true };
    }
    if (this.filters.has('hazard') && r.hazards.length > 0) {
      const h = r.hazards[0];
      return { reason: 'exception', text: h.code, description: `${h.message} Fix: ${h.fix}` };
    }
    return undefined;
  }
}

/** `F_TRANSLATION at stage 2, level 1 (IPA 0x90000000): ...`: where the walk failed, from the
 *  transaction's walks, then the record's StreamID and addresses. */
export function faultText(r: WireStep): string {
  const ev = r.events[0];
  const f = findFault(r.walks ?? []);
  const where = f ? ` at stage ${f.stage}, level ${f.level}${f.ipa ? ` (IPA ${f.ipa})` : ''}: ${f.reason}` : '';
  const ipa = !f?.ipa && ev.ipa ? ` IPA ${ev.ipa}` : '';
  return `${ev.type} (${ev.code})${where}. StreamID ${ev.sid}${ev.inputAddr ? ` InputAddr ${ev.inputAddr}` : ''}${ipa}${ev.class ? ` CLASS=${ev.class}` : ''}`;
}

function findFault(walks: readonly WireWalk[]): WireWalk['fault'] | undefined {
  for (const w of walks) {
    if (w.fault) return w.fault;
    for (const s of w.steps) {
      const inner = s.s2Walk ? findFault([s.s2Walk]) : undefined;
      if (inner) return inner;
    }
  }
  return undefined;
}
