// Public entry of the field tables: every SMMUv3 structure defined once, as data.

export * from './field';
export * from './describe';
export * from './validate';
export * from './define';
export * from './common';
export { STE, STE_CONFIG } from './ste';
export { CD, cdMair } from './cd';
export { L1STD, L1CD } from './l1';
export { COMMANDS, OPCODES, commandByOpcode, commandByName, commandPreset } from './commands';
export type { CommandName } from './commands';
export { EVENTS, EVENT_TYPES, EVENT_CLASS, eventByType, eventByName, PRI_PAGE_REQUEST } from './events';
export { REGISTERS, registerByName, registerByOffset } from './registers';
export { TLBI_VA, TLBI_VAA, TLBI_ASID } from './tlbi';
export type { RegisterDef, RegisterAccess } from './registers';

import { StructDef } from './field';
import { STE } from './ste';
import { CD } from './cd';
import { L1STD, L1CD } from './l1';
import { COMMANDS, commandByName } from './commands';
import { EVENTS, eventByName, PRI_PAGE_REQUEST } from './events';

/** Every memory structure (not registers): STE, CD, L1STD, L1CD, each command, each event, PRI record. */
export const STRUCTS: readonly StructDef[] = [STE, CD, L1STD, L1CD, ...COMMANDS, ...EVENTS, PRI_PAGE_REQUEST];

/** Case-insensitive lookup of a memory structure by name ('ste', 'CMD_SYNC', 'tlbi_nh_va', 'f_translation'). */
export function structByName(name: string): StructDef | undefined {
  const k = name.toLowerCase();
  for (const d of [STE, CD, L1STD, L1CD, PRI_PAGE_REQUEST]) if (d.name.toLowerCase() === k) return d;
  return commandByName(name) ?? eventByName(name);
}
export {
  pteDef, allPteDefs, classifyPte, decodePte, blockShift, granuleShift, firstLevel,
} from './pte';
export type { PteKind, PteSelector, DecodedPte } from './pte';
export {
  parseWords, decodeDump, decodeWords, decodeRecord, formatWords, encodeDump, formatDump, DUMP_HINTS,
} from './dump';
export type { DumpHint, DumpOptions, ParsedWords, DecodedField, DecodedRecord, DumpResult } from './dump';
export { usedFields, changedUsedFields, hasUseRules, usedMask, updateSafeMask } from './used';
