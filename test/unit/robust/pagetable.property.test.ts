// Property: mappings written by the engine's page-table layout read back through the model's walks.
// For every granule, stage, input size and legal start level: every mapped byte translates to its
// PA with the mapping's permissions; every unmapped byte faults with F_TRANSLATION at the level
// whose descriptor is invalid (DDI 0487 D8.3: an invalid descriptor at level L -> translation fault
// at level L). The expected level is worked out from the mappings alone: the descriptor for an
// address at level L is valid iff some mapping intersects the region that entry covers (the layout
// makes tables only where a mapping needs them).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Allocator } from '../../../language-server/src/model/layout/alloc';
import { PageTableLayout } from '../../../language-server/src/model/layout/pagetable';
import { makeCodec, type LeafAttrs } from '../../../language-server/src/engine/compile/layout/descriptors';
import { PhysicalMemory } from '../../../language-server/src/model/memory';
import { walkStage1, walkStage2, memFetch, checkS2Config, s2StartLevel } from '../../../language-server/src/model/walk';
import type { Granule, Stage } from '../../../language-server/src/model/types';
import { summary } from '../../fuzz/lib';
import { recordFuzz } from '../../fuzz/tally';

const SEED = Number(process.env.FUZZ_SEED ?? 42);
const RUNS = Number(process.env.FUZZ_PROPERTY_RUNS ?? 12);
const RW: LeafAttrs = { r: true, w: true, x: false, user: true, attrIndx: 0, memAttr: 15, sh: 3, nG: true, af: true, dbm: false, contiguous: false, extra: {} };
const READ = { read: true, exec: false, priv: false };
const WRITE = { read: false, exec: false, priv: false };

/** Page shift per granule and the input bits a level's entry covers (DDI 0487 D8.2). */
const PAGE_SHIFT: Record<Granule, number> = { 4: 12, 16: 14, 64: 16 };
const entryShift = (g: Granule, level: number) => PAGE_SHIFT[g] + (3 - level) * (PAGE_SHIFT[g] - 3);

interface Combo { stage: Stage; granule: Granule; inputSize: number; startLevel: number; sl0?: number }

/** Stage 1: the start level follows from the input size (DDI 0487 D8.2: the first level resolving bits). */
function s1Start(g: Granule, ia: number): number {
  for (let l = 0; l <= 3; l++) if (ia > entryShift(g, l) && ia <= entryShift(g, l) + (PAGE_SHIFT[g] - 3)) return l;
  throw new Error(`no start level for ${ia} bits`);
}

function combos(): Combo[] {
  const out: Combo[] = [];
  for (const granule of [4, 16, 64] as Granule[]) {
    for (let ia = 25; ia <= 48; ia++) {
      out.push({ stage: 1, granule, inputSize: ia, startLevel: s1Start(granule, ia) });
      for (let sl0 = 0; sl0 <= 2; sl0++) {
        const sl = s2StartLevel(granule, sl0);
        if (sl === undefined) continue;
        if (checkS2Config({ ttb: 0n, tsz: 64 - ia, sl0, granule, ps: 48 }).length) continue;
        out.push({ stage: 2, granule, inputSize: ia, startLevel: sl, sl0 });
      }
    }
  }
  return out;
}

interface M { iova: bigint; size: bigint; pa: bigint }

function walk(c: Combo, mem: PhysicalMemory, root: bigint, addr: bigint, access: typeof READ) {
  return c.stage === 1
    ? walkStage1({ tt0: { ttb: root, tsz: 64 - c.inputSize, granule: c.granule }, ips: 48, tt1: { ttb: 0n, tsz: 64 - c.inputSize, granule: c.granule, epd: true } }, addr, access, memFetch(mem))
    : walkStage2({ ttb: root, tsz: 64 - c.inputSize, sl0: c.sl0!, granule: c.granule, ps: 48 }, addr, access, memFetch(mem));
}

function expectedFaultLevel(c: Combo, maps: M[], addr: bigint): number {
  for (let l = c.startLevel; l <= 3; l++) {
    const sh = BigInt(entryShift(c.granule, l));
    const lo = (addr >> sh) << sh;
    const hi = lo + (1n << sh);
    if (!maps.some((m) => m.iova < hi && m.iova + m.size > lo)) return l;
  }
  throw new Error('address is mapped');
}

test('property: engine page-table layout read back through the model walks (all granules, stages, sizes, start levels)', { timeout: 100_000 }, () => {
  const all = combos();
  assert.ok(all.length > 100, `${all.length} configurations`);
  let inputs = 0;
  let probes = 0;
  for (const c of all) {
    const pg = PAGE_SHIFT[c.granule];
    const top = 1n << BigInt(c.inputSize);
    // A mapping: a size of 1-3 pages or one level-2 block, at an aligned IOVA and PA.
    const mapping = fc.record({
      slot: fc.bigInt({ min: 0n, max: (top >> BigInt(pg)) - 1n }),
      pages: fc.integer({ min: 1, max: 3 }),
      block: fc.boolean(),
      paPage: fc.bigInt({ min: 0x1000n, max: (1n << 27n) - 1n }),
    });
    fc.assert(fc.property(fc.array(mapping, { minLength: 1, maxLength: 4 }), fc.array(fc.bigInt({ min: 0n, max: top - 1n }), { maxLength: 8 }), (ms, randomAddrs) => {
      inputs++;
      const mem = new PhysicalMemory();
      const alloc = new Allocator(0x1_0000_0000n);
      const layout = new PageTableLayout({ stage: c.stage, granule: c.granule, inputSize: c.inputSize, startLevel: c.startLevel, outputSize: 48 }, makeCodec(c.stage, c.granule, RW), alloc);
      const maps: M[] = [];
      for (const m of ms) {
        const bsh = BigInt(m.block && entryShift(c.granule, 2) < c.inputSize ? entryShift(c.granule, 2) : pg);
        const size = bsh === BigInt(pg) ? BigInt(m.pages) << bsh : 1n << bsh;
        const iova = ((m.slot << BigInt(pg)) >> bsh) << bsh;
        if (iova + size > top) continue;
        const pa = ((m.paPage << BigInt(pg)) >> bsh) << bsh;
        const r = layout.map(iova, size, pa);
        if (!r.ok) {
          // Only an overlap with an earlier mapping may be refused.
          assert.ok(maps.some((x) => x.iova < iova + size && x.iova + x.size > iova), r.message);
          continue;
        }
        for (const w of r.writes) mem.write64(w.addr, w.value);
        maps.push({ iova, size, pa });
      }
      const addrs = [...randomAddrs];
      for (const m of maps) addrs.push(m.iova, m.iova + m.size - 1n, m.iova + m.size, m.iova - 1n, m.iova + m.size / 2n);
      for (const a of addrs) {
        if (a < 0n || a >= top) continue;
        probes++;
        const m = maps.find((x) => a >= x.iova && a < x.iova + x.size);
        for (const access of [READ, WRITE]) {
          const out = walk(c, mem, layout.root, a, access);
          if (m) {
            assert.ok(out.ok, `${JSON.stringify(c)} ${a.toString(16)}: ${JSON.stringify(out.ok ? '' : out.fault ?? out.configError, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v))}`);
            assert.equal(out.result.outputAddr, m.pa + (a - m.iova));
            assert.ok(c.stage === 1 ? out.result.perms.ur && out.result.perms.uw : out.result.perms.pr && out.result.perms.pw);
          } else {
            assert.ok(!out.ok && out.fault, `${JSON.stringify(c)} ${a.toString(16)} should fault`);
            assert.equal(out.fault.kind, 'F_TRANSLATION');
            assert.equal(out.fault.level, expectedFaultLevel(c, maps, a), `${JSON.stringify(c)} ${a.toString(16)}`);
          }
        }
      }
      return true;
    }), { seed: SEED + c.inputSize * 7 + c.granule + c.startLevel * 100 + c.stage * 1000, numRuns: RUNS });
  }
  console.log(summary(`page-table property (${all.length} configurations, ${probes} probes)`, inputs, 0, SEED));
  recordFuzz('page-table property', inputs);
});
