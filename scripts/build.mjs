// Bundles the extension, the language server, the debug adapter, the CLI and the webview
// scripts with esbuild. `node scripts/build.mjs --watch` rebuilds on change; `--production` minifies.
import * as esbuild from 'esbuild';
import { existsSync } from 'node:fs';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const node = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
};

const entries = [
  { ...node, entryPoints: ['extension/src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'] },
  // The language client (vscode-languageclient) is required by the extension after activation.
  { ...node, entryPoints: ['extension/src/client.ts'], outfile: 'dist/client.js', external: ['vscode'] },
  { ...node, entryPoints: ['language-server/src/server/main.ts'], outfile: 'dist/server.js' },
  { ...node, entryPoints: ['language-server/src/debug/main.ts'], outfile: 'dist/debugAdapter.js' },
  // The runner is a short process: every run reads and compiles its bundle, so it is always
  // written without white space and with shorter syntax (names kept: 550 KB instead of 790 KB).
  { ...node, entryPoints: ['language-server/src/cli/main.ts'], outfile: 'dist/cli.js', minifyWhitespace: true, minifySyntax: true },
].filter((e) => existsSync(e.entryPoints[0]));

// Webview scripts run in the browser.
const webviews = ['media/src/panels.ts'].filter(existsSync);
if (webviews.length) {
  entries.push({
    bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: !production, minify: production,
    logLevel: 'warning', entryPoints: webviews, outdir: 'dist/media',
  });
}

if (watch) {
  for (const e of entries) (await esbuild.context(e)).watch();
} else {
  await Promise.all(entries.map((e) => esbuild.build(e)));
}
