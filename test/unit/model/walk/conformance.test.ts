// The public stage-1 conformance cases replayed on the walk alone: memory writes in order, and at each
// DMA a fresh stage-1 walk with the CD read from memory (every DMA is outside a hazard window, so no
// TLB is needed to agree with the recorded outcome).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PhysicalMemory } from '../../../../language-server/src/model/memory';
import { walkStage1, memFetch, ipsBits, tg0Granule, type S1WalkConfig } from '../../../../language-server/src/model/walk';
import { conformanceCases, memoryOps } from '../../../data/conformance';

const field = (v: bigint, hi: number, lo: number) => Number((v >> BigInt(lo)) & ((1n << BigInt(hi - lo + 1)) - 1n));

/** The CD fields the walk needs, at their IHI 0070 §5.4 positions (CD word 0 and TTB0 in word 1). */
function cdConfig(mem: PhysicalMemory): S1WalkConfig {
  const ste0 = mem.read64(0x4000_0200n);
  const cdAddr = ste0 & 0xf_ffff_ffff_ffc0n; // STE.S1ContextPtr [51:6]
  const w0 = mem.read64(cdAddr);
  const w1 = mem.read64(cdAddr + 8n);
  return {
    tt0: { ttb: w1 & 0xf_ffff_ffff_fff0n, tsz: field(w0, 5, 0), granule: tg0Granule(field(w0, 7, 6))!, epd: field(w0, 14, 14) === 1, tbi: field(w0, 38, 38) === 1 },
    tt1: { ttb: mem.read64(cdAddr + 16n) & 0xf_ffff_ffff_fff0n, tsz: field(w0, 21, 16), granule: 4, epd: field(w0, 30, 30) === 1, tbi: field(w0, 39, 39) === 1 },
    ips: ipsBits(field(w0, 34, 32))!,
    affd: field(w0, 35, 35) === 1,
    wxn: field(w0, 36, 36) === 1,
    hd: field(w0, 42, 42) === 1,
    ha: field(w0, 43, 43) === 1,
  };
}

for (const c of conformanceCases()) {
  const { name } = c;
  test(`conformance ${name}: every DMA outcome`, () => {
    const ops = memoryOps(c);
    const mem = new PhysicalMemory();
    let dmas = 0;
    for (const op of ops) {
      if (op[0] === 'w') {
        mem.write64(BigInt(op[1]), BigInt(op[2]));
        continue;
      }
      const [, kind, iova, expected] = op;
      const r = walkStage1(cdConfig(mem), BigInt(iova), { read: kind === 'read', exec: false, priv: false }, memFetch(mem));
      if (expected.startsWith('0x')) {
        assert.ok(r.ok, `${name} ${kind} ${iova}: ${r.ok ? '' : r.fault?.reason ?? r.configError?.issues[0].message}`);
        assert.equal(r.result.outputAddr, BigInt(expected));
      } else {
        assert.ok(!r.ok && r.fault, `${name} ${kind} ${iova} must fault with ${expected}`);
        assert.equal(r.fault.kind, expected);
      }
      dmas++;
    }
    assert.ok(dmas > 0);
  });
}
