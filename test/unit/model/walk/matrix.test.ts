// Test matrix over granule x input size x stage (in the spirit of Linux's io-pgtable selftests):
// build random mappings with a small table builder written here from the spec's geometry
// (DDI 0487 D8.2: level L resolves bits [g + (4-L)*s - 1 : g + (3-L)*s], g = log2 granule, s = g - 3),
// then translate inside and outside every mapping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhysicalMemory } from '../../../../language-server/src/model/memory';
import { walkStage1, walkStage2, memFetch } from '../../../../language-server/src/model/walk';
import type { Granule } from '../../../../language-server/src/model/types';
import { PREAD } from './helpers';

const G: Record<Granule, number> = { 4: 12, 16: 14, 64: 16 };
const shiftOf = (g: number, level: number) => g + (3 - level) * (g - 3);

function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
  /** Uniform bigint in [0, 2^bits). */
  return (bits: number): bigint => {
    let v = 0n;
    for (let i = 0; i < bits; i += 32) v = (v << 32n) | BigInt(next());
    return v & ((1n << BigInt(bits)) - 1n);
  };
}

/** Builds tables for one geometry; every table is allocated granule-aligned from a bump pointer. */
class Builder {
  private next = 0x1000_0000n;
  readonly ttb: bigint;
  readonly regions: { base: bigint; shift: number; oa: bigint; level: number }[] = [];
  constructor(readonly mem: PhysicalMemory, readonly g: number, readonly ia: number, readonly start: number) {
    const rootBytes = 8n << BigInt(ia - shiftOf(g, start));
    this.ttb = this.alloc(rootBytes > 1n << BigInt(g) ? rootBytes : 1n << BigInt(g));
  }
  private alloc(bytes: bigint): bigint {
    const a = this.next;
    this.next += bytes;
    return a;
  }
  /** Map the region of `level` containing `va` to `oa`; false if it overlaps an existing mapping. */
  map(va: bigint, oa: bigint, level: number, lowAttrs: bigint): boolean {
    let table = this.ttb;
    for (let l = this.start; ; l++) {
      const sh = shiftOf(this.g, l);
      const bitsHere = l === this.start ? this.ia - sh : this.g - 3;
      const idx = (va >> BigInt(sh)) & ((1n << BigInt(bitsHere)) - 1n);
      const at = table + idx * 8n;
      const d = this.mem.read64(at);
      if (l === level) {
        if (d !== 0n) return false;
        const oaField = (oa & ((1n << 48n) - 1n)) | ((oa >> 48n) << 12n); // 64K LPA: OA[51:48] in [15:12]
        this.mem.write64(at, oaField | lowAttrs | (level === 3 ? 3n : 1n));
        this.regions.push({ base: (va >> BigInt(sh)) << BigInt(sh), shift: sh, oa, level });
        return true;
      }
      if (d === 0n) {
        const t = this.alloc(1n << BigInt(this.g));
        this.mem.write64(at, t | 3n);
        table = t;
      } else if ((d & 3n) === 3n) {
        table = d & ((1n << 48n) - 1n) & ~((1n << BigInt(this.g)) - 1n);
      } else {
        return false; // a block on the way
      }
    }
  }
  find(a: bigint) {
    return this.regions.find((r) => a >= r.base && a - r.base < 1n << BigInt(r.shift));
  }
}

interface Case { granule: Granule; ia: number; oa: number; lpa?: boolean }
const CASES: Case[] = [
  { granule: 4, ia: 25, oa: 48 }, { granule: 4, ia: 32, oa: 40 }, { granule: 4, ia: 39, oa: 48 }, { granule: 4, ia: 42, oa: 44 },
  { granule: 4, ia: 48, oa: 48 },
  { granule: 16, ia: 25, oa: 48 }, { granule: 16, ia: 36, oa: 42 }, { granule: 16, ia: 40, oa: 48 }, { granule: 16, ia: 47, oa: 48 },
  { granule: 16, ia: 48, oa: 48 },
  { granule: 64, ia: 25, oa: 48 }, { granule: 64, ia: 30, oa: 36 }, { granule: 64, ia: 42, oa: 48 }, { granule: 64, ia: 48, oa: 48 },
  { granule: 64, ia: 52, oa: 52, lpa: true },
];

/** Block levels the spec allows (DDI 0487 D8.3.1) plus level 3 pages. */
function leafLevels(c: Case, start: number): number[] {
  const lv = [3, 2];
  if (c.granule === 4 || (c.granule === 64 && c.lpa)) lv.push(1);
  return lv.filter((l) => l >= start);
}

for (const stage of [1, 2] as const) {
  for (const c of CASES) {
    const g = G[c.granule];
    const levelsNeeded = Math.ceil((c.ia - g) / (g - 3));
    let start = 4 - levelsNeeded;
    // Stage 2: use concatenated tables one level down when at most 16 tables are needed (IHI 0070 STE.S2SL0).
    if (stage === 2 && start < 3 && c.ia - shiftOf(g, start + 1) <= g - 3 + 4) start += 1;
    const sl0 = c.granule === 4 ? 2 - start : 3 - start;
    if (stage === 2 && (sl0 < 0 || sl0 > 2)) continue; // no encoding for this start level
    test(`matrix: stage ${stage}, ${c.granule}K granule, ${c.ia}-bit input, start level ${start}`, () => {
      const mem = new PhysicalMemory();
      const b = new Builder(mem, g, c.ia, start);
      const rand = rng(c.ia * 131 + c.granule * 7 + stage);
      const attrs = stage === 1 ? 0x400n | 0x40n : 0x400n | 0xc0n | 0x3cn; // AF + AP RW / S2AP RW + Normal
      const levels = leafLevels(c, start);
      let mapped = 0;
      for (let i = 0; i < 60 && mapped < 24; i++) {
        const level = levels[i % levels.length];
        const sh = shiftOf(g, level);
        if (sh >= c.ia) continue;
        const va = (rand(c.ia) >> BigInt(sh)) << BigInt(sh);
        const oa = (rand(c.oa) >> BigInt(sh)) << BigInt(sh);
        if (b.map(va, oa, level, attrs)) mapped++;
      }
      assert.ok(mapped >= 8, `mapped ${mapped}`);
      const fetch = memFetch(mem);
      const tsz = 64 - c.ia;
      const run = (a: bigint) =>
        stage === 1
          ? walkStage1({ tt0: { ttb: b.ttb, tsz, granule: c.granule }, ips: c.oa, lpa: c.lpa, va52: c.lpa, stt: true }, a, PREAD, fetch)
          : walkStage2({ ttb: b.ttb, tsz, sl0, granule: c.granule, ps: c.oa, lpa: c.lpa, va52: c.lpa, stt: true }, a, PREAD, fetch);
      for (const r of b.regions) {
        const off = rand(r.shift);
        const out = run(r.base + off);
        assert.ok(out.ok, `mapping at ${r.base.toString(16)} level ${r.level}: ${out.ok ? '' : out.fault?.reason ?? out.configError?.issues[0].message}`);
        assert.equal(out.result.outputAddr, r.oa + off);
        assert.equal(out.result.level, r.level);
        assert.equal(out.result.blockShift, r.shift);
      }
      for (let i = 0; i < 40; i++) {
        const a = rand(c.ia);
        if (b.find(a)) continue;
        const out = run(a);
        assert.ok(!out.ok && out.fault?.kind === 'F_TRANSLATION', `unmapped ${a.toString(16)} must fault`);
      }
    });
  }
}
