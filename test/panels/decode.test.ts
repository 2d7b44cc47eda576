// The decoded-log panel in headless Chromium: records from real log formats (decoded by the
// model, as the server answers iommuLens/decodeLog), hostile log text stays text, the buttons
// post validated messages, no CSP report. Screenshots in test-results/panels/.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { HostMessage } from '../../extension/src/panels/protocol';
import { decodeLog } from '../../language-server/src/model/logs/index';
import { wireLog } from '../../language-server/src/model/logs/wire';
import { finish, open, startHarness, stopHarness } from './harness';

declare const window: { __posted: unknown[] };

before(startHarness);
after(stopHarness);

const FIX = path.join(__dirname, '../../../test/fixtures/logs');
const HOSTILE = '<img src=x onerror="window.__xss=1">';
const text = ['linux-event-decoded.log', 'linux-cmdq.log', 'ste-cd-dump.txt'].map((f) => fs.readFileSync(path.join(FIX, f), 'utf8')).join('')
  + `smmuv3_translate_success ${HOSTILE} sid=0x8 iova=0x1000 translated=0x2000 perm=0x3\n${HOSTILE}</script><script>window.__xss=2</script>\n`;
const log = wireLog(decodeLog(text));
const msg: HostMessage = { type: 'decoded', source: `pasted ${HOSTILE}`, log };

for (const theme of ['dark', 'light'] as const) {
  describe(`decode panel (${theme})`, () => {
    test('records with their lines, cause, CERROR reason, configuration and illegal fields; lines not recognised', async () => {
      const o = await open('decode', theme, [msg]);
      const items = o.page.locator('details.log-record');
      assert.equal(await items.count(), log.records.length);
      const body = await o.page.locator('body').innerText();
      assert.match(body, /F_PERMISSION/);
      assert.match(body, /likely cause: a write to a read-only mapping at stage 1/);
      assert.match(body, /error: SMMU_CMDQ_CONS\.ERR CERROR_ILL/);
      assert.match(body, /configuration: S1_TRANS; stage 1 through one CD at 0x40030000/);
      assert.match(body, /STE\.S2AA64 == 0.*C_BAD_STE/);
      assert.match(body, new RegExp(`${log.records.length} records decoded, ${log.unrecognised.length} lines not recognised`));
      // Hostile text from the log is shown as text, never markup.
      assert.ok(body.includes(HOSTILE), 'hostile text shown as text');
      assert.equal(await o.page.locator('img').count(), 0);
      await finish(o, `decode-${theme}`);
    });

    test('Open as Scenario and a record\'s lines post openScenario and reveal', async () => {
      const o = await open('decode', theme, [msg]);
      await o.page.locator('#open-scenario').click();
      await o.page.locator('details.log-record').nth(1).locator('a.log-lines').click();
      const posted = await o.page.evaluate(() => window.__posted);
      assert.deepEqual(posted.filter((m) => (m as { type: string }).type !== 'ready'), [{ type: 'openScenario' }, { type: 'reveal', line: log.records[1].line }]);
      await finish(o, `decode-clicked-${theme}`);
    });
  });
}
