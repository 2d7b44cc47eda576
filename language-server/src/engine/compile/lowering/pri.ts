// `pri` lines: PCIe Page Requests (model/smmu/pri.ts, IHI 0070 §8).

import type { TransactionStmt } from '../../../dsl/ast';
import { hex } from '../../../model/bits';
import type { LowerCtx } from '../lowerCtx';
import type { WireStep } from '../../output/wire';
import { num } from './values';
import { resolveSmmu } from '../names/resolve';

/** `pri [SMMU] [read|write] sid N [ssid N] iova ADDR prgi N [last] [priv] [exec]`: a PCIe Page Request (IHI 0070 §8). */
export function lowerPri(ctx: LowerCtx, s: TransactionStmt): void {
  const smmu = resolveSmmu(ctx, s.smmu, s);
  const sid = num(ctx, s.sid, 'StreamID', 32);
  const ssid = num(ctx, s.ssid, 'SubstreamID', 20);
  const addr = num(ctx, s.iova, 'address');
  const prgi = s.prgi ? num(ctx, s.prgi, 'PRGI', 9) : undefined;
  if (s.len) ctx.report(s.len, 'E_VALUE', '`len` does not apply to a page request (one page)');
  if (!s.prgi && !s.incomplete) ctx.report(s.keyword, 'E_VALUE', '`pri` needs a Page Request Group Index: `prgi <n>` (9 bits)');
  if (smmu === undefined || sid === undefined || addr === undefined || prgi === undefined || (s.ssid && ssid === undefined)) return;
  const write = s.access?.lower === 'write';
  const req = {
    sid: Number(sid), ssid: ssid === undefined ? undefined : Number(ssid), addr, read: !write, write, exec: s.exec, priv: s.priv,
    prgi: Number(prgi), last: s.last === true,
  };
  const label = `pri ${smmu} sid ${hex(sid)}${ssid !== undefined ? ` ssid ${hex(ssid)}` : ''} ${hex(addr)} prgi ${hex(prgi)}${req.last ? ' last' : ''}`;
  ctx.addStep({
    span: s, kind: 'pri', label, smmu,
    run: (rt, out) => {
      const r = rt.pageRequest(smmu, req);
      out.smmu = smmu;
      out.sid = hex(sid);
      if (ssid !== undefined) out.ssid = hex(ssid);
      out.iova = hex(addr);
      const fields: Record<string, string> = {};
      for (const [k, v] of Object.entries(r.fields)) fields[k] = hex(v);
      const rec: NonNullable<NonNullable<WireStep['pri']>['record']> = { raw: r.raw.map(hex), fields, recorded: r.recorded, message: r.message };
      if (r.queueIndex !== undefined) rec.queueIndex = r.queueIndex;
      if (r.queueAddr !== undefined) rec.queueAddr = hex(r.queueAddr);
      if (r.autoResponse) rec.autoResponse = r.autoResponse;
      out.pri = { record: rec };
      rt.report(r.recorded ? 'information' : 'warning', r.recorded ? 'PRI_REQUEST' : 'W_PRI_DISCARDED', `${smmu}: ${r.message}`);
    },
  });
  if (s.expects.length) ctx.report(s.expects[0], 'E_UNSUPPORTED', 'expectations on a `pri` line are not checked: use `expect mem ADDR VALUE` on the PRI queue', 'warning');
}
