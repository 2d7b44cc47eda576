// Commands in scenario syntax: the short field names the language accepts (`cmd` statements are
// lowered with them) and a command written back as a `cmd` line (hazard fixes).

import { hex } from '../../model/bits';
import type { MissingCommand } from '../../model/hazards';

/** Short names the language accepts for command fields (the spec names always work too). */
export const ALIASES: Readonly<Record<string, string>> = {
  addr: 'Address', iova: 'Address', ipa: 'Address', va: 'Address',
  sid: 'StreamID', ssid: 'SubstreamID', pasid: 'SubstreamID', data: 'MSIData',
};

/** Scenario word for a command field: the first short name the language accepts, else the field name. */
const WORD: Record<string, string> = {};
for (const [w, f] of Object.entries(ALIASES)) WORD[f] ??= w;
const HEX_FIELDS = new Set(['Address', 'StreamID', 'SubstreamID']);

/** `cmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x10000000 leaf`: a command as a scenario line. */
export function commandText(m: MissingCommand): string {
  const parts = [`cmd ${m.smmu} ${m.name}`];
  for (const [f, v] of Object.entries(m.fields)) {
    if (f === 'Leaf') { if (v) parts.push('leaf'); continue; }
    if (f === 'SSV' && 'SubstreamID' in m.fields) continue; // `ssid` sets SSV
    parts.push(`${WORD[f] ?? f.toLowerCase()} ${HEX_FIELDS.has(f) ? hex(v) : v.toString()}`);
  }
  return parts.join(' ');
}
