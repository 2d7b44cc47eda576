// Runs the conformance cases (test/data/conformance) through the SMMU API with a tiny line interpreter
// (write64 / reg / cmd raw / dma) and compares with the recorded outcomes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SmmuSystem } from '../../../../language-server/src/model/smmu/system';
import { conformanceCases } from '../../../data/conformance';

function run(text: string): Array<{ outcome: string; pa?: string; event?: string }> {
  const sys = new SmmuSystem();
  const out: Array<{ outcome: string; pa?: string; event?: string }> = [];
  for (const line of text.split('\n')) {
    const t = line.trim().split(/\s+/);
    if (!t[0] || t[0].startsWith('#')) continue;
    switch (t[0]) {
      case 'write64':
        sys.mem.write64(BigInt(t[1]), BigInt(t[2]));
        break;
      case 'reg': {
        const dot = t[1].indexOf('.');
        sys.getOrCreate(t[1].slice(0, dot)).writeReg(t[1].slice(dot + 1), BigInt(t[2]));
        break;
      }
      case 'cmd': // cmd <smmu> raw <dw0> <dw1>
        assert.equal(t[2], 'raw');
        sys.getOrCreate(t[1]).submitCommand([BigInt(t[3]), BigInt(t[4])]);
        break;
      case 'dma': { // dma <smmu> read|write sid N iova A len L
        const kv = new Map<string, string>();
        for (let i = 3; i + 1 < t.length; i += 2) kv.set(t[i], t[i + 1]);
        const r = sys.getOrCreate(t[1]).translate({
          sid: BigInt(kv.get('sid')!), iova: BigInt(kv.get('iova')!), len: BigInt(kv.get('len') ?? '1'),
          access: { read: t[2] === 'read', exec: false, priv: false },
        });
        const recorded = r.events.find((e) => e.recorded);
        const outcome = r.outcome === 'bypass' ? 'ok' : r.outcome === 'aborted' ? 'fault' : r.outcome;
        out.push({
          outcome,
          pa: r.pa !== undefined && outcome === 'ok' ? '0x' + r.pa.toString(16) : undefined,
          event: outcome === 'fault' ? recorded?.type ?? 'ABORT' : undefined,
        });
        break;
      }
      default:
        assert.fail(`unknown line: ${line}`);
    }
  }
  return out;
}

const cases = conformanceCases();

test('the conformance data is present', () => {
  assert.equal(cases.length, 12);
});

for (const { file, text, truth } of cases) {
  test(`conformance ${file}`, () => {
    const got = run(text);
    assert.equal(got.length, truth.length);
    truth.forEach((t, i) => {
      const g = got[i];
      assert.equal(g.outcome, t.outcome, `DMA ${i} (${t.op} ${t.iova})`);
      if (t.outcome === 'ok') assert.equal(g.pa, t.pa, `DMA ${i} (${t.op} ${t.iova}) PA`);
      else assert.equal(g.event, t.event, `DMA ${i} (${t.op} ${t.iova}) event`);
    });
  });
}
