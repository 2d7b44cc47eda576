// Generator of the 20,000-DMA low-level scenario (issue 14): one STE and one CD written with
// write64 (as examples/quickstart.smmu), 2,000 4K pages mapped by level-3 descriptors written with
// write64, then 20,000 `dma` lines over them (about 890 KB). Every DMA translates (exit status 0).
// `node out/bench/dmaScenario.js FILE [PAGES] [DMAS]` writes it to FILE.
import * as fs from 'node:fs';

const hex = (n: number | bigint) => '0x' + n.toString(16);
const IOVA = 0x8000_0000;
const PA = 0x4800_0000;
// Level-2 table at 0x40101000, level-3 tables from 0x40102000 (one per 512 pages, consecutive).
const L2 = 0x4010_1000;
const L3 = 0x4010_2000;

export function lowLevelDmaScenario(pages = 2000, dmas = 20_000): string {
  const out: string[] = [
    '# generated: 20,000-DMA low-level scenario (bench/dmaScenario.ts)',
    '# STE[8]: V=1, Config=0b101 (stage 1), S1ContextPtr=0x40030000 (IHI 0070 §5.2)',
    'write64 0x40000200 0x4003000b',
    'write64 0x40000208 0xd4',
    '# CD: T0SZ=25, TG0=4K, IPS=48-bit, AA64=1, R=1, A=1, ASID=1, TTB0=0x40100000 (IHI 0070 §5.4)',
    'write64 0x40030000 0x00016205c0003519',
    'write64 0x40030008 0x40100000',
    'write64 0x40030018 0x44ff04',
    '# level 1 index 2 -> level-2 table',
    `write64 ${hex(0x4010_0010)} ${hex(L2 | 3)}`,
  ];
  const l3Tables = Math.ceil(pages / 512);
  for (let t = 0; t < l3Tables; t++) out.push(`write64 ${hex(L2 + t * 8)} ${hex((L3 + t * 0x1000) | 3)}`);
  // Level-3 page descriptors: AttrIndx=1, AP=0b01 (read-write), SH=inner, AF=1, nG=1 (0xf47).
  for (let j = 0; j < pages; j++) out.push(`write64 ${hex(L3 + j * 8)} ${hex((PA + j * 0x1000) | 0xf47)}`);
  out.push(
    'reg smmu0.SMMU_STRTAB_BASE 0x40000000',
    'reg smmu0.SMMU_STRTAB_BASE_CFG 0x6',
    'reg smmu0.SMMU_CMDQ_BASE 0x40010008',
    'reg smmu0.SMMU_EVENTQ_BASE 0x40020007',
    'reg smmu0.SMMU_CR0 0xd',
    '# CMD_CFGI_STE SID=8 Leaf=1, CMD_SYNC',
    'cmd smmu0 raw 0x800000003 0x1',
    'cmd smmu0 raw 0x46 0x0',
  );
  for (let k = 0; k < dmas; k++) {
    const page = (k * 7919) % pages;
    const off = (k * 8) % 0x1000;
    out.push(`dma smmu0 ${k % 3 === 0 ? 'write' : 'read'} sid 8 iova ${hex(IOVA + page * 0x1000 + off)} len ${k % 2 ? 4 : 8}`);
  }
  return out.join('\n') + '\n';
}

if (require.main === module) {
  const [file, pages, dmas] = process.argv.slice(2);
  if (!file) {
    console.error('usage: node out/bench/dmaScenario.js FILE [PAGES] [DMAS]');
    process.exit(2);
  }
  fs.writeFileSync(file, lowLevelDmaScenario(pages ? Number(pages) : undefined, dmas ? Number(dmas) : undefined));
}
