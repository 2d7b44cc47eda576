// Under nesting every address the SMMU reads for stage 1 is an IPA (IHI 0070 §3.4.1): the CD
// pointer (S1ContextPtr, L1CD.L2Ptr), each stage-1 descriptor address, and the stage-1 output. This
// says which stage-2 walk of a transaction translated what, and to which PA (or where it faulted),
// for the fault diagnostic (run/runtime.ts) and the hover (server/walkMarkdown.ts).

import type { WireEvent, WireWalk } from './wire';

/** What a walk of a transaction translated: a CD/L1CD fetch, stage 1, the stage-1 output, or stage 2 alone. */
export type WalkRole = 'cd' | 's1' | 'output' | 's2';

/** Events raised after the CD fetch and before any stage-1 walk (IHI 0070 §7.3). */
const CD_EVENTS = new Set(['C_BAD_CD', 'C_BAD_SUBSTREAMID', 'F_CD_FETCH']);

/**
 * Roles of a transaction's walks (in the order the pipeline lists them: CD fetches, stage 1,
 * stage 2). Stage-2 walks before the stage-1 walk translate the CD fetches; with no stage-1 walk
 * they do when the transaction stopped at the CD (its event, or a stage-2 fault with CLASS=CD).
 */
export function walkRoles(walks: readonly WireWalk[], events: readonly WireEvent[]): WalkRole[] {
  const firstS1 = walks.findIndex((w) => w.stage === 1);
  const atCd = walks.some((w) => w.fault?.class === 'CD') || events.some((e) => CD_EVENTS.has(e.type));
  return walks.map((w, i): WalkRole => (w.stage === 1 ? 's1' : firstS1 >= 0 ? (i < firstS1 ? 'cd' : 'output') : atCd ? 'cd' : 's2'));
}

function result(w: WireWalk): string {
  if (w.fault) return `stage-2 fault at level ${w.fault.level} (${w.fault.kind})`;
  return w.outputAddr !== undefined ? `PA ${w.outputAddr}` : 'not translated';
}

/**
 * "CD fetch at IPA 0x… → stage 2 → PA 0x…; stage-1 level-0 descriptor at IPA 0x… (the stage-1
 * table walk) → stage 2 → stage-2 fault at level 2 (F_TRANSLATION)". Undefined when nothing went
 * through stage 2 for stage 1 (not nested, or a TLB hit).
 */
export function stage2Story(walks: readonly WireWalk[], roles: readonly WalkRole[]): string | undefined {
  const parts: string[] = [];
  const cds = roles.filter((r) => r === 'cd').length;
  let cd = 0;
  walks.forEach((w, i) => {
    const role = roles[i];
    if (role === 'cd') {
      const what = cds > 1 && cd++ === 0 ? 'L1CD fetch' : 'CD fetch';
      parts.push(`${what} at IPA ${w.inputAddr} → stage 2 → ${result(w)}`);
    } else if (role === 's1') {
      for (const s of w.steps) {
        if (s.s2Walk) parts.push(`stage-1 level-${s.level} descriptor at IPA ${s.descAddr} (the stage-1 table walk) → stage 2 → ${result(s.s2Walk)}`);
      }
    } else if (role === 'output') {
      parts.push(`output IPA ${w.inputAddr} (the stage-1 result) → stage 2 → ${result(w)}`);
    }
  });
  return parts.length ? parts.join('; ') : undefined;
}
