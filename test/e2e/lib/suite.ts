// One e2e suite = one code-server with the built .vsix installed, one headless Chromium, one
// workspace (a copy of examples/ plus files the suite adds). Usage:
//
//   e2eSuite('hover', (ctx) => {
//     test('shows the field', async () => { await ctx.wb.openFile('quickstart.smmu'); ... });
//   });
//
// Cases run in order and share the window. Needs the prerequisites of scripts/e2e.sh (it sets
// E2E_CODE_SERVER, E2E_NODE_BIN); without them the suite is skipped with the reason.
import { before, after, describe } from 'node:test';
import { chromium, type BrowserContext } from 'playwright-core';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startCodeServer, type CodeServer } from './codeServer';
import { Workbench } from './workbench';

/** The repository root: the nearest folder above this file whose package.json is iommu-lens's. */
export function repoRoot(): string {
  let d = __dirname;
  while (dirname(d) !== d) {
    const p = join(d, 'package.json');
    if (existsSync(p) && (JSON.parse(readFileSync(p, 'utf8')) as { name?: string }).name === 'iommu-lens') return d;
    d = dirname(d);
  }
  throw new Error('repository root not found');
}

export interface SuiteContext {
  /** The workbench (valid inside tests). */
  wb: Workbench;
  /** Absolute path of the opened workspace folder. */
  workspace: string;
  /** code-server's extensions folder (the .vsix is installed there). */
  extensionsDir: string;
  /** Writes a file into the workspace now (see SuiteOptions.files for files known up front). */
  writeFile(name: string, text: string): string;
}

export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage',
];

function missingPrerequisites(root: string): string | undefined {
  const cs = process.env.E2E_CODE_SERVER;
  if (!cs || !existsSync(cs)) return 'E2E_CODE_SERVER is not set to an installed code-server (run `bash scripts/e2e.sh`)';
  if (!process.env.E2E_NODE_BIN) return 'E2E_NODE_BIN is not set (run `bash scripts/e2e.sh`)';
  const vsix = process.env.E2E_VSIX ?? join(root, 'iommu-lens.vsix');
  if (!existsSync(vsix)) return `${vsix} is missing (run \`bash scripts/package.sh\`)`;
  if (!existsSync(process.env.E2E_CHROMIUM ?? '/usr/bin/chromium')) return 'chromium is not installed (apt-get install chromium)';
  return undefined;
}

export interface SuiteOptions {
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Files written into the workspace before the window opens (name -> text). Prefer this to
   *  `ctx.writeFile`, whose files Quick Open only finds once the file watcher has seen them. */
  files?: Record<string, string>;
}

export function e2eSuite(name: string, body: (ctx: SuiteContext) => void, opts: SuiteOptions = {}): void {
  const root = repoRoot();
  const skip = missingPrerequisites(root);
  const shotsDir = resolve(root, 'test-results', 'e2e', name.replace(/[^A-Za-z0-9_-]+/g, '-'));
  let server: CodeServer | undefined;
  let browser: BrowserContext | undefined;
  let base = '';
  const ctx: SuiteContext = {
    wb: undefined as unknown as Workbench,
    workspace: '',
    extensionsDir: '',
    writeFile(file, text) {
      const p = join(ctx.workspace, file);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, text);
      return p;
    },
  };

  describe(name, { skip }, () => {
    before(async () => {
      base = mkdtempSync(join(tmpdir(), 'iommu-lens-ws-'));
      ctx.workspace = join(base, 'examples');
      cpSync(join(root, 'examples'), ctx.workspace, { recursive: true });
      for (const [file, text] of Object.entries(opts.files ?? {})) ctx.writeFile(file, text);
      mkdirSync(shotsDir, { recursive: true });
      server = await startCodeServer({
        codeServer: process.env.E2E_CODE_SERVER!,
        nodeBin: process.env.E2E_NODE_BIN!,
        vsix: process.env.E2E_VSIX ?? join(root, 'iommu-lens.vsix'),
        settings: opts.settings,
        logFile: join(shotsDir, 'code-server.log'),
      });
      ctx.extensionsDir = server.extensionsDir;
      browser = await chromium.launchPersistentContext(join(base, 'chromium-profile'), {
        executablePath: process.env.E2E_CHROMIUM ?? '/usr/bin/chromium',
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: { width: 1400, height: 900 },
      });
      const page = browser.pages()[0] ?? (await browser.newPage());
      page.setDefaultTimeout(20_000);
      ctx.wb = new Workbench(page, shotsDir);
      await ctx.wb.load(server.folderUrl(ctx.workspace));
    });

    after(async () => {
      if (browser && ctx.wb) await ctx.wb.screenshot('final').catch(() => undefined);
      await browser?.close().catch(() => undefined);
      await server?.stop();
      if (base) rmSync(base, { recursive: true, force: true });
    });

    body(ctx);
  });
}
