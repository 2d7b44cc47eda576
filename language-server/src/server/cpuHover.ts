// Hover on a `cpu tlbi` line: the instruction (its operand layout and the regime it acts on), an
// option's meaning, the `xt` value decoded, and, from the run, what each SMMU did with it.
import type { CpuStmt, Leaf } from '../dsl/ast';
import { CPU_TLBI_OPTION_DOCS } from '../dsl/vocabulary';
import type { WireStep } from '../engine/api';
import { cpuTlbiByName, type CpuTlbiDef } from '../model/cpu/tlbi';
import { describeStruct } from '../model/fields';
import { md } from './convert';

function instrText(d: CpuTlbiDef): string {
  const regime = d.scope === 's12all' ? 'EL1&0 of the current VMID, stage 1 and stage 2'
    : d.el === 1 ? 'EL1&0 of the current VMID (`vmid`), or EL2&0 with `vhe` (HCR_EL2.{E2H,TGE} == {1,1})'
    : 'EL2, or EL2&0 with `vhe` (HCR_EL2.E2H == 1)';
  const operand = d.operand ? `Xt: ${d.operand.fields.filter((f) => !f.reserved).map((f) => `${f.name} [${f.hi}:${f.lo}]`).join(', ')}` : 'Xt is ignored.';
  return `**TLBI ${d.name}** — ${md(d.summary)}\n\nRegime: ${regime}. ${operand}\n\n` +
    'An SMMU removes its matching TLB entries when SMMU_IDR0.BTM == 1 and SMMU_CR2.PTM == 0, except, for a TLBI by ASID or VA, entries of a CD with CD.ASET == 1.\n\n*DDI 0487 C5.5; IHI 0070 §3.17.6*';
}

/** What the run's `cpu` step did on each SMMU. */
export function broadcastMarkdown(s: WireStep): string {
  const out = [`**${md(s.label)}**`, ''];
  for (const b of s.broadcast ?? []) {
    const kept = b.kept.length ? `; kept ${b.kept.length} matching entr${b.kept.length === 1 ? 'y' : 'ies'} (${[...new Set(b.kept.map((k) => k.why))].map(md).join(', ')})` : '';
    out.push(`- ${md(b.smmu)}: ${b.taken ? `removed ${b.removed.length} TLB entr${b.removed.length === 1 ? 'y' : 'ies'}` : `ignores broadcasts (${md(b.why ?? '')})`}${kept}`);
  }
  if (!s.broadcast?.length) out.push('No SMMU in the run at this point.');
  for (const h of s.hazards) out.push('', `Hazard **${md(h.code)}**: ${md(h.message)}`);
  return out.join('\n');
}

/** Hover text for a token of a `cpu` line that needs only the tree. */
export function cpuStaticHover(stmt: CpuStmt, tok: Leaf): string | undefined {
  const d = stmt.instr ? cpuTlbiByName(stmt.instr.text) : undefined;
  if (tok === stmt.instr || tok === stmt.op || tok === stmt.keyword) {
    return d ? instrText(d) : '**cpu tlbi INSTR** — a CPU\'s broadcast TLB invalidation (VAE1IS, VALE1IS, VAAE1IS, VAALE1IS, ASIDE1IS, VMALLE1IS, VMALLS12E1IS, VAE2IS, VALE2IS, ALLE2IS).';
  }
  for (const f of stmt.fields) {
    const v = f.values[0];
    if (f.name === tok) return CPU_TLBI_OPTION_DOCS[f.name.lower] ? `**${f.name.lower}** — ${md(CPU_TLBI_OPTION_DOCS[f.name.lower].doc)}` : undefined;
    if (v === tok && f.name.lower === 'xt' && tok.kind === 'number' && d?.operand) return describeStruct(d.operand, [tok.value & 0xffff_ffff_ffff_ffffn]);
  }
  return undefined;
}
