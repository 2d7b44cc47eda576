// The engine's entry points (contract in api.ts): compile a scenario into a session, or run it.

import type { EngineOptions, ScenarioSession, WireDiagnostic, WireScenarioResult } from './api';
import { compileIncremental } from './compile/reuse';
import type { CompileMemo } from './compile/memo';
import { Session } from './run/session';
import { TrafficRecorder, opLine, type TrafficOp } from './output/traffic';
import { featuresText } from './compile/decls/smmuFeatures';
import type { SmmuFeatures } from '../model/smmu/features';

export { cutToSize } from './compile/fileSize';

export type * from './api';
export { Runtime } from './run/runtime';
export { expectationResults } from './run/session';
export type { HazardHook } from './run/hooks';
export { TrafficRecorder, opLine, type TrafficOp } from './output/traffic';
export { walkTraces } from './output/lazyWalks';
export { featuresText } from './compile/decls/smmuFeatures';
export { leafSizes, sizeText } from '../model/layout/tree';

/** What each session's compile keeps for the compile of the next version (compile/reuse.ts). */
const memos = new WeakMap<ScenarioSession, CompileMemo>();

/**
 * Compiles a scenario. Never throws: problems are in `session.diagnostics`. With
 * `options.previous`, only the statements the edit changed are lowered again when that gives
 * the same program (compile/reuse.ts).
 */
export function compileScenario(text: string, uri: string, options: EngineOptions = {}): ScenarioSession {
  // Kept for editors (sessions with checkpoints or a previous version), not for one-off runs.
  const keep = options.checkpoints !== undefined || options.previous !== undefined;
  const prev = options.previous && memos.get(options.previous);
  // The compiled program's closures keep the options they were compiled with: not the previous
  // session (a run option), or every version of an edited document would stay reachable.
  const { previous: _previous, ...compileOptions } = options;
  const { program, memo } = compileIncremental(text, uri, compileOptions, prev, keep);
  const session = new Session(program, options);
  if (memo) memos.set(session, memo);
  return session;
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

/**
 * Runs a scenario and records its traffic (memory, register, command and transaction writes).
 * `errors` are the compile-time errors (the traffic is then partial). Never throws.
 */
export function recordTraffic(text: string, uri: string, options: EngineOptions = {}): { result: WireScenarioResult; traffic: TrafficRecorder; errors: WireDiagnostic[] } {
  const traffic = new TrafficRecorder();
  try {
    const session = compileScenario(text, uri, { ...options, traffic });
    return { result: session.runToEnd(), traffic, errors: session.diagnostics.filter((d) => d.severity === 'error') };
  } catch {
    const result = runScenario(text, uri, options);
    return { result, traffic, errors: result.diagnostics.filter((d) => d.severity === 'error') };
  }
}

/**
 * The interchange form (`iommu-lens lower`): an `smmu NAME { setup none; features }` line per
 * declared instance (its features only: the registers, tables and commands follow as traffic),
 * then one line per op.
 */
export function trafficLines(ops: readonly TrafficOp[], smmus: ReadonlyMap<string, SmmuFeatures>, header: string[] = []): string {
  const lines = header.map((h) => `# ${h}`);
  for (const [name, f] of smmus) lines.push(`smmu ${name} { setup none; ${featuresText(f)} }`);
  for (const o of ops) lines.push(opLine(o));
  return lines.join('\n') + '\n';
}
