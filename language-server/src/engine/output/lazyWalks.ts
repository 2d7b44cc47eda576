// A step result's `walks`, turned into wire objects only when something reads them (the runner's
// JSON, the worker's step encoder, a hover, the debugger): a run that never looks at a step's walks
// (the engine's million-transaction bench, steps a consumer drops) does not build their dozens of
// hex strings and objects. `walks` stays an own, enumerable property (an accessor), so property
// reads, JSON.stringify, object spread and structured clone see the same array, in the same key
// order, as an eager one; the model's WalkTrace objects are not changed after a transaction
// returns them (the state view keeps them too: walkContext.ts).

import type { WalkTrace } from '../../model/types';
import { wireWalk } from './convert';
import type { WireStep, WireWalk } from './wire';

const SLOT = Symbol('walks');

/** The walks of a step: the model's traces until first read, then their wire form. */
class Walks {
  wire?: WireWalk[];
  /** `traces` is undefined when `walks` was assigned wire objects. */
  constructor(readonly traces: readonly WalkTrace[] | undefined) {}
}

type WithSlot = WireStep & { [SLOT]?: Walks };

// One getter and setter for every step (a closure per step would give each its own hidden class).
function get(this: WithSlot): WireWalk[] | undefined {
  const w = this[SLOT];
  if (!w) return undefined;
  return (w.wire ??= w.traces!.map((t) => wireWalk(t)));
}

function set(this: WithSlot, v: WireWalk[] | undefined): void {
  const w = new Walks(undefined);
  w.wire = v;
  this[SLOT] = w;
}

const WALKS_DESC = { get, set, enumerable: true, configurable: true };

/**
 * Sets `out.walks` to the lean wire form of `traces` (convert.ts wireWalk), built on first read.
 * One Object.defineProperty per step (the accessor; a call costs about as much as the rest of a TLB
 * miss's wire result): the slot is a plain assignment, an own symbol property, which JSON.stringify,
 * Object.keys and structured clone do not see (an object spread copies it with the built walks: the
 * copy's walkTraces are those of its `walks` until `walks` is assigned on the copy).
 */
export function setWalks(out: WireStep, traces: readonly WalkTrace[]): void {
  const o = out as WithSlot;
  if (o[SLOT] === undefined) Object.defineProperty(o, 'walks', WALKS_DESC);
  o[SLOT] = new Walks(traces);
}

/** The model's traces behind `step.walks` (built or not), or undefined when the step's walks were
 *  assigned as wire objects. Equal traces give equal wire walks (`wireWalk` reads only the trace),
 *  so a comparison can read these instead of building the wire form. */
export function walkTraces(step: WireStep): readonly WalkTrace[] | undefined {
  return (step as WithSlot)[SLOT]?.traces;
}

/** A shallow copy of a step (same keys in the same order) whose `walks`, when they are lazy, stay
 *  lazy: the copy shares the original's slot (the wire form is built once for both). */
export function copyStep(step: WireStep): WireStep {
  const from = step as WithSlot;
  const slot = from[SLOT];
  // (most steps have no walks: a spread, V8's fast copy of a plain object)
  if (!slot) return { ...step };
  const to = {} as WithSlot;
  const src = step as unknown as Record<string, unknown>;
  const dst = to as unknown as Record<string, unknown>;
  for (const k of Object.keys(step)) {
    if (k === 'walks') {
      Object.defineProperty(to, 'walks', WALKS_DESC);
      to[SLOT] = slot;
    } else dst[k] = src[k];
  }
  return to;
}
