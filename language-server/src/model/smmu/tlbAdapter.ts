// The instance's TLB (IHI 0070 §3.17 tagging, §4.4 invalidation).
// Stand-in until the shared tlb/ module is integrated: same contract (TlbPort), entries tagged by
// stage (S1 / S2 / combined S12), regime, VMID, ASID (global entries: nG == 0, any ASID), with mixed
// block sizes; capacity and replacement policy as declared in the features.

import type { StageResult } from '../types';
import type { CacheConfig } from './features';
import type { TlbEntryInfo } from './result';
import type { Regime, TlbiOp, TlbiRange, TlbPort } from './tlbPort';

type Stage = 'S1' | 'S2' | 'S12';

interface Group {
  /** Distinct block shifts present, with the entries keyed by input page number at that shift. */
  shifts: number[];
  maps: Map<number, Map<number, TlbEntryInfo>>;
}

const GLOBAL = -1;

function groupKey(stage: Stage, regime: Regime, vmid: number, asid: number): string {
  return `${stage}|${regime}|${vmid}|${asid}`;
}

/** Input region [lo, hi) an invalidation by address covers (IHI 0070 §4.4.1.1 range invalidation). */
function invRange(addr: bigint, range: TlbiRange | undefined): [bigint, bigint] {
  if (!range) return [addr, addr + 1n];
  const size = BigInt(range.num + 1) * (1n << BigInt(range.scale)) * (1n << BigInt(range.tgShift));
  return [addr, addr + size];
}

export class SimpleTlb implements TlbPort {
  private readonly groups = new Map<string, Group>();
  private readonly all = new Map<number, { e: TlbEntryInfo; key: string }>();
  private nextId = 1;
  private seed: number;

  constructor(private readonly cfg: CacheConfig) {
    this.seed = (cfg.seed ?? 1) >>> 0 || 1;
  }

  get size(): number {
    return this.all.size;
  }

  private find(key: string, addr: bigint): TlbEntryInfo | undefined {
    const g = this.groups.get(key);
    if (!g) return undefined;
    for (let i = 0; i < g.shifts.length; i++) {
      const s = g.shifts[i];
      const e = g.maps.get(s)!.get(Number(addr >> BigInt(s)));
      if (e) return e;
    }
    return undefined;
  }

  lookup(stage: Stage, regime: Regime, vmid: number, asid: number, addr: bigint): TlbEntryInfo | undefined {
    // Stage 2 and EL2 (no E2H) entries carry no ASID; stage-1 global entries match any ASID.
    const useAsid = stage !== 'S2' && regime !== 'el2';
    const vm = regime === 'el1' ? vmid : 0;
    let e = useAsid ? this.find(groupKey(stage, regime, vm, asid), addr) : undefined;
    if (!e) e = this.find(groupKey(stage, regime, vm, GLOBAL), addr);
    if (e && this.cfg.policy === 'lru') {
      const rec = this.all.get(e.id)!;
      this.all.delete(e.id);
      this.all.set(e.id, rec);
    }
    return e;
  }

  touch(e: TlbEntryInfo, dry: boolean): void {
    if (!dry) e.hits++;
  }

  private insert(stage: Stage, regime: Regime, vmid: number, asid: number, e: TlbEntryInfo): TlbEntryInfo {
    const key = groupKey(stage, regime, regime === 'el1' ? vmid : 0, e.global ? GLOBAL : asid);
    let g = this.groups.get(key);
    if (!g) {
      g = { shifts: [], maps: new Map() };
      this.groups.set(key, g);
    }
    let m = g.maps.get(e.blockShift);
    if (!m) {
      m = new Map();
      g.maps.set(e.blockShift, m);
      g.shifts.push(e.blockShift);
      g.shifts.sort((a, b) => a - b);
    }
    const page = Number(e.inputBase >> BigInt(e.blockShift));
    const prev = m.get(page);
    if (prev) this.removeEntry(prev.id);
    if (this.cfg.policy !== 'unbounded' && this.all.size >= this.cfg.capacity) this.evict();
    m.set(page, e);
    this.all.set(e.id, { e, key });
    return e;
  }

  private evict(): void {
    let victim: number;
    if (this.cfg.policy === 'random') {
      this.seed ^= this.seed << 13; this.seed >>>= 0;
      this.seed ^= this.seed >>> 17;
      this.seed ^= this.seed << 5; this.seed >>>= 0;
      const ids = [...this.all.keys()];
      victim = ids[this.seed % ids.length];
    } else victim = this.all.keys().next().value as number;
    this.removeEntry(victim);
  }

  insertS1(regime: Regime, vmid: number, asid: number, va: bigint, s1: StageResult, s2: StageResult | undefined, step: number): TlbEntryInfo | undefined {
    // A combined entry covers the smaller of the two stages' regions (IHI 0070 §3.17).
    const shift = s2 ? Math.min(s1.blockShift, s2.blockShift) : s1.blockShift;
    const m = (1n << BigInt(shift)) - 1n;
    const inputBase = va & ~m;
    const out = s2 ? s2.outputAddr : s1.outputAddr;
    const e: TlbEntryInfo = {
      id: this.nextId++, stage: s2 ? 'S12' : 'S1', regime, asid: s1.attrs.nG ? asid : undefined, vmid: regime === 'el1' ? vmid : undefined,
      global: !s1.attrs.nG, inputBase, blockShift: shift, outputBase: out & ~m, perms: s1.perms, attrs: s2 ? s2.attrs : s1.attrs,
      hits: 0, insertedAt: step,
    };
    if (s2) {
      e.s2perms = s2.perms;
      e.ipaBase = s1.outputAddr & ~m;
    }
    if (s1.attrs.dbm || s2?.attrs.dbm) e.dbmWritable = true;
    return this.insert(e.stage as Stage, regime, vmid, asid, e);
  }

  insertS2(vmid: number, ipa: bigint, s2: StageResult, step: number): TlbEntryInfo | undefined {
    const m = (1n << BigInt(s2.blockShift)) - 1n;
    const e: TlbEntryInfo = {
      id: this.nextId++, stage: 'S2', regime: 'el1', vmid, global: true, inputBase: ipa & ~m, blockShift: s2.blockShift,
      outputBase: s2.outputAddr & ~m, perms: s2.perms, attrs: s2.attrs, hits: 0, insertedAt: step,
    };
    if (s2.attrs.dbm) e.dbmWritable = true;
    return this.insert('S2', 'el1', vmid, 0, e);
  }

  private removeEntry(id: number): TlbEntryInfo | undefined {
    const rec = this.all.get(id);
    if (!rec) return undefined;
    this.all.delete(id);
    const g = this.groups.get(rec.key)!;
    const m = g.maps.get(rec.e.blockShift)!;
    m.delete(Number(rec.e.inputBase >> BigInt(rec.e.blockShift)));
    if (m.size === 0) {
      g.maps.delete(rec.e.blockShift);
      g.shifts = g.shifts.filter((s) => s !== rec.e.blockShift);
      if (g.shifts.length === 0) this.groups.delete(rec.key);
    }
    return rec.e;
  }

  remove(id: number): TlbEntryInfo | undefined {
    return this.removeEntry(id);
  }

  invalidate(op: TlbiOp): TlbEntryInfo[] {
    const match = matcher(op);
    const out: TlbEntryInfo[] = [];
    for (const { e } of [...this.all.values()]) {
      if (match(e)) {
        this.removeEntry(e.id);
        out.push(e);
      }
    }
    return out;
  }

  entries(): TlbEntryInfo[] {
    return [...this.all.values()].map((r) => r.e);
  }
}

function overlaps(e: TlbEntryInfo, lo: bigint, hi: bigint, ipa = false): boolean {
  const base = ipa ? e.ipaBase ?? e.inputBase : e.inputBase;
  const end = base + (1n << BigInt(e.blockShift));
  return base < hi && lo < end;
}

/** Which entries each invalidation removes (IHI 0070 §4.4). */
function matcher(op: TlbiOp): (e: TlbEntryInfo) => boolean {
  const s1 = (e: TlbEntryInfo) => e.stage === 'S1' || e.stage === 'S12';
  const el1 = (e: TlbEntryInfo) => e.regime === 'el1';
  const el2 = (e: TlbEntryInfo) => e.regime === 'el2' || e.regime === 'el2-e2h';
  switch (op.kind) {
    case 'NH_ALL':
      return (e) => el1(e) && s1(e) && e.vmid === op.vmid;
    case 'NH_ASID':
      // Global entries are not removed by ASID invalidation (as TLBI ASIDE1).
      return (e) => el1(e) && s1(e) && e.vmid === op.vmid && !e.global && e.asid === op.asid;
    case 'NH_VA': {
      const [lo, hi] = invRange(op.addr, op.range);
      return (e) => el1(e) && s1(e) && e.vmid === op.vmid && (e.global || e.asid === op.asid) && overlaps(e, lo, hi);
    }
    case 'NH_VAA': {
      const [lo, hi] = invRange(op.addr, op.range);
      return (e) => el1(e) && s1(e) && e.vmid === op.vmid && overlaps(e, lo, hi);
    }
    case 'EL2_ALL':
      return (e) => el2(e);
    case 'EL2_ASID':
      return (e) => e.regime === 'el2-e2h' && !e.global && e.asid === op.asid;
    case 'EL2_VA': {
      const [lo, hi] = invRange(op.addr, op.range);
      return (e) => el2(e) && (e.regime === 'el2' || e.global || e.asid === op.asid) && overlaps(e, lo, hi);
    }
    case 'EL2_VAA': {
      const [lo, hi] = invRange(op.addr, op.range);
      return (e) => el2(e) && overlaps(e, lo, hi);
    }
    case 'S12_VMALL':
      return (e) => el1(e) && e.vmid === op.vmid;
    case 'S2_IPA': {
      // Stage-2-only entries by IPA. Combined (S12) entries are not removed: the spec requires
      // CMD_TLBI_S12_VMALL or CMD_TLBI_NH_* for those (IHI 0070 §4.4.2.x).
      const [lo, hi] = invRange(op.addr, op.range);
      return (e) => e.stage === 'S2' && e.vmid === op.vmid && overlaps(e, lo, hi);
    }
    case 'NSNH_ALL':
      return (e) => el1(e);
  }
}

export function createTlb(cfg: CacheConfig): TlbPort {
  return new SimpleTlb(cfg);
}
