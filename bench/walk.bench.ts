// Micro-benchmarks of the walk and the TLB, called by the central bench runner.
// Each returns operations per second (wall and CPU) over `iterations` operations.
import { PhysicalMemory } from '../language-server/src/model/memory';
import type { Access } from '../language-server/src/model/types';
import { Tlb } from '../language-server/src/model/tlb';
import { Stopwatch, type Timing } from './clock';
import { compileS1, compileS2, memFetch, translateNested, walkStage1, type S1WalkConfig, type S2WalkConfig } from '../language-server/src/model/walk';

const READ: Access = { read: true, exec: false, priv: false };
const PAGES = 512;

/** 4K granule, 48-bit VA: one L0/L1/L2 path and a level-3 table of 512 pages at VA 0x12_0000_0000. */
/** `delta`: PA - IPA of the tables (0 when not nested); descriptors hold IPAs, tables are written at PAs. */
function s1Tables(mem: PhysicalMemory, ttb: bigint, tableBase: bigint, outBase: bigint, delta = 0n): void {
  const va = 0x12_0000_0000n;
  const i0 = (va >> 39n) & 511n, i1 = (va >> 30n) & 511n, i2 = (va >> 21n) & 511n;
  mem.write64(delta + ttb + i0 * 8n, tableBase | 3n);
  mem.write64(delta + tableBase + i1 * 8n, (tableBase + 0x1000n) | 3n);
  mem.write64(delta + tableBase + 0x1000n + i2 * 8n, (tableBase + 0x2000n) | 3n);
  for (let i = 0n; i < BigInt(PAGES); i++) mem.write64(delta + tableBase + 0x2000n + i * 8n, (outBase + (i << 12n)) | 0x743n);
}

/** Operations per second by wall and by CPU time. */
export interface Rate {
  perSecond: number;
  cpuPerSecond: number;
}

function rate(iterations: number, t: Timing): Rate {
  return { perSecond: (iterations * 1000) / t.wallMs, cpuPerSecond: (iterations * 1000) / t.cpuMs };
}

/** Untimed warm-up runs so the timed loop measures optimised code. */
const warm = (iterations: number): number => Math.min(iterations, 100_000);

export function benchS1Walks(iterations: number): Rate {
  const mem = new PhysicalMemory();
  s1Tables(mem, 0x4000_0000n, 0x4010_0000n, 0x1_0000_0000n);
  const cfg: S1WalkConfig = { tt0: { ttb: 0x4000_0000n, tsz: 16, granule: 4 }, ips: 48 };
  const c = compileS1(cfg);
  if ('event' in c) throw new Error('bad config');
  const fetch = memFetch(mem);
  const vas: bigint[] = [];
  for (let i = 0; i < PAGES; i++) vas.push(0x12_0000_0000n + (BigInt(i) << 12n) + 0x10n);
  for (let i = 0; i < warm(iterations); i++) walkStage1(c, vas[i & (PAGES - 1)], READ, fetch);
  let ok = 0;
  const sw = new Stopwatch();
  for (let i = 0; i < iterations; i++) {
    const r = walkStage1(c, vas[i & (PAGES - 1)], READ, fetch);
    if (r.ok) ok++;
  }
  const t = sw.read();
  if (ok !== iterations) throw new Error('benchS1Walks: walks failed');
  return rate(iterations, t);
}

export function benchNestedWalks(iterations: number): Rate {
  const mem = new PhysicalMemory();
  // Stage 1 tables live at IPA 0x4000_0000.. (identity-offset by stage 2 to PA +0x1_0000_0000).
  // Stage 2: 4K, 40-bit IPA (S2T0SZ=24), SL0=1 (start level 1, two concatenated tables), 1 GB blocks.
  const s2ttb = 0x9000_0000n;
  // Level-1 blocks: AF (bit 10), S2AP=0b11 (bits 7:6), MemAttr=0b1111 Normal WB (bits 5:2), block (0b01).
  for (let i = 0n; i < 1024n; i++) mem.write64(s2ttb + i * 8n, (0x1_0000_0000n + (i << 30n)) | 0x4fdn);
  s1Tables(mem, 0x4000_0000n, 0x4010_0000n, 0x2_0000_0000n, 0x1_0000_0000n);
  const s1cfg: S1WalkConfig = { tt0: { ttb: 0x4000_0000n, tsz: 16, granule: 4 }, ips: 40 };
  const s2cfg: S2WalkConfig = { ttb: s2ttb, tsz: 24, sl0: 1, granule: 4, ps: 48 };
  const c1 = compileS1(s1cfg), c2 = compileS2(s2cfg);
  if ('event' in c1 || 'event' in c2) throw new Error('bad config');
  const vas: bigint[] = [];
  for (let i = 0; i < PAGES; i++) vas.push(0x12_0000_0000n + (BigInt(i) << 12n));
  for (let i = 0; i < warm(iterations) / 4; i++) translateNested(c1, c2, vas[i & (PAGES - 1)], READ, mem);
  let ok = 0;
  const sw = new Stopwatch();
  for (let i = 0; i < iterations; i++) {
    const r = translateNested(c1, c2, vas[i & (PAGES - 1)], READ, mem);
    if (r.ok) ok++;
  }
  const t = sw.read();
  if (ok !== iterations) throw new Error('benchNestedWalks: walks failed');
  return rate(iterations, t);
}

export function benchTlbHits(iterations: number): Rate {
  const tlb = new Tlb({ capacity: 4096, policy: 'lru' });
  const perms = { ur: true, uw: true, ux: false, pr: true, pw: true, px: false };
  const attrs = { attrIndx: 0, sh: 3, nG: true, af: true, contiguous: false, dbm: false };
  // 1024 4K pages and 64 2M blocks for ASID 1, plus global 1G blocks: lookups must search mixed sizes.
  for (let i = 0; i < 1024; i++) {
    tlb.insert({ kind: 's1', regime: 'nsel1', vmid: 1, asid: 1, global: false, granule: 4, blockShift: 12, level: 3,
      inputBase: 0x12_0000_0000n + (BigInt(i) << 12n), outputBase: BigInt(i) << 12n, perms, attrs }, 0);
  }
  for (let i = 0; i < 64; i++) {
    tlb.insert({ kind: 's1', regime: 'nsel1', vmid: 1, asid: 1, global: false, granule: 4, blockShift: 21, level: 2,
      inputBase: 0x13_0000_0000n + (BigInt(i) << 21n), outputBase: BigInt(i) << 21n, perms, attrs }, 0);
  }
  tlb.insert({ kind: 's1', regime: 'nsel1', vmid: 1, asid: 0, global: true, granule: 4, blockShift: 30, level: 1,
    inputBase: 0xffff_0000_0000_0000n, outputBase: 0n, perms, attrs: { ...attrs, nG: false } }, 0);
  const vas: bigint[] = [];
  for (let i = 0; i < 1024; i++) {
    const k = i % 3;
    vas.push(k === 0 ? 0x12_0000_0000n + (BigInt(i) << 12n) + 0x18n : k === 1 ? 0x13_0000_0000n + (BigInt(i & 63) << 21n) + 0x1234n : 0xffff_0000_0000_0000n + BigInt(i << 12));
  }
  for (let i = 0; i < warm(iterations); i++) tlb.lookup('nsel1', 1, 1, vas[i & 1023]);
  let hits = 0;
  const sw = new Stopwatch();
  for (let i = 0; i < iterations; i++) if (tlb.lookup('nsel1', 1, 1, vas[i & 1023])) hits++;
  const t = sw.read();
  if (hits !== iterations) throw new Error('benchTlbHits: misses');
  return rate(iterations, t);
}
