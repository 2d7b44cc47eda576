// Hazard analysis: what a *conforming* SMMU may return, not only what the model's own cache policy
// returned. Each SMMU instance gets a shadow of everything it may still hold:
// - a shadow TLB (an unbounded `Tlb`): every translation a successful walk produced stays there
//   until a TLBI removes it *and* a later CMD_SYNC completes that TLBI (IHI 0070 §3.17, §4.4,
//   §4.7.3). Rule: an entry "may be cached" once a successful walk of an earlier transaction on
//   that SMMU read it (the model fetches on demand; speculative prefetch is not assumed);
// - shadow config records (STE by StreamID, CD by StreamID+SubstreamID) with the words fetched,
//   kept until CMD_CFGI_* + CMD_SYNC (IHI 0070 §3.21.1, §4.3);
// - negative records (an invalid descriptor a faulting walk read), for caching-mode vIOMMUs;
// - ATC records for ATS-enabled streams (STE.EATS != 0), kept until CMD_ATC_INV + CMD_SYNC.
// Memory writes are observed through PhysicalMemory.onWrite, filtered by 4K frame (only frames
// holding tracked descriptors/structures are looked at), buffered and judged at the end of the
// step: writes during a transaction are the SMMU's own (HTTU) and only refresh the known values.
// Invalidations are applied to the shadows with the very command code the instance runs
// (`executeCommand`), so TLBI matching (ASID/VMID/VA/range TG/TTL/NUM/SCALE) is the same.

import type { PhysicalMemory } from '../memory';
import { Tlb, type TlbEntry, type TlbInsert, type TlbRegime } from '../tlb/tlb';
import type { SmmuInstance } from '../smmu/instance';
import type { TransactionResult } from '../smmu/result';
import { executeCommand, type CommandCtx, type CommandResult } from '../smmu/commands';
import type { ConfigCacheEntry } from '../smmu/configCache';
import type { Granule, Perms, Stage, WalkTrace } from '../types';
import { changedUsedFields } from '../fields/used';
import { STE } from '../fields/ste';
import { CD } from '../fields/cd';
import { decode } from '../fields/field';
import { decodePte } from '../fields/pte';
import { hex } from '../bits';
import { locateSte, readStruct } from '../smmu/tables';
import { HAZARDS, type HazardCode } from './codes';
import { TornWatch } from './torn';

export interface HazardRef {
  step: number;
  message: string;
}

export interface Hazard {
  code: HazardCode;
  severity: 'warning' | 'information';
  /** Step that detected it (the transaction, or the write for H_BBM / freed-memory reuse). */
  step: number;
  message: string;
  /** One-line fix, naming the command(s) and the line to insert them after. */
  fix: string;
  /** Step after which the missing command(s) belong. */
  insertAfter?: number;
  related: HazardRef[];
}

export interface HazardTrackerOptions {
  /** Line of a step, for messages (default: step + 1). */
  lineOf?: (step: number) => number;
  /** Reports per stale item (later uses are not repeated); default 20. */
  maxReportsPerItem?: number;
}

interface Change {
  step: number;
  addr: bigint;
  old: bigint;
  now: bigint;
  /** The changed descriptor was the leaf of its stage (a Leaf TLBI covers it). */
  leaf: boolean;
  /** Stage of the changed descriptor (for nested entries: which TLBI fixes it). */
  stage: Stage;
}

interface Cached {
  hz: SmmuHz;
  entry: TlbEntry;
  deps: bigint[];
  /** Leaf descriptors (the last of each stage's walk): a Leaf TLBI covers changes to these. */
  leaves: bigint[];
  /** Descriptors of the stage-2 walk (nested entries only). */
  s2Deps?: bigint[];
  stale?: Change;
  /** Step of the TLBI that removed it from the shadow (awaiting CMD_SYNC). */
  tlbiAt?: number;
  reports: number;
  freedReported?: boolean;
}

interface DescTrack {
  value: bigint;
  stage: Stage;
  level: number;
  granule: Granule;
  users: Set<Cached>;
  /** Negative records through this (invalid) descriptor; created on first use. */
  negs?: Set<NegRec>;
  /** The valid value it had before software made it invalid (while its users may still cache it). */
  broken?: bigint;
}

interface CfgUse {
  hz: SmmuHz;
  kind: 'STE' | 'CD';
  sid: number;
  ssid: number;
  addr: bigint;
  raw: bigint[];
  /** Words as last seen in memory. */
  cur: bigint[];
  stale?: { step: number; fields: string[] };
  cfgiAt?: number;
  reports: number;
}

interface NegRec {
  hz: SmmuHz;
  entry: TlbEntry;
  addr: bigint;
  madeValidAt?: number;
  tlbiAt?: number;
}

interface AtcRec {
  sid: number;
  ssid?: number;
  base: bigint;
  shift: number;
  cached: Cached;
  /** Step at which the backing translation was invalidated or changed. */
  needsInvAt?: number;
  atcInvAt?: number;
  reports: number;
}

interface SmmuHz {
  name: string;
  inst: SmmuInstance;
  /** STEs with STE.CONT != 0 already checked against their span (address and value). */
  contChecked: Set<string>;
  shadow: Tlb;
  neg: Tlb;
  cached: Map<number, Cached>;
  negs: Map<number, NegRec>;
  /** Stale entries live in their own TLB (`staleTlb`, by id in `stale`), so a fresh walk of the same
   * region can enter the shadow while the old translation is still possibly cached. */
  staleTlb: Tlb;
  stale: Map<number, Cached>;
  pending: Cached[];
  negPending: NegRec[];
  cfg: Map<string, CfgUse>;
  cfgPending: CfgUse[];
  atc: Map<number, AtcRec[]>;
  atcPending: AtcRec[];
  asids: Map<string, { ttb: bigint; step: number }>;
  vmids: Map<number, { ttb: bigint; step: number }>;
  asidPending: Array<(vmid: number, asid: number) => boolean>;
  vmidPending: Array<(vmid: number) => boolean>;
  /** Last TLBI/CFGI/ATC_INV step not yet followed by a CMD_SYNC. */
  unsyncedAt?: number;
  /** Bumped on every change that can alter a config verdict; with the last STE/CD views it lets a
   * transaction on the same cached config skip the config checks (O(1) on the hot path). */
  epoch: number;
  last?: { ste: unknown; cd: unknown; epoch: number };
}

const FRAME = 12n;
/** Neighbours of an STE.CONT span read by the H_STE_CONT check (a span may hold 2^15 STEs). */
const CONT_CHECK = 256;
const WORD = ~7n;
const STRUCT = ~63n;

const permStr = (p: Perms): string =>
  `priv ${p.pr ? 'r' : '-'}${p.pw ? 'w' : '-'}${p.px ? 'x' : '-'}, user ${p.ur ? 'r' : '-'}${p.uw ? 'w' : '-'}${p.ux ? 'x' : '-'}`;

export class HazardTracker {
  private readonly smmus = new Map<string, SmmuHz>();
  private readonly descs = new Map<bigint, DescTrack>();
  private readonly cfgAddrs = new Map<bigint, Set<CfgUse>>();
  /** Tracked words per 4K frame number (descriptors and STE/CD structures). */
  private readonly frames = new Map<number, number>();
  /** Entries removed by a TLBI but not yet synced: every write is looked at (freed-memory reuse). */
  private pendingCount = 0;
  private writes: bigint[] = [];
  private step = -1;
  private out: Hazard[] = [];
  private readonly lineOf: (step: number) => number;
  private readonly maxReports: number;
  private readonly torn: TornWatch;

  constructor(private readonly mem: PhysicalMemory, opts: HazardTrackerOptions = {}) {
    this.lineOf = opts.lineOf ?? ((s) => s + 1);
    this.maxReports = opts.maxReportsPerItem ?? 20;
    this.torn = new TornWatch(this.lineOf);
    mem.onWrite((addr, size) => {
      if (this.pendingCount === 0 && !this.frames.has(Number(addr >> FRAME))) return;
      const end = addr + BigInt(size);
      for (let a = addr & WORD; a < end; a += 8n) this.writes.push(a);
    });
  }

  /** Descriptors and STE/CD structures currently watched (for tests and state views). */
  get trackedWords(): number {
    return this.descs.size + this.cfgAddrs.size;
  }

  /** Start of a step: hazards found from here on belong to it. */
  beginStep(step: number): void {
    this.step = step;
  }

  /** Judge the memory writes of the step. `byHardware`: the step was a transaction (HTTU writes). */
  flushWrites(byHardware: boolean): void {
    if (this.writes.length === 0) return;
    const ws = [...new Set(this.writes)];
    this.writes = [];
    for (const a of ws) this.judgeWrite(a, byHardware);
  }

  /** Everything found since the last call. */
  take(): Hazard[] {
    const h = this.out;
    this.out = [];
    return h;
  }

  private hz(inst: SmmuInstance): SmmuHz {
    let h = this.smmus.get(inst.name);
    if (!h) {
      h = {
        name: inst.name, inst, contChecked: new Set(), shadow: new Tlb({ capacity: Infinity, policy: 'unbounded' }), neg: new Tlb({ capacity: Infinity, policy: 'unbounded' }),
        cached: new Map(), negs: new Map(), staleTlb: new Tlb({ capacity: Infinity, policy: 'unbounded' }), stale: new Map(), pending: [], negPending: [], cfg: new Map(), cfgPending: [],
        atc: new Map(), atcPending: [], asids: new Map(), vmids: new Map(), asidPending: [], vmidPending: [], epoch: 0,
      };
      this.smmus.set(inst.name, h);
    }
    return h;
  }

  private report(code: HazardCode, message: string, fix: string, related: HazardRef[], insertAfter?: number): void {
    this.out.push({ code, severity: HAZARDS[code].severity, step: this.step, message, fix, related, insertAfter });
  }

  private frameAdd(addr: bigint): void {
    const k = Number(addr >> FRAME);
    this.frames.set(k, (this.frames.get(k) ?? 0) + 1);
  }

  private frameDel(addr: bigint): void {
    const k = Number(addr >> FRAME);
    const n = (this.frames.get(k) ?? 1) - 1;
    if (n <= 0) this.frames.delete(k);
    else this.frames.set(k, n);
  }

  private track(addr: bigint, value: bigint, stage: Stage, level: number, granule: Granule): DescTrack {
    let d = this.descs.get(addr);
    if (!d) {
      d = { value, stage, level, granule, users: new Set() };
      this.descs.set(addr, d);
      this.frameAdd(addr);
    }
    return d;
  }

  private untrackIfUnused(addr: bigint, d: DescTrack): void {
    if (d.users.size === 0 && !d.negs?.size) {
      this.descs.delete(addr);
      this.frameDel(addr);
    }
  }

  // ---------------------------------------------------------------- memory writes

  private judgeWrite(a: bigint, byHardware: boolean): void {
    const now = this.mem.read64(a);
    const d = this.descs.get(a);
    if (d && d.value !== now) {
      if (!byHardware) this.descriptorChanged(a, d, now);
      d.value = now;
    }
    const uses = this.cfgAddrs.get(a & STRUCT);
    if (uses && !byHardware) {
      if (this.torn.watches(a & STRUCT)) this.torn.write(a & STRUCT, Number((a & 63n) >> 3n), now, this.step);
      this.structChanged(a & STRUCT, uses);
    }
    if (this.pendingCount > 0 && !byHardware) this.freedReuse(a);
  }

  private descriptorChanged(a: bigint, d: DescTrack, now: bigint): void {
    const sel = { stage: d.stage, granule: d.granule, level: d.level };
    const before = decodePte(d.value, sel);
    const after = decodePte(now, sel);
    // DDI 0487 D8.16.1 break-before-make: a valid entry that may be cached is replaced by a valid
    // one with another output address, block size or memory attributes, either directly or after an
    // invalid write whose TLBI + CMD_SYNC has not completed (the old entry may still be cached).
    if (isValid(before.kind) && !isValid(after.kind)) d.broken = d.value;
    if (d.users.size > 0 && isValid(after.kind)) {
      const u = [...d.users][0];
      // A slot of a table page that was unlinked and reused is not a remap of the same address
      // (freed-memory reuse is H_TLBI_NO_SYNC's business).
      const i = u.deps.indexOf(a);
      const reused = i > 0 && this.unlinked(u.deps[i - 1], a);
      const old = isValid(before.kind) ? d.value : reused ? undefined : d.broken;
      const why = old !== undefined ? bbmChanges(old, now, sel) : [];
      if (why.length && !(old !== undefined && sizeChangeAllowed(old, now, sel, d.users))) {
        const direct = isValid(before.kind);
        this.report('H_BBM',
          `break-before-make: the valid stage-${d.stage} level-${d.level} descriptor at ${hex(a)} (read by a walk at line ${this.lineOf(u.entry.insertedAt)}) ${direct ? 'was replaced by another valid one' : 'was made valid again before the invalidation of its old value completed'} (${why.join(', ')}); an SMMU may hold both (F_TLB_CONFLICT) or the old one.`,
          `write ${hex(a)} invalid first, then ${tlbiFix(u, { step: this.step, addr: a, old: d.value, now, leaf: u.leaves.includes(a), stage: d.stage }).map((x) => `\`${x}\``).join(' and ')}, then the new value (DDI 0487 D8.16.1).`,
          [{ step: u.entry.insertedAt, message: 'walk that read the old descriptor' }]);
      }
    }
    for (const u of d.users) {
      if (u.stale) {
        u.stale.now = now;
        continue;
      }
      u.stale = { step: this.step, addr: a, old: d.value, now, leaf: u.leaves.includes(a), stage: u.s2Deps?.includes(a) ? 2 : d.stage };
      if (u.tlbiAt !== undefined) {
        // Changed after its TLBI: the SMMU may have refetched the old entry since; that TLBI does not count.
        const h = u.hz;
        h.pending = h.pending.filter((x) => x !== u);
        this.pendingCount--;
        u.tlbiAt = undefined;
      }
      this.moveToStale(u);
      for (const recs of u.hz.atc.values()) for (const r of recs) if (r.cached === u && r.needsInvAt === undefined) r.needsInvAt = this.step;
    }
    if (!isValid(before.kind) && isValid(after.kind)) for (const n of d.negs ?? []) if (n.madeValidAt === undefined) n.madeValidAt = this.step;
  }

  private structChanged(base: bigint, uses: Set<CfgUse>): void {
    for (const u of uses) u.hz.epoch++;
    const raw: bigint[] = [];
    for (let i = 0n; i < 8n; i++) raw.push(this.mem.read64(base + i * 8n));
    for (const u of uses) {
      const def = u.kind === 'STE' ? STE : CD;
      if (u.cfgiAt !== undefined && changedUsedFields(def, u.cur, raw).length) {
        // Changed again after its CMD_CFGI_*: that invalidation may have refetched the older words.
        u.hz.cfgPending = u.hz.cfgPending.filter((x) => x !== u);
        u.cfgiAt = undefined;
      }
      u.cur = raw;
      const fields = changedUsedFields(def, u.raw, raw);
      if (fields.length === 0) u.stale = undefined; // same value, or only fields the SMMU ignores
      else if (!u.stale) u.stale = { step: this.step, fields };
      else u.stale.fields = fields;
    }
  }

  /** IHI 0070 §4.7.3: until the CMD_SYNC, the invalidated translation may still be used: reusing its memory is unsafe. */
  private freedReuse(a: bigint): void {
    for (const h of this.smmus.values()) {
      for (const c of h.pending) {
        if (c.freedReported || !c.stale) continue;
        const e = c.entry;
        const size = 1n << BigInt(e.blockShift);
        const isData = a >= e.outputBase && a < e.outputBase + size;
        // A table page of the walk whose parent descriptor no longer points at it has been freed.
        const isTable = c.deps.some((dep, i) => i > 0 && dep >> FRAME === a >> FRAME && this.unlinked(c.deps[i - 1], a));
        if (!isData && !isTable) continue;
        c.freedReported = true;
        this.report('H_TLBI_NO_SYNC',
          `${h.name}: ${isData ? 'the page' : 'the page-table page'} at ${hex(a)} that the TLBI at line ${this.lineOf(c.tlbiAt!)} freed is written again before a CMD_SYNC completed that TLBI: the device may still reach it through the old translation.`,
          `insert \`cmd ${h.name} CMD_SYNC\` after line ${this.lineOf(c.tlbiAt!)} (IHI 0070 §4.7.3).`,
          [{ step: c.tlbiAt!, message: 'invalidation not completed by a CMD_SYNC' }, { step: c.stale.step, message: 'write that unmapped it' }], c.tlbiAt);
      }
    }
  }

  /** The table descriptor at `parent` (tracked) no longer points at the table holding `a`. */
  private unlinked(parent: bigint, a: bigint): boolean {
    const d = this.descs.get(parent);
    if (!d) return false;
    const p = decodePte(d.value, { stage: d.stage, granule: d.granule, level: d.level });
    if (p.kind !== 'table' || p.address === undefined) return true;
    return a < p.address || a >= p.address + BigInt(d.granule * 1024);
  }

  // ---------------------------------------------------------------- transactions

  /** A transaction (or a retried stalled one) ran on `inst`. `ats`: it was an ATS Translation Request. */
  transaction(inst: SmmuInstance, r: TransactionResult, ats = false): void {
    const h = this.hz(inst);
    this.torn.transaction(this.step);
    const l = h.last;
    if (!l || l.ste !== r.ste || l.cd !== r.cd || l.epoch !== h.epoch || !r.ste) {
      this.checkConfig(h, r);
      h.last = { ste: r.ste, cd: r.cd, epoch: h.epoch };
    }
    if (h.atc.size) this.checkAtc(h, r);
    if (r.pages) for (const p of r.pages) this.page(h, r, p, ats);
    else this.page(h, r, r, ats);
  }

  private checkConfig(h: SmmuHz, r: TransactionResult): void {
    const ssid = r.ssid ?? 0;
    const check = (kind: 'STE' | 'CD', key: string, view: { addr: bigint; raw: bigint[] } | undefined) => {
      if (!view) return;
      const what = kind === 'STE' ? `STE of StreamID ${hex(r.sid)} at ${hex(view.addr)}` : `CD of StreamID ${hex(r.sid)} SubstreamID ${hex(ssid)} at ${hex(view.addr)}`;
      const torn = this.torn.used(kind, view.addr, readStruct(this.mem, view.addr, 8), what, h.name, this.step, h.inst.features);
      if (torn) this.out.push({ code: kind === 'STE' ? 'H_STE_TORN' : 'H_CD_TORN', severity: 'warning', ...torn });
      let u = h.cfg.get(key);
      if (u && (u.stale) && u.reports < this.maxReports) {
        u.reports++;
        const what = kind === 'STE' ? `STE of StreamID ${hex(r.sid)}` : `CD of StreamID ${hex(r.sid)} SubstreamID ${hex(ssid)}`;
        const cfgi = kind === 'STE' ? `cmd ${h.name} CMD_CFGI_STE sid ${hex(r.sid)}` : `cmd ${h.name} CMD_CFGI_CD sid ${hex(r.sid)} ssid ${hex(ssid)}`;
        if (u.cfgiAt !== undefined) {
          this.report('H_TLBI_NO_SYNC',
            `${h.name}: the ${what} was invalidated at line ${this.lineOf(u.cfgiAt)} but no CMD_SYNC completed it before this transaction: the old ${kind} (${u.stale.fields.join(', ')}) may still be used.`,
            `insert \`cmd ${h.name} CMD_SYNC\` after line ${this.lineOf(u.cfgiAt)} (IHI 0070 §4.7.3).`,
            [{ step: u.cfgiAt, message: 'invalidation without CMD_SYNC' }, { step: u.stale.step, message: `write that changed the ${kind}` }], u.cfgiAt);
        } else {
          this.report(kind === 'STE' ? 'H_STALE_STE' : 'H_STALE_CD',
            `${h.name}: the ${what} at ${hex(u.addr)} was changed at line ${this.lineOf(u.stale.step)} (${u.stale.fields.join(', ')}) with no ${kind === 'STE' ? 'CMD_CFGI_STE' : 'CMD_CFGI_CD'} + CMD_SYNC before this transaction: the SMMU may still use the old ${kind} (IHI 0070 §3.21.1).`,
            `insert \`${cfgi}\` and \`cmd ${h.name} CMD_SYNC\` after line ${this.lineOf(u.stale.step)}.`,
            [{ step: u.stale.step, message: `write that changed the ${kind} (${u.stale.fields.join(', ')})` }], u.stale.step);
        }
      }
      if (!u) {
        u = { hz: h, kind, sid: r.sid, ssid, addr: view.addr, raw: [...view.raw], cur: [...view.raw], reports: 0 };
        h.cfg.set(key, u);
        let s = this.cfgAddrs.get(view.addr);
        if (!s) {
          s = new Set();
          this.cfgAddrs.set(view.addr, s);
          this.frameAdd(view.addr);
        }
        s.add(u);
      }
    };
    check('STE', `${r.sid}`, r.ste);
    if (r.cd) check('CD', `${r.sid}/${ssid}`, r.cd);
    if (r.ste && (r.ste.fields.CONT ?? 0n) !== 0n) this.checkCont(h, r.sid, r.ste);
    // H_ASID_REUSE / H_VMID_REUSE (IHI 0070 §3.17: the TLB tells address spaces apart by ASID and VMID only).
    const ste = r.ste?.config;
    const cd = r.cd?.config;
    const vmid = ste?.s2 ? ste.s2.vmid : ste && inst2(h) ? Number(ste.fields.S2VMID ?? 0n) : 0;
    // A CD with EPD0 == 1 does not read TTB0 (IHI 0070 §5.4; an SVA CD after its process exits):
    // it makes no TTB0 translations, so it reuses the ASID with no other table.
    if (cd && cd.fields.EPD0 !== 1n) {
      const key = `${vmid}/${cd.asid}`;
      const ttb = cd.fields.TTB0 ?? 0n;
      const old = h.asids.get(key);
      if (old && old.ttb !== ttb) {
        this.report('H_ASID_REUSE',
          `${h.name}: ASID ${hex(cd.asid)} (VMID ${vmid}) is used with TTB0 ${hex(ttb)} here and with TTB0 ${hex(old.ttb)} at line ${this.lineOf(old.step)}, with no CMD_TLBI_NH_ASID + CMD_SYNC in between: entries of one table can translate for the other.`,
          `give the CD its own ASID, or \`cmd ${h.name} CMD_TLBI_NH_ASID vmid ${vmid} asid ${hex(cd.asid)}\` + \`cmd ${h.name} CMD_SYNC\` before reusing it.`,
          [{ step: old.step, message: `ASID ${hex(cd.asid)} used with TTB0 ${hex(old.ttb)}` }]);
      }
      h.asids.set(key, { ttb, step: this.step });
    }
    if (ste?.s2) {
      const ttb = ste.s2.walk.ttb;
      const old = h.vmids.get(vmid);
      if (old && old.ttb !== ttb) {
        this.report('H_VMID_REUSE',
          `${h.name}: VMID ${vmid} is used with S2TTB ${hex(ttb)} here and with S2TTB ${hex(old.ttb)} at line ${this.lineOf(old.step)}, with no CMD_TLBI_S12_VMALL + CMD_SYNC in between.`,
          `give each stage-2 table its own VMID, or \`cmd ${h.name} CMD_TLBI_S12_VMALL vmid ${vmid}\` + \`cmd ${h.name} CMD_SYNC\` before reusing it.`,
          [{ step: old.step, message: `VMID ${vmid} used with S2TTB ${hex(old.ttb)}` }]);
      }
      h.vmids.set(vmid, { ttb, step: this.step });
    }
  }

  /**
   * H_STE_CONT (IHI 0070 §5.2 STE.CONT): the STEs of a span must be identical but for CONT, whether or
   * not this SMMU honours the hint. Checked once per STE value; at most CONT_CHECK neighbours are read.
   */
  private checkCont(h: SmmuHz, sid: number, v: { addr: bigint; raw: bigint[]; fields: Record<string, bigint> }): void {
    const key = `${v.addr}:${v.raw.join(',')}`;
    if (h.contChecked.has(key)) return;
    h.contChecked.add(key);
    const t = h.inst.streamTable();
    const cont = Math.min(Number(v.fields.CONT), t.log2size);
    const size = 2 ** cont;
    const base = sid - (sid % size);
    const differ: string[] = [];
    for (let i = 0; i < Math.min(size, CONT_CHECK); i++) {
      const loc = locateSte(this.mem, t, base + i);
      if (!loc.ok || loc.addr === v.addr) continue;
      const other = decode(STE, readStruct(this.mem, loc.addr, 8));
      const fields = Object.keys(v.fields).filter((k) => k !== 'CONT' && v.fields[k] !== other[k]);
      if (fields.length) differ.push(`${hex(base + i)} (${fields.slice(0, 4).join(', ')}${fields.length > 4 ? ', ...' : ''})`);
    }
    if (differ.length === 0) return;
    this.report('H_STE_CONT',
      `${h.name}: the STE at ${hex(v.addr)} has STE.CONT ${cont} (StreamIDs ${hex(base)}-${hex(base + size - 1)}), but the STE${differ.length > 1 ? 's' : ''} of StreamID ${differ.slice(0, 4).join(', ')}${differ.length > 4 ? ', ...' : ''} differ${differ.length > 1 ? '' : 's'}: an SMMU may use either STE for any StreamID of the span, or abort with F_CFG_CONFLICT (IHI 0070 §5.2).`,
      'make every STE of the span identical (but for CONT), or set STE.CONT to 0.', []);
  }

  private checkAtc(h: SmmuHz, r: TransactionResult): void {
    const recs = h.atc.get(r.sid);
    if (!recs) return;
    for (const a of recs) {
      if (a.needsInvAt === undefined || a.reports >= this.maxReports) continue;
      a.reports++;
      const inv = `cmd ${h.name} CMD_ATC_INV sid ${hex(a.sid)}${a.ssid !== undefined ? ` ssid ${hex(a.ssid)}` : ''} addr ${hex(a.base)} size ${Math.max(0, a.shift - 12)}`;
      const after = a.atcInvAt ?? a.needsInvAt;
      this.report('H_ATC_STALE',
        a.atcInvAt !== undefined
          ? `${h.name}: the CMD_ATC_INV at line ${this.lineOf(a.atcInvAt)} was not completed by a CMD_SYNC before StreamID ${hex(a.sid)} was used again: its ATC may still translate ${hex(a.base)} to ${hex(a.cached.entry.outputBase)}.`
          : `${h.name}: StreamID ${hex(a.sid)} has ATS enabled (STE.EATS) and its ATC may still hold ${hex(a.base)} -> ${hex(a.cached.entry.outputBase)}, invalidated or changed at line ${this.lineOf(a.needsInvAt)}, with no CMD_ATC_INV + CMD_SYNC before this use (IHI 0070 §3.9.1).`,
        a.atcInvAt !== undefined ? `insert \`cmd ${h.name} CMD_SYNC\` after line ${this.lineOf(after)}.` : `insert \`${inv}\` and \`cmd ${h.name} CMD_SYNC\` after line ${this.lineOf(after)} (after the TLBI and its sync).`,
        [{ step: a.needsInvAt, message: 'translation invalidated/changed here' }], after);
    }
  }

  private page(h: SmmuHz, r: TransactionResult, p: TransactionResult, ats: boolean): void {
    // Hot path: a TLB hit with nothing stale or pending on this SMMU has nothing to check or record.
    if (p.tlb === 'hit' && h.stale.size === 0 && h.pending.length === 0 && !ats) return;
    const tags = this.tagsOf(h, r, p);
    if (tags && (h.stale.size > 0 || h.pending.length > 0)) this.checkStale(h, tags, p);
    if (tags && h.negs.size > 0 && p.tlb === 'miss') this.checkNeg(h, p);
    const walks = [p.walks.stage1, p.walks.stage2].filter((w): w is WalkTrace => w !== undefined);
    if (p.outcome === 'ok' && p.tlb === 'miss' && p.tlbEntry) {
      const c = this.insertShadow(h, p.tlbEntry, walks);
      if (c && ats && Number(r.ste?.fields.EATS ?? 0n) !== 0) this.addAtc(h, r, c);
    } else if (p.outcome === 'ok' && p.tlbEntry && ats && Number(r.ste?.fields.EATS ?? 0n) !== 0) {
      const c = this.findCached(h, p.tlbEntry);
      if (c) this.addAtc(h, r, c);
    } else if (p.outcome === 'fault' && tags && walks.length) {
      this.recordNeg(h, tags, walks);
    }
  }

  private tagsOf(h: SmmuHz, r: TransactionResult, p: TransactionResult): { kind: 's1' | 's2'; regime: TlbRegime; vmid: number; asid: number; va: bigint } | undefined {
    const e = p.tlbEntry;
    if (e) return { kind: e.kind === 's2' ? 's2' : 's1', regime: e.regime, vmid: e.vmid, asid: e.asid, va: p.iova };
    const ste = r.ste?.config;
    if (!ste) return undefined;
    if (ste.mode === 's2') return { kind: 's2', regime: 'nsel1', vmid: ste.s2!.vmid, asid: 0, va: p.iova };
    const cd = r.cd?.config;
    if (!cd || !ste.s1) return undefined;
    const vmid = ste.s2 ? ste.s2.vmid : inst2(h) ? Number(ste.fields.S2VMID ?? 0n) : 0;
    const regime: TlbRegime = ste.s1.strw === 2 ? (h.inst.e2h() ? 'el2-e2h' : 'el2') : 'nsel1';
    return { kind: 's1', regime, vmid: regime === 'nsel1' ? vmid : 0, asid: cd.asid, va: p.iova };
  }

  private matching(tlb: Tlb, t: { kind: 's1' | 's2'; regime: TlbRegime; vmid: number; asid: number; va: bigint }): TlbEntry[] {
    if (t.kind === 's2') {
      const e = tlb.peekS2(t.vmid, t.va);
      return e ? [e] : [];
    }
    return tlb.lookupAll(t.regime, t.vmid, t.asid, t.va);
  }

  private checkStale(h: SmmuHz, t: { kind: 's1' | 's2'; regime: TlbRegime; vmid: number; asid: number; va: bigint }, p: TransactionResult): void {
    const cands: Cached[] = [];
    if (h.stale.size > 0) for (const e of this.matching(h.staleTlb, t)) { const c = h.stale.get(e.id); if (c) cands.push(c); }
    for (const c of h.pending) if (c.stale && covers(c.entry, t)) cands.push(c);
    for (const c of cands) {
      if (c.reports >= this.maxReports) continue;
      c.reports++;
      const e = c.entry;
      const ch = c.stale!;
      const off = t.va - e.inputBase;
      const oldOut = `PA ${hex(e.outputBase + off)} (${permStr(e.perms)})`;
      const desc = describeNew(ch);
      const newOut = p.outcome === 'ok' && p.tlb === 'miss' ? `PA ${hex(p.pa ?? 0n)}${p.perms ? ` (${permStr(p.perms)})` : ''}`
        : p.outcome === 'fault' || p.outcome === 'stalled' ? `${p.events[0]?.type ?? 'a fault'}` : desc;
      const rel = [{ step: ch.step, message: `write that changed the descriptor at ${hex(ch.addr)}: ${hex(ch.old)} -> ${hex(ch.now)}` }];
      if (c.tlbiAt !== undefined) {
        this.report('H_TLBI_NO_SYNC',
          `${h.name}: the TLBI at line ${this.lineOf(c.tlbiAt)} has not been completed by a CMD_SYNC: this transaction may still get the old ${oldOut} instead of ${newOut} (IHI 0070 §4.7.3).`,
          `insert \`cmd ${h.name} CMD_SYNC\` after line ${this.lineOf(c.tlbiAt)}.`,
          [{ step: c.tlbiAt, message: 'invalidation not completed by a CMD_SYNC' }, ...rel], c.tlbiAt);
      } else {
        const fix = tlbiFix(c, ch);
        this.report('H_STALE_TLB',
          `${h.name}: stale translation possible: ${hex(t.va)} was cached as ${oldOut} (walk at line ${this.lineOf(e.insertedAt)}); now ${newOut === desc ? desc : `${newOut} (${desc})`}, but no matching TLBI + CMD_SYNC ran on ${h.name} since the change at line ${this.lineOf(ch.step)}.`,
          `insert \`${fix.join('` then `')}\` after line ${this.lineOf(ch.step)}.`,
          [...rel, { step: e.insertedAt, message: 'walk whose result may still be cached' }], ch.step);
      }
    }
  }

  /** The shadow entry behind a model TLB hit (same tags and region). */
  private findCached(h: SmmuHz, e: TlbEntry): Cached | undefined {
    const s = e.kind === 's2' ? h.shadow.peekS2(e.vmid, e.inputBase) : h.shadow.peek(e.regime, e.vmid, e.asid, e.inputBase);
    return s && s.outputBase === e.outputBase ? h.cached.get(s.id) : undefined;
  }

  private insertShadow(h: SmmuHz, e: TlbEntry, walks: WalkTrace[]): Cached | undefined {
    const { entry, evicted } = h.shadow.insert(toInsert(e), this.step);
    for (const x of evicted) this.dropCached(h, x.id);
    const c: Cached = { hz: h, entry, deps: [], leaves: [], reports: 0 };
    for (const w of walks) this.addDeps(c, w, true);
    h.cached.set(entry.id, c);
    return c;
  }

  /** Every descriptor a walk read becomes a dependency of the entry (the stage-2 walks of nested table fetches too). */
  private addDeps(c: Cached, tr: WalkTrace, main: boolean): void {
    const steps = tr.steps;
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i];
      if (s.s2Walk) this.addDeps(c, s.s2Walk, false);
      this.track(s.descPa, s.desc, tr.stage, s.level, tr.granule).users.add(c);
      c.deps.push(s.descPa);
      if (tr.stage === 2) (c.s2Deps ??= []).push(s.descPa);
      if (main && i === steps.length - 1) c.leaves.push(s.descPa);
    }
  }

  private dropCached(h: SmmuHz, id: number): void {
    const c = h.cached.get(id);
    if (!c) return;
    h.cached.delete(id);
    for (const a of c.deps) {
      const d = this.descs.get(a);
      if (d) {
        d.users.delete(c);
        this.untrackIfUnused(a, d);
      }
    }
  }

  /** A shadow entry whose descriptor changed moves to the stale TLB (a fresh walk may now enter the shadow). */
  private moveToStale(c: Cached): void {
    const h = c.hz;
    h.shadow.remove(c.entry.id);
    h.cached.delete(c.entry.id);
    const { entry, evicted } = h.staleTlb.insert(toInsert(c.entry), c.entry.insertedAt);
    c.entry = entry;
    h.stale.set(entry.id, c);
    // An older stale entry of the same region: the newer one stands for both.
    for (const x of evicted) {
      const o = h.stale.get(x.id);
      if (!o) continue;
      h.stale.delete(x.id);
      this.release(o);
    }
  }

  /** Stop tracking a shadow entry's descriptors. */
  private release(c: Cached): void {
    for (const a of c.deps) {
      const d = this.descs.get(a);
      if (d) {
        d.users.delete(c);
        this.untrackIfUnused(a, d);
      }
    }
  }

  private addAtc(h: SmmuHz, r: TransactionResult, c: Cached): void {
    let recs = h.atc.get(r.sid);
    if (!recs) h.atc.set(r.sid, (recs = []));
    if (recs.some((a) => a.cached === c && a.ssid === r.ssid)) return;
    recs.push({ sid: r.sid, ssid: r.ssid, base: c.entry.inputBase, shift: c.entry.blockShift, cached: c, reports: 0 });
  }

  private recordNeg(h: SmmuHz, t: { kind: 's1' | 's2'; regime: TlbRegime; vmid: number; asid: number; va: bigint }, walks: WalkTrace[]): void {
    const w = walks.find((x) => x.fault);
    const last = w?.steps[w.steps.length - 1];
    if (!w || !last || last.kind !== 'invalid' || w.fault?.kind !== 'F_TRANSLATION') return;
    const shift = w.granule === 4 ? 12 : w.granule === 16 ? 14 : 16;
    const ins: TlbInsert = {
      kind: t.kind, regime: t.regime, vmid: t.vmid, asid: t.asid, global: false, granule: w.granule, blockShift: shift, level: last.level,
      inputBase: t.va, outputBase: 0n, perms: { ur: false, uw: false, ux: false, pr: false, pw: false, px: false },
      attrs: { sh: 0, nG: true, af: false, contiguous: false, dbm: false },
    };
    const { entry, evicted } = h.neg.insert(ins, this.step);
    for (const x of evicted) this.dropNeg(h, x.id);
    const n: NegRec = { hz: h, entry, addr: last.descPa };
    h.negs.set(entry.id, n);
    (this.track(last.descPa, last.desc, w.stage, last.level, w.granule).negs ??= new Set()).add(n);
  }

  private dropNeg(h: SmmuHz, id: number): void {
    const n = h.negs.get(id);
    if (!n) return;
    h.negs.delete(id);
    const d = this.descs.get(n.addr);
    if (d) {
      d.negs?.delete(n);
      this.untrackIfUnused(n.addr, d);
    }
  }

  private checkNeg(h: SmmuHz, p: TransactionResult): void {
    const read = new Set<bigint>();
    for (const w of [p.walks.stage1, p.walks.stage2]) for (const s of w?.steps ?? []) read.add(s.descPa);
    for (const n of [...h.negs.values()]) {
      if (n.madeValidAt === undefined || !read.has(n.addr)) continue;
      const at = n.madeValidAt;
      this.dropNeg(h, n.entry.id);
      this.report('H_CM_INVALID_TO_VALID',
        `${h.name}: the descriptor at ${hex(n.addr)} was invalid when a walk read it (line ${this.lineOf(n.entry.insertedAt)}) and was made valid at line ${this.lineOf(at)} with no TLBI: fine on real SMMUs (invalid entries are not cached), but a caching-mode vIOMMU would miss the new mapping.`,
        `optionally insert the TLBI for ${hex(n.entry.inputBase)} and \`cmd ${h.name} CMD_SYNC\` after line ${this.lineOf(at)}.`,
        [{ step: at, message: 'write that made it valid' }], at);
    }
  }

  // ---------------------------------------------------------------- commands

  /** A command the instance consumed (in queue order). */
  command(inst: SmmuInstance, c: CommandResult): void {
    if (c.error) return;
    const h = this.hz(inst);
    const name = c.name;
    if (name === 'CMD_SYNC') return this.sync(h);
    if (name.startsWith('CMD_TLBI_')) {
      this.tlbi(h, c);
      h.unsyncedAt = this.step;
    } else if (name.startsWith('CMD_CFGI_')) {
      this.cfgi(h, c);
      h.unsyncedAt = this.step;
    } else if (name === 'CMD_ATC_INV') {
      this.atcInv(h, c);
      h.unsyncedAt = this.step;
    }
  }

  private ctx(h: SmmuHz, tlb: Tlb, cfg: (sid: number, ssid: number | 'all-cd' | 'ste', lo?: number, hi?: number) => void): CommandCtx {
    return {
      features: h.inst.features, tlb,
      invalidateSteRange: (lo, hi) => { cfg(lo, 'ste', lo, hi); return [] as ConfigCacheEntry<unknown>[]; },
      invalidateCds: (sid, ssid) => { cfg(sid, ssid ?? 'all-cd'); return []; },
      invalidateAllConfig: () => { cfg(0, 'ste', 0, Infinity); cfg(-1, 'all-cd'); return []; },
      resume: () => undefined,
      stallTerm: () => 0,
    };
  }

  private tlbi(h: SmmuHz, c: CommandResult): void {
    const leaf = c.fields.Leaf !== undefined && c.fields.Leaf !== 0n;
    const pend = (x: Cached) => {
      x.tlbiAt = this.step;
      h.pending.push(x);
      this.pendingCount++;
      for (const recs of h.atc.values()) for (const a of recs) if (a.cached === x && a.needsInvAt === undefined) a.needsInvAt = this.step;
    };
    for (const e of executeCommand(this.ctx(h, h.shadow, () => undefined), c.raw, c.index).removed.tlb) {
      const x = h.cached.get(e.id);
      if (!x) continue;
      h.cached.delete(e.id);
      pend(x);
    }
    for (const e of executeCommand(this.ctx(h, h.staleTlb, () => undefined), c.raw, c.index).removed.tlb) {
      const x = h.stale.get(e.id);
      if (!x) continue;
      // A Leaf TLBI leaves walk-cache entries: a changed table descriptor is not covered (IHI 0070 §4.4).
      if (leaf && x.stale && !x.stale.leaf) {
        const { entry } = h.staleTlb.insert(toInsert(e), e.insertedAt);
        h.stale.delete(e.id);
        x.entry = entry;
        h.stale.set(entry.id, x);
        continue;
      }
      h.stale.delete(e.id);
      pend(x);
    }
    for (const e of executeCommand(this.ctx(h, h.neg, () => undefined), c.raw, c.index).removed.tlb) {
      const n = h.negs.get(e.id);
      if (n) {
        n.tlbiAt = this.step;
        h.negPending.push(n);
      }
    }
    // Whole-ASID / whole-VMID invalidations end an ASID's or VMID's association with its table.
    const vmid = Number(c.fields.VMID ?? 0n);
    const asid = Number(c.fields.ASID ?? 0n);
    switch (c.name) {
      case 'CMD_TLBI_NSNH_ALL': h.asidPending.push(() => true); h.vmidPending.push(() => true); break;
      case 'CMD_TLBI_NH_ALL': h.asidPending.push((v) => v === vmid); break;
      case 'CMD_TLBI_S12_VMALL': h.asidPending.push((v) => v === vmid); h.vmidPending.push((v) => v === vmid); break;
      case 'CMD_TLBI_NH_ASID': h.asidPending.push((v, a) => v === vmid && a === asid); break;
    }
  }

  private cfgi(h: SmmuHz, c: CommandResult): void {
    const hit: CfgUse[] = [];
    const mark = (sid: number, what: number | 'all-cd' | 'ste', lo?: number, hi?: number) => {
      for (const u of h.cfg.values()) {
        const ok = what === 'ste' ? u.kind === 'STE' && u.sid >= lo! && u.sid <= hi!
          : what === 'all-cd' ? u.kind === 'CD' && (sid < 0 || u.sid === sid)
            : u.kind === 'CD' && u.sid === sid && u.ssid === what;
        if (ok && u.cfgiAt === undefined) hit.push(u);
      }
    };
    executeCommand(this.ctx(h, new Tlb({ capacity: 1, policy: 'fifo' }), mark), c.raw, c.index);
    h.epoch++;
    for (const u of hit) {
      u.cfgiAt = this.step;
      h.cfgPending.push(u);
    }
  }

  private atcInv(h: SmmuHz, c: CommandResult): void {
    const sid = Number(c.fields.StreamID ?? 0n);
    const recs = h.atc.get(sid);
    if (!recs) return;
    const size = Number(c.fields.Size ?? 0n);
    const all = size >= 52;
    const span = all ? 0n : 1n << BigInt(12 + size);
    const base = all ? 0n : (c.fields.Address ?? 0n) & ~(span - 1n);
    const ssv = c.fields.SSV === 1n;
    const global = c.fields.Global === 1n;
    for (const a of recs) {
      // IHI 0070 §4.8.1: SSV == 0 invalidates the non-substream translations only, Global all substreams.
      const ssidOk = ssv ? (global || a.ssid === Number(c.fields.SubstreamID ?? 0n)) : a.ssid === undefined;
      const end = a.base + (1n << BigInt(a.shift));
      const addrOk = all || (a.base < base + span && end > base);
      if (ssidOk && addrOk && a.atcInvAt === undefined) {
        a.atcInvAt = this.step;
        h.atcPending.push(a);
      }
    }
  }

  /** CMD_SYNC: every earlier invalidation on this SMMU has completed (IHI 0070 §4.7.3). */
  private sync(h: SmmuHz): void {
    h.epoch++;
    for (const c of h.pending) {
      this.pendingCount--;
      for (const a of c.deps) {
        const d = this.descs.get(a);
        if (d) {
          d.users.delete(c);
          this.untrackIfUnused(a, d);
        }
      }
    }
    h.pending = [];
    for (const n of h.negPending) this.dropNeg(h, n.entry.id);
    h.negPending = [];
    for (const u of h.cfgPending) {
      const key = u.kind === 'STE' ? `${u.sid}` : `${u.sid}/${u.ssid}`;
      if (h.cfg.get(key) === u) h.cfg.delete(key);
      const s = this.cfgAddrs.get(u.addr);
      if (s) {
        s.delete(u);
        if (s.size === 0) {
          this.cfgAddrs.delete(u.addr);
          this.frameDel(u.addr);
        }
      }
    }
    h.cfgPending = [];
    for (const a of h.atcPending) {
      const recs = h.atc.get(a.sid);
      if (recs) h.atc.set(a.sid, recs.filter((x) => x !== a));
    }
    h.atcPending = [];
    if (h.asidPending.length) {
      for (const k of [...h.asids.keys()]) {
        const [v, a] = k.split('/').map(Number);
        if (h.asidPending.some((f) => f(v, a))) h.asids.delete(k);
      }
      h.asidPending = [];
    }
    if (h.vmidPending.length) {
      for (const v of [...h.vmids.keys()]) if (h.vmidPending.some((f) => f(v))) h.vmids.delete(v);
      h.vmidPending = [];
    }
    h.unsyncedAt = undefined;
  }
}

/** The insertable part of an entry, as one fixed-shape literal (rest/spread copies are slow on the miss path). */
function toInsert(e: TlbEntry): TlbInsert {
  return {
    kind: e.kind, regime: e.regime, vmid: e.vmid, asid: e.asid, global: e.global, granule: e.granule, blockShift: e.blockShift, level: e.level,
    inputBase: e.inputBase, outputBase: e.outputBase, ipaBase: e.ipaBase, perms: e.perms, s1Perms: e.s1Perms, s2Perms: e.s2Perms,
    attrs: e.attrs, s2Attrs: e.s2Attrs,
  };
}

const isValid = (k: string): boolean => k === 'table' || k === 'block' || k === 'page';

/** What differs between two valid descriptors that break-before-make is required for (DDI 0487 D8.16.1). */
function bbmChanges(old: bigint, now: bigint, sel: { stage: Stage; granule: Granule; level: number }): string[] {
  const a = decodePte(old, sel);
  const b = decodePte(now, sel);
  if (!isValid(a.kind) || !isValid(b.kind)) return [];
  if (a.kind !== b.kind) return [`${a.kind} -> ${b.kind}`];
  const why: string[] = [];
  if (a.address !== b.address) why.push(`output ${hex(a.address ?? 0n)} -> ${hex(b.address ?? 0n)}`);
  if (a.def && b.def) {
    const f0 = decode(a.def, [old]);
    const f1 = decode(b.def, [now]);
    for (const n of ['AttrIndx', 'MemAttr', 'SH', 'Contiguous']) if (f0[n] !== undefined && f0[n] !== f1[n]) why.push(`${n} ${hex(f0[n])} -> ${hex(f1[n])}`);
  }
  return why;
}

/**
 * IHI 0070 §3.21.1: a change of translation size only (table <-> block) needs no break-before-make on
 * an SMMU with BBML 2, nor with BBML 1 when the block has nT == 1. Allowed if every SMMU whose walks
 * read the descriptor permits it (a TLBI afterwards is still needed: H_STALE_TLB says so).
 */
function sizeChangeAllowed(old: bigint, now: bigint, sel: { stage: Stage; granule: Granule; level: number }, users: Iterable<Cached>): boolean {
  const a = decodePte(old, sel).kind;
  const b = decodePte(now, sel).kind;
  if (!((a === 'table' && b === 'block') || (a === 'block' && b === 'table'))) return false;
  const nT = ((a === 'block' ? old : now) & (1n << 16n)) !== 0n;
  for (const u of users) {
    const bbml = u.hz.inst.features.bbml;
    if (bbml !== 2 && !(bbml === 1 && nT)) return false;
  }
  return true;
}

function inst2(h: SmmuHz): boolean {
  return h.inst.features.stage2;
}

function covers(e: TlbEntry, t: { kind: 's1' | 's2'; regime: TlbRegime; vmid: number; asid: number; va: bigint }): boolean {
  if ((e.kind === 's2') !== (t.kind === 's2')) return false;
  if (e.kind !== 's2' && (e.regime !== t.regime || (!e.global && e.asid !== t.asid))) return false;
  if (e.regime === 'nsel1' && e.vmid !== t.vmid) return false;
  const size = 1n << BigInt(e.blockShift);
  return t.va >= e.inputBase && t.va < e.inputBase + size;
}

function describeNew(ch: Change): string {
  return (ch.now & 1n) === 0n // DDI 0487 D8.3: descriptor bit[0] is the valid bit
    ? `F_TRANSLATION: the descriptor at ${hex(ch.addr)} is invalid`
    : `the descriptor at ${hex(ch.addr)} is ${hex(ch.now)}`;
}

/** The TLBI (+ CMD_SYNC) that removes a cached entry made stale by `ch` (IHI 0070 §4.4). */
function tlbiFix(c: Cached, ch: Change): string[] {
  const e = c.entry;
  const s = c.hz.name;
  const leaf = ch.leaf ? ' leaf' : '';
  const vm = e.vmid ? ` vmid ${e.vmid}` : '';
  let cmd: string;
  if (e.kind === 's2') cmd = `cmd ${s} CMD_TLBI_S2_IPA vmid ${e.vmid} addr ${hex(e.inputBase)}${leaf}`;
  else if (e.kind === 'nested' && ch.stage === 2) cmd = `cmd ${s} CMD_TLBI_S12_VMALL vmid ${e.vmid}`;
  else if (e.regime !== 'nsel1') cmd = e.global ? `cmd ${s} CMD_TLBI_EL2_VAA addr ${hex(e.inputBase)}${leaf}` : `cmd ${s} CMD_TLBI_EL2_VA asid ${e.asid} addr ${hex(e.inputBase)}${leaf}`;
  else if (e.global) cmd = `cmd ${s} CMD_TLBI_NH_VAA${vm} addr ${hex(e.inputBase)}${leaf}`;
  else cmd = `cmd ${s} CMD_TLBI_NH_VA${vm} asid ${e.asid} addr ${hex(e.inputBase)}${leaf}`;
  return [cmd, `cmd ${s} CMD_SYNC`];
}
