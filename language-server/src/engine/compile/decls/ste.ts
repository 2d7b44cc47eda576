// `ste` statements: a Stream Table Entry (IHI 0070 §5.2) written into the SMMU's stream table
// (linear or 2-level, with its L1STD), from a config, a cd/cdtable and a stage-2 pagetable.

import type { Field, Mapping, SteDecl } from '../../../dsl/ast';
import { hex } from '../../../model/bits';
import { encode, type FieldValues } from '../../../model/fields/field';
import { L1STD, STE, STE_CONFIG } from '../../../model/fields';
import { interpretSte } from '../../../model/smmu/ste';
import type { LowerCtx } from '../lowerCtx';
import type { Write } from '../../../model/layout/pagetable';
import { resolveSmmu } from '../names/resolve';
import { applyField } from '../lowering/structFields';
import { fieldNum } from '../lowering/values';
import { cdInfo } from './cd';
import { cdtInfo } from './cdTable';
import { checkGuestSte, guestRanges } from './guest';
import { fieldsOf, wordOf } from './fields';
import { stage2SteFields } from '../../../model/iommufd/hostSte';
import { ptInfo } from './pagetable';
import { smmuLayout } from './smmu';
import type { CdInfo, CdtInfo, PtInfo } from './state';

const CONFIG_WORDS: Record<string, bigint> = {
  abort: STE_CONFIG.ABORT, bypass: STE_CONFIG.BYPASS, s1: STE_CONFIG.S1_TRANS, s2: STE_CONFIG.S2_TRANS, nested: STE_CONFIG.NESTED,
  s1_trans: STE_CONFIG.S1_TRANS, s2_trans: STE_CONFIG.S2_TRANS, translate: STE_CONFIG.S1_TRANS,
};

const STE_SPECIAL = ['config', 'cd', 'cdtable', 's2', 's2table', 'stage2', 'pagetable', 'vmid'];

export function lowerSte(ctx: LowerCtx, s: SteDecl): void {
  const mark = ctx.broken.mark();
  const smmuName = resolveSmmu(ctx, s.smmu, s);
  if (smmuName === undefined || !s.sid) return;
  if (!ctx.symbols.smmu.has(smmuName)) {
    ctx.report(s.smmu ?? s.keyword, 'E_SMMU_UNDECLARED', `declare \`smmu ${smmuName}\` so the engine lays out its stream table (or write the STE with write64)`);
    return;
  }
  const l = smmuLayout(ctx, smmuName);
  const sid = s.sid.value;
  if (sid >> BigInt(l.strtab.log2size) !== 0n) {
    ctx.report(s.sid, 'E_SID_RANGE', `StreamID ${hex(sid)} is beyond ${smmuName}'s stream table (LOG2SIZE ${l.strtab.log2size})`);
    return;
  }
  const feats = l.features;
  let dwords: bigint[];
  let what = 'raw';
  let guestFirst: Write[] = [];
  if (s.raw) {
    if (s.raw.dwords.length > 8) {
      ctx.report(s.raw, 'E_RAW_LENGTH', `an STE is 8 dwords (IHI 0070 §5.2), got ${s.raw.dwords.length}`);
      return;
    }
    dwords = encode(STE, {}, s.raw.dwords.map((x) => x.value));
  } else {
    const fields = fieldsOf(s as unknown as { body?: { items: Array<Field | Mapping> } });
    const v: FieldValues = { V: 1n };
    const user: FieldValues = {};
    let config: bigint | undefined;
    let configF: Field | undefined;
    let cd: CdInfo | undefined;
    let cdt: CdtInfo | undefined;
    let s2: PtInfo | undefined;
    let vmid: bigint | undefined;
    for (const f of fields) {
      const k = f.name.lower;
      if (!STE_SPECIAL.includes(k)) {
        applyField(ctx, STE, f, user);
        continue;
      }
      const w = f.values[0];
      if (k === 'config') {
        const cw = wordOf(w);
        configF = f;
        if (cw && CONFIG_WORDS[cw] !== undefined) config = CONFIG_WORDS[cw];
        else if (w?.kind === 'number' && w.value <= 7n) config = w.value;
        else ctx.report(f, 'E_FIELD_VALUE', 'config is abort, bypass, s1, s2 or nested (STE.Config, IHI 0070 §5.2)');
      } else if (k === 'vmid') {
        vmid = fieldNum(ctx, f, (1n << BigInt(feats.vmidBits)) - 1n);
      } else if (w?.kind !== 'word') {
        ctx.report(f, 'E_VALUE', `expected a name after '${f.name.text}'`);
      } else if (k === 'cd') cd = cdInfo(ctx, w.text, w);
      else if (k === 'cdtable') cdt = cdtInfo(ctx, w.text, w);
      else {
        s2 = ptInfo(ctx, w.text, w);
        if (s2 && s2.stage !== 2) {
          ctx.report(w, 'E_TABLE_STAGE', `pagetable ${s2.name} is a stage-1 table: STE stage 2 needs a stage-2 table (use it from a cd)`);
          s2 = undefined;
        }
      }
    }
    // An unresolved cd/cdtable/s2: the STE is not written, the DMAs on its StreamID are skipped.
    const cause = ctx.broken.since(mark);
    if (cause) {
      ctx.broken.setSid(`${smmuName}:${sid}`, ctx.ordinal, cause);
      return;
    }
    const s1 = cd !== undefined || cdt !== undefined;
    if (config === undefined) config = s1 && s2 ? STE_CONFIG.NESTED : s1 ? STE_CONFIG.S1_TRANS : s2 ? STE_CONFIG.S2_TRANS : STE_CONFIG.ABORT;
    const at = configF ?? s.sid;
    const d0 = ctx.diagnostics.length;
    if ((config & 1n) && (config & 4n) && !feats.stage1) ctx.report(at, 'E_FEATURE', `${smmuName} does not implement stage 1 (SMMU_IDR0.S1P)`);
    if ((config & 2n) && (config & 4n) && !feats.stage2) ctx.report(at, 'E_FEATURE', `${smmuName} does not implement stage 2 (SMMU_IDR0.S2P)`);
    else if (config === STE_CONFIG.NESTED && !feats.nested) ctx.report(at, 'E_FEATURE', `${smmuName} does not implement nesting`);
    // Nested: the guest's structures must be where stage 2 maps their IPAs (decls/guest.ts); not
    // checked when the SMMU cannot nest (that is the one error).
    const space = (cd ?? cdt)?.guest;
    if (space && s2 === space.s2 && !ctx.diagnostics.slice(d0).some((d) => d.code === 'E_FEATURE')) {
      const checked = checkGuestSte(ctx, space, guestRanges(cd, cdt), { start: s.start, end: s.sid.end });
      if (checked.problem) {
        ctx.broken.setSid(`${smmuName}:${sid}`, ctx.ordinal, checked.problem);
        return;
      }
      guestFirst = checked.writes;
    }
    v.Config = config;
    if (cd && cdt) ctx.report(s, 'E_STE', 'give either cd or cdtable, not both');
    if (cd) Object.assign(v, { S1ContextPtr: cd.addr, S1CDMax: 0n, S1Fmt: 0n });
    if (cdt) Object.assign(v, { S1ContextPtr: cdt.base, S1CDMax: BigInt(cdt.cdMax), S1Fmt: BigInt(cdt.fmt), S1DSS: cdt.hasSsid0 ? 2n : 0n });
    if (s1) Object.assign(v, { S1CIR: 1n, S1COR: 1n, S1CSH: 3n });
    if ((config & 1n) && (config & 4n) && !s1 && user.S1ContextPtr === undefined) ctx.report(at, 'E_STE', 'stage 1 is enabled but no cd or cdtable is given');
    if ((config & 2n) && (config & 4n) && !s2 && user.S2TTB === undefined) ctx.report(at, 'E_STE', 'stage 2 is enabled but no stage-2 pagetable is given (s2 NAME)');
    if (s2) {
      Object.assign(v, stage2SteFields({ ttb: s2.layout.root, granule: s2.granule, inputSize: s2.inputSize, startLevel: s2.startLevel, outputSize: s2.outputSize }, vmid ?? user.S2VMID ?? ctx.decls.freshVmid(ctx.symbols, ctx.ordinal), feats.oas));
    } else if (vmid !== undefined) v.S2VMID = vmid;
    Object.assign(v, user);
    dwords = encode(STE, v);
    what = Object.entries(STE_CONFIG).find(([, c]) => c === ((dwords[0] >> 1n) & 7n))?.[0] ?? `Config ${hex((dwords[0] >> 1n) & 7n)}`;
  }
  const chk = interpretSte(dwords, feats);
  if (!chk.ok) ctx.report(s.sid, 'W_STE_ILLEGAL', `the SMMU will reject this STE with C_BAD_STE: ${chk.rule.message} (${chk.rule.spec})`, 'warning');
  else if (chk.config.s2) {
    let used = ctx.decls.steVmids.get(smmuName);
    if (!used) ctx.decls.steVmids.set(smmuName, (used = new Map()));
    if (!used.has(chk.config.s2.vmid)) used.set(chk.config.s2.vmid, sid);
  }
  const writes: Write[] = guestFirst;
  const t = l.strtab;
  let addr: bigint;
  if (!t.twoLevel) addr = t.base + sid * 64n;
  else {
    // IHI 0070 §3.3.2: L1STD[sid >> SPLIT] -> level-2 array of 2^(Span-1) STEs.
    const l1 = Number(sid >> BigInt(t.split));
    let l2 = t.l2.get(l1);
    if (l2 === undefined) {
      const size = 64n << BigInt(t.split);
      l2 = ctx.alloc.alloc(size, size);
      t.l2.set(l1, l2);
      writes.push({ addr: t.base + BigInt(l1) * 8n, value: encode(L1STD, { Span: BigInt(t.split + 1), L2Ptr: l2 })[0] });
    }
    addr = l2 + (sid & ((1n << BigInt(t.split)) - 1n)) * 64n;
  }
  writes.push(...dwords.map((value, i) => ({ addr: addr + BigInt(i * 8), value })));
  ctx.broken.setSid(`${smmuName}:${sid}`, ctx.ordinal);
  ctx.addWrites({ span: s, kind: 'ste', smmu: smmuName, label: `ste ${smmuName} sid ${hex(sid)}: ${what} at ${hex(addr)}`, writes });
}
