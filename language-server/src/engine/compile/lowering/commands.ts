// `cmd [SMMU] raw d0 d1` and `cmd [SMMU] CMD_NAME [field value...]`: one command, encoded through
// the model's command tables (IHI 0070 §4), written at the queue's PROD by the model.

import type { CmdStmt, Field } from '../../../dsl/ast';
import { hex } from '../../../model/bits';
import { encode, type FieldValues } from '../../../model/fields/field';
import { COMMANDS, OPCODES, commandByName, commandPreset } from '../../../model/fields/commands';
import type { LowerCtx } from '../lowerCtx';
import { applyField } from './structFields';
import { closest, didYouMean } from '../names/symbols';
import { resolveSmmu } from '../names/resolve';
import { notePcieCommands } from '../../run/pcie';
import { ALIASES } from '../../output/commandText';

export function lowerCmd(ctx: LowerCtx, s: CmdStmt): void {
  const smmu = resolveSmmu(ctx, s.smmu, s, ['vsmmu', 'viommu']);
  if (smmu === undefined) return;
  let dwords: bigint[];
  let name: string;
  if (s.raw) {
    const d = s.raw.dwords;
    if (d.length !== 2) {
      ctx.report(s.raw, 'E_RAW_LENGTH', `a command is 2 dwords (IHI 0070 §4), got ${d.length}`);
      return;
    }
    for (const x of d) {
      if (x.value >> 64n !== 0n) {
        ctx.report(x, 'E_VALUE_RANGE', `${x.text} does not fit in 64 bits`);
        return;
      }
    }
    dwords = [d[0].value, d[1].value];
    name = `raw ${hex(dwords[0])} ${hex(dwords[1])}`;
  } else {
    if (!s.opcode) return;
    const def = commandByName(s.opcode.text);
    if (!def) {
      ctx.report(s.opcode, 'E_UNKNOWN_COMMAND', `unknown command '${s.opcode.text}'${didYouMean(closest(s.opcode.text.toUpperCase(), [...COMMANDS.map((c) => c.name), 'CMD_CFGI_ALL']))}`);
      return;
    }
    const vals: FieldValues = { ...commandPreset(s.opcode.text)! };
    const fields: Field[] = [...s.fields, ...((s.body?.items.filter((i) => i.kind === 'field') as Field[]) ?? [])];
    for (const f of fields) {
      const alias = ALIASES[f.name.lower];
      const g: Field = alias ? { ...f, name: { ...f.name, text: alias, lower: alias.toLowerCase() } } : f;
      if (!applyField(ctx, def, g, vals)) return;
      if (alias === 'SubstreamID' && def.fields.some((x) => x.name === 'SSV')) vals.SSV = 1n;
    }
    dwords = encode(def, vals);
    name = def.name + fields.map((f) => ` ${f.name.text}${f.values[0] && f.values[0].kind !== 'block' ? ' ' + ('text' in f.values[0] ? f.values[0].text : '') : ''}`).join('');
  }
  const cmd = dwords;
  const step = ctx.addStep({
    span: s, kind: 'cmd', smmu, label: `cmd ${smmu} ${name}`, sig: cmd,
    run: (rt, out) => {
      rt.command(smmu, cmd, out);
      notePcieCommands(rt, out);
    },
  });
  if (ctx.symbols.vsmmu.has(smmu) || ctx.symbols.viommu.has(smmu)) ctx.lastCall = step;
  // CMD_RESUME with retry re-runs a stalled transaction: a following `expect` checks its result.
  if ((dwords[0] & 0xffn) === BigInt(OPCODES.CMD_RESUME)) ctx.lastTxn = { step, smmu, sid: dwords[0] >> 32n, iova: 0n, read: true, span: s };
}
