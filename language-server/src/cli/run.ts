// `iommu-lens run`: runs each scenario, prints text or JSON, writes the JUnit report, and returns
// the exit status `--fail-on` asks for (cli/policy.ts). Every mode streams the steps (the session
// hands each one over as it runs and keeps none): `--json` writes each step's JSON at once
// (jsonStream.ts), text and JUnit keep only their tally (tally.ts).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileScenario } from '../engine/index';
import { DEFAULT_MAX_FILE_SIZE } from '../engine/compile/fileSize';
import { parse } from '../dsl/parser';
import { runStreamed } from '../engine/compile/stream';
import { JsonLineWriter } from './jsonStream';
import type { IncludeResolver } from '../engine/api';
import type { WireScenarioResult, WireStep } from '../engine/output/wire';
import { addTotals, emptyTotals, formatText, formatTotals } from './format';
import { type JUnitFile, junitXml } from './junit';
import { USAGE, parseRunArgs } from './options';
import { exitCode } from './policy';
import { type FileRun, StepTally } from './tally';

export type MakeResolver = (cwd: string, allowed: ReadonlySet<string>) => IncludeResolver;

const fileError = (file: string, code: string, message: string): WireScenarioResult => ({
  file, steps: [], expectations: { passed: 0, failed: 0 }, expectationResults: [],
  diagnostics: [{ line: 1, col: 1, endLine: 1, endCol: 1, severity: 'error', code, message }],
});

/** Compiles and runs one file, handing each step to `onStep` as it runs; the result has no steps.
 *  Never throws: an internal error ends the file's run with E_INTERNAL. */
function runFile(text: string, file: string, readInclude: IncludeResolver, onStep: (s: WireStep) => void): WireScenarioResult {
  try {
    if (text.length > DEFAULT_MAX_FILE_SIZE) return compileScenario(text, file, { readInclude }).runStreaming(onStep);
    // A plain trace statement by statement (engine/compile/stream.ts); any other file whole, from
    // the runner's lean tree (dsl/parser.ts ParseOptions): what the engine reads and no more.
    return runStreamed(text, file, { readInclude }, onStep) ??
      compileScenario(text, file, { readInclude, parsed: parse(text, file, { lean: true }) }).runStreaming(onStep);
  } catch (e) {
    return fileError(file, 'E_INTERNAL', `internal error: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function runCommand(args: string[], out: (s: string) => void, err: (s: string) => void, cwd: string, makeResolver: MakeResolver, write?: (chunk: string) => void): number {
  const o = parseRunArgs(args);
  if ('error' in o) {
    err(`${o.error}\n${USAGE}`);
    return 2;
  }
  const readInclude = makeResolver(cwd, new Set(o.files.map((f) => path.resolve(cwd, f))));
  const totals = emptyTotals();
  const report: JUnitFile[] = [];
  let status = 0;
  for (const file of o.files) {
    const started = new Date();
    const t0 = Date.now();
    const tally = new StepTally();
    let result: WireScenarioResult;
    let text: string | undefined;
    try {
      text = fs.readFileSync(path.resolve(cwd, file), 'utf8');
    } catch (e) {
      result = fileError(file, 'E_FILE', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
    if (text !== undefined) {
      if (o.files.length > 1) err(`running ${file}`);
      // `--json` writes each step as it runs; the chunks go to `write`, or are joined for `out`.
      const chunks: string[] = [];
      const json = o.json ? new JsonLineWriter(file, write ?? ((c) => chunks.push(c))) : undefined;
      let last = t0;
      result = runFile(text, file, readInclude, (s) => {
        tally.add(s);
        json?.step(s);
        // Progress on long runs.
        if ((tally.steps & 1023) === 0 && Date.now() - last > 2000) {
          last = Date.now();
          err(`${file}: ${tally.steps} steps run (${((last - t0) / 1000).toFixed(0)} s)`);
        }
      });
      result.file = file;
      json?.end(result);
      if (json && !write) out(chunks.join(''));
      const ms = Date.now() - t0;
      if (ms > 1000) err(`${file}: ${tally.steps} steps in ${(ms / 1000).toFixed(1)} s`);
    }
    const run: FileRun = { result: result!, tally };
    status = Math.max(status, exitCode(run, o.failOn));
    addTotals(totals, run);
    report.push({ ...run, seconds: (Date.now() - t0) / 1000, started });
    if (!o.json) out(formatText(run));
    else if (text === undefined) out(JSON.stringify(result!));
  }
  if (!o.json) out(formatTotals(totals, o.failOn, status));
  if (o.junit) {
    try {
      fs.writeFileSync(path.resolve(cwd, o.junit), junitXml(report, o.failOn, os.hostname()));
    } catch (e) {
      err(`cannot write ${o.junit}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      status = 2;
    }
  }
  return status;
}
