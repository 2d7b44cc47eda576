// The runner writes standard output to its file descriptor directly (cli/stdout.ts): the same bytes
// to a file, to a pipe its reader drains late (the writes block or go part way), and what a closed
// pipe leaves is reported as before (EPIPE through process.stdout).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { lowLevelDmaScenario } from '../../../bench/dmaScenario';

const BIN = path.join(__dirname, '../../../../bin/iommu-lens.js');

function setup(): { cwd: string; expected: Buffer } {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'iommu-lens-stdout-'));
  fs.writeFileSync(path.join(cwd, 'dma.smmu'), lowLevelDmaScenario(64, 1500));
  const fd = fs.openSync(path.join(cwd, 'out.json'), 'w');
  const r = spawnSync(process.execPath, [BIN, 'run', 'dma.smmu', '--json'], { cwd, stdio: ['ignore', fd, 'pipe'] });
  fs.closeSync(fd);
  assert.equal(r.status, 0, String(r.stderr));
  return { cwd, expected: fs.readFileSync(path.join(cwd, 'out.json')) };
}

test('the JSON written to a file and to a pipe read late are the same bytes, far more than a pipe holds', async () => {
  const { cwd, expected } = setup();
  assert.ok(expected.length > 256 * 1024, `${expected.length} bytes`);
  assert.equal(JSON.parse(expected.toString('utf8')).steps.length, 1500 + 64 + 14);
  const child = spawn(process.execPath, [BIN, 'run', 'dma.smmu', '--json'], { cwd, stdio: ['ignore', 'pipe', 'ignore'] });
  child.stdout.pause();
  await new Promise((r) => setTimeout(r, 300));
  const chunks: Buffer[] = [];
  child.stdout.on('data', (c: Buffer) => chunks.push(c));
  child.stdout.resume();
  const code = await new Promise((r) => child.on('close', r));
  assert.equal(code, 0);
  assert.ok(Buffer.concat(chunks).equals(expected));
  fs.rmSync(cwd, { recursive: true, force: true });
});

test('a reader that stops early ends the run with EPIPE as before, not a hang', () => {
  const { cwd } = setup();
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" run dma.smmu --json | head -c 10`], { cwd, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.stdout, '{"file":"d');
  assert.equal(r.signal, null);
  fs.rmSync(cwd, { recursive: true, force: true });
});
