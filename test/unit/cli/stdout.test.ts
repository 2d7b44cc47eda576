// The runner writes standard output to its file descriptor directly (cli/stdout.ts): the same bytes
// to a file, to a pipe its reader drains late (the writes block or go part way); a reader that
// closes the pipe early (`| head`) ends the output quietly, and the run keeps its exit status.
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

test('a reader that stops early (| head) ends the output quietly: no error, no hang, the run\'s own exit status', async () => {
  const { cwd } = setup();
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" run dma.smmu --json | head -c 10`], { cwd, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.stdout, '{"file":"d');
  assert.equal(r.signal, null);
  assert.doesNotMatch(r.stderr, /EPIPE|Error/);
  // The runner's own status, its reader gone after the first chunk.
  const child = spawn(process.execPath, [BIN, 'run', 'dma.smmu', '--json'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise((res) => child.on('close', res));
  assert.equal(code, 0, stderr);
  assert.doesNotMatch(stderr, /EPIPE|Error/);
  fs.rmSync(cwd, { recursive: true, force: true });
});

test('buffered pieces come out whole and in order: short and long chunks, lines, multi-byte text across batches, the rest at exit', () => {
  const mod = path.join(__dirname, '../../../language-server/src/cli/stdout.js');
  // Pieces of every size around the buffer's batch (8K characters) and size (64 KB), some with
  // characters of 2, 3 and 4 UTF-8 bytes, interleaved with whole lines; nothing flushed at the end.
  const script = `
    const { writeStdout, writeStdoutLine } = require(${JSON.stringify(mod)});
    let seed = 7; const rnd = (n) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 16) % n; };
    const alphabet = ['a', '{', '"', 'é', '€', '😀', '\\n'];
    for (let i = 0; i < 400; i++) {
      const len = [0, 1, 13, 300, 8191, 8192, 20000, 70000][rnd(8)];
      let s = ''; while (s.length < len) s += alphabet[rnd(alphabet.length)].repeat(1 + rnd(50));
      if (rnd(5) === 0) writeStdoutLine(s); else writeStdout(s);
    }
    writeStdout('the end, written at exit');`;
  const expected = spawnSync(process.execPath, ['-e', script.replace(`require(${JSON.stringify(mod)})`, `({ writeStdout: (s) => process.stdout.write(s), writeStdoutLine: (s) => process.stdout.write(s.endsWith('\\n') || s === '' ? s : s + '\\n') })`)], { maxBuffer: 1 << 30 });
  const got = spawnSync(process.execPath, ['-e', script], { maxBuffer: 1 << 30 });
  assert.equal(got.status, 0, String(got.stderr));
  assert.ok(expected.stdout.length > 1 << 20, `${expected.stdout.length} bytes`);
  assert.ok(got.stdout.equals(expected.stdout));
});

test('a chunk that ends a line is written at once (a file\'s JSON line does not wait for the next file), a step\'s chunk waits', async () => {
  const mod = path.join(__dirname, '../../../language-server/src/cli/stdout.js');
  const child = spawn(process.execPath, ['-e', `
    const { writeStdout } = require(${JSON.stringify(mod)});
    writeStdout('{"steps":['); writeStdout('{"index":0}'); writeStdout('],"file":"a"}\\n'); writeStdout('{"steps":[');
    setTimeout(() => {}, 20000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  let got = '';
  await new Promise<void>((resolve) => child.stdout.on('data', (c: Buffer) => {
    got += c.toString('utf8');
    if (got.endsWith('\n')) resolve();
  }));
  await new Promise((r) => setTimeout(r, 200));
  child.kill();
  assert.equal(got, '{"steps":[{"index":0}],"file":"a"}\n');
});
