// `cpu tlbi INSTR [asid N] [va A] [vmid N] [vhe]` / `cpu tlbi INSTR xt X [vmid N] [vhe]`: a PE's
// broadcast TLB invalidation (DDI 0487 C5.5). Named operands are encoded into Xt and decoded back
// through the model's operand layout (fields/tlbi.ts), so both forms mean exactly what the
// instruction's register operand means. Every SMMU of the run sees it (model/smmu/broadcast.ts).

import type { CpuStmt, Field } from '../../../dsl/ast';
import { hex } from '../../../model/bits';
import { validate } from '../../../model/fields/validate';
import { CPU_TLBIS, cpuTlbiByName, cpuTlbiText, fromXt, targetRegime, xtOf, type CpuTlbi } from '../../../model/cpu/tlbi';
import { CPU_TLBI_OPTIONS } from '../../../dsl/keywords';
import type { LowerCtx } from '../lowerCtx';
import { closest, didYouMean } from '../names/symbols';
import { fieldNum } from './values';

const MAX16 = 0xffffn;
const MAX64 = (1n << 64n) - 1n;

export function lowerCpu(ctx: LowerCtx, s: CpuStmt): void {
  if (!s.op || !s.instr) return; // reported by the parser
  const d = cpuTlbiByName(s.instr.text);
  if (!d) {
    const names = CPU_TLBIS.map((x) => x.name);
    ctx.report(s.instr, 'E_UNKNOWN_TLBI', `unknown TLBI instruction '${s.instr.text}'${didYouMean(closest(s.instr.text.toUpperCase(), names)) || `: the broadcast forms an SMMU may take are ${names.join(', ')}`}`);
    return;
  }
  const byName = new Map<string, Field>();
  for (const f of s.fields) {
    const n = f.name.lower;
    if (!(CPU_TLBI_OPTIONS as readonly string[]).includes(n)) {
      ctx.report(f.name, 'E_UNKNOWN_OPTION', `unknown \`cpu tlbi\` option '${f.name.text}'${didYouMean(closest(n, [...CPU_TLBI_OPTIONS])) || `: expected ${CPU_TLBI_OPTIONS.join(', ')}`}`);
      return;
    }
    if (byName.has(n)) {
      ctx.report(f.name, 'E_DUPLICATE', `'${f.name.text}' is given twice`);
      return;
    }
    byName.set(n, f);
  }
  const vheField = byName.get('vhe');
  const vhe = vheField !== undefined && !(vheField.values[0]?.kind === 'number' && vheField.values[0].value === 0n);
  const regime = targetRegime({ def: d, vhe });
  const bad = (f: Field, why: string): void => void ctx.report(f.name, 'E_TLBI_OPERAND', `TLBI ${d.name}: ${why} (DDI 0487 C5.5)`);
  const get = (n: string, max: bigint): bigint | undefined | null => {
    const f = byName.get(n);
    if (!f) return undefined;
    const v = fieldNum(ctx, f, max);
    return v === undefined ? null : v;
  };
  const vmidF = byName.get('vmid');
  if (vmidF && regime !== 'nsel1') return bad(vmidF, `acts on the ${regime === 'el2' ? 'EL2' : 'EL2&0'} regime, which has no VMID`);
  const vmid = get('vmid', MAX16);
  const xtF = byName.get('xt');
  const asidF = byName.get('asid');
  const vaF = byName.get('va');
  if (!d.operand) {
    const f = xtF ?? asidF ?? vaF;
    if (f) return bad(f, 'takes no address or ASID (Xt is ignored)');
  } else if (xtF && (asidF || vaF)) {
    return bad(xtF, 'give the operand either as `xt` or as `asid`/`va`, not both');
  } else if (!xtF) {
    const usesAsid = d.scope === 'asid' || (d.scope === 'va' && regime !== 'el2');
    if (asidF && !usesAsid) return bad(asidF, d.scope === 'vaa' ? 'matches every ASID: it takes no `asid`' : 'has no ASID when HCR_EL2.E2H == 0 (add `vhe` for the EL2&0 regime)');
    if (vaF && d.scope === 'asid') return bad(vaF, 'invalidates a whole ASID: it takes no `va`');
    if (!vaF && (d.scope === 'va' || d.scope === 'vaa')) return void ctx.report(s.instr, 'E_TLBI_OPERAND', `TLBI ${d.name} needs the address: \`va <addr>\` (or the register: \`xt <value>\`)`);
    if (!asidF && d.scope === 'asid') return void ctx.report(s.instr, 'E_TLBI_OPERAND', `TLBI ${d.name} needs the ASID: \`asid <n>\` (or \`xt <value>\`)`);
  }
  const asid = get('asid', MAX16);
  const va = get('va', MAX64);
  const xtIn = get('xt', MAX64);
  if (vmid === null || asid === null || va === null || xtIn === null) return;
  if (va !== undefined && (va & 0xfffn) !== 0n) {
    ctx.report(vaF!.values[0] ?? vaF!, 'W_TLBI_VA', `TLBI ${d.name} takes VA[55:12]: the low 12 bits of ${hex(va)} are not part of the operand`, 'warning');
  }
  // Named operands become Xt and are read back as the instruction reads its register.
  const named: CpuTlbi = { def: d, asid: Number(asid ?? 0n), va: va ?? 0n, vmid: Number(vmid ?? 0n), vhe };
  const xt = xtIn ?? xtOf(named);
  if (xtIn !== undefined && d.operand) {
    for (const i of validate(d.operand, [xt])) ctx.report(xtF!.values[0] ?? xtF!, 'W_TLBI_XT', `${i.message} (${i.spec})`, 'warning');
  }
  const op = fromXt(d, xt, named.vmid, vhe);
  ctx.addStep({ span: s, kind: 'cpu', label: `cpu ${cpuTlbiText(op)}`, run: (rt, out) => rt.cpuTlbi(op, out) });
}
