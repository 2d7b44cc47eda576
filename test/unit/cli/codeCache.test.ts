// bin/iommu-lens.js keeps V8's code cache of dist/cli.js (on Node < 22.1, where Node has no cache
// of its own): the first run writes it, later runs use it, and a damaged or foreign cache file is
// replaced, never trusted; the output is the same in every case (needs `npm run build`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const BIN = path.join(__dirname, '../../../../bin/iommu-lens.js');
const EXAMPLE = path.join(__dirname, '../../../../examples/quickstart.smmu');
const nodeHasCache = typeof (require('node:module') as { enableCompileCache?: unknown }).enableCompileCache === 'function';

function run(cache: string, extra: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, 'run', EXAMPLE, '--json'], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: cache, ...extra } });
  return { code: r.status, out: r.stdout };
}

const cacheFiles = (cache: string) => {
  const dir = path.join(cache, 'iommu-lens');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.v8cache')).map((f) => path.join(dir, f)) : [];
};

test('the code cache is written by the first run, used by the next, and a damaged one is replaced; the output never changes', { skip: nodeHasCache && 'Node keeps its own compile cache' }, () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'iommu-lens-cache-'));
  const plain = run(cache, { IOMMU_LENS_NO_CODE_CACHE: '1' });
  assert.equal(cacheFiles(cache).length, 0, 'IOMMU_LENS_NO_CODE_CACHE=1 writes nothing');
  const first = run(cache);
  assert.deepEqual(first, plain);
  const [file] = cacheFiles(cache);
  assert.ok(file && fs.statSync(file).size > 1000, 'the cache file is written at exit');
  const written = fs.statSync(file).mtimeMs;
  assert.deepEqual(run(cache), plain);
  assert.equal(fs.statSync(file).mtimeMs, written, 'a cache that was used is not rewritten');
  fs.writeFileSync(file, Buffer.alloc(4096, 7));
  assert.deepEqual(run(cache), plain, 'a damaged cache is rejected by V8');
  assert.notDeepEqual(fs.readFileSync(file), Buffer.alloc(4096, 7), 'and replaced');
  assert.deepEqual(run(cache), plain);
  fs.rmSync(cache, { recursive: true, force: true });
});

test('an unwritable cache directory only costs the cache', () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'iommu-lens-cache-'));
  fs.writeFileSync(path.join(cache, 'iommu-lens'), 'a file where the directory should be');
  const r = run(cache);
  assert.equal(r.code, 0);
  assert.equal(JSON.parse(r.out).file, EXAMPLE);
  fs.rmSync(cache, { recursive: true, force: true });
});
