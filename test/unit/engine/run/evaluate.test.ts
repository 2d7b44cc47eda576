// The debug console's `decode` on pasted kernel-log text (ScenarioSession.evaluate -> model/fields/dump.ts).
// Expected fields worked out by hand from IHI 0070 §7.3 (event: Type [7:0], StreamID [63:32],
// InputAddr dword 2) and §8.1 (PRI record).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileScenario } from '../../../../language-server/src/engine';

const KERNEL_LOG = `decode arm-smmu-v3 arm-smmu-v3.0.auto: event 0x10 received:
arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000800000010
arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000020000000000
arm-smmu-v3 arm-smmu-v3.0.auto: \t0x00000000deadb000
arm-smmu-v3 arm-smmu-v3.0.auto: \t0x0000000000000000`;

function session() {
  const s = compileScenario('smmu smmu0\n', 'a.smmu');
  s.runToEnd();
  return s;
}

test('decode: a kernel "event 0x10 received" log is an F_TRANSLATION record of StreamID 8', () => {
  const out = session().evaluate(KERNEL_LOG);
  assert.match(out, /F_TRANSLATION/);
  assert.match(out, /StreamID\s+0\[63:32\]\s+0x8\b/);
  assert.match(out, /InputAddr\s+2\[63:0\]\s+0xdeadb000/);
  // dword1 0x0000020000000000: bit 41 set -> CLASS [41:40] = 0b10 (IN).
  assert.match(out, /CLASS\s+1\[41:40\]\s+0x2/);
});

test('decode with a hint: a PRI queue record', () => {
  const out = session().evaluate('decode pri 0x6000000000000700 0x10000005');
  assert.match(out, /PRI_PAGE_REQUEST/);
  assert.match(out, /StreamID\s+0\[31:0\]\s+0x700/);
  assert.match(out, /PRGI\s+1\[8:0\]\s+0x5/);
  assert.match(out, /Page_Address\s+1\[63:12\]\s+0x10000000/);
});

test('decode: the old form `decode ste D0 D1` still gives the field table, as text (the Debug Console shows no markdown)', () => {
  const out = session().evaluate('decode ste 0x4003000b 0xd4');
  assert.match(out, /^Config\s+0\[3:1\]\s+0x5\s+S1_TRANS/m);
  assert.doesNotMatch(out, /\||\*\*/);
});
