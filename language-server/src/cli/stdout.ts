// The runner's standard output: chunks written straight to file descriptor 1 (`process.stdout`
// costs a short run ~30 ms: the stream's set-up and each write's trip through it). When a direct
// write cannot go on (a non-blocking pipe that is full, a closed reader, ...) what is left and
// everything after it go through `process.stdout`, in order, as before (its errors, its queue).

import * as fs from 'node:fs';

let viaStream = false;

/** Writes `chunk` to standard output, synchronously while it can. */
export function writeStdout(chunk: string): void {
  if (viaStream) {
    process.stdout.write(chunk);
    return;
  }
  const b = Buffer.from(chunk, 'utf8');
  let off = 0;
  try {
    while (off < b.length) off += fs.writeSync(1, b, off);
  } catch {
    viaStream = true;
    process.stdout.write(b.subarray(off));
  }
}

/** A line: `s` and a newline when it has none (an empty string writes nothing). */
export function writeStdoutLine(s: string): void {
  writeStdout(s.endsWith('\n') || s === '' ? s : s + '\n');
}
