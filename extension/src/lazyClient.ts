// The language client, loaded after activation: vscode-languageclient is most of the extension's
// code, so it lives in its own bundle (dist/client.js, built from client.ts) that is required once
// `activate` has returned. Requests made before that wait for it.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { ScenarioResultParams } from '../../language-server/src/server/protocol';

/** The part of a LanguageClient that commands and panels use. */
export interface RequestClient {
  sendRequest<R>(method: string, param: unknown): Promise<R>;
}

export class LazyClient implements RequestClient {
  private readonly ready: Promise<LanguageClient>;

  constructor(context: vscode.ExtensionContext, onResult: (r: ScenarioResultParams) => void) {
    this.ready = new Promise<LanguageClient>((resolve, reject) => {
      setImmediate(() => {
        try {
          const file = vscode.Uri.joinPath(context.extensionUri, 'dist', 'client.js').fsPath;
          const mod = require(file) as typeof import('./client');
          const client = mod.createClient(context, onResult);
          client.start().then(() => resolve(client), reject);
        } catch (e) {
          reject(e);
        }
      });
    });
    this.ready.catch((e: unknown) => {
      void vscode.window.showErrorMessage(`IOMMU Lens: the language server failed to start: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  async sendRequest<R>(method: string, param: unknown): Promise<R> {
    const c = await this.ready;
    return c.sendRequest<R>(method, param);
  }

  async stop(): Promise<void> {
    const c = await this.ready.catch(() => undefined);
    await c?.stop();
  }
}
