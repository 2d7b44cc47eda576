// A real LSP client for tests: spawns the bundled server (`node dist/server.js --stdio`, built by
// `npm run build`) and speaks JSON-RPC to it over stdio with vscode-jsonrpc. Reusable by any suite
// (the fuzz suite too): start, open a document, edit it, wait for diagnostics, send requests.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CancellationTokenSource,
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';

export interface Diag {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  severity?: number;
  code?: string | number;
  message: string;
}
export interface PublishedDiagnostics {
  uri: string;
  version?: number;
  diagnostics: Diag[];
}

/** The repository root (the folder whose package.json is named iommu-lens). */
export function repoRoot(): string {
  let dir = __dirname;
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj) && JSON.parse(fs.readFileSync(pj, 'utf8')).name === 'iommu-lens') return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
}

export interface StartOptions {
  /** Workspace folder (a directory); defaults to a fresh temporary directory. */
  workspace?: string;
  /** Answer to `workspace/configuration` for section `iommuLens`. */
  settings?: Record<string, unknown>;
}

export class LspClient {
  readonly published: PublishedDiagnostics[] = [];
  readonly notifications: Array<{ method: string; params: unknown }> = [];
  private listeners: Array<() => void> = [];
  stderr = '';
  /** The server's answer to `initialize`. */
  initializeResult: { capabilities: Record<string, unknown> } = { capabilities: {} };
  exited: number | null | undefined = undefined;

  private constructor(
    readonly proc: ChildProcessWithoutNullStreams,
    readonly connection: MessageConnection,
    readonly workspace: string,
  ) {}

  static async start(opts: StartOptions = {}): Promise<LspClient> {
    const server = process.env.IOMMU_LENS_SERVER ?? path.join(repoRoot(), 'dist', 'server.js');
    // A concurrent rebuild (packaging cleans dist/) may have removed it for a moment.
    for (let i = 0; i < 100 && !fs.existsSync(server); i++) await new Promise((r) => setTimeout(r, 200));
    if (!fs.existsSync(server)) throw new Error(`${server} is missing: run \`npm run build\` first`);
    const workspace = opts.workspace ?? fs.mkdtempSync(path.join(fs.realpathSync(require('node:os').tmpdir()), 'lsp-test-'));
    const proc = spawn(process.execPath, [server, '--stdio'], { stdio: 'pipe' });
    const connection = createMessageConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
    const c = new LspClient(proc, connection, workspace);
    proc.stderr.on('data', (d: Buffer) => (c.stderr += d.toString()));
    proc.on('exit', (code) => {
      c.exited = code;
      c.notify();
    });
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishedDiagnostics) => {
      c.published.push(p);
      c.notify();
    });
    connection.onNotification((method: string, params: unknown) => {
      c.notifications.push({ method, params });
      c.notify();
    });
    connection.onRequest('workspace/configuration', (p: { items: Array<{ section?: string }> }) =>
      p.items.map((i) => (i.section === 'iommuLens' ? opts.settings ?? null : null)),
    );
    connection.onRequest(() => null); // refresh requests, registerCapability, progress
    connection.onError(() => undefined);
    connection.listen();
    c.initializeResult = await connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(workspace).toString(),
      workspaceFolders: [{ uri: pathToFileURL(workspace).toString(), name: 'ws' }],
      capabilities: {
        workspace: { configuration: true, inlayHint: { refreshSupport: true }, codeLens: { refreshSupport: true } },
        textDocument: {
          publishDiagnostics: { versionSupport: true, relatedInformation: true },
          hover: { contentFormat: ['markdown', 'plaintext'] },
          completion: { completionItem: { snippetSupport: true } },
          rename: { prepareSupport: true },
          semanticTokens: { requests: { full: true }, tokenTypes: [], tokenModifiers: [], formats: ['relative'] },
        },
      },
    });
    await connection.sendNotification('initialized', {});
    return c;
  }

  private notify(): void {
    for (const l of [...this.listeners]) l();
  }

  /** Resolves when `pred` holds (checked on every incoming message), rejects after `timeoutMs`. */
  waitUntil<T>(pred: () => T | undefined, timeoutMs = 10_000, what = 'condition'): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = pred();
        if (v !== undefined) {
          done();
          resolve(v);
        } else if (this.exited !== undefined) {
          done();
          reject(new Error(`server exited (${this.exited}) while waiting for ${what}\n${this.stderr}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.listeners = this.listeners.filter((l) => l !== check);
      };
      this.listeners.push(check);
      check();
    });
  }

  uri(name: string): string {
    return pathToFileURL(path.join(this.workspace, name)).toString();
  }

  /** didOpen; returns the uri. */
  async open(name: string, text: string, version = 1): Promise<string> {
    const uri = name.includes(':') ? name : this.uri(name);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'smmu', version, text } });
    return uri;
  }

  /** didChange with whole-text or ranged changes. */
  async change(uri: string, version: number, changes: Array<{ text: string; range?: Diag['range'] }>): Promise<void> {
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** The next diagnostics published for `uri` (optionally for a given version) after this call
   *  or already received and matching. */
  diagnostics(uri: string, version?: number, timeoutMs = 10_000): Promise<PublishedDiagnostics> {
    return this.waitUntil(
      () => [...this.published].reverse().find((p) => p.uri === uri && (version === undefined || p.version === version)),
      timeoutMs,
      `diagnostics for ${uri}${version !== undefined ? ` v${version}` : ''}`,
    );
  }

  /** Open a document and wait for its first diagnostics. */
  async openAndWait(name: string, text: string, timeoutMs = 10_000): Promise<{ uri: string; diagnostics: Diag[] }> {
    const uri = await this.open(name, text);
    const p = await this.diagnostics(uri, 1, timeoutMs);
    return { uri, diagnostics: p.diagnostics };
  }

  request<R>(method: string, params: unknown, token?: CancellationTokenSource): Promise<R> {
    // Passing `undefined` as a third argument would send the params by position.
    return token ? this.connection.sendRequest<R>(method, params, token.token) : this.connection.sendRequest<R>(method, params);
  }

  hover(uri: string, line: number, character: number): Promise<{ contents: { kind: string; value: string }; range?: Diag['range'] } | null> {
    return this.request('textDocument/hover', { textDocument: { uri }, position: { line, character } });
  }

  async stop(): Promise<void> {
    if (this.exited === undefined) {
      try {
        await Promise.race([this.connection.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 2000))]);
        await this.connection.sendNotification('exit');
      } catch {
        /* already gone */
      }
      await Promise.race([new Promise((r) => this.proc.once('exit', r)), new Promise((r) => setTimeout(r, 2000))]);
      if (this.exited === undefined) this.proc.kill();
    }
    this.connection.dispose();
  }
}

/** Position (line, character) of the first occurrence of `needle` in `text` (+ `delta` chars). */
export function positionOf(text: string, needle: string, delta = 0): { line: number; character: number } {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`'${needle}' not in text`);
  const o = i + delta;
  const before = text.slice(0, o);
  const line = before.split('\n').length - 1;
  return { line, character: o - (before.lastIndexOf('\n') + 1) };
}

export { CancellationTokenSource };
