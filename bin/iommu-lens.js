#!/usr/bin/env node
// Command-line runner: `iommu-lens run FILE... [--json] [--junit FILE] [--fail-on LEVEL]` (built into dist/cli.js by `npm run build`).
'use strict';
// Most of what a run allocates survives (the tree, the compiled program): V8 would grow the young
// generation to its 2 x 16 MB, and every page the process touches for the first time costs (a
// page fault: ~13 us each in a VM, where that alone was about a quarter of a run's CPU). Kept at
// its initial size, the young generation is reused (20,000-DMA scenario: 26k -> 18k page faults).
// Read by V8 each time it would grow the young generation, so it applies from here on.
try { require('node:v8').setFlagsFromString('--semi-space-growth-factor=1'); } catch { /* an unknown flag: as usual */ }
const { main, writeStdout, writeStdoutLine, flushStdout } = loadCli();
// `qemu` answers asynchronously (a Promise); the others return the status at once. Standard output
// is buffered and written to its file descriptor directly (cli/stdout.ts), flushed at the end.
Promise.resolve(main(
  process.argv.slice(2),
  writeStdoutLine,
  (s) => process.stderr.write(s + '\n'),
  process.cwd(),
  writeStdout,
)).then((code) => {
  flushStdout();
  process.exitCode = code;
});

/**
 * dist/cli.js with V8's code cache: compiling the bundle's functions is a good part of a short
 * run. Node >= 22.1 keeps the cache itself (module.enableCompileCache); on older Node the bundle
 * is compiled with the bytecode saved by an earlier run of the same bundle (keyed by its length,
 * mtime and inode, under $XDG_CACHE_HOME/iommu-lens or ~/.cache/iommu-lens), and a missing or rejected cache is
 * written at exit, when it holds every function the run compiled. IOMMU_LENS_NO_CODE_CACHE=1 turns
 * it off; any problem with the cache falls back to a plain require.
 */
function loadCli() {
  const path = require('node:path');
  const file = path.join(__dirname, '..', 'dist', 'cli.js');
  if (process.env.IOMMU_LENS_NO_CODE_CACHE) return require(file);
  const Module = require('node:module');
  if (typeof Module.enableCompileCache === 'function') {
    try { Module.enableCompileCache(); } catch { /* unwritable cache directory: compile as usual */ }
    return require(file);
  }
  const fs = require('node:fs');
  const os = require('node:os');
  const vm = require('node:vm');
  let source, dir, cacheFile;
  try {
    source = fs.readFileSync(file, 'utf8');
    // The bundle's identity without hashing it (node:crypto alone costs a short run ~15 ms): its
    // length, modification time (ns) and inode. V8 checks only a cache's length and flags, so a
    // rebuilt bundle must never find the old one's cache: a rebuild changes its mtime.
    const st = fs.statSync(file, { bigint: true });
    const key = [source.length, st.mtimeNs, st.ino].map((x) => x.toString(36)).join('-');
    dir = path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'iommu-lens');
    cacheFile = path.join(dir, `cli-${key}-${process.version}-${process.arch}.v8cache`);
  } catch {
    return require(file);
  }
  let cached;
  try { cached = fs.readFileSync(cacheFile); } catch { /* first run of this bundle */ }
  const m = new Module(file, module);
  m.filename = file;
  m.paths = Module._nodeModulePaths(path.dirname(file));
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData: cached });
  script.runInThisContext().call(m.exports, m.exports, Module.createRequire(file), m, file, path.dirname(file));
  m.loaded = true;
  if (!cached || script.cachedDataRejected) {
    process.once('exit', () => {
      try {
        fs.mkdirSync(dir, { recursive: true });
        // The caches of the last few bundles stay (several checkouts may share the directory);
        // the new one is written whole, then renamed into place.
        const old = fs.readdirSync(dir).filter((f) => /^cli-.*\.v8cache$/.test(f)).map((f) => path.join(dir, f))
          .map((f) => ({ f, t: fs.statSync(f).mtimeMs })).sort((a, b) => b.t - a.t).slice(3);
        for (const { f } of old) fs.rmSync(f, { force: true });
        const tmp = `${cacheFile}.${process.pid}`;
        fs.writeFileSync(tmp, script.createCachedData());
        fs.renameSync(tmp, cacheFile);
      } catch { /* no cache: the next run compiles again */ }
    });
  }
  return m.exports;
}
