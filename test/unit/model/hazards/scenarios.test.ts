// Hazard analysis through the engine: each case is a scenario that states the hazards a conforming
// SMMU allows with `expect hazard H_...` (on a transaction: that step; on a line of its own: the
// statement before it) and `expect no hazard`, worked out from the spec rules cited per case. Cases
// come in pairs: the buggy sequence, and the same sequence done right (no hazard). Besides every
// expectation passing, the hazards reported must be exactly the ones the scenario expects.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFix, codes, expected, run, testCases, type Case } from './cases';

const S1 = `smmu smmu0
pagetable pt s1 4K { map 0x1000_0000 +8K -> 0x8000_0000 rw }
cd c { pagetable pt; asid 5 }
ste smmu0 0x10 { cd c }
dma smmu0 read sid 0x10 iova 0x1000_0000
`; // lines 1-5; the next line is 6

const cases: Case[] = [
  // IHI 0070 §3.17/§4.4: after the PTE is cleared the TLB may keep the translation until TLBI + SYNC.
  { name: 'unmap without TLBI: stale TLB at the next DMA',
    text: S1 + 'unmap pt 0x1000_0000 +4K\ndma smmu0 read sid 0x10 iova 0x1000_0000 expect hazard H_STALE_TLB\n' },
  { name: "Linux's unmap path (clear PTE, TLBI_NH_VA leaf, SYNC): the DMA faults, no hazard",
    text: S1 + 'unmap pt 0x1000_0000 +4K\ncmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_0000 leaf\ncmd smmu0 CMD_SYNC\n' +
      'dma smmu0 read sid 0x10 iova 0x1000_0000 expect fault F_TRANSLATION\nexpect no hazard\n' },
  // §4.7.3: a TLBI is only known complete after a later CMD_SYNC.
  { name: 'TLBI without CMD_SYNC before the DMA',
    text: S1 + 'unmap pt 0x1000_0000 +4K\ncmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_0000 leaf\n' +
      'dma smmu0 read sid 0x10 iova 0x1000_0000 expect hazard H_TLBI_NO_SYNC\n' },
  { name: 'TLBI without CMD_SYNC, then the freed page is reused',
    text: S1 + 'unmap pt 0x1000_0000 +4K\ncmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_0000 leaf\nwrite64 0x8000_0000 0x1234\nexpect hazard H_TLBI_NO_SYNC\n' },
  { name: 'TLBI + CMD_SYNC, then the freed page is reused: no hazard',
    text: S1 + 'unmap pt 0x1000_0000 +4K\ncmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_0000 leaf\ncmd smmu0 CMD_SYNC\nwrite64 0x8000_0000 0x1234\nexpect no hazard\n' },
  // Unmapping both pages frees the level-3 table (its level-2 descriptor is cleared); the next map
  // reuses that page for a new table while the TLBI is still not synced.
  { name: 'freed page-table page reused before the CMD_SYNC',
    text: S1 + 'unmap pt 0x1000_0000 +8K\ncmd smmu0 CMD_TLBI_NH_ASID asid 5\nmap pt 0x2000_0000 +4K -> 0x9000_0000 rw\nexpect hazard H_TLBI_NO_SYNC\n' +
      'cmd smmu0 CMD_SYNC\n' },
  { name: 'freed page-table page reused after the CMD_SYNC: no hazard',
    text: S1 + 'unmap pt 0x1000_0000 +8K\ncmd smmu0 CMD_TLBI_NH_ASID asid 5\ncmd smmu0 CMD_SYNC\nmap pt 0x2000_0000 +4K -> 0x9000_0000 rw\nexpect no hazard\n' },
  // The invalidation must come after the change: an SMMU may refetch the old entry in between.
  { name: 'TLBI + SYNC issued before the PTE is cleared',
    text: S1 + 'cmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_0000 leaf\nunmap pt 0x1000_0000 +4K\ncmd smmu0 CMD_SYNC\n' +
      'dma smmu0 read sid 0x10 iova 0x1000_0000 expect hazard H_STALE_TLB\n' },
  // A TLBI for another address does not cover the entry.
  { name: 'TLBI of the wrong page',
    text: S1 + 'unmap pt 0x1000_0000 +4K\ncmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_1000 leaf\ncmd smmu0 CMD_SYNC\n' +
      'dma smmu0 read sid 0x10 iova 0x1000_0000 expect hazard H_STALE_TLB\n' },
  { name: 'TLBI with the wrong ASID',
    text: S1 + 'unmap pt 0x1000_0000 +4K\ncmd smmu0 CMD_TLBI_NH_VA asid 6 addr 0x1000_0000 leaf\ncmd smmu0 CMD_SYNC\n' +
      'dma smmu0 read sid 0x10 iova 0x1000_0000 expect hazard H_STALE_TLB\n' },
  // IHI 0070 §4.4.1 range invalidation: (NUM+1) * 2^SCALE granules from Address: NUM 1 SCALE 0 = 2 pages.
  { name: 'single-page TLBI does not cover the second unmapped page',
    text: S1 + 'dma smmu0 read sid 0x10 iova 0x1000_1000\nunmap pt 0x1000_0000 +8K\ncmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_0000 leaf\ncmd smmu0 CMD_SYNC\n' +
      'dma smmu0 read sid 0x10 iova 0x1000_1000 expect hazard H_STALE_TLB\n' },
  { name: 'range TLBI (TG 4K, NUM 1, SCALE 0: two pages) covers both',
    text: S1 + 'dma smmu0 read sid 0x10 iova 0x1000_1000\nunmap pt 0x1000_0000 +8K\ncmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_0000 tg 1 num 1 scale 0 leaf\n' +
      'cmd smmu0 CMD_SYNC\ndma smmu0 read sid 0x10 iova 0x1000_1000 expect fault\nexpect no hazard\n' },
  { name: 'CMD_TLBI_NH_ALL + SYNC covers everything',
    text: S1 + 'unmap pt 0x1000_0000 +8K\ncmd smmu0 CMD_TLBI_NH_ALL\ncmd smmu0 CMD_SYNC\ndma smmu0 read sid 0x10 iova 0x1000_0000 expect fault\nexpect no hazard\n' },
  { name: 'CMD_TLBI_NSNH_ALL + SYNC covers everything',
    text: S1 + 'unmap pt 0x1000_0000 +8K\ncmd smmu0 CMD_TLBI_NSNH_ALL\ncmd smmu0 CMD_SYNC\ndma smmu0 read sid 0x10 iova 0x1000_0000 expect fault\nexpect no hazard\n' },
  // A Leaf TLBI only invalidates last-level entries: a changed table descriptor may stay in a walk cache.
  { name: 'table descriptor cleared, TLBI with Leaf: walk cache may keep the old table',
    text: S1 + 'pte pt 0x1000_0000 level 2 0x0\ncmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_0000 leaf\ncmd smmu0 CMD_SYNC\n' +
      'dma smmu0 read sid 0x10 iova 0x1000_0000 expect hazard H_STALE_TLB\n' },
  { name: 'table descriptor cleared, TLBI without Leaf: no hazard',
    text: S1 + 'pte pt 0x1000_0000 level 2 0x0\ncmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_0000\ncmd smmu0 CMD_SYNC\n' +
      'dma smmu0 read sid 0x10 iova 0x1000_0000 expect fault\nexpect no hazard\n' },
  // The hazard is about what the SMMU *may* hold: a TLB of one entry has evicted it, still reported.
  { name: 'stale TLB reported although the model TLB (capacity 1) evicted the entry',
    text: S1.replace('smmu smmu0', 'smmu smmu0 { tlb 1 fifo }') + 'dma smmu0 read sid 0x10 iova 0x1000_1000\nunmap pt 0x1000_0000 +4K\n' +
      'dma smmu0 read sid 0x10 iova 0x1000_0000 expect fault F_TRANSLATION expect hazard H_STALE_TLB\n' },
  { name: 'capacity 1, with TLBI + SYNC: no hazard',
    text: S1.replace('smmu smmu0', 'smmu smmu0 { tlb 1 fifo }') + 'dma smmu0 read sid 0x10 iova 0x1000_1000\nunmap pt 0x1000_0000 +4K\ncmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_0000 leaf\ncmd smmu0 CMD_SYNC\n' +
      'dma smmu0 read sid 0x10 iova 0x1000_0000 expect fault F_TRANSLATION\nexpect no hazard\n' },
  // While a stale translation is outstanding, a fresh walk of the same page is possibly cached too:
  // once the stale one is invalidated, a later change of the new mapping is a hazard of its own.
  { name: 'a remapped page walked while the old one was stale is tracked as well',
    text: S1.replace('smmu smmu0', 'smmu smmu0 { tlb 1 fifo }') + 'unmap pt 0x1000_0000 +4K\nmap pt 0x1000_0000 +4K -> 0x9000_0000 rw\nexpect hazard H_BBM\ndma smmu0 read sid 0x10 iova 0x1000_1000\n' +
      'dma smmu0 read sid 0x10 iova 0x1000_0000 expect pa 0x9000_0000 expect hazard H_STALE_TLB\ncmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_0000 leaf\n' +
      'cmd smmu0 CMD_SYNC\ndma smmu0 read sid 0x10 iova 0x1000_0000 expect pa 0x9000_0000 expect no hazard\nunmap pt 0x1000_0000 +4K\n' +
      'dma smmu0 read sid 0x10 iova 0x1000_0000 expect hazard H_STALE_TLB\n' },
  // DDI 0487 D8.16.1 break-before-make: valid -> valid with other memory attributes.
  { name: 'valid entry rewritten with another AttrIndx: H_BBM at the write (and stale TLB later)',
    text: S1 + 'pte pt 0x1000_0000 attrindx 1\nexpect hazard H_BBM\ndma smmu0 read sid 0x10 iova 0x1000_0000 expect hazard H_STALE_TLB\n' },
  { name: 'break without the invalidation: invalid, then the new entry before TLBI + SYNC',
    text: S1 + 'unmap pt 0x1000_0000 +4K\nmap pt 0x1000_0000 +4K -> 0x9000_0000 rw\nexpect hazard H_BBM\ncmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_0000 leaf\n' +
      'dma smmu0 read sid 0x10 iova 0x1000_0000 expect hazard H_TLBI_NO_SYNC\n' },
  { name: 'break-before-make done right: invalid, TLBI, SYNC, new entry',
    text: S1 + 'unmap pt 0x1000_0000 +4K\ncmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_0000 leaf\ncmd smmu0 CMD_SYNC\nmap pt 0x1000_0000 +4K -> 0x9000_0000 rw\n' +
      'dma smmu0 read sid 0x10 iova 0x1000_0000 expect pa 0x9000_0000\nexpect no hazard\n' },
  // IHI 0070 §3.17: invalid entries are not cached; a caching-mode vIOMMU still needs the TLBI (information).
  { name: 'map over an entry a walk saw invalid, no TLBI: information only',
    text: S1 + 'dma smmu0 read sid 0x10 iova 0x1000_2000 expect fault F_TRANSLATION\nmap pt 0x1000_2000 +4K -> 0x9000_0000 rw\n' +
      'dma smmu0 read sid 0x10 iova 0x1000_2000 expect pa 0x9000_0000 expect no hazard expect hazard H_CM_INVALID_TO_VALID\n' },
  { name: 'map, TLBI, SYNC: nothing for a caching-mode vIOMMU either',
    text: S1 + 'dma smmu0 read sid 0x10 iova 0x1000_2000 expect fault F_TRANSLATION\nmap pt 0x1000_2000 +4K -> 0x9000_0000 rw\n' +
      'cmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_2000 leaf\ncmd smmu0 CMD_SYNC\ndma smmu0 read sid 0x10 iova 0x1000_2000 expect pa 0x9000_0000\n' +
      'expect no hazard\n' },
  // IHI 0070 §3.21.1: STE updates need CMD_CFGI_STE + CMD_SYNC.
  { name: 'STE repointed without CMD_CFGI_STE',
    text: S1 + 'pagetable pt2 s1 4K { map 0x1000_0000 +4K -> 0x9000_0000 rw }\ncd c2 { pagetable pt2; asid 6 }\nste smmu0 0x10 { cd c2 }\n' +
      'dma smmu0 read sid 0x10 iova 0x1000_0000 expect hazard H_STALE_STE\n' },
  { name: 'STE repointed, CFGI_STE + SYNC (Linux sequence)',
    text: S1 + 'pagetable pt2 s1 4K { map 0x1000_0000 +4K -> 0x9000_0000 rw }\ncd c2 { pagetable pt2; asid 6 }\nste smmu0 0x10 { cd c2 }\n' +
      'cmd smmu0 CMD_CFGI_STE sid 0x10 leaf\ncmd smmu0 CMD_SYNC\ndma smmu0 read sid 0x10 iova 0x1000_0000 expect pa 0x9000_0000\nexpect no hazard\n' },
  { name: 'STE repointed, CFGI_STE without SYNC',
    text: S1 + 'pagetable pt2 s1 4K { map 0x1000_0000 +4K -> 0x9000_0000 rw }\ncd c2 { pagetable pt2; asid 6 }\nste smmu0 0x10 { cd c2 }\n' +
      'cmd smmu0 CMD_CFGI_STE sid 0x10 leaf\ndma smmu0 read sid 0x10 iova 0x1000_0000 expect hazard H_TLBI_NO_SYNC\n' },
  { name: 'STE changed again after its CMD_CFGI_STE, before the SYNC',
    text: S1 + 'pagetable pt2 s1 4K { map 0x1000_0000 +4K -> 0x9000_0000 rw }\ncd c2 { pagetable pt2; asid 6 }\ncd c3 { pagetable pt2; asid 7 }\n' +
      'ste smmu0 0x10 { cd c2 }\ncmd smmu0 CMD_CFGI_STE sid 0x10 leaf\nste smmu0 0x10 { cd c3 }\ncmd smmu0 CMD_SYNC\n' +
      'dma smmu0 read sid 0x10 iova 0x1000_0000 expect hazard H_STALE_STE\n' },
  { name: 'STE rewritten with the same value: no hazard',
    text: S1 + 'ste smmu0 0x10 { cd c }\ndma smmu0 read sid 0x10 iova 0x1000_0000\nexpect no hazard\n' },
  // CD.ASID is a used field (IHI 0070 §5.4): changing it needs CMD_CFGI_CD + SYNC.
  { name: 'CD.ASID changed in memory without CMD_CFGI_CD',
    text: S1.replace('cd c {', 'cd c at 0x5000_0000 {') + 'write16 0x5000_0006 0x7\ndma smmu0 read sid 0x10 iova 0x1000_0000 expect hazard H_STALE_CD\n' },
  { name: 'CD.ASID changed, CFGI_CD + SYNC',
    text: S1.replace('cd c {', 'cd c at 0x5000_0000 {') + 'write16 0x5000_0006 0x7\ncmd smmu0 CMD_CFGI_CD sid 0x10 ssid 0\ncmd smmu0 CMD_SYNC\ndma smmu0 read sid 0x10 iova 0x1000_0000\nexpect no hazard\n' },
  // ASID/VMID tag the TLB (IHI 0070 §3.17).
  { name: 'one ASID for two different stage-1 tables on one SMMU',
    text: S1 + 'pagetable pt2 s1 4K { map 0x1000_0000 +4K -> 0x9000_0000 rw }\ncd c2 { pagetable pt2; asid 5 }\nste smmu0 0x11 { cd c2 }\n' +
      'dma smmu0 read sid 0x11 iova 0x1000_0000 expect hazard H_ASID_REUSE\n' },
  { name: 'distinct ASIDs: no hazard',
    text: S1 + 'pagetable pt2 s1 4K { map 0x1000_0000 +4K -> 0x9000_0000 rw }\ncd c2 { pagetable pt2; asid 6 }\nste smmu0 0x11 { cd c2 }\n' +
      'dma smmu0 read sid 0x11 iova 0x1000_0000\nexpect no hazard\n' },
  { name: 'ASID reused after CMD_TLBI_NH_ASID + SYNC: no hazard',
    text: S1 + 'pagetable pt2 s1 4K { map 0x1000_0000 +4K -> 0x9000_0000 rw }\ncd c2 { pagetable pt2; asid 5 }\nste smmu0 0x11 { cd c2 }\n' +
      'cmd smmu0 CMD_TLBI_NH_ASID asid 5\ncmd smmu0 CMD_SYNC\ndma smmu0 read sid 0x11 iova 0x1000_0000\nexpect no hazard\n' },
  { name: 'ASID reused after CMD_TLBI_NH_ALL + SYNC (every ASID of the VMID): no hazard',
    text: S1 + 'pagetable pt2 s1 4K { map 0x1000_0000 +4K -> 0x9000_0000 rw }\ncd c2 { pagetable pt2; asid 5 }\nste smmu0 0x11 { cd c2 }\n' +
      'cmd smmu0 CMD_TLBI_NH_ALL\ncmd smmu0 CMD_SYNC\ndma smmu0 read sid 0x11 iova 0x1000_0000\nexpect no hazard\n' },
  { name: 'ASID reused after a CMD_TLBI_NH_VA + SYNC only (one address, not the ASID): H_ASID_REUSE',
    text: S1 + 'pagetable pt2 s1 4K { map 0x1000_0000 +4K -> 0x9000_0000 rw }\ncd c2 { pagetable pt2; asid 5 }\nste smmu0 0x11 { cd c2 }\n' +
      'cmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_0000\ncmd smmu0 CMD_SYNC\ndma smmu0 read sid 0x11 iova 0x1000_0000 expect hazard H_ASID_REUSE\n' },
  { name: 'ASID reused after CMD_TLBI_NH_ASID of another ASID + SYNC: H_ASID_REUSE',
    text: S1 + 'pagetable pt2 s1 4K { map 0x1000_0000 +4K -> 0x9000_0000 rw }\ncd c2 { pagetable pt2; asid 5 }\nste smmu0 0x11 { cd c2 }\n' +
      'cmd smmu0 CMD_TLBI_NH_ASID asid 6\ncmd smmu0 CMD_SYNC\ndma smmu0 read sid 0x11 iova 0x1000_0000 expect hazard H_ASID_REUSE\n' },
];

const S2PAIR = `smmu smmu0
pagetable a s2 4K { map 0x8000_0000 +4K -> 0x2_0000_0000 rw }
pagetable b s2 4K { map 0x8000_0000 +4K -> 0x3_0000_0000 rw }
ste smmu0 0x1 { s2 a; vmid 9 }
`;
cases.push(
  { name: 'one VMID for two stage-2 tables on one SMMU',
    text: S2PAIR + 'ste smmu0 0x2 { s2 b; vmid 9 }\ndma smmu0 read sid 0x1 iova 0x8000_0000\ndma smmu0 read sid 0x2 iova 0x8000_0000 expect hazard H_VMID_REUSE\n' },
  { name: 'VMID reused after CMD_TLBI_S12_VMALL + SYNC: no hazard',
    text: S2PAIR + 'ste smmu0 0x2 { s2 b; vmid 9 }\ndma smmu0 read sid 0x1 iova 0x8000_0000\ncmd smmu0 CMD_TLBI_S12_VMALL vmid 9\ncmd smmu0 CMD_SYNC\n' +
      'dma smmu0 read sid 0x2 iova 0x8000_0000\nexpect no hazard\n' },
  { name: 'VMID reused after a CMD_TLBI_S2_IPA + SYNC only (one IPA, not the VMID): H_VMID_REUSE',
    text: S2PAIR + 'ste smmu0 0x2 { s2 b; vmid 9 }\ndma smmu0 read sid 0x1 iova 0x8000_0000\ncmd smmu0 CMD_TLBI_S2_IPA vmid 9 addr 0x8000_0000\ncmd smmu0 CMD_SYNC\n' +
      'dma smmu0 read sid 0x2 iova 0x8000_0000 expect hazard H_VMID_REUSE\n' },
  { name: 'distinct VMIDs: no hazard',
    text: S2PAIR + 'ste smmu0 0x2 { s2 b; vmid 10 }\ndma smmu0 read sid 0x1 iova 0x8000_0000\ndma smmu0 read sid 0x2 iova 0x8000_0000\nexpect no hazard\n' },
);

// Two SMMUs share one stage-2 table: each instance's TLBI affects its own TLB only.
const SHARED = `smmu smmu0
smmu smmu1
pagetable vm s2 4K smmu smmu0 { map 0x8000_0000 +4K -> 0x2_0000_0000 rw }
ste smmu0 0x1 { s2 vm; vmid 9 }
ste smmu1 0x7 { s2 vm; vmid 9 }
dma smmu0 read sid 0x1 iova 0x8000_0000
dma smmu1 read sid 0x7 iova 0x8000_0000
unmap vm 0x8000_0000 +4K
cmd smmu0 CMD_TLBI_S2_IPA vmid 9 addr 0x8000_0000 leaf
cmd smmu0 CMD_SYNC
`; // next line 11
cases.push(
  { name: 'shared stage 2: invalidated on smmu0 only -> stale on smmu1',
    text: SHARED + 'dma smmu0 read sid 0x1 iova 0x8000_0000 expect fault\ndma smmu1 read sid 0x7 iova 0x8000_0000 expect hazard H_STALE_TLB\n' },
  { name: 'shared stage 2: invalidated on both: no hazard',
    text: SHARED + 'cmd smmu1 CMD_TLBI_S2_IPA vmid 9 addr 0x8000_0000 leaf\ncmd smmu1 CMD_SYNC\ndma smmu0 read sid 0x1 iova 0x8000_0000 expect fault\n' +
      'dma smmu1 read sid 0x7 iova 0x8000_0000 expect fault\nexpect no hazard\n' },
);

// ATS (IHI 0070 §3.9.1): a stream with STE.EATS may hold translations in the device's ATC.
const ATS = S1.replace("ste smmu0 0x10 { cd c }", 'ste smmu0 0x10 { cd c; eats 1 }') +
  'unmap pt 0x1000_0000 +4K\ncmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x1000_0000 leaf\ncmd smmu0 CMD_SYNC\n'; // next line 9
cases.push(
  { name: 'ATS stream: TLBI + SYNC but no CMD_ATC_INV',
    text: ATS + 'dma smmu0 read sid 0x10 iova 0x1000_1000 expect hazard H_ATC_STALE\n' },
  { name: 'ATS stream: TLBI, SYNC, ATC_INV, SYNC: no hazard',
    text: ATS + 'cmd smmu0 CMD_ATC_INV sid 0x10 addr 0x1000_0000 size 0\ncmd smmu0 CMD_SYNC\ndma smmu0 read sid 0x10 iova 0x1000_1000\nexpect no hazard\n' },
);

testCases('hazard', cases);

const first = cases[0].text;

test('H_STALE_TLB names the old and new outcome, the write, and the fixing commands', () => {
  const r = run(first);
  const d = r.diagnostics.find((x) => x.code === 'H_STALE_TLB')!;
  assert.match(d.message, /PA 0x80000000/); // old: VA 0x1000_0000 -> PA 0x8000_0000
  assert.match(d.message, /F_TRANSLATION/); // new: the page descriptor is invalid
  assert.match(d.message, /cmd smmu0 CMD_TLBI_NH_VA asid 5 addr 0x10000000 leaf`.*`cmd smmu0 CMD_SYNC`/);
  assert.match(d.message, /after line 6/);
  assert.equal(d.severity, 'warning');
  assert.ok(d.related?.some((x) => x.line === 6 && /changed the descriptor/.test(x.message)));
  const step = r.steps.find((s) => s.line === 7)!;
  assert.equal(step.hazards[0].code, 'H_STALE_TLB');
});

test('expect hazard / expect no hazard see the hazards', () => {
  const r = run(first + 'expect hazard H_STALE_TLB\n');
  assert.deepEqual(r.expectations, { passed: 2, failed: 0 });
  const ok = run(cases[1].text + 'expect no hazard\n');
  assert.deepEqual(ok.expectations, { passed: 3, failed: 0 });
  const bad = run(first + 'expect no hazard\n');
  assert.equal(bad.expectations.failed, 1);
});

test('a stale translation is reported at every transaction that may use it, up to the cap', () => {
  const text = S1 + 'unmap pt 0x1000_0000 +4K\n' + 'dma smmu0 read sid 0x10 iova 0x1000_0000 expect hazard H_STALE_TLB\n'.repeat(20) +
    'dma smmu0 read sid 0x10 iova 0x1000_0000 expect no hazard\n'.repeat(10);
  assert.deepEqual(run(text).expectations, { passed: 30, failed: 0 });
  assert.equal(codes(text).length, 20);
});

// The fix a hazard names is real scenario text: inserting its commands where it says removes it.
for (const c of cases.filter((x) => /^(H_STALE_TLB|H_STALE_STE|H_STALE_CD|H_TLBI_NO_SYNC|H_ATC_STALE)@\d+$/.test(expected(x.text).join(' ')))) {
  test(`the fix of "${c.name}" removes the hazard`, () => {
    const d = run(c.text).diagnostics.find((x) => x.code.startsWith('H_'))!;
    const fix = d.message.slice(d.message.indexOf('Fix: ') + 5);
    const fixed = applyFix(c.text, fix);
    assert.notEqual(fixed, c.text);
    assert.deepEqual(codes(fixed), [], fixed);
  });
}
