// A generated scenario for the incremental-run tests: declarations at the top, then `n` DMAs each
// followed by `expect pa`; with `standalone`, every tenth DMA is followed by two writes and a
// standalone `expect pa` that reads it across them (failing until its address ends in 9).
export function dmaPairs(n: number, standalone = false): string {
  const out = ['smmu smmu0 { stages s1; oas 48 }', 'pagetable pt s1 4K {'];
  for (let i = 0; i < 16; i++) out.push(`  map 0x${(0x1000_0000 + i * 0x1000).toString(16)} +4K -> 0x${(0x8000_0000 + i * 0x1000).toString(16)} rw`);
  out.push('}', 'cd c0 { pagetable pt; asid 5 }', 'ste smmu0 0x100 { cd c0 }');
  for (let i = 0; i < n; i++) {
    const p = i % 16;
    out.push(`dma read sid 0x100 iova 0x${(0x1000_0040 + p * 0x1000).toString(16)}`, `expect pa 0x${(0x8000_0040 + p * 0x1000).toString(16)}`);
    if (standalone && i % 10 === 9) out.push('write64 0x90000000 0x1', `write64 0x90000008 0x${i.toString(16)}`, `expect pa 0x${(0x8000_0049 + p * 0x1000).toString(16)}`);
  }
  return out.join('\n') + '\n';
}
