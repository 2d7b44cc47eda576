// "Show walk" code lenses per transaction follow iommuLens.codeLens.* (off above a size); the
// "Run scenario" and "Debug" lenses at the top stay.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LspClient } from './helper';

const text = (n: number) => `smmu smmu0
pagetable pt s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw }
cd c { pagetable pt; asid 5 }
ste smmu0 0x10 { cd c }
${'dma read sid 0x10 iova 0x1000_0000\n'.repeat(n)}`;

async function lenses(settings: Record<string, unknown>, n: number): Promise<{ top: number; walks: number }> {
  const c = await LspClient.start({ settings });
  try {
    // Let the settings pull (sent after `initialized`) land before opening.
    await c.request('textDocument/documentSymbol', { textDocument: { uri: c.uri('none.smmu') } });
    const { uri } = await c.openAndWait(`l${n}.smmu`, text(n));
    const ls = await c.request<Array<{ range: { start: { line: number } }; command: { command: string } }>>('textDocument/codeLens', { textDocument: { uri } });
    return {
      top: ls.filter((l) => l.range.start.line === 0 && (l.command.command === 'iommuLens.runScenario' || l.command.command === 'iommuLens.debugScenario')).length,
      walks: ls.filter((l) => l.command.command === 'iommuLens.showWalk').length,
    };
  } finally {
    await c.stop();
  }
}

test('auto (the default): per-transaction lenses up to maxTransactions, none above; the scenario lenses always', async () => {
  assert.deepEqual(await lenses({}, 3), { top: 2, walks: 3 });
  assert.deepEqual(await lenses({}, 150), { top: 2, walks: 0 });
  assert.deepEqual(await lenses({ codeLens: { maxTransactions: 2 } }, 3), { top: 2, walks: 0 });
});

test('on and off override the size', async () => {
  assert.deepEqual(await lenses({ codeLens: { perTransaction: 'on' } }, 150), { top: 2, walks: 150 });
  assert.deepEqual(await lenses({ codeLens: { perTransaction: 'off' } }, 3), { top: 2, walks: 0 });
});
