// The engine's entry points (contract in api.ts): compile a scenario into a session, or run it.

import type { EngineOptions, ScenarioSession, WireScenarioResult } from './api';
import { compile } from './compile/compile';
import { Session } from './run/session';

export { cutToSize } from './compile/fileSize';

export type * from './api';
export { Runtime } from './run/runtime';
export type { HazardHook } from './run/hooks';

/** Compiles a scenario. Never throws: problems are in `session.diagnostics`. */
export function compileScenario(text: string, uri: string, options: EngineOptions = {}): ScenarioSession {
  return new Session(compile(text, uri, options), options.isCancelled);
}

/** Compiles and runs a scenario to the end. Never throws. */
export function runScenario(text: string, uri: string, options: EngineOptions = {}): WireScenarioResult {
  try {
    return compileScenario(text, uri, options).runToEnd();
  } catch (e) {
    return {
      file: uri, steps: [], expectations: { passed: 0, failed: 0 },
      diagnostics: [{ line: 1, col: 1, endLine: 1, endCol: 1, severity: 'error', code: 'E_INTERNAL', message: `internal error: ${e instanceof Error ? e.message : String(e)}` }],
    };
  }
}
