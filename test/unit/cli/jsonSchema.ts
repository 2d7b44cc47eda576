// A validator for the subset of JSON Schema (draft 2020-12) that docs/run-json.schema.json uses:
// type, properties, required, additionalProperties, items, enum, pattern, minimum, maximum,
// minItems, maxItems and local $ref (#/$defs/NAME). Any other keyword is an error, so the schema
// cannot silently use something this validator ignores.

export type Schema = { [k: string]: unknown };

const ANNOTATIONS = new Set(['$schema', '$id', '$defs', 'title', 'description']);
const KEYWORDS = new Set(['type', 'properties', 'required', 'additionalProperties', 'items', 'enum', 'pattern',
  'minimum', 'maximum', 'minItems', 'maxItems', '$ref']);

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** Problems of `value` against `schema` ("path: message"), empty when it is valid. */
export function validate(root: Schema, value: unknown): string[] {
  const errors: string[] = [];
  const check = (s: Schema, v: unknown, at: string): void => {
    for (const k of Object.keys(s)) {
      if (!KEYWORDS.has(k) && !ANNOTATIONS.has(k)) throw new Error(`${at}: schema keyword '${k}' is not supported by this validator`);
    }
    if (typeof s.$ref === 'string') {
      const m = /^#\/\$defs\/(.+)$/.exec(s.$ref);
      const target = m ? (root.$defs as Record<string, Schema> | undefined)?.[m[1]] : undefined;
      if (!target) throw new Error(`${at}: unresolved $ref ${s.$ref}`);
      check(target, v, at);
    }
    const t = typeOf(v);
    if (typeof s.type === 'string' && s.type !== t && !(s.type === 'number' && t === 'integer')) {
      errors.push(`${at}: expected ${s.type}, got ${t}`);
      return;
    }
    if (Array.isArray(s.enum) && !s.enum.some((e) => e === v)) errors.push(`${at}: ${JSON.stringify(v)} is not one of ${JSON.stringify(s.enum)}`);
    if (typeof v === 'string' && typeof s.pattern === 'string' && !new RegExp(s.pattern, 'u').test(v)) errors.push(`${at}: ${JSON.stringify(v)} does not match ${s.pattern}`);
    if (typeof v === 'number') {
      if (typeof s.minimum === 'number' && v < s.minimum) errors.push(`${at}: ${v} < minimum ${s.minimum}`);
      if (typeof s.maximum === 'number' && v > s.maximum) errors.push(`${at}: ${v} > maximum ${s.maximum}`);
    }
    if (Array.isArray(v)) {
      if (typeof s.minItems === 'number' && v.length < s.minItems) errors.push(`${at}: fewer than ${s.minItems} items`);
      if (typeof s.maxItems === 'number' && v.length > s.maxItems) errors.push(`${at}: more than ${s.maxItems} items`);
      if (s.items && typeof s.items === 'object') v.forEach((x, i) => check(s.items as Schema, x, `${at}[${i}]`));
    }
    if (t === 'object') {
      const o = v as Record<string, unknown>;
      const props = (s.properties ?? {}) as Record<string, Schema>;
      for (const r of (s.required ?? []) as string[]) if (!(r in o)) errors.push(`${at}: missing required '${r}'`);
      for (const [k, x] of Object.entries(o)) {
        if (props[k]) check(props[k], x, `${at}.${k}`);
        else if (s.additionalProperties === false) errors.push(`${at}: unexpected property '${k}'`);
        else if (s.additionalProperties && typeof s.additionalProperties === 'object') check(s.additionalProperties as Schema, x, `${at}.${k}`);
      }
    }
  };
  check(root, value, '$');
  return errors;
}
