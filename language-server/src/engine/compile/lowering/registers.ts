// `reg [SMMU.]REGISTER VALUE` and `reg [SMMU.]REGISTER field value...`: one register write,
// encoded through the model's register tables (IHI 0070 §6.3).

import type { RegStmt, Span } from '../../../dsl/ast';
import { hex } from '../../../model/bits';
import { encode, type FieldValues } from '../../../model/fields/field';
import { REGISTERS, registerByName, type RegisterDef } from '../../../model/fields/registers';
import type { LowerCtx } from '../lowerCtx';
import { applyField } from './structFields';
import { closest, didYouMean } from '../names/symbols';
import { resolveSmmu } from '../names/resolve';

export function lowerReg(ctx: LowerCtx, s: RegStmt): void {
  const smmu = resolveSmmu(ctx, s.smmu, s, ['vsmmu', 'viommu']);
  if (!s.register || smmu === undefined) return;
  if (ctx.symbols.viommu.has(smmu)) return lowerHwQueueReg(ctx, s, smmu);
  const def = registerByName(s.register.text);
  if (!def) {
    const names = REGISTERS.map((r) => r.name);
    const plain = s.register.text.toUpperCase().startsWith('SMMU_') ? s.register.text : 'SMMU_' + s.register.text;
    ctx.report(s.register, 'E_UNKNOWN_REGISTER', `unknown register '${s.register.text}'${didYouMean(closest(plain, names))}`);
    return;
  }
  if (def.access === 'RO') {
    ctx.report(s.register, 'E_REGISTER_READONLY', `${def.name} is read-only (IHI 0070 §6.3): the write is ignored`, 'warning');
  }
  let value: bigint;
  if (s.value) {
    value = s.value.value;
    if (value >> BigInt(def.size) !== 0n) {
      ctx.report(s.value, 'E_VALUE_RANGE', `${def.name} is a ${def.size}-bit register: ${s.value.text} does not fit`);
      return;
    }
  } else {
    const vals: FieldValues = {};
    for (const f of s.fields) if (!applyField(ctx, def, f, vals)) return;
    value = encode(def, vals)[0];
  }
  addRegStep(ctx, s, smmu, def, value);
}

export function addRegStep(ctx: LowerCtx, span: Span, smmu: string, def: RegisterDef, value: bigint, note = ''): void {
  const step = ctx.addStep({
    span, kind: 'reg', smmu, label: `${smmu}.${def.name} = ${hex(value)}${note}`,
    run: (rt, out) => rt.writeReg(smmu, def.name, value, out),
  });
  if (ctx.symbols.vsmmu.has(smmu)) ctx.lastCall = step;
}

/** Encodes a register value from named fields (for the SMMU bring-up steps). */
export function regValue(name: string, fields: FieldValues): { def: RegisterDef; value: bigint } {
  const def = registerByName(name);
  if (!def) throw new Error(`no register ${name}`);
  return { def, value: encode(def, fields)[0] };
}

/** `reg VIOMMU.VCMDQn_PROD N`: the guest advances a hardware queue (Tegra241 CMDQV VCMDQ). */
function lowerHwQueueReg(ctx: LowerCtx, s: RegStmt, viommu: string): void {
  const reg = s.register!.text;
  if (!/^VCMDQ\d+_PROD$/i.test(reg)) {
    ctx.report(s.register!, 'E_UNKNOWN_REGISTER', `${viommu} is a vIOMMU: the register a guest writes there is VCMDQn_PROD (a hardware queue's PROD)`);
    return;
  }
  if (!s.value) {
    ctx.report(s.register!, 'E_VALUE', `expected the new PROD value after ${reg}`);
    return;
  }
  const value = s.value.value;
  ctx.lastCall = ctx.addStep({ span: s, kind: 'reg', smmu: viommu, label: `${viommu}.${reg.toUpperCase()} = ${hex(value)}`, run: (rt, out) => rt.writeReg(viommu, reg.toUpperCase(), value, out) });
}
