// `smmu` declarations: the instance's compile-time layout (stream table, queues) and the driver
// bring-up as register/command steps.

import type { Field, SmmuDecl } from '../../../dsl/ast';
import { hex } from '../../../model/bits';
import { encode, type FieldValues } from '../../../model/fields/field';
import { OPCODES, commandByName } from '../../../model/fields/commands';
import type { LowerCtx } from '../lowerCtx';
import { didYouMean } from '../names/symbols';
import { addRegStep, regValue } from '../lowering/registers';
import { fieldNum } from '../lowering/values';
import { fieldsOf, findField, flagOf, wordOf } from './fields';
import { smmuFeatures } from './smmuFeatures';
import type { SmmuLayout } from './state';

/** The compile-time layout of an instance: stream table, queues. Created on first use. */
export function smmuLayout(ctx: LowerCtx, name: string): SmmuLayout {
  const st = ctx.decls;
  let l = st.smmus.get(name);
  if (l) return l;
  const decl = ctx.symbols.smmu.get(name);
  const prevFile = ctx.file;
  if (decl) ctx.file = decl.file;
  const features = smmuFeatures(ctx, decl?.node);
  const fields = decl ? fieldsOf(decl.node) : [];
  const sids = ctx.symbols.sids.get(name) ?? [];
  const maxSid = sids.reduce((a, b) => (b > a ? b : a), 0n);
  let log2size = Math.max(1, maxSid.toString(2).length);
  const l2f = findField(fields, 'log2size');
  if (l2f) {
    const v = fieldNum(ctx, l2f, 32n);
    if (v !== undefined) {
      if (v < BigInt(log2size)) ctx.report(l2f, 'E_SID_RANGE', `log2size ${v} cannot hold StreamID ${hex(maxSid)} used by an ste`);
      else log2size = Number(v);
    }
  }
  if (log2size > features.sidBits) {
    if (decl) ctx.report(decl.node.name ?? decl.node, 'E_SID_RANGE', `StreamID ${hex(maxSid)} needs ${log2size} bits but ${name} has SIDSIZE ${features.sidBits}`);
    log2size = features.sidBits;
  }
  const fmtF = findField(fields, 'strtab');
  let twoLevel = log2size > 10 && features.stLevel === '2lvl';
  if (fmtF) {
    const w = wordOf(fmtF.values[0]);
    if (w === 'linear') twoLevel = false;
    else if (w === '2level' || w === '2lvl') {
      twoLevel = true;
      if (features.stLevel !== '2lvl') ctx.report(fmtF, 'E_FEATURE', `${name} implements linear stream tables only (SMMU_IDR0.ST_LEVEL)`);
    } else ctx.report(fmtF, 'E_SMMU_FEATURE', 'strtab is linear or 2level');
  }
  let split = 8;
  const sf = findField(fields, 'split');
  if (sf) {
    const v = fieldNum(ctx, sf);
    if (v === 6n || v === 8n || v === 10n) split = Number(v);
    else ctx.report(sf, 'E_VALUE', 'SPLIT is 6, 8 or 10 (IHI 0070 §6.3 SMMU_STRTAB_BASE_CFG)');
  }
  if (twoLevel && log2size <= split) split = 6;
  // IHI 0070 §3.3.2: a linear table is 2^LOG2SIZE STEs; a 2-level L1 table 2^(LOG2SIZE-SPLIT) L1STDs; aligned to their size.
  const stSize = twoLevel ? 8n << BigInt(Math.max(0, log2size - split)) : 64n << BigInt(log2size);
  const align = stSize < 64n ? 64n : stSize;
  const base = ctx.alloc.alloc(stSize, align);
  const cmdLog2 = Math.min(8, features.cmdqs);
  const evtLog2 = Math.min(7, features.eventqs);
  const cmdSize = 16n << BigInt(cmdLog2);
  const evtSize = 32n << BigInt(evtLog2);
  l = {
    name, features,
    strtab: { base, log2size, twoLevel, split, l2: new Map() },
    cmdq: { base: ctx.alloc.alloc(cmdSize, cmdSize < 32n ? 32n : cmdSize), log2: cmdLog2 },
    eventq: { base: ctx.alloc.alloc(evtSize, evtSize < 32n ? 32n : evtSize), log2: evtLog2 },
  };
  if (features.pri) {
    const priLog2 = Math.min(6, features.priqs);
    const priSize = 16n << BigInt(priLog2);
    l.priq = { base: ctx.alloc.alloc(priSize, priSize < 32n ? 32n : priSize), log2: priLog2 };
  }
  st.smmus.set(name, l);
  ctx.file = prevFile;
  return l;
}

export function lowerSmmu(ctx: LowerCtx, s: SmmuDecl): void {
  if (!s.name) return;
  const name = s.name.name;
  if (ctx.symbols.smmu.get(name)?.node !== s) return; // duplicate: reported
  const l = smmuLayout(ctx, name);
  const features = l.features;
  ctx.setup.push((rt) => rt.declared.set(name, features));
  ctx.setupSig.push(name, features);
  const fields = fieldsOf(s);
  // `setup none`: the scenario programs the registers itself (what `iommu-lens lower` prints).
  const setup = findField(fields, 'setup');
  if (setup && wordOf(setup.values[0]) === 'none') return;
  if (setup && wordOf(setup.values[0]) !== 'driver') ctx.report(setup, 'E_SMMU_FEATURE', 'setup is driver (default) or none');
  const en = findField(fields, 'enable');
  const enabled = !findField(fields, 'disabled') && (!en || flagOf(en));
  // Driver bring-up order (as Linux's arm_smmu_device_reset): tables and queues while disabled,
  // queues on, invalidate everything, then SMMUEN (IHI 0070 §3.3, §6.3).
  const reg = (r: string, v: FieldValues, note = '') => {
    const { def, value } = regValue(r, v);
    addRegStep(ctx, s, name, def, value, note);
  };
  // `ptm 1`: private TLB maintenance (Linux sets it: its SMMU TLB is maintained by commands only);
  // `e2h 1`: EL2 streams use the EL2-E2H regime (IHI 0070 §6.3.12 SMMU_CR2).
  const ptm = findField(fields, 'ptm');
  const e2h = findField(fields, 'e2h');
  const cr2: FieldValues = { RECINVSID: 1n };
  if (ptm && flagOf(ptm)) cr2.PTM = 1n;
  if (e2h && flagOf(e2h)) {
    if (!features.hyp) ctx.report(e2h, 'E_SMMU_FEATURE', 'SMMU_CR2.E2H needs SMMU_IDR0.HYP (hyp 1)');
    else cr2.E2H = 1n;
  }
  reg('SMMU_CR2', cr2, ` (record invalid StreamIDs${cr2.PTM ? ', private TLB maintenance' : ''}${cr2.E2H ? ', EL2-E2H' : ''})`);
  reg('SMMU_STRTAB_BASE', { ADDR: l.strtab.base }, ' (stream table)');
  reg('SMMU_STRTAB_BASE_CFG', { LOG2SIZE: BigInt(l.strtab.log2size), SPLIT: l.strtab.twoLevel ? BigInt(l.strtab.split) : 0n, FMT: l.strtab.twoLevel ? 1n : 0n },
    ` (${l.strtab.twoLevel ? '2-level' : 'linear'}, ${l.strtab.log2size} StreamID bits)`);
  reg('SMMU_CMDQ_BASE', { ADDR: l.cmdq.base, LOG2SIZE: BigInt(l.cmdq.log2) }, ` (${2 ** l.cmdq.log2} commands)`);
  reg('SMMU_CMDQ_PROD', {});
  reg('SMMU_CMDQ_CONS', {});
  reg('SMMU_EVENTQ_BASE', { ADDR: l.eventq.base, LOG2SIZE: BigInt(l.eventq.log2) }, ` (${2 ** l.eventq.log2} events)`);
  reg('SMMU_EVENTQ_PROD', {});
  reg('SMMU_EVENTQ_CONS', {});
  const priqen = l.priq ? 1n : 0n;
  if (l.priq) {
    reg('SMMU_PRIQ_BASE', { ADDR: l.priq.base, LOG2SIZE: BigInt(l.priq.log2) }, ` (${2 ** l.priq.log2} page requests)`);
    reg('SMMU_PRIQ_PROD', {});
    reg('SMMU_PRIQ_CONS', {});
  }
  reg('SMMU_CR0', { CMDQEN: 1n, EVENTQEN: 1n, PRIQEN: priqen }, ' (queues on)');
  for (const c of ['CMD_CFGI_ALL', 'CMD_TLBI_NSNH_ALL', 'CMD_SYNC'] as const) {
    const op = BigInt(c === 'CMD_CFGI_ALL' ? OPCODES.CMD_CFGI_STE_RANGE : OPCODES[c]);
    // CMD_CFGI_ALL is CMD_CFGI_STE_RANGE with Range 31 (IHI 0070 §4.3.3).
    const dwords = c === 'CMD_CFGI_ALL' ? encodeCmd('CMD_CFGI_STE_RANGE', { Opcode: op, Range: 31n }) : encodeCmd(c, { Opcode: op });
    ctx.addStep({ span: s, kind: 'cmd', smmu: name, label: `cmd ${name} ${c}`, sig: dwords, run: (rt, out) => rt.command(name, dwords, out) });
  }
  if (enabled) reg('SMMU_CR0', { SMMUEN: 1n, CMDQEN: 1n, EVENTQEN: 1n, PRIQEN: priqen }, ' (SMMU enabled)');
}

function encodeCmd(name: string, v: FieldValues): bigint[] {
  return encode(commandByName(name)!, v);
}

/** The SMMU whose features a table/CD follows: `smmu NAME` option, else the default one. */
export function smmuOf(ctx: LowerCtx, fields: Field[]): SmmuLayout | undefined {
  const f = findField(fields, 'smmu');
  if (f) {
    const w = f.values[0];
    if (w?.kind !== 'word') return undefined;
    if (!ctx.symbols.smmu.has(w.text)) {
      ctx.report(w, 'E_UNKNOWN_NAME', `unknown SMMU '${w.text}'${didYouMean(ctx.symbols.suggest('smmu', w.text))}`);
      return undefined;
    }
    return smmuLayout(ctx, w.text);
  }
  if (ctx.symbols.smmu.size >= 1) return smmuLayout(ctx, [...ctx.symbols.smmu.keys()][0]);
  return undefined;
}
