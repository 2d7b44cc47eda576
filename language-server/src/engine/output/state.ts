// WireState: the model's snapshot as plain JSON for the panels, the Variables view and hovers.
// STEs are found by walking each instance's stream table (bounded, so huge tables stay cheap).

import { hex } from '../../model/bits';
import { decode } from '../../model/fields/field';
import { CD, STE } from '../../model/fields';
import type { SmmuInstance } from '../../model/smmu/instance';
import { interpretSte } from '../../model/smmu/ste';
import { interpretCd } from '../../model/smmu/cd';
import { locateCd, locateSte, readStruct } from '../../model/smmu/tables';
import type { PhysicalMemory } from '../../model/memory';
import type { WireConfigEntry, WireEvent, WireRange, WireSmmuState, WireState, WireSteView, WireStep } from './wire';
import { wireEvent, wireFields, wireTlb } from './convert';
import { wireAtcEntry } from './pcie';

/** What the state view reads of a run (the runtime, seen from the output side). */
export interface RunView {
  readonly mem: PhysicalMemory;
  readonly smmus: ReadonlyMap<string, SmmuInstance>;
  /** The step that ran last. */
  readonly index: number;
  readonly program: {
    readonly steps: ReadonlyArray<{ readonly range: WireRange }>;
    /** StreamIDs the scenario names per SMMU (listed first). */
    readonly sids?: ReadonlyMap<string, number[]>;
    /** Page-table roots by address -> scenario name. */
    readonly tableNames?: ReadonlyMap<bigint, string>;
  };
}

/** At most this many StreamIDs / SubstreamIDs are scanned per table for the state view. */
const SCAN_LIMIT = 4096;
const CD_LIMIT = 256;

const CONFIG_NAMES = ['abort', 'abort', 'abort', 'abort', 'bypass', 'S1_TRANS', 'S2_TRANS', 'NESTED'];

export function buildState(rt: RunView, last: WireStep | undefined): WireState {
  const smmus: WireSmmuState[] = [];
  const tlbAdded: number[] = [];
  const configAdded: number[] = [];
  for (const inst of rt.smmus.values()) {
    const snap = inst.snapshot();
    for (const e of snap.tlb) if (e.insertedAt === rt.index) tlbAdded.push(e.id);
    for (const e of snap.configCache) if (e.insertedAt === rt.index) configAdded.push(e.id);
    smmus.push({
      name: inst.name,
      enabled: snap.enabled,
      registers: snap.registers.map((r) => ({ name: r.name, offset: hex(r.offset), value: hex(r.value), fields: wireFields(r.fields) })),
      streams: streams(rt, inst),
      tlb: snap.tlb.map(wireTlb),
      configCache: snap.configCache.map((e): WireConfigEntry => {
        const w: WireConfigEntry = {
          id: e.id, kind: e.kind, sid: hex(e.sid), fields: wireFields(decode(e.kind === 'STE' ? STE : CD, e.raw)), hits: e.hits, insertedAt: e.insertedAt,
        };
        if (e.ssid !== undefined) w.ssid = hex(e.ssid);
        if (e.span > 0) w.span = [hex(e.spanBase), hex(e.spanBase + 2 ** e.span - 1)];
        return w;
      }),
      eventQueue: snap.eventQueue.map((q): WireEvent => wireEvent({ type: q.type as never, code: q.code, fields: q.fields, raw: q.raw, recorded: true, reason: '' }, inst.name)),
      stalled: snap.stalled.map((s) => {
        const o: WireSmmuState['stalled'][number] = { sid: hex(s.sid), iova: hex(s.iova), stag: hex(s.stag), line: rt.program.steps[s.step]?.range.line ?? 0 };
        if (s.ssid !== undefined) o.ssid = hex(s.ssid);
        return o;
      }),
      ...pcieState(rt, snap),
    });
  }
  return {
    stepIndex: rt.index,
    line: last?.line ?? 0,
    smmus,
    walks: last?.walks ?? [],
    changes: { tlbAdded, tlbRemoved: last?.removed?.tlb ?? [], configAdded, configRemoved: last?.removed?.config ?? [] },
  };
}

/** ATC entries and outstanding PRI groups, only when there are any (model/smmu/ats.ts, pri.ts). */
function pcieState(rt: RunView, snap: ReturnType<SmmuInstance['snapshot']>): Pick<WireSmmuState, 'atc' | 'priPending'> {
  const out: Pick<WireSmmuState, 'atc' | 'priPending'> = {};
  if (snap.atc.length) out.atc = snap.atc.map(wireAtcEntry);
  if (snap.priPending.length) {
    out.priPending = snap.priPending.map((g) => {
      const o: NonNullable<WireSmmuState['priPending']>[number] = { sid: hex(g.sid), prgi: hex(g.prgi), requests: g.requests.length, last: g.complete, line: rt.program.steps[g.step]?.range.line ?? 0 };
      if (g.ssid !== undefined) o.ssid = hex(g.ssid);
      return o;
    });
  }
  return out;
}

function streams(rt: RunView, inst: SmmuInstance): WireSteView[] {
  const out: WireSteView[] = [];
  const t = inst.streamTable();
  if (t.base === 0n && inst.reg('SMMU_STRTAB_BASE_CFG') === 0n) return out;
  const n = Math.min(2 ** t.log2size, SCAN_LIMIT);
  // Scan the StreamIDs the scenario names first, then the table from 0 (linear) or per L1 entry.
  const sids = new Set<number>(rt.program.sids?.get(inst.name) ?? []);
  if (!t.twoLevel) for (let i = 0; i < n; i++) sids.add(i);
  for (const sid of [...sids].sort((a, b) => a - b)) {
    if (out.length >= SCAN_LIMIT) break;
    const loc = locateSte(rt.mem, t, sid);
    if (!loc.ok) continue;
    const raw = readStruct(rt.mem, loc.addr, 8);
    if (raw.every((d) => d === 0n)) continue;
    out.push(steView(rt, inst, sid, loc.addr, raw));
  }
  return out;
}

function steView(rt: RunView, inst: SmmuInstance, sid: number, addr: bigint, raw: bigint[]): WireSteView {
  const fields = decode(STE, raw);
  const v: WireSteView = {
    sid: hex(sid), addr: hex(addr), raw: raw.map(hex), fields: wireFields(fields), config: CONFIG_NAMES[Number(fields.Config)] ?? 'abort', cds: [], tables: [],
  };
  const chk = interpretSte(raw, inst.features);
  if (!chk.ok) {
    v.problem = `C_BAD_STE: ${chk.rule.message}`;
    return v;
  }
  const cfg = chk.config;
  if (cfg.s2) v.tables.push(tableRef(rt, 2, cfg.s2.walk.ttb));
  if (cfg.s1 && cfg.mode !== 'nested') {
    // CDs (stage-1 context is a PA only without stage 2; nested CDs live in IPA space).
    const count = Math.min(2 ** cfg.s1.cdMax, CD_LIMIT);
    for (let ssid = 0; ssid < count; ssid++) {
      const loc = locateCd(rt.mem, cfg.s1, ssid);
      if (!loc.ok) continue;
      const cdAddr = loc.addr;
      const cdRaw = readStruct(rt.mem, cdAddr, 8);
      if (cdRaw.every((d) => d === 0n)) continue;
      const cd: WireSteView['cds'][number] = { ssid: hex(ssid), addr: hex(cdAddr), raw: cdRaw.map(hex), fields: wireFields(decode(CD, cdRaw)) };
      const c = interpretCd(cdRaw, inst.features, 'el1');
      if (!c.ok) cd.problem = `C_BAD_CD: ${c.rule.message}`;
      else {
        v.tables.push(tableRef(rt, 1, c.config.walk.tt0.ttb));
      }
      v.cds.push(cd);
    }
  }
  return v;
}

function tableRef(rt: RunView, stage: 1 | 2, base: bigint): WireSteView['tables'][number] {
  const name = rt.program.tableNames?.get(base);
  const r: WireSteView['tables'][number] = { stage, base: hex(base) };
  if (name) r.name = name;
  return r;
}
