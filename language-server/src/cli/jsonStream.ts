// `run --json` output written as the run goes: each step's JSON is written when the step has run
// and is not kept, so memory stays flat and no multi-megabyte string is built. The line is the
// same WireScenarioResult object as JSON.stringify would give (README "Command-line runner").

import type { WireScenarioResult, WireStep } from '../engine/output/wire';

/** Chunks handed to `write` are about this many characters: small enough that a chunk's parts die
 *  young (a 20,000-DMA run's steps, about 300 characters each, are 6 MB of JSON; 64 KB chunks of
 *  concatenated strings outlived two scavenges and were copied into the old generation). */
const CHUNK = 1 << 14;

/** One file's JSON line: `step()` for each step as it runs, then `end()` with the rest of the result. */
export class JsonLineWriter {
  private parts: string[] = [];
  private size = 0;
  private first = true;

  constructor(file: string, private readonly write: (chunk: string) => void) {
    this.parts.push(`{"file":${JSON.stringify(file)},"steps":[`);
  }

  step(s: WireStep): void {
    const json = JSON.stringify(s);
    this.parts.push(this.first ? json : ',' + json);
    this.first = false;
    this.size += json.length;
    if (this.size >= CHUNK) {
      this.write(this.parts.join(''));
      this.parts = [];
      this.size = 0;
    }
  }

  /** Writes every other member of `r` (diagnostics, expectations, partial, ...) and the newline. */
  end(r: WireScenarioResult): void {
    this.parts.push(']');
    for (const [k, v] of Object.entries(r)) if (k !== 'file' && k !== 'steps' && v !== undefined) this.parts.push(`,${JSON.stringify(k)}:${JSON.stringify(v)}`);
    this.parts.push('}\n');
    this.write(this.parts.join(''));
    this.parts = [];
  }
}
