// A shadowing vSMMU for a guest device with substreams and a TTB1 range, through the engine
// (examples/vm-shadowing-pasid-ttb1.smmu): the VMM's host STE and host CDs (IHI 0070 §5.2, §5.4),
// one shadow per guest CD, re-walked only by the invalidations that reach that CD or its ASID.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compileScenario, runScenario } from '../../../language-server/src/engine';
import { decode } from '../../../language-server/src/model/fields/field';
import { CD, STE } from '../../../language-server/src/model/fields';

const EXAMPLE = readFileSync(resolve(__dirname, '../../../../examples/vm-shadowing-pasid-ttb1.smmu'), 'utf8');

test('the example: per-PASID and upper-VA misses, each fixed by the invalidation that reaches its CD', () => {
  const r = runScenario(EXAMPLE, 'pasid.smmu');
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning' && !d.code.startsWith('H_')), []);
  assert.deepEqual(r.expectations, { passed: 13, failed: 0 });
  const stale = r.diagnostics.filter((d) => d.code === 'H_SHADOW_STALE');
  const expected = EXAMPLE.split('\n').flatMap((l, i) => (/^dma .*expect hazard H_SHADOW_STALE/.test(l) ? [i + 1] : []));
  assert.equal(expected.length, 3);
  assert.deepEqual(stale.map((d) => d.line), expected);
  // The fix names the CD's own ASID: 2 for SubstreamID 1, 1 for the upper VA of CD 0.
  assert.match(stale[0].message, /virtual StreamID 0x10 SubstreamID 0x1 \(smmuA StreamID 0x5\) at 0x80202000 got F_TRANSLATION from the shadow table, but the guest's page tables give PA 0x1000a1000/);
  assert.match(stale[0].message, /Fix: insert `cmd vs0 CMD_TLBI_NH_VA asid 2 addr 0x80202000 leaf`/);
  assert.match(stale[2].message, /at 0xffffff8000202000 got F_TRANSLATION .* PA 0x100091000.*Fix: insert `cmd vs0 CMD_TLBI_NH_VA asid 1 addr 0xffffff8000202000 leaf`/);
});

test('the host STE is the VMM\'s S1_TRANS over a host CD table mirroring the guest\'s; each host CD mirrors its guest CD\'s ranges', () => {
  const s = compileScenario(EXAMPLE, 'pasid.smmu');
  s.goto(s.steps.findIndex((x) => /^dma /.test(x.label)));
  const st = s.state();
  const ste = st.smmus.find((m) => m.name === 'smmuA')!.streams.find((v) => v.sid === '0x5')!;
  const f = decode(STE, ste.raw.map((h) => BigInt(h)));
  // IHI 0070 §5.2: Config 0b101 S1_TRANS, S1Fmt 0 linear, S1CDMax 1 (two CDs), S1DSS 0b10 (no SubstreamID -> CD 0).
  assert.deepEqual([f.V, f.Config, f.S1Fmt, f.S1CDMax, f.S1DSS], [1n, 5n, 0n, 1n, 2n]);
  const shadows = st.vm!.vsmmus[0].shadows!;
  assert.deepEqual(shadows.map((d) => [d.ssid, d.ioas, d.hostAsid]), [[0, '', 0xffff], [1, '', 0xfffe]]);
  const [cd0, cd1] = ste.cds.map((c) => decode(CD, c.raw.map((h) => BigInt(h))));
  // IHI 0070 §5.4: T0SZ/T1SZ 25 (39-bit ranges) as the guest's, TG1 0b10 = 4K (TCR_ELx.TG1 encoding), EPD1 0 only for CD 0.
  assert.deepEqual([cd0.V, cd0.T0SZ, cd0.EPD0, cd0.T1SZ, cd0.TG1, cd0.EPD1, cd0.ASID, cd0.AA64], [1n, 25n, 0n, 25n, 2n, 0n, 0xffffn, 1n]);
  assert.deepEqual(shadows[0].ranges!.map((r) => [r.ttb, r.root, r.inputSize]), [[0, `0x${cd0.TTB0.toString(16)}`, 39], [1, `0x${cd0.TTB1.toString(16)}`, 39]]);
  assert.deepEqual([cd1.V, cd1.T0SZ, cd1.EPD1, cd1.ASID], [1n, 25n, 1n, 0xfffen]);
  // The composed mappings: CD 0's low and upper pages, CD 1's page (guest VA -> host PA).
  assert.deepEqual(shadows.map((d) => d.maps.map((m) => `${m.iova}->${m.pa}`)), [
    ['0x80201000->0x100080000', '0xffffff8000201000->0x100090000'],
    ['0x80201000->0x1000a0000'],
  ]);
});

test('a TLBI by ASID or a CMD_CFGI_CD of one SubstreamID re-walks that CD\'s shadow only', () => {
  const s = compileScenario(EXAMPLE, 'pasid.smmu');
  const rewalksAfter = (re: RegExp) => {
    s.goto(s.steps.findIndex((x) => re.test(x.label)) + 1);
    return s.state().vm!.vsmmus[0].shadows!.map((d) => d.rewalks);
  };
  assert.deepEqual(rewalksAfter(/CMD_CFGI_STE sid 0x10/), [1, 1]);
  assert.deepEqual(rewalksAfter(/CMD_TLBI_NH_VA asid 1 /), [2, 1]);
  assert.deepEqual(rewalksAfter(/CMD_TLBI_NH_VA asid 2 /), [2, 2]);
  assert.deepEqual(rewalksAfter(/CMD_CFGI_CD sid 0x10 ssid 0/), [3, 2]);
});

test('without a stage-1 host context the same device keeps a stage-2 shadow: a guest STE without substreams or TTB1', () => {
  // STE.S1CDMax 0 and CD 0 with EPD1: the VMM's usual iommufd objects (IOAS + stage-2 HWPT), no host CD.
  const text = EXAMPLE.replace('write64 0x100100400 0x80000004000100b', 'write64 0x100100400 0x4000100b').replace('write64 0x100001000 0x16205b5993519', 'write64 0x100001000 0x16205c0003519');
  const s = compileScenario(text, 'nopasid.smmu');
  s.goto(s.steps.findIndex((x) => /^dma /.test(x.label)));
  const d = s.state().vm!.vsmmus[0].shadows!;
  assert.deepEqual(d.map((x) => [x.ssid, x.ioas, x.hwpt]), [[undefined, 'vs0_shadow_10', 'vs0_shadow_10_s2']]);
});

test('a guest that turns TTB1 on later (CD.EPD1 0, then CMD_CFGI_CD): the VMM moves the device from its stage-2 shadow to a host CD', () => {
  // The guest starts without substreams and with EPD1 set in CD 0 (a stage-2 shadow), then writes T1SZ/TG1/EPD1 0 and TTB1.
  const start = EXAMPLE.replace('write64 0x100100400 0x80000004000100b', 'write64 0x100100400 0x4000100b').replace('write64 0x100001000 0x16205b5993519', 'write64 0x100001000 0x16205c0003519');
  const head = start.slice(0, start.indexOf('\n# Without a SubstreamID'));
  const text = `${head}
dma vs0 read sid 0x10 iova 0xffffff8000201010 expect fault F_TRANSLATION
write64 0x100001000 0x16205b5993519
cmd vs0 CMD_CFGI_CD sid 0x10 ssid 0 leaf
cmd vs0 CMD_SYNC
dma vs0 read sid 0x10 iova 0xffffff8000201010 expect pa 0x100090010
dma vs0 read sid 0x10 iova 0x80201010 expect pa 0x100080010
`;
  const r = runScenario(text, 'switch.smmu');
  assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
  assert.deepEqual(r.expectations, { passed: 3, failed: 0 });
  const cfgi = r.steps.find((s) => /CMD_CFGI_CD sid 0x10/.test(s.label))!;
  assert.equal(BigInt(cfgi.iommufd!.steInstalls[0].ste[0]) >> 1n & 7n, 5n, 'host STE Config S1_TRANS');
  const s = compileScenario(text, 'switch.smmu');
  s.goto(s.steps.length);
  assert.deepEqual(s.state().vm!.vsmmus[0].shadows!.map((d) => [d.ssid, d.ioas]), [[0, '']]);
});
