// `iommu-lens run`: runs each scenario, prints text or JSON, writes the JUnit report, and returns
// the exit status `--fail-on` asks for (cli/policy.ts).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compileScenario, runScenario } from '../engine/index';
import { runJsonStreaming } from './jsonStream';
import type { IncludeResolver } from '../engine/api';
import type { WireScenarioResult } from '../engine/output/wire';
import { addTotals, emptyTotals, formatText, formatTotals } from './format';
import { type JUnitFile, junitXml } from './junit';
import { USAGE, parseRunArgs } from './options';
import { exitCode } from './policy';

export type MakeResolver = (cwd: string, allowed: ReadonlySet<string>) => IncludeResolver;

function unreadable(file: string, e: unknown): WireScenarioResult {
  const code = (e as NodeJS.ErrnoException).code ?? String(e);
  return {
    file, steps: [], expectations: { passed: 0, failed: 0 }, expectationResults: [],
    diagnostics: [{ line: 1, col: 1, endLine: 1, endCol: 1, severity: 'error', code: 'E_FILE', message: `cannot read ${file}: ${code}` }],
  };
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
    let result: WireScenarioResult;
    let text: string | undefined;
    try {
      text = fs.readFileSync(path.resolve(cwd, file), 'utf8');
    } catch (e) {
      result = unreadable(file, e);
    }
    if (text !== undefined) {
      if (o.files.length > 1) err(`running ${file}`);
      // Progress on long runs: the engine polls isCancelled between steps.
      let steps = 0;
      let last = t0;
      const isCancelled = () => {
        steps++;
        if ((steps & 1023) === 0 && Date.now() - last > 2000) {
          last = Date.now();
          err(`${file}: ${steps} steps run (${((last - t0) / 1000).toFixed(0)} s)`);
        }
        return false;
      };
      if (o.json) {
        // `--json` streams each step as it runs (cli/jsonStream.ts): the result comes back without its steps.
        const session = compileScenario(text, file, { readInclude, isCancelled });
        const chunks: string[] = [];
        result = runJsonStreaming(session, file, write ?? ((c) => chunks.push(c)));
        if (!write) out(chunks.join(''));
      } else result = runScenario(text, file, { readInclude, isCancelled });
      const ms = Date.now() - t0;
      if (ms > 1000) err(`${file}: ${steps} steps in ${(ms / 1000).toFixed(1)} s`);
    }
    const r = result!;
    status = Math.max(status, exitCode(r, o.failOn));
    addTotals(totals, r);
    report.push({ result: r, seconds: (Date.now() - t0) / 1000, started });
    if (!o.json) out(formatText(r));
    else if (text === undefined) out(JSON.stringify(r));
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
