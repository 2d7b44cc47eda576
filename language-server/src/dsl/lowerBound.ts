// The one binary search over sorted sequences (line starts, statements, comments, spans).

/** The first index in [lo, hi) whose `key` is >= `target`, or `hi` when there is none. `xs` must
 *  be sorted by `key` (non-decreasing) over that range. */
export function lowerBound<T>(xs: ArrayLike<T>, target: number, key: (x: T) => number, lo = 0, hi = xs.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (key(xs[mid]) < target) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export const byStart = (s: { start: number }): number => s.start;
export const byEnd = (s: { end: number }): number => s.end;
export const byValue = (n: number): number => n;
