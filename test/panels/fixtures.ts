// Realistic wire fixtures for the panels' rendering check. Descriptor values are built here from
// the VMSAv8-64 formats (DDI 0487 D8.3: table descriptor = next-level address | 0b11; page =
// OA | attributes | 0b11; block = OA | attributes | 0b01) and the event record layout
// (IHI 0070 §7.3), independently of the panel code.
import type {
  WireEvent, WireHazard, WireScenarioResult, WireSmmuState, WireState, WireStep, WireSteView, WireTlbEntry, WireWalk, WireWalkStep,
} from '../../language-server/src/engine/api';

const hx = (v: bigint | number): string => '0x' + v.toString(16);

/** Page attributes: AF (bit 10), SH=0b11 (bits 9:8), AP[2:1]=0b01 (bits 7:6), AttrIndx=0, UXN (bit 54). */
const S1_PAGE_ATTRS = (1n << 10n) | (3n << 8n) | (1n << 6n) | (1n << 54n);
/** Stage-2 page attributes: AF, SH=0b11, S2AP=0b11 (bits 7:6), MemAttr=0b1111 (bits 5:2). */
const S2_PAGE_ATTRS = (1n << 10n) | (3n << 8n) | (3n << 6n) | (0xfn << 2n);

function idx(addr: bigint, granuleShift: number, level: number, inputSize: number, start: number): number {
  const stride = granuleShift - 3;
  const lo = granuleShift + (3 - level) * stride;
  const hi = level === start ? inputSize - 1 : lo + stride - 1;
  return Number((addr >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n));
}

interface WalkSpec {
  stage: 1 | 2;
  granule: 4 | 16 | 64;
  inputSize: number;
  startLevel: number;
  ttb: bigint;
  input: bigint;
  /** Table base per level after the first (next-level tables), then the output page. */
  tables: bigint[];
  out: bigint;
  /** Level whose descriptor is invalid (fault F_TRANSLATION there). */
  invalidAt?: number;
  /** Per level, the stage-2 walk of that descriptor's IPA (nested). */
  s2?: Array<WireWalk | undefined>;
}

export function buildWalk(w: WalkSpec): WireWalk {
  const g = w.granule === 4 ? 12 : w.granule === 16 ? 14 : 16;
  const steps: WireWalkStep[] = [];
  let table = w.ttb;
  let fault: WireWalk['fault'];
  for (let level = w.startLevel; level <= 3; level++) {
    const i = idx(w.input, g, level, w.inputSize, w.startLevel);
    const descAddr = table + BigInt(i) * 8n;
    const s2Walk = w.s2?.[level - w.startLevel];
    const s2pa = s2Walk?.outputAddr ? BigInt(s2Walk.outputAddr) : descAddr;
    if (s2Walk?.fault) {
      steps.push({ stage: w.stage, level, tableAddr: hx(table), index: i, descAddr: hx(descAddr), descPa: hx(descAddr), desc: '0x0', kind: 'invalid', fields: {}, s2Walk });
      fault = { ...s2Walk.fault, inputAddr: hx(w.input) };
      break;
    }
    if (level === w.invalidAt) {
      steps.push({ stage: w.stage, level, tableAddr: hx(table), index: i, descAddr: hx(descAddr), descPa: hx(s2pa), desc: '0x0', kind: 'invalid', fields: { V: '0x0' }, s2Walk });
      fault = { kind: 'F_TRANSLATION', stage: w.stage, level, class: 'TT', inputAddr: hx(w.input), ipa: w.stage === 2 ? hx(w.input) : undefined, reason: `level ${level} descriptor at ${hx(descAddr)} is invalid (bit[0] == 0)` };
      break;
    }
    if (level < 3) {
      const next = w.tables[level - w.startLevel];
      steps.push({ stage: w.stage, level, tableAddr: hx(table), index: i, descAddr: hx(descAddr), descPa: hx(s2pa), desc: hx(next | 3n), kind: 'table', fields: { NextLevelTableAddr: hx(next), APTable: '0x0', UXNTable: '0x0', PXNTable: '0x0' }, s2Walk });
      table = next;
    } else {
      const attrs = w.stage === 1 ? S1_PAGE_ATTRS : S2_PAGE_ATTRS;
      const fields: Record<string, string> = w.stage === 1
        ? { OA: hx(w.out), AttrIndx: '0x0', NS: '0x0', AP: '0x1', SH: '0x3', AF: '0x1', nG: '0x0', UXN: '0x1', PXN: '0x0' }
        : { OA: hx(w.out), MemAttr: '0xf', S2AP: '0x3', SH: '0x3', AF: '0x1', XN: '0x0' };
      steps.push({ stage: w.stage, level, tableAddr: hx(table), index: i, descAddr: hx(descAddr), descPa: hx(s2pa), desc: hx(w.out | attrs | 3n), kind: 'page', fields, s2Walk });
    }
  }
  const offsetMask = (1n << BigInt(g)) - 1n;
  return {
    stage: w.stage, granule: w.granule, inputSize: w.inputSize, startLevel: w.startLevel, ttb: hx(w.ttb), inputAddr: hx(w.input), steps,
    outputAddr: fault ? undefined : hx(w.out | (w.input & offsetMask)), fault,
  };
}

// ---- walks ---------------------------------------------------------------------------------

export const IOVA_4K = 0x0000_7f12_3456_7abcn;
/** Stage 1, 4K granule, CD.T0SZ=16 (48-bit), start level 0: four levels. */
export const walk4k = buildWalk({
  stage: 1, granule: 4, inputSize: 48, startLevel: 0, ttb: 0x8000_0000n, input: IOVA_4K,
  tables: [0x8000_1000n, 0x8000_2000n, 0x8000_3000n], out: 0x9ab2_d000n,
});

export const IOVA_64K = 0x0000_0123_4567_89abn;
/** Stage 1, 64K granule, 48-bit, start level 1: three levels. */
export const walk64k = buildWalk({
  stage: 1, granule: 64, inputSize: 48, startLevel: 1, ttb: 0xa000_0000n, input: IOVA_64K,
  tables: [0xa001_0000n, 0xa002_0000n], out: 0x1_4567_0000n,
});

/** Stage-2 walks (4K, 40-bit IPA, start level 1) used inside the nested walk. */
function s2For(ipa: bigint, pa: bigint, invalidAt?: number): WireWalk {
  return buildWalk({ stage: 2, granule: 4, inputSize: 40, startLevel: 1, ttb: 0xc000_0000n, input: ipa, tables: [0xc000_2000n, 0xc000_3000n], out: pa & ~0xfffn, invalidAt });
}

export const IOVA_NESTED = 0x0000_0040_1234_5000n;
/** Nested: stage 1 (4K, 39-bit, start level 1) whose level-2 table IPA has no stage-2 mapping. */
export const walkNested: WireWalk = (() => {
  // Stage-1 tables live at IPAs 0x4000_0000 (L1) and 0x4010_0000 (L2).
  const l1Ipa = 0x4000_0000n + BigInt(idx(IOVA_NESTED, 12, 1, 39, 1)) * 8n;
  const l2Ipa = 0x4010_0000n + BigInt(idx(IOVA_NESTED, 12, 2, 39, 1)) * 8n;
  return buildWalk({
    stage: 1, granule: 4, inputSize: 39, startLevel: 1, ttb: 0x4000_0000n, input: IOVA_NESTED,
    tables: [0x4010_0000n, 0x4020_0000n], out: 0x5000_0000n,
    s2: [s2For(l1Ipa, 0x8800_0000n + (l1Ipa & 0xfffn)), s2For(l2Ipa, 0n, 3), undefined],
  });
})();

// ---- SMMU state ------------------------------------------------------------------------------

function tlbEntries(n: number, firstId: number, seed: number): WireTlbEntry[] {
  const out: WireTlbEntry[] = [];
  for (let i = 0; i < n; i++) {
    const stage = (['S1', 'S2', 'S12'] as const)[(i + seed) % 3];
    const sizeLog2 = [12, 21, 12, 16, 30][(i * 7 + seed) % 5];
    // 1G blocks sit above 4G, everything else in a 2M-strided window per SMMU.
    const raw = sizeLog2 === 30 ? BigInt(0x1_0000_0000 + i * 0x4000_0000) : BigInt(0x1000_0000 + i * 0x20_0000 + seed * 0x4000_0000 + i * 0x3000);
    const base = (raw >> BigInt(sizeLog2)) << BigInt(sizeLog2);
    out.push({
      id: firstId + i, stage, regime: stage === 'S2' ? 'NS-EL1 stage 2' : 'NS-EL1',
      asid: stage === 'S2' ? undefined : hx(1 + (i % 4)), vmid: stage === 'S1' ? undefined : hx(seed + 1),
      global: i % 9 === 0, inputBase: hx(base), sizeLog2, outputBase: hx(0x8_0000_0000n + base), perms: ['rw', 'r-', 'rwx', 'r-x'][i % 4], hits: (i * 5) % 11, insertedAt: i,
    });
  }
  return out;
}

function ev(type: string, code: number, sid: number, o: Partial<WireEvent>, smmu: string): WireEvent {
  // Dword 0: [7:0] event number, [11] SSV, [31:12] SubstreamID, [63:32] StreamID (IHI 0070 §7.3).
  const ssid = o.ssid ? BigInt(o.ssid) : 0n;
  const d0 = BigInt(code) | (o.ssv ? 1n << 11n : 0n) | (ssid << 12n) | (BigInt(sid) << 32n);
  // Dword 1: [33] PnU, [34] InD, [35] RnW, [39] S2, [41:40] CLASS (CD=0, TT=1, IN=2).
  const cls = o.class === 'TT' ? 1n : o.class === 'IN' ? 2n : 0n;
  const d1 = (o.pnu ? 1n << 33n : 0n) | (o.ind ? 1n << 34n : 0n) | (o.rnw ? 1n << 35n : 0n) | (o.s2 ? 1n << 39n : 0n) | (cls << 40n);
  return {
    type, code: hx(code), sid: hx(sid), ssv: false, fields: {}, smmu, recorded: true,
    raw: [hx(d0), hx(d1), o.inputAddr ?? '0x0', o.ipa ? hx(BigInt(o.ipa) & ~0xfffn) : '0x0'], ...o,
  };
}

const steS1: WireSteView = {
  sid: '0x10', addr: '0x81000200', raw: ['0x810000000000000b', '0x0', '0x0', '0x0', '0x0', '0x0', '0x0', '0x0'],
  config: 'S1_TRANS', fields: { V: '0x1', Config: '0x5', S1Fmt: '0x0', S1ContextPtr: '0x81010000', S1CDMax: '0x1', S1DSS: '0x0', EATS: '0x0', STRW: '0x0' },
  cds: [
    { ssid: '0x0', addr: '0x81010000', raw: ['0x8000000150004810', '0x80000000', '0x0', '0x44ff', '0x0', '0x0', '0x0', '0x0'], fields: { V: '0x1', T0SZ: '0x10', TG0: '0x0', IR0: '0x1', OR0: '0x1', SH0: '0x3', EPD1: '0x1', IPS: '0x5', AA64: '0x1', ASID: '0x1', TTB0: '0x80000000', MAIR: '0x44ff' } },
    { ssid: '0x1', addr: '0x81010040', raw: ['0x8000000250004816', '0xa0000000', '0x0', '0x44ff', '0x0', '0x0', '0x0', '0x0'], fields: { V: '0x1', T0SZ: '0x10', TG0: '0x1', IR0: '0x1', OR0: '0x1', SH0: '0x3', EPD1: '0x1', IPS: '0x5', AA64: '0x1', ASID: '0x2', TTB0: '0xa0000000', MAIR: '0x44ff' } },
  ],
  tables: [{ name: 'dma_pt', stage: 1, base: '0x80000000' }, { name: 'gpu_pt', stage: 1, base: '0xa0000000' }],
};

const steNested: WireSteView = {
  sid: '0x11', addr: '0x81000220', raw: ['0x810100000000000f', '0x0', '0x1800000000018', '0xc0000000', '0x0', '0x0', '0x0', '0x0'],
  config: 'NESTED', fields: { V: '0x1', Config: '0x7', S1ContextPtr: '0x81011000', S1CDMax: '0x0', S2VMID: '0x1', S2T0SZ: '0x18', S2SL0: '0x1', S2TG: '0x0', S2PS: '0x2', S2AA64: '0x1', S2TTB: '0xc0000000' },
  cds: [{ ssid: '0x0', addr: '0x81011000', raw: ['0x8000000350004819', '0x40000000', '0x0', '0x44ff', '0x0', '0x0', '0x0', '0x0'], fields: { V: '0x1', T0SZ: '0x19', TG0: '0x0', ASID: '0x3', TTB0: '0x40000000', MAIR: '0x44ff' } }],
  tables: [{ name: 'guest_pt', stage: 1, base: '0x40000000' }, { name: 'vm_s2', stage: 2, base: '0xc0000000' }],
};

const steBad: WireSteView = {
  sid: '0x20', addr: '0x81000400', raw: ['0xa', '0x0', '0x0', '0x0', '0x0', '0x0', '0x0', '0x0'],
  config: 'S1_TRANS', fields: { V: '0x0', Config: '0x5', S1ContextPtr: '0x0' }, problem: 'C_BAD_STE: STE.V == 0 (IHI 0070 §5.2)', cds: [], tables: [],
};

function smmu(name: string, o: Partial<WireSmmuState>): WireSmmuState {
  return { name, enabled: true, registers: [], streams: [], tlb: [], configCache: [], eventQueue: [], stalled: [], ...o };
}

const tlb0 = tlbEntries(18, 1, 0);
const tlb1 = tlbEntries(12, 101, 1);

const events0: WireEvent[] = [
  ev('F_TRANSLATION', 0x10, 0x11, { class: 'TT', s2: true, rnw: true, inputAddr: hx(IOVA_NESTED), ipa: walkNested.fault?.ipa }, 'smmu0'),
  ev('F_PERMISSION', 0x13, 0x10, { class: 'IN', s2: false, rnw: false, pnu: false, inputAddr: '0x7f1234560000' }, 'smmu0'),
  ev('C_BAD_STE', 0x04, 0x20, {}, 'smmu0'),
];

export const state4k: WireState = {
  stepIndex: 5, line: 24,
  smmus: [smmu('smmu0', { streams: [steS1, steNested, steBad], tlb: tlb0, eventQueue: events0, configCache: [
    { id: 1, kind: 'STE', sid: '0x10', fields: { Config: '0x5', S1ContextPtr: '0x81010000' }, hits: 4, insertedAt: 3 },
    { id: 2, kind: 'CD', sid: '0x10', ssid: '0x0', fields: { ASID: '0x1', TTB0: '0x80000000', T0SZ: '0x10' }, hits: 4, insertedAt: 3 },
  ] }), smmu('smmu1', { tlb: tlb1 })],
  walks: [walk4k],
  changes: { tlbAdded: [18], tlbRemoved: [], configAdded: [2], configRemoved: [] },
};

function hz(code: string, severity: WireHazard['severity'], line: number, message: string, fix: string, related: WireHazard['related'] = []): WireHazard {
  return { code, severity, line, message, fix, related };
}

function step(index: number, line: number, kind: string, label: string, o: Partial<WireStep> = {}): WireStep {
  return { index, line, col: 1, endLine: line, endCol: 40, kind, label, events: [], hazards: [], ...o };
}

export const result: WireScenarioResult = {
  file: 'file:///work/examples/nested.smmu',
  diagnostics: [],
  expectations: { passed: 3, failed: 1 },
  steps: [
    step(0, 3, 'smmu', 'smmu0: SMMU_CR0.SMMUEN=1, STRTAB_BASE=0x81000000'),
    step(1, 7, 'pagetable', 'pagetable dma_pt (stage 1, 4K, 48-bit) at 0x80000000'),
    step(2, 9, 'map', 'map 0x7f1234567000 -> 0x9ab2d000 rw'),
    step(3, 14, 'ste', 'STE 0x10: Config=S1_TRANS, S1ContextPtr=0x81010000'),
    step(4, 18, 'cd', 'CD 0x10/0: ASID=1, TTB0=dma_pt, T0SZ=16'),
    step(5, 24, 'dma', 'dma read sid=0x10 iova=0x7f1234567abc', { smmu: 'smmu0', sid: '0x10', iova: hx(IOVA_4K), outcome: 'ok', pa: walk4k.outputAddr, tlb: 'miss', walks: [walk4k] }),
    step(6, 26, 'expect', 'expect pa == 0x9ab2dabc', { expectation: { passed: true, message: 'pa == 0x9ab2dabc' } }),
    step(7, 30, 'pte', 'pte dma_pt[0x7f1234567000] = invalid', {
      hazards: [hz('H_STALE_TLB', 'warning', 30, 'TLB entry #18 still maps 0x7f1234567000 after its descriptor was changed.', 'Issue CMD_TLBI_NH_VA (ASID=1, Addr=0x7f1234567000) then CMD_SYNC.', [{ line: 24, col: 1, message: 'entry cached by this transaction' }])],
    }),
    step(8, 32, 'dma', 'dma read sid=0x10 iova=0x7f1234567abc', { smmu: 'smmu0', sid: '0x10', iova: hx(IOVA_4K), outcome: 'ok', pa: walk4k.outputAddr, tlb: 'hit', hazards: [hz('H_STALE_TLB', 'warning', 32, 'Translation used a stale TLB entry (#18).', 'Invalidate with CMD_TLBI_NH_VA before the transaction.')] }),
    step(9, 35, 'expect', 'expect fault F_TRANSLATION', { expectation: { passed: false, message: 'expected F_TRANSLATION, got a translation to 0x9ab2dabc (stale TLB)' } }),
    step(10, 40, 'ste', 'STE 0x11: Config=NESTED, S2TTB=vm_s2, S2VMID=1'),
    step(11, 44, 'dma', 'dma read sid=0x11 iova=0x4012345000', { smmu: 'smmu0', sid: '0x11', iova: hx(IOVA_NESTED), outcome: 'fault', tlb: 'miss', walks: [walkNested], events: [events0[0]] }),
    step(12, 47, 'dma', 'dma write sid=0x10 iova=0x7f1234560000', { smmu: 'smmu0', sid: '0x10', iova: '0x7f1234560000', outcome: 'fault', events: [events0[1]] }),
    step(13, 50, 'ste', 'STE 0x20 left with V=0', { hazards: [hz('H_STE_NOT_SYNCED', 'error', 50, 'STE 0x20 changed without CMD_CFGI_STE + CMD_SYNC.', 'Issue CMD_CFGI_STE (SID=0x20) then CMD_SYNC.')] }),
    step(14, 52, 'dma', 'dma read sid=0x20 iova=0x1000', { smmu: 'smmu0', sid: '0x20', iova: '0x1000', outcome: 'fault', events: [events0[2]] }),
    step(15, 55, 'cmd', 'CMD_TLBI_NH_ASID ASID=1; CMD_SYNC', { removed: { tlb: [3, 5], config: [] } }),
    step(16, 57, 'expect', 'expect event F_TRANSLATION sid=0x11', { expectation: { passed: true, message: 'event present' } }),
  ],
};

export const stateNested: WireState = {
  ...state4k, stepIndex: 11, line: 44, walks: [walkNested], changes: { tlbAdded: [], tlbRemoved: [], configAdded: [], configRemoved: [] },
};

export const state64k: WireState = { ...state4k, walks: [walk64k] };

/** After CMD_TLBI_NH_ASID: entries 3 and 5 gone (for the removed highlight, send state4k first). */
export const stateAfterTlbi: WireState = {
  ...state4k, stepIndex: 15, line: 55, walks: [],
  smmus: [{ ...state4k.smmus[0], tlb: tlb0.filter((e) => e.id !== 3 && e.id !== 5) }, state4k.smmus[1]],
  changes: { tlbAdded: [], tlbRemoved: [3, 5], configAdded: [], configRemoved: [] },
};

// ---- hostile ---------------------------------------------------------------------------------

export const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '</script><script>alert(1)</script>',
  '"><svg onload=alert(1)>',
  '<img src=x onerror="window.__xss=1">',
  "'><script>window.__xss=1</script>",
];

/** Every string in the fixture replaced by a hostile one (numbers and booleans kept). */
export function hostile<T>(x: T): T {
  let n = 0;
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return HOSTILE[n++ % HOSTILE.length];
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const o: Record<string, unknown> = {};
      for (const [k, val] of Object.entries(v)) o[k] = walk(val);
      // Free-form records (decoded fields) get hostile names too.
      if ('fields' in o && o.fields && typeof o.fields === 'object') {
        o.fields = Object.fromEntries(HOSTILE.map((hs, i) => [hs + i, HOSTILE[(i + 1) % HOSTILE.length]]));
      }
      return o;
    }
    return v;
  };
  return walk(x) as T;
}

// ---- walk shapes: 5 levels, 1 level, a fault part-way, a fault before any fetch -------------

/** 4K, 52-bit input (FEAT_LPA2): five levels from level -1 (DDI 0487 D8.2). */
export const walk5 = buildWalk({
  stage: 1, granule: 4, inputSize: 52, startLevel: -1, ttb: 0x8800_0000n, input: 0x000a_bcde_f012_3456n,
  tables: [0x8800_1000n, 0x8800_2000n, 0x8800_3000n, 0x8800_4000n], out: 0x2_0000_0000n,
});

/** 64K, 29-bit input: a single level-3 lookup. */
export const walk1 = buildWalk({ stage: 1, granule: 64, inputSize: 29, startLevel: 3, ttb: 0x9000_0000n, input: 0x0123_4567n, tables: [], out: 0xb000_0000n });

/** Stage 2 (4K, 40-bit) whose level-2 descriptor is invalid. */
export const walkFaultL2 = buildWalk({ stage: 2, granule: 4, inputSize: 40, startLevel: 1, ttb: 0xc000_0000n, input: 0x12_3456_7000n, tables: [0xc000_1000n, 0xc000_2000n], out: 0n, invalidAt: 2 });

/** Input address above CD.T0SZ's range: F_TRANSLATION before any descriptor is read (IHI 0070 §3.4). */
export const walkNoFetch: WireWalk = {
  stage: 1, granule: 4, inputSize: 39, startLevel: 1, ttb: '0x80000000', inputAddr: '0x8000000000', steps: [],
  fault: { kind: 'F_TRANSLATION', stage: 1, level: 1, class: 'IN', inputAddr: '0x8000000000', reason: 'input address 0x8000000000 is above the 39-bit range of CD.T0SZ=25' },
};
