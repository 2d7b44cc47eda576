// Where an edit's time goes, per phase on both threads (IOMMU_LENS_TRACE=1 in the server's
// environment): for each published run, one line on stderr with the time from the edit's arrival
// to each mark on the server's thread, the engine worker's phases (they come with its answer) and
// the queueing between them. Off by default: then every call is one test of a constant.
export const TRACING = !!process.env.IOMMU_LENS_TRACE;

/** Milliseconds on a clock both threads share. */
export const clock = (): number => performance.timeOrigin + performance.now();

/** Marks of one run: name and time (clock), in order. */
export type Marks = [string, number][];

/** Adds a mark (when tracing). */
export function mark(marks: Marks | undefined, name: string): void {
  if (marks) marks.push([name, clock()]);
}

/** The line for a run: each mark as the milliseconds since the one before, then the total. */
export function traceLine(label: string, marks: Marks): string {
  const parts: string[] = [];
  for (let k = 1; k < marks.length; k++) parts.push(`${marks[k][0]} ${(marks[k][1] - marks[k - 1][1]).toFixed(1)}`);
  const total = marks.length ? marks[marks.length - 1][1] - marks[0][1] : 0;
  return `trace ${label}: ${parts.join(', ')}; total ${total.toFixed(1)} ms`;
}
