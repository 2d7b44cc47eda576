// Which spec structure a word in the tree belongs to: a field of an STE block, of a CD, of a
// named command, of a register; an event name; a command or register name. Used by hover and
// completion, so both agree on what a position means.
import type { Field, Node, Statement } from '../dsl/ast';
import {
  CD,
  STE,
  commandByName,
  registerByName,
  type FieldDef,
  type StructDef,
} from '../model/fields';

/** The structure whose fields a statement's fields/options name. */
export function structOf(stmt: Statement | undefined): StructDef | undefined {
  if (!stmt) return undefined;
  switch (stmt.kind) {
    case 'ste':
      return STE;
    case 'cd':
      return CD;
    case 'cmd':
      return stmt.opcode ? commandByName(stmt.opcode.text) : undefined;
    case 'reg':
      return stmt.register ? registerByName(stmt.register.text) : undefined;
    default:
      return undefined;
  }
}

/** The statement in a chain from `nodeAt` (chain[1]). */
export function statementOf(chain: readonly Node[]): Statement | undefined {
  const s = chain[1];
  return s && s.kind !== 'script' ? (s as Statement) : undefined;
}

/** The innermost Field in the chain, if any. */
export function fieldOf(chain: readonly Node[]): Field | undefined {
  for (let i = chain.length - 1; i >= 0; i--) if (chain[i].kind === 'field') return chain[i] as Field;
  return undefined;
}

/** The enumerated value a word names, matched case-insensitively against the value names. */
export function valueByName(f: FieldDef, name: string): { value: bigint; name: string; meaning: string } | undefined {
  const l = name.toLowerCase();
  return f.values?.find((v) => v.name.toLowerCase() === l);
}
