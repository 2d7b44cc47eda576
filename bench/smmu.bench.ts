// Benchmark of the SMMU transaction pipeline, called by the central bench runner.
// Scenario: one SMMU brought up like a driver does, one stage-1 stream with `mappings` 4K pages,
// then `transactions` DMAs cycling over the mapped pages (the first pass walks, the rest hit the TLB).
// Target: 100,000 mappings and 1,000,000 transactions in under 1 s and 500 MB.
import { Stopwatch } from './clock';
import { SmmuSystem } from '../language-server/src/model/smmu/system';
import type { Access } from '../language-server/src/model/types';

const RW: Access = { read: false, exec: false, priv: false };

export interface SmmuBenchResult {
  /** Translations per second (setup excluded). */
  perSecond: number;
  /** Wall time of the transactions, ms. */
  ms: number;
  /** CPU time of the transactions, ms. */
  cpuMs: number;
  /** Setup time (page tables, bring-up), ms. */
  setupMs: number;
  tlbHits: number;
  tlbMisses: number;
}

export function benchTranslations(transactions = 1_000_000, mappings = 100_000): SmmuBenchResult {
  const t0 = performance.now();
  const sys = new SmmuSystem();
  const m = sys.mem;
  const strtab = 0x8000_0000n, cd = 0x8001_0000n, cmdq = 0x8002_0000n, evq = 0x8003_0000n;
  const ttb = 0x9000_0000n;
  // STE sid 0: V, Config=0b101, S1ContextPtr (IHI 0070 §5.2).
  m.write64(strtab, cd | 0b1011n);
  // CD: T0SZ=16, TG0=4K, EPD1, V, IPS=48, AA64, R, A, ASID 1 (IHI 0070 §5.4); TTB0.
  m.write64(cd, 0x0001_6205_c000_0010n);
  m.write64(cd + 8n, ttb);
  // 4K tables: VA 0..mappings*4K -> PA 0x1_0000_0000 + VA. L0[0] -> L1, L1[i] -> L2 tables, L2[j] -> L3 tables.
  let next = ttb + 0x1000n;
  const alloc = () => { const a = next; next += 0x1000n; return a; };
  const l1 = alloc();
  m.write64(ttb, l1 | 3n);
  const l2s = new Map<number, bigint>();
  const l3s = new Map<number, bigint>();
  for (let p = 0; p < mappings; p++) {
    const va = BigInt(p) << 12n;
    const i1 = Number((va >> 30n) & 511n);
    const k2 = Number(va >> 21n);
    let l2 = l2s.get(i1);
    if (l2 === undefined) {
      l2 = alloc();
      l2s.set(i1, l2);
      m.write64(l1 + BigInt(i1) * 8n, l2 | 3n);
    }
    let l3 = l3s.get(k2);
    if (l3 === undefined) {
      l3 = alloc();
      l3s.set(k2, l3);
      m.write64(l2 + ((va >> 21n) & 511n) * 8n, l3 | 3n);
    }
    m.write64(l3 + ((va >> 12n) & 511n) * 8n, (0x1_0000_0000n + va) | 0xf43n); // nG, AF, SH, AP RW, page
  }
  const s = sys.getOrCreate('smmu0', { tlb: { capacity: mappings * 2, policy: 'unbounded' } });
  s.writeReg('STRTAB_BASE', strtab);
  s.writeReg('STRTAB_BASE_CFG', 4n);
  s.writeReg('CMDQ_BASE', cmdq | 6n);
  s.writeReg('EVENTQ_BASE', evq | 6n);
  s.writeReg('CR0', 0b1100n);
  s.submitCommand([0x4n, 0x1fn]);
  s.submitCommand([0x46n, 0n]);
  s.writeReg('CR0', 0b1101n);
  const iovas: bigint[] = new Array(mappings);
  for (let p = 0; p < mappings; p++) iovas[p] = (BigInt(p) << 12n) | 0x80n;
  const req = { sid: 0, iova: 0n, access: RW };
  const t1 = performance.now();
  const sw = new Stopwatch();
  let hits = 0;
  let misses = 0;
  for (let i = 0, p = 0; i < transactions; i++) {
    req.iova = iovas[p];
    if (++p === mappings) p = 0;
    const r = s.translate(req);
    if (r.outcome !== 'ok') throw new Error(`benchTranslations: ${r.outcome} at ${req.iova.toString(16)}: ${r.reason}`);
    if (r.tlb === 'hit') hits++;
    else misses++;
  }
  const t = sw.read();
  return { perSecond: (transactions * 1000) / t.wallMs, ms: t.wallMs, cpuMs: t.cpuMs, setupMs: t1 - t0, tlbHits: hits, tlbMisses: misses };
}
