// The runner's JSON contract (README "Command-line runner", docs/run-json.schema.json): every
// example's `--json` output validates against the schema; outcomes are ok | fault | stalled, a
// bypass is 'ok' saying what bypassed it, an abort is 'fault' saying what aborted it, and every
// event says whether it reached the event queue and, when not, why.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { validate, type Schema } from './jsonSchema';

const ROOT = path.join(__dirname, '../../../..');
const BIN = path.join(ROOT, 'bin/iommu-lens.js');
const SCHEMA = JSON.parse(fs.readFileSync(path.join(ROOT, 'docs/run-json.schema.json'), 'utf8')) as Schema;

function runJson(cwd: string, files: string[]): Array<Record<string, any>> {
  const r = spawnSync(process.execPath, [BIN, 'run', ...files, '--json'], { cwd, encoding: 'utf8', maxBuffer: 1 << 28 });
  assert.ok(r.stdout.length > 0, r.stderr);
  return r.stdout.trim().split('\n').map((l) => JSON.parse(l));
}

function scenario(text: string): { cwd: string; file: string } {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'iommu-lens-json-'));
  fs.writeFileSync(path.join(cwd, 's.smmu'), text);
  return { cwd, file: 's.smmu' };
}

const dmas = (r: Record<string, any>) => r.steps.filter((s: { kind: string }) => s.kind === 'dma');

test('every example\'s --json output validates against docs/run-json.schema.json', () => {
  const examples = fs.readdirSync(path.join(ROOT, 'examples')).filter((f) => f.endsWith('.smmu')).sort().map((f) => `examples/${f}`);
  assert.ok(examples.length >= 10, 'the examples are there');
  const results = runJson(ROOT, examples);
  assert.equal(results.length, examples.length, 'one line per file');
  let steps = 0;
  for (const r of results) {
    assert.deepEqual(validate(SCHEMA, r).slice(0, 5), [], r.file);
    steps += r.steps.length;
  }
  assert.ok(steps > 100, `${steps} steps checked`);
});

test('the schema rejects what the contract forbids', () => {
  const { cwd, file } = scenario('smmu smmu0\nste smmu0 0x2 { config bypass }\ndma smmu0 read sid 0x2 iova 0x1234\n');
  const [r] = runJson(cwd, [file]);
  assert.deepEqual(validate(SCHEMA, r), []);
  const dma = dmas(r)[0];
  dma.outcome = 'bypass';
  assert.match(validate(SCHEMA, r).join('\n'), /outcome: "bypass" is not one of/);
  dma.outcome = 'ok';
  dma.events.push({ type: 'C_BAD_STE', code: '0x4', sid: '0x2', ssv: false, fields: {}, raw: ['0x4', '0x0', '0x0', '0x0'], smmu: 'smmu0' });
  assert.match(validate(SCHEMA, r).join('\n'), /missing required 'recorded'/);
});

test('bypass is outcome ok with the PA and what bypassed it (STE.Config, SMMU_GBPA); abort is fault with no event', () => {
  const { cwd, file } = scenario(`smmu smmu0
smmu smmu1 { disabled }
ste smmu0 0x2 { config bypass }
ste smmu0 0x3 { config abort }
dma smmu0 read sid 0x2 iova 0x1234 expect outcome bypass
dma smmu0 read sid 0x3 iova 0x1234 expect outcome aborted
dma smmu1 read sid 0x2 iova 0x5678
`);
  const [r] = runJson(cwd, [file]);
  assert.deepEqual(r.expectations, { passed: 2, failed: 0 }, '`expect outcome bypass|aborted` stay in the language');
  const [ste, abort, gbpa] = dmas(r);
  assert.deepEqual([ste.outcome, ste.pa, ste.bypass, ste.abort], ['ok', '0x1234', 'STE.Config', undefined]);
  assert.match(ste.reason, /STE\.Config == 0b100/);
  assert.deepEqual([abort.outcome, abort.pa, abort.abort, abort.events], ['fault', undefined, 'STE.Config', []]);
  assert.match(abort.reason, /no event/);
  assert.deepEqual([gbpa.outcome, gbpa.pa, gbpa.bypass], ['ok', '0x5678', 'SMMU_GBPA']);
  assert.match(gbpa.reason, /SMMU_GBPA\.ABORT == 0/);
});

test('events say whether they were recorded: SMMU_CR2.RECINVSID = 0, the queue disabled', () => {
  const text = (recinvsid: number, eventqen: number) => `smmu smmu0 { disabled; log2size 4 }
reg smmu0.CR2 recinvsid ${recinvsid}
reg smmu0.CR0 smmuen 1 cmdqen 1 eventqen ${eventqen}
dma smmu0 read sid 0x100 iova 0x1234 expect fault C_BAD_STREAMID
`;
  const event = (recinvsid: number, eventqen: number) => {
    const s = scenario(text(recinvsid, eventqen));
    const ev = dmas(runJson(s.cwd, [s.file])[0])[0].events[0];
    assert.equal(ev.type, 'C_BAD_STREAMID');
    return ev;
  };
  const suppressed = event(0, 1);
  assert.equal(suppressed.recorded, false);
  assert.match(suppressed.notRecordedBecause, /SMMU_CR2\.RECINVSID == 0/);
  const disabled = event(1, 0);
  assert.equal(disabled.recorded, false);
  assert.match(disabled.notRecordedBecause, /SMMU_CR0\.EVENTQEN == 0/);
  const recorded = event(1, 1);
  assert.equal(recorded.recorded, true);
  assert.equal('notRecordedBecause' in recorded, false);
});

test('a fault with CD.R = 0 is reported but not recorded', () => {
  const { cwd, file } = scenario(`smmu smmu0
pagetable pt s1 4K { map 0x1000_0000 +4K -> 0x8000_0000 rw }
cd c { pagetable pt; asid 5; r 0 }
ste smmu0 0x10 { cd c }
dma smmu0 read sid 0x10 iova 0x2000_0000 expect fault F_TRANSLATION
`);
  const [r] = runJson(cwd, [file]);
  const ev = dmas(r)[0].events[0];
  assert.equal(ev.type, 'F_TRANSLATION');
  assert.equal(ev.recorded, false);
  assert.match(ev.notRecordedBecause, /CD\.R == 0/);
});
