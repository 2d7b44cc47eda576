// `run --json` output written as the run goes: each step's JSON is written when the step has run
// and is not kept, so memory stays flat and no multi-megabyte string is built. The line is the
// same WireScenarioResult object as JSON.stringify would give (README "Command-line runner").

import type { WireScenarioResult, WireStep } from '../engine/output/wire';

/** One file's JSON line: `step()` for each step as it runs, then `end()` with the rest of the result.
 *  Each piece goes to `write` as soon as it is made (the runner's `write` is the buffered
 *  stdout.ts writeStdout: no chunk of joined strings is built). */
export class JsonLineWriter {
  private first = true;

  constructor(file: string, private readonly write: (chunk: string) => void) {
    write(`{"file":${JSON.stringify(file)},"steps":[`);
  }

  step(s: WireStep): void {
    if (this.first) this.first = false;
    else this.write(',');
    this.write(JSON.stringify(s));
  }

  /** Writes every other member of `r` (diagnostics, expectations, partial, ...) and the newline. */
  end(r: WireScenarioResult): void {
    const parts = [']'];
    for (const [k, v] of Object.entries(r)) if (k !== 'file' && k !== 'steps' && v !== undefined) parts.push(`,${JSON.stringify(k)}:${JSON.stringify(v)}`);
    parts.push('}\n');
    this.write(parts.join(''));
  }
}
