// `run --json` output written as the run goes: each step's JSON is written when the step has run
// and is not kept, so memory stays flat and no multi-megabyte string is built. The line is the
// same WireScenarioResult object as JSON.stringify would give (README "Command-line runner").

import type { ScenarioSession, WireScenarioResult } from '../engine/api';

/** Chunks handed to `write` are about this many characters. */
const CHUNK = 1 << 16;

/** Runs `session` to the end, writing its result as one JSON line through `write` (in chunks; the
 *  last ends with a newline). Returns the result without its steps (for the exit status). */
export function runJsonStreaming(session: ScenarioSession, file: string, write: (chunk: string) => void): WireScenarioResult {
  let buf = `{"file":${JSON.stringify(file)},"steps":[`;
  let first = true;
  const r = session.runStreaming((step) => {
    buf += first ? JSON.stringify(step) : ',' + JSON.stringify(step);
    first = false;
    if (buf.length >= CHUNK) {
      write(buf);
      buf = '';
    }
  });
  r.file = file;
  buf += ']';
  // Every other member of the result, whatever it holds (diagnostics, expectations, partial, ...).
  for (const [k, v] of Object.entries(r)) if (k !== 'file' && k !== 'steps' && v !== undefined) buf += `,${JSON.stringify(k)}:${JSON.stringify(v)}`;
  write(buf + '}\n');
  return r;
}
