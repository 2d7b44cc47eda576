// `npm run test:electron`: the extension checks of test/electron/suite.cjs in desktop VS Code,
// downloaded by @vscode/test-electron. Where VS Code cannot be downloaded (no network but the
// package registries) it skips with a message and exits 0; a download that works and a failing
// check exit non-zero.
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DOWNLOAD_TIMEOUT_MS = 120_000;

if (!existsSync(resolve(root, 'dist/extension.js'))) execFileSync('node', ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });

let vscodeExecutablePath;
try {
  vscodeExecutablePath = await Promise.race([
    downloadAndUnzipVSCode({ version: 'stable', cachePath: resolve(root, '.vscode-test') }),
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no answer in ${DOWNLOAD_TIMEOUT_MS / 1000} s`)), DOWNLOAD_TIMEOUT_MS).unref()),
  ]);
} catch (e) {
  console.log(`test:electron skipped: desktop VS Code could not be downloaded (${e instanceof Error ? e.message : String(e)}).`);
  console.log('The same checks run in code-server by the e2e suite (npm run test:e2e).');
  process.exit(0);
}

// Linux without a display needs Xvfb (Debian: xvfb); desktop VS Code will not start otherwise.
if (process.platform === 'linux' && !process.env.DISPLAY) {
  console.log('test:electron: no DISPLAY; run it under `xvfb-run -a npm run test:electron`.');
  process.exit(1);
}
try {
  await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath: root,
    extensionTestsPath: resolve(root, 'test/electron/suite.cjs'),
    launchArgs: [resolve(root, 'examples'), '--disable-extensions', '--disable-workspace-trust', '--skip-welcome'],
  });
} catch (e) {
  console.error(`test:electron failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
