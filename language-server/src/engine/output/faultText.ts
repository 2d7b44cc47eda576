// The message of a transaction's fault diagnostic: the event record's type and fields, where the
// walk faulted, why, whether it was recorded, and under nesting what stage 2 translated.

import { hex } from '../../model/bits';
import type { TransactionResult } from '../../model/smmu/result';
import type { WalkTrace } from '../../model/types';
import type { WireStep } from './wire';
import { stage2Story, walkRoles } from './nestedText';

/** `fw`: the walk that faulted, if any; `reason`: the model's reason; `out`: the step's walks and events. */
export function faultMessage(r: TransactionResult, fw: WalkTrace | undefined, reason: string, out: WireStep): string {
  const ev = r.events[0];
  let msg: string;
  if (ev) {
    const f = ev.fields;
    const where = fw?.fault ? `, stage ${fw.fault.stage} level ${fw.fault.level}` : '';
    msg = `${ev.type}: StreamID ${hex(f.StreamID ?? BigInt(r.sid))}${f.SSV ? `, SubstreamID ${hex(f.SubstreamID ?? 0n)}` : ''}` +
      `${f.InputAddr !== undefined ? `, InputAddr ${hex(f.InputAddr)}` : ''}${where}: ${ev.reason || reason}` +
      `${r.outcome === 'stalled' ? ` (stalled, STAG ${hex(r.stag ?? 0)})` : ''}${ev.recorded ? '' : ` [not recorded: ${ev.notRecordedBecause ?? 'suppressed'}]`}`;
  } else {
    msg = `${r.outcome}: StreamID ${hex(r.sid)}, InputAddr ${hex(r.iova)}: ${reason || 'terminated without an event'}`;
  }
  // Under nesting: which IPAs stage 2 translated, and to what (nestedText.ts).
  const story = out.walks && stage2Story(out.walks, walkRoles(out.walks, out.events));
  return story ? `${msg}. Through stage 2: ${story}` : msg;
}
