// "Open as Scenario": the STEs, CDs and commands of a decoded log as a .smmu that parses and runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { decodeLog } from '../../../language-server/src/model/logs/index';
import { scenarioFromLog } from '../../../language-server/src/engine/output/logScenario';
import { runScenario } from '../../../language-server/src/engine/index';

const FIX = path.join(__dirname, '../../../../test/fixtures/logs');

for (const f of fs.readdirSync(FIX)) {
  test(`the scenario from ${f} parses and runs; its only errors are the commands the log says were refused`, () => {
    const log = decodeLog(fs.readFileSync(path.join(FIX, f), 'utf8'));
    const text = scenarioFromLog(log, f);
    const r = runScenario(text, 'from-log.smmu');
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors.filter((d) => d.code !== 'CERROR_ILL'), [], text);
    const refused = log.records.filter((x) => x.kind === 'command' && x.dwords && /CERROR_ILL/.test(x.error ?? ''));
    assert.equal(errors.length, refused.length, text);
    // Every STE, CD and logged command is in it, raw, as logged.
    for (const x of log.records) {
      if (!x.dwords || !['ste', 'cd', 'command'].includes(x.kind)) continue;
      const raw = x.dwords.map((d) => '0x' + d.toString(16)).join(' ');
      assert.ok(text.includes(`raw ${raw}`), `${x.kind} of line ${x.line} missing:\n${text}`);
    }
  });
}

test('STE dumps keep their StreamID and CDs their address; the STE reaches the CD through S1ContextPtr', () => {
  const text = scenarioFromLog(decodeLog(fs.readFileSync(path.join(FIX, 'ste-cd-dump.txt'), 'utf8')));
  assert.match(text, /^ste smmu0 0x8 raw 0x4003000b 0xd4 /m);
  assert.match(text, /^cd log_cd0 at 0x40030000 raw 0xab7a6205c0003524 /m);
  // The crash dump has no StreamID: a free one is used and the comment says so.
  assert.match(text, /StreamID not in the log: pick the real one.*\nste smmu0 0x100 raw/);
  const r = runScenario(text + 'dma smmu0 read sid 0x8 iova 0x1000 expect fault F_TRANSLATION class IN\n', 'x.smmu');
  assert.deepEqual(r.expectations, { passed: 1, failed: 0 });
});

test('events become commented DMAs with their access, ready to uncomment', () => {
  const text = scenarioFromLog(decodeLog(fs.readFileSync(path.join(FIX, 'linux-event-decoded.log'), 'utf8')));
  assert.match(text, /^# dma smmu0 write sid 0x8 iova 0x12345000 expect fault F_PERMISSION$/m);
  assert.match(text, /^# dma smmu0 read sid 0x8 ssid 0x1 iova 0x10000000 expect fault F_TRANSLATION$/m);
  assert.match(text, /^smmu smmu0 {2}# arm-smmu-v3\.0\.auto$/m);
});
