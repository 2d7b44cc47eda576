// What CMD_ATC_INV and CMD_PRI_RESP did in a command step (read from the step's command log).

import { hex } from '../../model/bits';
import type { WireStep } from '../output/wire';
import { wireAtcEntry } from '../output/pcie';
import type { Runtime } from './runtime';

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
