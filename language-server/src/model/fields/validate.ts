// Pure field rules of one structure: RES0 bits set, Reserved encodings (no SMMU features).

import { hex } from '../bits';
import { rawOf, type StructDef } from './field';
import { rangeText, valueName } from './describe';

/** One field-level problem: RES0 bits set, or a Reserved encoding. */
export interface FieldIssue {
  struct: string;
  field: string;
  message: string;
  spec: string;
}

/**
 * Pure field rules: RES0 bits that are set and Reserved enum encodings.
 * Semantic legality (ILLEGAL STE/CD combinations given SMMU features) belongs to the engine.
 */
export function validate(def: StructDef, dwords: readonly bigint[]): FieldIssue[] {
  const issues: FieldIssue[] = [];
  for (const f of def.fields) {
    const raw = rawOf(f, dwords);
    if (f.reserved) {
      if (raw !== 0n) {
        issues.push({ struct: def.name, field: f.name, spec: f.spec,
          message: `${def.name} ${rangeText(f)} of dword ${f.word} ${f.hi === f.lo ? 'is' : 'are'} RES0 but ${f.hi === f.lo ? 'is set' : `hold ${hex(raw)}`}` });
      }
      continue;
    }
    if (f.maxLegal !== undefined && raw > f.maxLegal) {
      issues.push({ struct: def.name, field: f.name, spec: f.spec,
        message: `${def.name}.${f.name} = ${raw} is Reserved (legal values are 0..${f.maxLegal})` });
      continue;
    }
    if (!f.values) continue;
    const e = valueName(f, raw);
    if (e?.reserved) {
      issues.push({ struct: def.name, field: f.name, spec: f.spec,
        message: `${def.name}.${f.name} = ${hex(raw)} is a Reserved encoding (${e.meaning})` });
    } else if (!e && f.valuesComplete) {
      issues.push({ struct: def.name, field: f.name, spec: f.spec,
        message: `${def.name}.${f.name} = ${hex(raw)} is not a defined encoding` });
    }
  }
  return issues;
}
