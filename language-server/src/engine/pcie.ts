// PCIe ATS and PRI steps (model/smmu/ats.ts, pri.ts): `pri` lines, the wire form of ATS results and
// ATC entries, and what CMD_ATC_INV / CMD_PRI_RESP did (read from the step's command log).

import type { TransactionStmt } from '../dsl/ast';
import { hex } from '../model/bits';
import type { AtcEntry } from '../model/smmu/ats';
import type { AtsInfo } from '../model/smmu/result';
import type { DescUpdate } from '../model/walk/api';
import type { LowerCtx } from './compile';
import type { Runtime } from './runtime';
import type { WireAtcEntry, WireStep } from './wire';
import { permsText } from '../model/smmu/perms';
import { num } from './lower';
import { resolveSmmu } from './symbols';

export function wireAtcEntry(e: AtcEntry): WireAtcEntry {
  const w: WireAtcEntry = { id: e.id, sid: hex(e.sid), base: hex(e.base), sizeLog2: e.sizeLog2, output: hex(e.output), split: e.split, perms: permsText(e.perms) };
  if (e.ssid !== undefined) w.ssid = hex(e.ssid);
  return w;
}

/** HTTU descriptor updates (IHI 0070 §3.13) as the step shows them. */
export function wireHttu(us: readonly DescUpdate[]): NonNullable<WireStep['httu']> {
  return us.map((u) => ({ stage: u.stage, level: u.level, descPa: hex(u.descPa), old: hex(u.oldValue), new: hex(u.newValue), what: u.what }));
}

export function wireAts(a: AtsInfo): NonNullable<WireStep['ats']> {
  const w: NonNullable<WireStep['ats']> = { kind: a.kind };
  if (a.completion) w.completion = a.completion;
  if (a.atc) w.atc = a.atc;
  if (a.entry) w.entry = wireAtcEntry(a.entry);
  if (a.split) w.split = true;
  return w;
}

/** After a command step: the ATC entries CMD_ATC_INV removed and the groups CMD_PRI_RESP answered. */
export function notePcieCommands(rt: Runtime, out: WireStep): void {
  for (const l of rt.stepLog) {
    const c = l.cmd;
    if (!c) continue;
    if (c.atc) (out.atcRemoved ??= []).push(...c.atc.map(wireAtcEntry));
    if (c.pri) {
      const p = (out.pri ??= {});
      const r: { sid: string; ssid?: string; prgi: string; resp: string; requests: number } = { sid: hex(c.pri.sid), prgi: hex(c.pri.prgi), resp: c.pri.resp, requests: c.pri.group?.requests.length ?? 0 };
      if (c.pri.ssid !== undefined) r.ssid = hex(c.pri.ssid);
      (p.responses ??= []).push(r);
      if (!c.pri.group) rt.report('warning', 'W_PRI_RESP', `${l.smmu}: ${c.message}`);
    }
  }
}

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
      const r = rt.smmu(smmu).pageRequest(req);
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
