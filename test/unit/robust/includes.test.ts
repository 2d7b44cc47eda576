// Includes: cycles, missing files and paths outside the workspace give diagnostics, not hangs; no
// resolver (CLI, language server, debugger) reads a file outside the workspace, even via a symlink,
// and none reads a FIFO (it would block forever).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { runScenario } from '../../../language-server/src/engine';
import type { IncludeResolver } from '../../../language-server/src/engine';
import { makeResolver } from '../../../language-server/src/cli/main';
import { makeIncludeResolver } from '../../../language-server/src/server/includes';
import { includeResolverFor, nodeFiles } from '../../../language-server/src/debug/files';

const T = { timeout: 20_000 };

function layout() {
  const top = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'inc-robust-')));
  const ws = path.join(top, 'ws');
  fs.mkdirSync(ws);
  fs.writeFileSync(path.join(top, 'secret.smmu'), 'write64 0x1000 0x5ec7e7\n');
  fs.writeFileSync(path.join(ws, 'a.smmu'), 'include "b.smmu"\n');
  fs.writeFileSync(path.join(ws, 'b.smmu'), 'include "a.smmu"\n');
  fs.writeFileSync(path.join(ws, 'self.smmu'), 'include "self.smmu"\n');
  fs.symlinkSync(path.join(top, 'secret.smmu'), path.join(ws, 'link.smmu'));
  let fifo = false;
  try {
    execFileSync('mkfifo', [path.join(ws, 'fifo.smmu')]);
    fifo = true;
  } catch {
    /* no mkfifo: that case is skipped */
  }
  return { top, ws, fifo };
}

test('engine: include cycles and missing files are diagnostics on the include line', T, () => {
  const files: Record<string, string> = { 'file:///w/a.smmu': 'include "b.smmu"\n', 'file:///w/b.smmu': 'write64 0x0 1\ninclude "a.smmu"\n' };
  const reads: string[] = [];
  const resolver: IncludeResolver = (from, p) => {
    const uri = new URL(p, from).toString();
    reads.push(uri);
    return uri in files ? { uri, text: files[uri] } : { error: `no such file ${p}` };
  };
  const r = runScenario('include "a.smmu"\ninclude "missing.smmu"\ninclude "a.smmu"\n', 'file:///w/main.smmu', { readInclude: resolver });
  assert.ok(r.diagnostics.some((d) => d.code === 'E_INCLUDE_CYCLE' && d.line === 1), JSON.stringify(r.diagnostics));
  assert.ok(r.diagnostics.some((d) => d.code === 'E_INCLUDE' && d.line === 2), JSON.stringify(r.diagnostics));
  assert.ok(reads.length < 20, `${reads.length} reads`);
});

const outsideCases = (ws: string) => ['../secret.smmu', path.join(ws, '..', 'secret.smmu'), 'link.smmu', '/etc/passwd'];

test('CLI resolver: nothing outside the working directory is read (.., absolute, symlink); a FIFO is refused', T, () => {
  const { ws, fifo } = layout();
  const res = makeResolver(ws, new Set());
  for (const p of outsideCases(ws)) {
    const r = res('main.smmu', p);
    assert.ok('error' in r, `${p} was read`);
  }
  assert.ok('text' in res('main.smmu', 'a.smmu'));
  if (fifo) assert.ok('error' in res('main.smmu', 'fifo.smmu'));
  const cyc = runScenario('include "a.smmu"\n', 'main.smmu', { readInclude: res });
  assert.ok(cyc.diagnostics.some((d) => d.code === 'E_INCLUDE_CYCLE'), JSON.stringify(cyc.diagnostics));
});

test('language server resolver: nothing outside the workspace folder is read; a FIFO is refused', T, () => {
  const { ws, fifo } = layout();
  const res = makeIncludeResolver({ workspaceFolders: () => [pathToFileURL(ws).toString()], openText: () => undefined, maxFileSize: () => 1 << 20 });
  const from = pathToFileURL(path.join(ws, 'main.smmu')).toString();
  for (const p of outsideCases(ws)) assert.ok('error' in res(from, p), `${p} was read`);
  assert.ok('text' in res(from, 'a.smmu'));
  if (fifo) assert.ok('error' in res(from, 'fifo.smmu'));
});

test('debugger resolver: nothing outside the workspace root is read (symlink included); a FIFO is refused', T, () => {
  const { ws, fifo } = layout();
  const res = includeResolverFor(nodeFiles, ws);
  const from = pathToFileURL(path.join(ws, 'main.smmu')).toString();
  for (const p of outsideCases(ws)) assert.ok('error' in res(from, p), `${p} was read`);
  assert.ok('text' in res(from, 'a.smmu'));
  if (fifo) assert.ok('error' in res(from, 'fifo.smmu'));
});
