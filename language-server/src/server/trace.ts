// Where an edit's time goes, per phase on both threads (IOMMU_LENS_TRACE=1 in the server's
// environment): for each published run, one line on stderr with the time from the edit's arrival
// to each mark on the server's thread, the engine worker's phases (they come with its answer) and
// the queueing between them; each phase also with the CPU its own thread spent in it (Linux: a
// loaded machine inflates wall times, not these). Off by default: then every call is one test of
// a constant.
import * as fs from 'node:fs';

export const TRACING = !!process.env.IOMMU_LENS_TRACE;

/** Milliseconds on a clock both threads share. */
export const clock = (): number => performance.timeOrigin + performance.now();

/** The CPU time of the calling thread in ms (/proc/thread-self/schedstat: nanoseconds on the CPU),
 *  or NaN where there is none. */
export function threadCpuMs(): number {
  try {
    return Number(fs.readFileSync('/proc/thread-self/schedstat', 'latin1').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

/** Marks of one run: name, time (clock) and the marking thread's CPU time (ms), in order. */
export type Marks = [string, number, number?][];

/** Adds a mark (when tracing). */
export function mark(marks: Marks | undefined, name: string): void {
  if (marks) marks.push([name, clock(), threadCpuMs()]);
}

/** The line for a run: each mark as the milliseconds since the one before (and, when both were
 *  taken on the same thread, its CPU: `wall/cpu`), then the total. */
export function traceLine(label: string, marks: Marks): string {
  const parts: string[] = [];
  for (let k = 1; k < marks.length; k++) {
    const [name, t, c] = marks[k];
    const [, t0, c0] = marks[k - 1];
    const cpu = c !== undefined && c0 !== undefined && c >= c0 && !name.startsWith('worker') === !marks[k - 1][0].startsWith('worker') ? `/${(c - c0).toFixed(1)}` : '';
    parts.push(`${name} ${(t - t0).toFixed(1)}${cpu}`);
  }
  const total = marks.length ? marks[marks.length - 1][1] - marks[0][1] : 0;
  return `trace ${label}: ${parts.join(', ')}; total ${total.toFixed(1)} ms`;
}
