// The Debug Adapter Protocol adapter for `.smmu` scenarios (launch type `iommu-lens`).
// Translates DAP requests into ScenarioDebugger calls and its stops into DAP events.
// Every request handler answers; a failure becomes an error response, never a crash.

import {
  Event,
  Handles,
  InitializedEvent,
  LoggingDebugSession,
  OutputEvent,
  Scope,
  Source,
  StackFrame,
  StoppedEvent,
  TerminatedEvent,
  Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import * as path from 'node:path';
import { EXCEPTION_FILTERS, ScenarioDebugger, type Stop } from './debugger';
import { scopes, type VarNode } from './variables';
import { STOPPED_EVENT, type StoppedInfo } from './protocol';
import type { FileAccess } from './files';
import { compileScenario } from '../engine/index';
import { includeResolverFor } from './files';

export interface LaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** Absolute path of the scenario. */
  program: string;
  stopOnEntry?: boolean;
  /** Root that includes may not leave (defaults to the scenario's folder). */
  workspaceRoot?: string;
}

const THREAD_ID = 1;

export class ScenarioDebugAdapter extends LoggingDebugSession {
  private dbg?: ScenarioDebugger;
  private program = '';
  private text = '';
  private workspaceRoot = '';
  private pendingBreakpoints: number[] = [];
  /** Resolved by configurationDone (or after 1 s): a launch runs only then. */
  private configured: () => void = () => undefined;
  private readonly configuration = new Promise<void>((resolve) => {
    this.configured = resolve;
    setTimeout(resolve, 1000).unref?.();
  });
  private exceptionFilters: string[] = [];
  private readonly variableHandles = new Handles<VarNode>();
  private stopped: Stop = { reason: 'entry' };

  constructor(private readonly files: FileAccess) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsRestartRequest: true,
      supportsEvaluateForHovers: false,
      supportsExceptionInfoRequest: true,
      supportsTerminateRequest: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({ filter: f.filter, label: f.label, description: f.description, default: f.filter !== 'hazard' })),
    };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.configured();
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArguments): void {
    if (!args || typeof args.program !== 'string' || args.program.length === 0) {
      this.sendErrorResponse(response, 3001, 'Launch configuration needs "program": the path of a .smmu scenario.');
      return;
    }
    this.program = path.resolve(args.program);
    this.workspaceRoot = typeof args.workspaceRoot === 'string' && args.workspaceRoot ? path.resolve(args.workspaceRoot) : path.dirname(this.program);
    const text = this.files.read(this.program);
    if (text === undefined) {
      this.sendErrorResponse(response, 3002, `Cannot read scenario ${this.program}.`);
      return;
    }
    this.load(text);
    this.sendResponse(response);
    // DAP: the client sends breakpoints and exception filters after the initialized event and ends
    // with configurationDone, possibly after this launch request: run only then (or after 1 s for a
    // client that never sends it).
    void this.configuration.then(() => this.report(this.dbg!.start(args.stopOnEntry ?? false)));
  }

  /** Compile (or recompile) the scenario text; breakpoints and filters carry over. */
  private load(text: string): void {
    this.text = text;
    const session = compileScenario(text, this.files.uriOf(this.program), { readInclude: includeResolverFor(this.files, this.workspaceRoot), checkpoints: { every: 64 } });
    this.dbg = new ScenarioDebugger(session);
    this.dbg.setBreakpoints(this.pendingBreakpoints);
    this.dbg.setExceptionFilters(this.exceptionFilters);
    const errors = session.diagnostics.filter((d) => d.severity === 'error');
    if (errors.length) {
      const lines = errors.slice(0, 20).map((d) => `${this.program}:${d.line}:${d.col}: error: ${d.message}`);
      this.sendEvent(new OutputEvent(`The scenario has ${errors.length} error(s); steps with errors are skipped.\n${lines.join('\n')}\n`, 'stderr'));
    }
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    const lines = (args.breakpoints ?? []).map((b) => b.line).filter((l) => Number.isInteger(l));
    this.pendingBreakpoints = lines;
    const bound = this.dbg ? this.dbg.setBreakpoints(lines) : lines.map(() => undefined);
    response.body = {
      breakpoints: lines.map((l, i) => {
        const b = bound[i];
        return b === undefined
          ? { verified: !this.dbg, line: l, message: this.dbg ? 'No step at or after this line.' : undefined }
          : { verified: true, line: b };
      }),
    };
    this.sendResponse(response);
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.exceptionFilters = Array.isArray(args.filters) ? args.filters.filter((f) => typeof f === 'string') : [];
    this.dbg?.setExceptionFilters(this.exceptionFilters);
    this.sendResponse(response);
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, 'scenario')] };
    this.sendResponse(response);
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse): void {
    const dbg = this.dbg;
    const focus = dbg?.focus;
    const frames: StackFrame[] = [];
    if (dbg && focus) {
      const source = new Source(path.basename(this.program), this.program);
      const item = dbg.walkItem;
      if (item) {
        frames.push(new StackFrame(2, `walk: ${item.label} = ${item.step.desc}`, source, focus.line, focus.col));
      }
      const label = this.stopped.reason === 'end' ? `${focus.label} (end of scenario)` : focus.label;
      frames.push(new StackFrame(1, `line ${focus.line}: ${label}`, source, focus.line, focus.col));
    }
    response.body = { stackFrames: frames, totalFrames: frames.length };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse): void {
    this.variableHandles.reset();
    const dbg = this.dbg;
    const result: Scope[] = [];
    if (dbg) {
      for (const node of scopes(dbg.session.state(), dbg.lastResult(), dbg.walkSoFar())) {
        result.push(new Scope(node.name, node.children ? this.variableHandles.create(node) : 0, false));
      }
    }
    response.body = { scopes: result };
    this.sendResponse(response);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const node = this.variableHandles.get(args.variablesReference);
    const children = node?.children ? node.children() : [];
    response.body = {
      variables: children.map((c) => ({ name: c.name, value: c.value, variablesReference: c.children ? this.variableHandles.create(c) : 0 })),
    };
    this.sendResponse(response);
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.sendResponse(response);
    this.act((dbg) => dbg.continue());
  }

  protected override nextRequest(response: DebugProtocol.NextResponse): void {
    this.sendResponse(response);
    this.act((dbg) => dbg.next());
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse): void {
    this.sendResponse(response);
    this.act((dbg) => dbg.stepIn());
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.sendResponse(response);
    this.act((dbg) => dbg.stepOut());
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse): void {
    this.sendResponse(response);
    this.act((dbg) => dbg.stepBack());
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    this.sendResponse(response);
    this.act((dbg) => dbg.reverseContinue());
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse): void {
    // Reload the file when it still exists; keep the text we have when it was deleted or unreadable.
    const text = this.files.read(this.program);
    if (text === undefined) {
      this.sendEvent(new OutputEvent(`${this.program} can no longer be read; restarting with the text loaded at launch.\n`, 'console'));
    }
    this.load(text ?? this.text);
    this.sendResponse(response);
    this.report(this.dbg!.start(true));
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    if (!this.dbg) {
      this.sendErrorResponse(response, 3003, 'No scenario is loaded.');
      return;
    }
    const expr = typeof args.expression === 'string' ? args.expression : '';
    response.body = { result: this.dbg.session.evaluate(expr), variablesReference: 0 };
    this.sendResponse(response);
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    response.body = {
      exceptionId: this.stopped.text ?? 'none',
      description: this.stopped.description,
      breakMode: 'always',
    };
    this.sendResponse(response);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.sendResponse(response);
  }

  /** Any request a handler did not expect must still be answered (DAP clients wait for it). */
  protected override dispatchRequest(request: DebugProtocol.Request): void {
    try {
      super.dispatchRequest(request);
    } catch (e) {
      const response: DebugProtocol.Response = { seq: 0, type: 'response', request_seq: request.seq, command: request.command, success: false };
      this.sendErrorResponse(response, 3999, `Internal error in ${request.command}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private act(f: (dbg: ScenarioDebugger) => Stop): void {
    if (!this.dbg) return;
    try {
      this.report(f(this.dbg));
    } catch (e) {
      this.sendEvent(new OutputEvent(`Internal error: ${e instanceof Error ? e.message : String(e)}\n`, 'stderr'));
      this.report({ reason: 'step' });
    }
  }

  private report(stop: Stop): void {
    this.stopped = stop;
    if (stop.reason === 'end' && this.stoppedAtEndBefore) {
      // A second continue at the end finishes the session.
      this.sendEvent(new TerminatedEvent());
      return;
    }
    this.stoppedAtEndBefore = stop.reason === 'end';
    const reason = stop.reason === 'end' ? 'step' : stop.reason;
    const ev = new StoppedEvent(reason, THREAD_ID, stop.text) as DebugProtocol.StoppedEvent;
    if (stop.description) ev.body.description = stop.description;
    this.sendEvent(ev);
    // For the panels: the state they show is the one after the last executed step (position - 1),
    // which the stopped line alone does not tell (the focus step may not have run yet).
    const dbg = this.dbg;
    if (dbg) this.sendEvent(new Event(STOPPED_EVENT, { program: this.program, position: dbg.session.position, focus: dbg.focusStepIndex } satisfies StoppedInfo));
  }

  private stoppedAtEndBefore = false;
}
