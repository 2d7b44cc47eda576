// Starts a code-server (VS Code in the browser) for the e2e suite: fresh user-data and extensions
// folders, the built .vsix installed with `code-server --install-extension`, settings that keep
// the welcome page, walkthroughs, telemetry and the workspace-trust prompt away, bound to
// 127.0.0.1 on a free port with no auth.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface CodeServerOptions {
  /** The code-server launcher (.e2e/code-server/node_modules/.bin/code-server). */
  codeServer: string;
  /** Folder with the node that code-server needs (Node 24), put first on the PATH. */
  nodeBin: string;
  /** .vsix to install before starting. */
  vsix: string;
  /** Extra user settings (merged over the quiet defaults below). */
  settings?: Record<string, unknown>;
  /** Where code-server's output goes. */
  logFile: string;
}

export interface CodeServer {
  url: string;
  userDataDir: string;
  extensionsDir: string;
  /** Workbench URL opening a folder. */
  folderUrl(folder: string): string;
  stop(): Promise<void>;
}

/** Settings of a quiet first start: no welcome page, walkthroughs, telemetry, trust prompt, AI chat. */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.colorTheme': 'Default Dark Modern',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'security.workspace.trust.enabled': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'chat.disableAIFeatures': true,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
  'editor.minimap.enabled': false,
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

async function waitHealthy(url: string, child: ChildProcess, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode} before serving`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`code-server did not answer on ${url} within ${ms} ms`);
}

export async function startCodeServer(o: CodeServerOptions): Promise<CodeServer> {
  const base = mkdtempSync(join(tmpdir(), 'iommu-lens-e2e-'));
  const userDataDir = join(base, 'user-data');
  const extensionsDir = join(base, 'extensions');
  mkdirSync(join(userDataDir, 'User'), { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...o.settings }, null, 2));
  const config = join(base, 'config.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');
  const env = {
    ...process.env,
    PATH: `${o.nodeBin}:${process.env.PATH ?? ''}`,
    XDG_CONFIG_HOME: join(base, 'xdg-config'),
    XDG_DATA_HOME: join(base, 'xdg-data'),
  };
  const common = ['--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--config', config];

  const inst = spawnSync(o.codeServer, [...common, '--install-extension', o.vsix], { env, encoding: 'utf8', timeout: 120_000 });
  if (inst.status !== 0 || !readdirSync(extensionsDir).some((d) => d.startsWith('iommu-lens.iommu-lens-'))) {
    throw new Error(`installing ${o.vsix} failed (exit ${inst.status}):\n${inst.stdout}\n${inst.stderr}`);
  }

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const log = createWriteStream(o.logFile);
  const child = spawn(
    o.codeServer,
    [...common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--disable-getting-started-override'],
    { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  await waitHealthy(url, child, 60_000);

  return {
    url,
    userDataDir,
    extensionsDir,
    folderUrl: (folder) => `${url}/?folder=${encodeURIComponent(folder)}`,
    async stop() {
      if (child.exitCode === null && child.pid !== undefined) {
        const exited = new Promise((r) => child.once('exit', r));
        try {
          process.kill(-child.pid, 'SIGTERM'); // the whole group: code-server, its extension host, our server
        } catch {
          // already gone
        }
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) {
          try {
            process.kill(-child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }
      log.end();
      rmSync(base, { recursive: true, force: true });
    },
  };
}
