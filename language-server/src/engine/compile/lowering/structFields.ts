// Field assignments by spec name (`S2VMID 5`, `Config S1_TRANS`, `T0SZ 25`) onto a structure's
// values, through the model's field tables: unknown field -> diagnostic with close names; value
// that does not fit -> diagnostic with the field's width; enum values by their spec name.

import type { Field } from '../../../dsl/ast';
import { fieldByName, tryEncode, type StructDef } from '../../../model/fields/field';
import type { LowerCtx } from '../lowerCtx';
import { closest, didYouMean } from '../names/symbols';

/** Assigns one field; returns false (after a diagnostic) when it cannot. */
export function applyField(ctx: LowerCtx, def: StructDef, f: Field, values: Record<string, bigint>): boolean {
  const fd = fieldByName(def, f.name.text);
  if (!fd || fd.reserved) {
    const names = def.fields.filter((x) => !x.reserved).map((x) => x.name);
    ctx.report(f.name, 'E_UNKNOWN_FIELD', `${def.name} has no field '${f.name.text}'${didYouMean(closest(f.name.text, names))}`);
    return false;
  }
  const v = f.values[0];
  let value: bigint;
  if (v === undefined) value = 1n;
  else if (v.kind === 'number') value = v.value;
  else if (v.kind === 'word') {
    const e = fd.values?.find((x) => x.name.toLowerCase() === v.lower);
    if (!e) {
      const known = fd.values?.map((x) => x.name) ?? [];
      ctx.report(v, 'E_FIELD_VALUE', `'${v.text}' is not a value of ${def.name}.${fd.name}${known.length ? ` (values: ${known.join(', ')})` : ' (expected a number)'}`);
      return false;
    }
    value = e.value;
  } else {
    ctx.report(v, 'E_FIELD_VALUE', `expected a number for ${def.name}.${fd.name}`);
    return false;
  }
  if (f.values.length > 1) ctx.report(f.values[1], 'E_FIELD_VALUE', `${def.name}.${fd.name} takes one value`);
  const r = tryEncode(def, { [fd.name]: value });
  if (!r.ok) {
    const width = fd.hi - fd.lo + 1;
    ctx.report(f.values[0] ?? f, 'E_FIELD_RANGE', `${r.error.message} (${def.name}.${fd.name} is ${width} bit${width === 1 ? '' : 's'} wide)`);
    return false;
  }
  values[fd.name] = value;
  return true;
}
