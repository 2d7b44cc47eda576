// H_STE_CONT (IHI 0070 §5.2 STE.CONT, §3.20.2): the STEs of a span of 2^CONT StreamIDs must be
// identical but for CONT, whether or not this SMMU honours the hint. Checked once per STE value when a
// transaction uses it; at most CONT_CHECK neighbours are read (a span may hold 2^15 STEs).

import type { TransactionResult } from '../smmu/result';
import { locateSte, readStruct } from '../smmu/tables';
import { decode } from '../fields/field';
import { STE } from '../fields/ste';
import { PerSmmu, type HazardEnv, type Shadow, type SmmuCtx } from './shadow';

const CONT_CHECK = 256;

export class ContCheck implements Shadow {
  /** STEs already checked against their span, by address and value. */
  private readonly checked = new PerSmmu<Set<string>>(() => new Set());

  constructor(private readonly env: HazardEnv) {}

  config(s: SmmuCtx, r: TransactionResult): void {
    const v = r.ste;
    if (!v || (v.fields.CONT ?? 0n) === 0n) return;
    const done = this.checked.get(s);
    const k = `${v.addr}:${v.raw.join(',')}`;
    if (done.has(k)) return;
    done.add(k);
    const t = s.inst.streamTable();
    const cont = Math.min(Number(v.fields.CONT), t.log2size);
    const size = 2 ** cont;
    const base = r.sid - (r.sid % size);
    const differ: Array<{ sid: number; fields: string[] }> = [];
    for (let i = 0; i < Math.min(size, CONT_CHECK); i++) {
      const loc = locateSte(this.env.mem, t, base + i);
      if (!loc.ok || loc.addr === v.addr) continue;
      const other = decode(STE, readStruct(this.env.mem, loc.addr, 8));
      const fields = Object.keys(v.fields).filter((f) => f !== 'CONT' && v.fields[f] !== other[f]);
      if (fields.length) differ.push({ sid: base + i, fields });
    }
    if (differ.length === 0) return;
    this.env.report({ state: 'cont', code: 'H_STE_CONT', severity: 'warning', step: this.env.step, smmu: s.name, addr: v.addr, cont, base, size, differ, missing: [] });
  }
}
