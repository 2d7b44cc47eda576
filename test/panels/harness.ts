// Headless-Chromium harness for the panels: serves each panel's HTML from the extension's own
// generator (fresh nonce, strict CSP) with the webview bundle, stubs acquireVsCodeApi, injects the
// VS Code theme variables, posts messages as the extension would, and collects CSP violations,
// console errors, dialogs and XSS markers. Needs Chromium: CHROMIUM_PATH or /usr/bin/chromium.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import * as esbuild from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { renderPanelHtml } from '../../extension/src/panels/html';
import { newNonce } from '../../extension/src/panels/nonce';
import { PANEL_KINDS, type HostMessage, type PanelKind } from '../../extension/src/panels/protocol';
import { THEMES } from './themes';

const ROOT = path.resolve(__dirname, '../../..');
const SHOTS = path.join(ROOT, 'test-results/panels');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let server: http.Server;
let origin = '';
let ctx: BrowserContext;
let userDir = '';
let bundleDir = '';

export async function startHarness(): Promise<void> {
  assert.ok(fs.existsSync(CHROMIUM), `Chromium not found at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  // Same bundle as scripts/build.mjs makes for the webviews.
  // Same options as scripts/build.mjs for the webviews, into a private directory so a concurrent
  // `npm run build` rewriting dist/media cannot hand the browser a half-written file.
  bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iommu-lens-media-'));
  await esbuild.build({ bundle: true, platform: 'browser', target: 'es2022', format: 'iife', sourcemap: true, logLevel: 'warning', entryPoints: [path.join(ROOT, 'media/src/panels.ts')], outdir: bundleDir });
  fs.mkdirSync(SHOTS, { recursive: true });
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    const m = new RegExp(`^/panel/(${PANEL_KINDS.join('|')})$`).exec(url.pathname);
    if (m) {
      const html = renderPanelHtml({ kind: m[1] as PanelKind, cspSource: origin, scriptUri: `${origin}/dist/media/panels.js`, styleUri: `${origin}/dist/media/panels.css`, nonce: newNonce() });
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    const file = path.join(bundleDir, path.basename(url.pathname));
    if (url.pathname.startsWith('/dist/media/') && /^panels\.(js|css)(\.map)?$/.test(path.basename(url.pathname)) && fs.existsSync(file)) {
      const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'application/octet-stream';
      res.writeHead(200, { 'content-type': type }).end(fs.readFileSync(file));
      return;
    }
    res.writeHead(url.pathname === '/favicon.ico' ? 204 : 404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'iommu-lens-chromium-'));
  ctx = await chromium.launchPersistentContext(userDir, { executablePath: CHROMIUM, headless: true, args: FLAGS, viewport: { width: 1100, height: 860 } });
}

export async function stopHarness(): Promise<void> {
  await ctx?.close();
  await new Promise((r) => server?.close(r));
  if (userDir) fs.rmSync(userDir, { recursive: true, force: true });
  if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
}

export interface Opened {
  page: Page;
  problems: string[];
  dialogs: number;
}

// Browser globals as seen by the functions that run in the page (this file compiles without the DOM lib).
interface PageWindow {
  __posted: unknown[];
  __csp: string[];
  __xss?: unknown;
  postMessage(m: unknown, target: string): void;
}
interface PageDocument {
  addEventListener(type: string, fn: (e: { violatedDirective: string; blockedURI: string }) => void): void;
  documentElement: { style: { setProperty(k: string, v: string): void } };
  body: { classList: { add(c: string): void } };
}
declare const window: PageWindow;
declare const document: PageDocument;

export async function open(kind: PanelKind, theme: 'dark' | 'light', messages: HostMessage[]): Promise<Opened> {
  const page = await ctx.newPage();
  const o: Opened = { page, problems: [], dialogs: 0 };
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning' || /Content.Security.Policy/i.test(m.text())) o.problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => o.problems.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    o.dialogs++;
    void d.dismiss();
  });
  const t = THEMES[theme];
  await page.addInitScript(({ vars, bodyClass }) => {
    window.__posted = [];
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    let saved: unknown;
    (window as unknown as { acquireVsCodeApi: unknown }).acquireVsCodeApi = () => ({
      postMessage: (m: unknown) => window.__posted.push(m),
      getState: () => saved,
      setState: (s: unknown) => {
        saved = s;
      },
    });
    // The <html> element does not exist yet when init scripts run.
    document.addEventListener('DOMContentLoaded', () => {
      for (const [k, v] of Object.entries(vars)) document.documentElement.style.setProperty(k, v);
      document.body.classList.add(bodyClass);
    });
  }, t);
  await page.goto(`${origin}/panel/${kind}`);
  try {
    await page.waitForFunction(() => window.__posted.some((m) => (m as { type?: string }).type === 'ready'), undefined, { timeout: 15_000 });
  } catch (e) {
    throw new Error(`${kind} panel never sent 'ready': ${o.problems.join(' | ') || (e as Error).message}`);
  }
  for (const m of messages) await page.evaluate((msg) => window.postMessage(msg, '*'), m);
  await page.waitForTimeout(250); // custom elements render in a microtask/animation frame
  return o;
}

export async function finish(o: Opened, shot: string): Promise<void> {
  await o.page.screenshot({ path: path.join(SHOTS, `${shot}.png`), fullPage: true });
  const csp = await o.page.evaluate(() => window.__csp);
  assert.deepEqual(csp, [], 'CSP violations');
  assert.deepEqual(o.problems, [], 'console errors');
  assert.equal(o.dialogs, 0, 'a dialog opened');
  assert.equal(await o.page.evaluate(() => window.__xss), undefined, 'a hostile script ran');
  await o.page.close();
}

