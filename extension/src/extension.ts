// IOMMU Lens extension entry point. Activated by a .smmu file, a command or the debug type
// (package.json activationEvents); activate only wires things up, the server starts async.
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createClient } from './client';
import { registerCommands } from './commands';
import { registerDebugger } from './debug';
import { panelOpener, registerPanels } from './panels';
import { ScenarioStatusBar } from './statusBar';

let client: LanguageClient | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const status = new ScenarioStatusBar();
  context.subscriptions.push(status);
  client = createClient(context, (r) => status.update(r));
  const panels = registerPanels(context, client);
  registerCommands(context, client, panelOpener(panels));
  registerDebugger(context);
  // Not awaited: activation returns at once, the server comes up in the background.
  client.start().catch((e: unknown) => {
    void vscode.window.showErrorMessage(`IOMMU Lens: the language server failed to start: ${e instanceof Error ? e.message : String(e)}`);
  });
}

export function deactivate(): Thenable<void> | undefined {
  return client?.stop();
}
