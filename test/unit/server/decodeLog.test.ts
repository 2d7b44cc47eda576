// `iommuLens/decodeLog` spoken to the built language server over stdio (needs `npm run build`).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LspClient } from './helper';
import { DECODE_LOG_REQUEST, type DecodeLogResponse } from '../../../language-server/src/server/protocol';

const FIX = path.join(__dirname, '../../../../test/fixtures/logs');
let c: LspClient;
before(async () => {
  c = await LspClient.start();
});
after(async () => {
  await c?.stop();
});

test('iommuLens/decodeLog answers the decoded records and the starting scenario', async () => {
  const text = fs.readFileSync(path.join(FIX, 'ste-cd-dump.txt'), 'utf8');
  const r = await c.request(DECODE_LOG_REQUEST, { text, source: 'ste-cd-dump.txt' }) as DecodeLogResponse;
  assert.deepEqual(r.log.records.map((x) => [x.line, x.kind, x.name]), [[1, 'ste', 'STE'], [4, 'cd', 'CD'], [7, 'ste', 'STE'], [11, 'cd', 'CD'], [12, 'ste', 'STE']]);
  assert.equal(r.log.records[0].sid, '0x8');
  assert.match(r.scenario, /^# Started from ste-cd-dump\.txt/);
  assert.match(r.scenario, /^ste smmu0 0x8 raw 0x4003000b 0xd4 /m);
});

test('iommuLens/decodeLog without text answers null; hostile text is decoded, not thrown on', async () => {
  assert.equal(await c.request(DECODE_LOG_REQUEST, { source: 'x' }), null);
  const r = await c.request(DECODE_LOG_REQUEST, { text: '<img src=x onerror=alert(1)>\nSTE 0x1: 0x1\n' }) as DecodeLogResponse;
  assert.equal(r.log.records.length, 0);
  assert.deepEqual(r.log.unrecognised.map((u) => u.line), [1, 2]);
});
