// Starts the bundled language server (dist/server.js) over node IPC and wires its notifications.
// Bundled on its own as dist/client.js and loaded by lazyClient.ts after activation.
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { SCENARIO_RESULT_NOTIFICATION, type ScenarioResultParams } from '../../language-server/src/server/protocol';
import { parseScenarioResult } from './statusText';

/** Client id: VS Code reads `iommuLens.trace.server` for this id. */
export const CLIENT_ID = 'iommuLens';

export function createClient(context: vscode.ExtensionContext, onResult: (r: ScenarioResultParams) => void): LanguageClient {
  const module = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath;
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc },
    debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'smmu' }],
    synchronize: { configurationSection: 'iommuLens' },
    initializationOptions: { settings: vscode.workspace.getConfiguration('iommuLens') },
  };
  const client = new LanguageClient(CLIENT_ID, 'IOMMU Lens', serverOptions, clientOptions);
  context.subscriptions.push(
    client.onNotification(SCENARIO_RESULT_NOTIFICATION, (raw: unknown) => {
      const r = parseScenarioResult(raw);
      if (r) onResult(r);
    }),
  );
  return client;
}
