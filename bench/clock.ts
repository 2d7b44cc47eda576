// Wall and CPU time of a piece of work. CPU time (process.cpuUsage: user + system, all threads
// of the process, so GC threads count too) stays meaningful on a loaded machine, where wall
// time mostly measures the other processes.

export interface Timing {
  wallMs: number;
  cpuMs: number;
}

export class Stopwatch {
  private readonly w0 = performance.now();
  private readonly c0 = process.cpuUsage();

  /** Time since construction. */
  read(): Timing {
    const c = process.cpuUsage(this.c0);
    return { wallMs: performance.now() - this.w0, cpuMs: (c.user + c.system) / 1000 };
  }
}

export function timed<T>(fn: () => T): { value: T } & Timing {
  const sw = new Stopwatch();
  const value = fn();
  return { value, ...sw.read() };
}
