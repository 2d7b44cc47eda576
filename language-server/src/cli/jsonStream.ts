// `run --json` output written as the run goes: each step's JSON is written when the step has run
// and is not kept, so memory stays flat and no multi-megabyte string is built. The line is the
// same WireScenarioResult object as JSON.stringify would give (README "Command-line runner").

import type { WireScenarioResult, WireStep } from '../engine/output/wire';

/** Chunks handed to `write` are about this many characters. */
const CHUNK = 1 << 16;

/** One file's JSON line: `step()` for each step as it runs, then `end()` with the rest of the result. */
export class JsonLineWriter {
  private buf: string;
  private first = true;

  constructor(file: string, private readonly write: (chunk: string) => void) {
    this.buf = `{"file":${JSON.stringify(file)},"steps":[`;
  }

  step(s: WireStep): void {
    this.buf += this.first ? JSON.stringify(s) : ',' + JSON.stringify(s);
    this.first = false;
    if (this.buf.length >= CHUNK) {
      this.write(this.buf);
      this.buf = '';
    }
  }

  /** Writes every other member of `r` (diagnostics, expectations, partial, ...) and the newline. */
  end(r: WireScenarioResult): void {
    let buf = this.buf + ']';
    for (const [k, v] of Object.entries(r)) if (k !== 'file' && k !== 'steps' && v !== undefined) buf += `,${JSON.stringify(k)}:${JSON.stringify(v)}`;
    this.buf = '';
    this.write(buf + '}\n');
  }
}
