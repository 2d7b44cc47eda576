// Cursor-to-step mapping and debouncing for "follow the cursor" (pure, no vscode import).
import type { WireStep } from '../../../language-server/src/engine/api';

/**
 * The step at or before a 1-based cursor line: among steps whose line is <= `line`, those on the
 * greatest such line, and of them the last one run (the state after the whole line), except that
 * an `expect` step (it only checks, changes nothing) gives way to the step it checks, so that on
 * `dma ... expect pa X` the panels show the DMA's walk. -1 when the cursor is above the first step.
 */
export function stepAtLine(steps: readonly WireStep[], line: number): number {
  let best: WireStep | undefined;
  const rank = (s: WireStep) => (s.kind === 'expect' ? 0 : 1);
  for (const s of steps) {
    if (s.line > line) continue;
    if (!best || s.line > best.line || (s.line === best.line && (rank(s) > rank(best) || (rank(s) === rank(best) && s.index > best.index)))) best = s;
  }
  return best ? best.index : -1;
}

export interface Debounced<A extends unknown[]> {
  (...args: A): void;
  cancel(): void;
}

/** Calls `fn` with the latest arguments once `ms` have passed without another call. */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const d = ((...args: A) => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      fn(...args);
    }, ms);
  }) as Debounced<A>;
  d.cancel = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  return d;
}
