// The runner's standard output: text encoded into one reused buffer and written to file descriptor
// 1 directly when the buffer is full, at the end of a line and at exit (`process.stdout` costs a
// short run ~30 ms: the stream's set-up and each write's trip through it; a Buffer per chunk costs
// its allocation, its first-touch page faults and a copy). When a direct write cannot go on (a
// non-blocking pipe that is full, ...) what is left and everything after it go through
// `process.stdout`, in order, as before (its queue). A reader that is gone (EPIPE: `| head`) gets
// nothing more, quietly, as a pipeline expects; the run goes on to its exit status and `--junit`.

import * as fs from 'node:fs';

/** The buffer's size: a pipe's capacity (fewer system calls; a small buffer stays in the cache). */
const SIZE = 1 << 16;
/** Small chunks (a step's JSON) are joined into a string of about this length before they are
 *  encoded: one encoding call per batch, not one per chunk (each call costs far more than copying
 *  a short string); the joined string dies young. */
const BATCH = 1 << 13;

let viaStream = false;
/** The reader closed the pipe: what is written from then on is dropped. */
let closed = false;
let buf: Buffer | undefined;
let used = 0;
let pending = '';

/** Writes `b` to file descriptor 1, synchronously while it can; `copy`: `b` is reused afterwards
 *  (what the stream keeps must be a copy). */
function writeOut(b: Buffer, copy: boolean): void {
  if (closed) return;
  if (viaStream) {
    process.stdout.write(copy ? Buffer.from(b) : b);
    return;
  }
  let off = 0;
  try {
    while (off < b.length) off += fs.writeSync(1, b, off);
  } catch (e) {
    if (isEpipe(e)) {
      closed = true;
      return;
    }
    viaStream = true;
    process.stdout.on('error', (err) => {
      if (!isEpipe(err)) throw err;
      closed = true;
    });
    const rest = b.subarray(off);
    process.stdout.write(copy ? Buffer.from(rest) : rest);
  }
}

const isEpipe = (e: unknown): boolean => (e as { code?: unknown } | null)?.code === 'EPIPE';

/** Writes what the buffer holds. */
function writeBuffer(): void {
  if (used === 0) return;
  const n = used;
  used = 0;
  writeOut(buf!.subarray(0, n), true);
}

/** Encodes the pending text into the buffer (at most 3 bytes per UTF-16 unit), or on its own when
 *  it could not fit. */
function encodePending(): void {
  const s = pending;
  pending = '';
  if (used + s.length * 3 > SIZE) writeBuffer();
  if (s.length * 3 > SIZE) {
    writeOut(Buffer.from(s, 'utf8'), false);
    return;
  }
  if (!buf) {
    buf = Buffer.allocUnsafe(SIZE);
    process.once('exit', flushStdout);
  }
  used += buf.write(s, used, 'utf8');
}

/** Writes everything written so far. */
export function flushStdout(): void {
  if (pending !== '') encodePending();
  writeBuffer();
}

/** Writes `chunk` to standard output, line-buffered: what ends a line (a file's JSON line, a line of
 *  text) is written at once, other chunks (a step's JSON) when the buffer is full, at flushStdout()
 *  or at exit. */
export function writeStdout(chunk: string): void {
  pending += chunk;
  if (chunk.charCodeAt(chunk.length - 1) === 10) flushStdout();
  else if (pending.length >= BATCH) encodePending();
}

/** A line: `s` and a newline when it has none (an empty string writes nothing). */
export function writeStdoutLine(s: string): void {
  writeStdout(s.endsWith('\n') || s === '' ? s : s + '\n');
}
