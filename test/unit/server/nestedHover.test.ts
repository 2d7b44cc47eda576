// Hover on a nested DMA says which stage-2 walk translates the CD fetch and which the output IPA.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LspClient, positionOf } from './helper';

const SCENARIO = `smmu smmuA { stages s1 s2 nested; oas 48 }
pagetable vm_s2 s2 4K {
  map 0x4000_0000 +2M -> 0x1_0000_0000 rw
  map 0x8000_0000 +2M -> 0x2_0000_0000 rw
}
pagetable nic_s1 s1 4K {
  map 0x1000_0000 +4K -> 0x8000_0000 rw
}
cd nic_cd { pagetable nic_s1; asid 5 }
ste smmuA 0x10 { config nested; cd nic_cd; s2 vm_s2; vmid 1 }
dma smmuA read sid 0x10 iova 0x1000_0040 expect pa 0x2_0000_0040
`;

test('hover on a nested dma: the first stage-2 walk is the CD fetch, the last the output IPA', async () => {
  const c = await LspClient.start();
  try {
    const { uri } = await c.openAndWait('nested.smmu', SCENARIO);
    const pos = positionOf(SCENARIO, '0x1000_0040', 2);
    const h = await c.hover(uri, pos.line, pos.character);
    assert.ok(h);
    const v = h.contents.value;
    const cd = v.indexOf('CD fetch (the context descriptor pointer is an IPA): **Stage 2 walk**');
    const s1 = v.indexOf('**Stage 1 walk**');
    const outIpa = v.indexOf('Output IPA (the stage-1 result): **Stage 2 walk** of 0x80000040');
    assert.ok(cd >= 0 && s1 > cd && outIpa > s1, v);
  } finally {
    await c.stop();
  }
});
